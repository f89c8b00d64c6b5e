"""Resource transforms run as the engine runs them, and the pack judges what they return."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from sm_guardrails.pulumi import MAIN_POLICY, SecureNotebookInstance, SecureNotebookInstanceArgs
from sm_guardrails.pulumi.engine import AnalyzerClient, Diagnostic
from sm_guardrails.pulumi.harness import ProgramMocks, RegisteredResource, judge, run_with_mocks
from tests.pulumi.conftest import PROGRAMS, Harness

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def notebook(name: str, opts: pulumi.ResourceOptions | None = None, **inputs: Any) -> None:
    """A notebook that passes every blocking rule unless ``inputs`` say otherwise."""
    aws.sagemaker.NotebookInstance(
        name,
        **{
            "instance_type": "ml.t3.medium",
            "role_arn": "arn:aws:iam::123456789012:role/notebook",
            "subnet_id": "subnet-1",
            "security_groups": ["sg-1"],
            "direct_internet_access": "Disabled",
            **inputs,
        },
        opts=opts,
    )


def set_inputs(**changes: Any) -> Callable[[pulumi.ResourceTransformArgs], Any]:
    """A transform that sets ``changes`` (wire names) on every notebook."""

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if args.type_ != NOTEBOOK:
            return None
        return pulumi.ResourceTransformResult({**args.props, **changes}, args.opts)

    return transform


def run(program: Callable[[], None]) -> list[RegisteredResource]:
    return run_with_mocks(program, mocks=ProgramMocks(preview=True))


def blocking(resources: list[RegisteredResource], analyzer: AnalyzerClient) -> list[Diagnostic]:
    return [d for d in judge(resources, analyzer) if d.mandatory]


def notebooks(resources: list[RegisteredResource]) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in resources if r.resource_type == NOTEBOOK}


def test_a_transform_that_enables_internet_access_fails(analyzer: AnalyzerClient) -> None:
    opts = pulumi.ResourceOptions(transforms=[set_inputs(directInternetAccess="Enabled")])
    resources = run(lambda: notebook("lab", opts))
    assert notebooks(resources)["lab"]["directInternetAccess"] == "Enabled"
    [violation] = blocking(resources, analyzer)
    assert violation.policy_name == MAIN_POLICY
    assert "[SMG-1] lab: directInternetAccess is 'Enabled'" in violation.message


def test_a_transform_that_fixes_a_bad_notebook_passes(analyzer: AnalyzerClient) -> None:
    def program() -> None:
        subnet = aws.ec2.Subnet("private", vpc_id="vpc-1", cidr_block="10.0.1.0/24")
        fix = set_inputs(directInternetAccess="Disabled", securityGroups=["sg-1"])
        opts = pulumi.ResourceOptions(transforms=[fix])
        # Created in this program, the subnet's id is unknown at preview: the transform
        # gets it as an unknown output and must hand it back unknown, not dropped.
        notebook("lab", opts, subnet_id=subnet.id, direct_internet_access="Enabled")
        notebook("bare", pulumi.ResourceOptions(transforms=[fix]), security_groups=None)

    resources = run(program)
    assert notebooks(resources)["lab"]["subnetId"] == UNKNOWN
    assert notebooks(resources)["bare"]["securityGroups"] == ["sg-1"]
    assert blocking(resources, analyzer) == []


def test_a_stack_transform_applies_to_the_notebooks_registered_after_it(
    analyzer: AnalyzerClient,
) -> None:
    def program() -> None:
        notebook("before")
        pulumi.runtime.register_resource_transform(set_inputs(directInternetAccess="Enabled"))
        notebook("after")
        SecureNotebookInstance("secure", SecureNotebookInstanceArgs(subnet_id="subnet-1"))

    resources = run(program)
    flagged = sorted(d.urn.rsplit("::", 1)[-1] for d in blocking(resources, analyzer))
    assert flagged == ["after", "secure"]
    assert notebooks(resources)["before"]["directInternetAccess"] == "Disabled"


def test_a_components_transforms_reach_its_children(analyzer: AnalyzerClient) -> None:
    opts = pulumi.ResourceOptions(transforms=[set_inputs(directInternetAccess="Enabled")])
    resources = run(
        lambda: SecureNotebookInstance(
            "analysis", SecureNotebookInstanceArgs(subnet_id="subnet-1"), opts
        )
    )
    [violation] = blocking(resources, analyzer)
    assert violation.urn.endswith(
        "::sm-guardrails:sagemaker:SecureNotebookInstance$"
        "aws:sagemaker/notebookInstance:NotebookInstance::analysis"
    )


def test_transforms_run_in_the_engines_order() -> None:
    """The resource's own, then its parent's, its grandparent's, then the stack's."""

    def tag(label: str) -> Callable[[pulumi.ResourceTransformArgs], Any]:
        def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
            tags = dict(args.props.get("tags") or {})
            tags["order"] = f"{tags.get('order', '')}{label}"
            return pulumi.ResourceTransformResult({**args.props, "tags": tags}, args.opts)

        return transform

    def program() -> None:
        pulumi.runtime.register_resource_transform(tag("S"))
        pulumi.runtime.register_resource_transform(tag("T"))
        outer = pulumi.ComponentResource(
            "test:index:Outer", "outer", opts=pulumi.ResourceOptions(transforms=[tag("G")])
        )
        inner = pulumi.ComponentResource(
            "test:index:Inner",
            "inner",
            opts=pulumi.ResourceOptions(parent=outer, transforms=[tag("P")]),
        )
        notebook("lab", pulumi.ResourceOptions(parent=inner, transforms=[tag("1"), tag("2")]))

    assert notebooks(run(program))["lab"]["tags"] == {"order": "12PGST"}


def test_secrets_and_unknowns_pass_through_a_transform(analyzer: AnalyzerClient) -> None:
    def program() -> None:
        subnet = aws.ec2.Subnet("private", vpc_id="vpc-1", cidr_block="10.0.1.0/24")
        opts = pulumi.ResourceOptions(transforms=[set_inputs(rootAccess="Disabled")])
        notebook(
            "lab",
            opts,
            direct_internet_access=pulumi.Output.secret("Enabled"),
            security_groups=[subnet.id],
        )

    [lab] = notebooks(run(program)).values()
    assert lab["directInternetAccess"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "Enabled",
    }
    assert lab["securityGroups"] == [UNKNOWN]
    assert lab["rootAccess"] == "Disabled"
    [violation] = blocking(run(program), analyzer)
    assert "[SMG-1] lab: directInternetAccess is 'Enabled'" in violation.message


def test_older_transformations_are_applied_by_the_sdk(analyzer: AnalyzerClient) -> None:
    """``transformations`` and ``register_stack_transformation`` change the inputs before
    the SDK registers the resource, so the monitor already sees their result."""

    def enable(args: pulumi.ResourceTransformationArgs) -> Any:
        if args.type_ != NOTEBOOK:
            return None
        props = {**args.props, "direct_internet_access": "Enabled"}
        return pulumi.ResourceTransformationResult(props, args.opts)

    def fix(args: pulumi.ResourceTransformationArgs) -> Any:
        if args.type_ != NOTEBOOK:
            return None
        props = {**args.props, "direct_internet_access": "Disabled"}
        return pulumi.ResourceTransformationResult(props, args.opts)

    def program() -> None:
        notebook("enabled", pulumi.ResourceOptions(transformations=[enable]))
        pulumi.runtime.register_stack_transformation(fix)
        notebook("fixed", direct_internet_access="Enabled")

    resources = run(program)
    assert [d.urn.rsplit("::", 1)[-1] for d in blocking(resources, analyzer)] == ["enabled"]


def test_harness_command_judges_the_transformed_notebooks(harness_command: Harness) -> None:
    result = harness_command("transforms")
    assert result.returncode == 1, result.stderr
    assert "[SMG-1] enabled-by-transform: directInternetAccess is 'Enabled'" in result.stdout
    assert "[SMG-1] fixed-by-transform" not in result.stdout
    assert "1 mandatory" in result.stdout


def test_a_failing_transform_is_one_line_naming_it(harness_command: Harness) -> None:
    result = harness_command("transforms", "--config", "broken=true")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: TransformError: transform 1 of " + NOTEBOOK)
    assert line.endswith(
        "'broken' failed: ValueError: no notebook may be called broken"
        f" (at {PROGRAMS}/transforms/__main__.py:27)"
    )
