"""NotebookGuardrailAspect judges what will be deployed, alone, with enforce(app), or both."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_sagemaker as sagemaker
from constructs import IConstruct

from sm_guardrails.catalog import Level
from sm_guardrails.cdk import NotebookGuardrailAspect, enforce, exempt
from sm_guardrails.config import GuardrailConfig
from tests.cdk.cdk_cli import cdk_synth
from tests.cdk.helpers import (
    SynthResult,
    domain,
    needs_native_acknowledge,
    notebook,
    raw_domain,
    synth,
)


def _aspect(app: cdk.App) -> None:
    cdk.Aspects.of(app).add(NotebookGuardrailAspect())


def _both(app: cdk.App) -> None:
    enforce(app)
    _aspect(app)


def _both_aspect_first(app: cdk.App) -> None:
    _aspect(app)
    enforce(app)


GUARDS: dict[str, Callable[[cdk.App], object]] = {
    "aspect": _aspect,
    "enforce": enforce,
    "both": _both,
    "both-aspect-first": _both_aspect_first,
}
"""Each way a user guards an app: every test below must report the same, once."""


@pytest.fixture(params=list(GUARDS))
def guard(request: pytest.FixtureRequest) -> Callable[[cdk.App], object]:
    return GUARDS[request.param]


@jsii.implements(cdk.IAspect)
class _ChangeNotebooks:
    """A team's own aspect that changes every ``CfnNotebookInstance`` it visits."""

    def __init__(self, change: Callable[[sagemaker.CfnNotebookInstance], None]) -> None:
        self._change = change

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, sagemaker.CfnNotebookInstance):
            self._change(node)


def _open(resource: sagemaker.CfnNotebookInstance) -> None:
    resource.direct_internet_access = "Enabled"


def _open_by_override(resource: sagemaker.CfnNotebookInstance) -> None:
    resource.add_property_override("DirectInternetAccess", "Enabled")


def _drop_subnet(resource: sagemaker.CfnNotebookInstance) -> None:
    resource.add_property_deletion_override("SubnetId")


def _close(resource: sagemaker.CfnNotebookInstance) -> None:
    resource.direct_internet_access = "Disabled"


def _close_by_override(resource: sagemaker.CfnNotebookInstance) -> None:
    resource.add_property_override("DirectInternetAccess", "Disabled")


def _reported(result: SynthResult, errors: set[tuple[str, str]]) -> None:
    """``result`` has exactly ``errors``, each once, and failed synth only if there are some."""
    assert result.rules("error") == errors
    pairs = [(v.rule, v.path) for v in result.violations]
    assert len(pairs) == len(set(pairs)), f"reported twice: {pairs}"
    assert (result.error is not None) == bool(errors), result.error


PRIORITIES: dict[str, int | None] = (
    {
        "mutating": cdk.AspectPriority.MUTATING,
        "default": cdk.AspectPriority.DEFAULT,
        "readonly": cdk.AspectPriority.READONLY,
    }
    if hasattr(cdk, "AspectPriority")
    else {"in-order": None}  # aws-cdk-lib before 2.172 has no aspect priorities
)


def _add_aspect(scope: IConstruct, aspect: object, priority: int | None) -> None:
    if priority is None:
        cdk.Aspects.of(scope).add(aspect)  # type: ignore[arg-type]
    else:
        cdk.Aspects.of(scope).add(aspect, priority=priority)  # type: ignore[arg-type]


@pytest.mark.parametrize("priority", list(PRIORITIES))
@pytest.mark.parametrize("added", ["after", "before"])
@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (_open, {("SMG-1", "Stack/Notebook")}),
        (_open_by_override, {("SMG-1", "Stack/Notebook")}),
        (_drop_subnet, {("SMG-2", "Stack/Notebook")}),
    ],
    ids=["sets-enabled", "property-override", "deletion-override"],
)
def test_another_aspect_that_opens_a_notebook_is_caught(
    app: cdk.App,
    guard: Callable[[cdk.App], object],
    change: Callable[[sagemaker.CfnNotebookInstance], None],
    errors: set[tuple[str, str]],
    added: str,
    priority: str,
) -> None:
    theirs = _ChangeNotebooks(change)
    if added == "before":
        _add_aspect(app, theirs, PRIORITIES[priority])
    guard(app)
    if added == "after":
        _add_aspect(app, theirs, PRIORITIES[priority])
    notebook(cdk.Stack(app, "Stack"))
    _reported(synth(app), errors)


@pytest.mark.parametrize("change", [_close, _close_by_override], ids=["setter", "override"])
def test_another_aspect_that_fixes_a_notebook_leaves_nothing_to_report(
    app: cdk.App,
    guard: Callable[[cdk.App], object],
    change: Callable[[sagemaker.CfnNotebookInstance], None],
) -> None:
    guard(app)
    cdk.Aspects.of(app).add(_ChangeNotebooks(change))
    notebook(cdk.Stack(app, "Stack"), direct_internet_access="Enabled")
    result = synth(app)
    _reported(result, set())
    assert result.violations == []


def test_escape_hatch_overrides_are_judged(
    app: cdk.App, guard: Callable[[cdk.App], object]
) -> None:
    guard(app)
    stack = cdk.Stack(app, "Stack")
    notebook(stack, "Opened").add_property_override("DirectInternetAccess", "Enabled")
    notebook(stack, "NoSubnet").add_property_deletion_override("SubnetId")
    fixed = notebook(stack, "Fixed", direct_internet_access="Enabled")
    fixed.add_override("Properties.DirectInternetAccess", "Disabled")
    _reported(synth(app), {("SMG-1", "Stack/Opened"), ("SMG-2", "Stack/NoSubnet")})


def test_notebook_in_a_stage_in_a_stage(app: cdk.App, guard: Callable[[cdk.App], object]) -> None:
    guard(app)
    inner = cdk.Stage(cdk.Stage(app, "Prod"), "Eu")
    notebook(cdk.Stack(inner, "Stack"), direct_internet_access="Enabled")
    notebook(cdk.Stack(app, "Stack"), subnet_id="")
    _reported(synth(app), {("SMG-1", "Prod/Eu/Stack/Notebook"), ("SMG-2", "Stack/Notebook")})


def test_notebook_in_a_nested_stack(app: cdk.App, guard: Callable[[cdk.App], object]) -> None:
    guard(app)
    nested = cdk.NestedStack(cdk.NestedStack(cdk.Stack(app, "Stack"), "Outer"), "Inner")
    notebook(nested, direct_internet_access="Enabled")
    _reported(synth(app), {("SMG-1", "Stack/Outer/Inner/Notebook")})


@pytest.mark.parametrize(
    ("entries", "key", "errors"),
    [
        ({"prod": "Disabled", "dev": "Enabled"}, "prod", set()),
        ({"prod": "Disabled", "dev": "Enabled"}, "dev", {("SMG-1", "Stack/Notebook")}),
        ({"eu-west-1": "Disabled", "us-east-1": "Disabled"}, cdk.Aws.REGION, set()),
        (
            {"eu-west-1": "Disabled", "us-east-1": "Enabled"},
            cdk.Aws.REGION,
            {("SMG-1", "Stack/Notebook")},
        ),
    ],
    ids=[
        "literal-key-disabled",
        "literal-key-enabled",
        "region-all-disabled",
        "region-one-enabled",
    ],
)
def test_find_in_map_is_resolved_from_the_template(
    app: cdk.App,
    guard: Callable[[cdk.App], object],
    entries: dict[str, str],
    key: str,
    errors: set[tuple[str, str]],
) -> None:
    guard(app)
    stack = cdk.Stack(app, "Stack")
    mapping = cdk.CfnMapping(
        stack, "Access", mapping={top: {"internet": value} for top, value in entries.items()}
    )
    notebook(stack, direct_internet_access=mapping.find_in_map(key, "internet"))
    _reported(synth(app), errors)


def test_an_aspect_on_a_stack_judges_that_stack_only(app: cdk.App) -> None:
    guarded = cdk.Stack(app, "Guarded")
    cdk.Aspects.of(guarded).add(NotebookGuardrailAspect())
    notebook(guarded, direct_internet_access="Enabled")
    notebook(cdk.NestedStack(guarded, "Nested"), subnet_id="")
    notebook(cdk.Stack(app, "Other"), direct_internet_access="Enabled")
    notebook(cdk.Stack(cdk.Stage(app, "Prod"), "Stack"), direct_internet_access="Enabled")
    _reported(synth(app), {("SMG-1", "Guarded/Notebook"), ("SMG-2", "Guarded/Nested/Notebook")})


def test_an_aspect_on_a_stack_judges_its_studio_domains(app: cdk.App) -> None:
    guarded = cdk.Stack(app, "Guarded")
    cdk.Aspects.of(guarded).add(NotebookGuardrailAspect())
    domain(guarded, "Open", app_network_access_type="PublicInternetOnly")
    domain(guarded, "Reopened").add_property_override("AppNetworkAccessType", "PublicInternetOnly")
    domain(guarded, "Compliant")
    raw_domain(guarded)
    domain(cdk.Stack(app, "Other"), "Open", app_network_access_type="PublicInternetOnly")
    _reported(
        synth(app),
        {
            ("SMG-6", "Guarded/Open"),
            ("SMG-6", "Guarded/Reopened"),
            ("SMG-6", "Guarded/Raw"),
            ("SMG-7", "Guarded/Raw"),
        },
    )


def test_an_override_that_reopens_a_domain_is_judged(
    app: cdk.App, guard: Callable[[cdk.App], object]
) -> None:
    guard(app)
    stack = cdk.Stack(app, "Stack")
    domain(stack, "NoGroups").add_property_deletion_override("DefaultUserSettings.SecurityGroups")
    fixed = domain(stack, "Fixed", app_network_access_type="PublicInternetOnly")
    fixed.add_property_override("AppNetworkAccessType", "VpcOnly")
    _reported(synth(app), {("SMG-7", "Stack/NoGroups")})


def test_an_aspect_on_a_stage_judges_that_stage_only(app: cdk.App) -> None:
    prod = cdk.Stage(app, "Prod")
    cdk.Aspects.of(prod).add(NotebookGuardrailAspect())
    notebook(cdk.Stack(cdk.Stage(prod, "Eu"), "Stack"), direct_internet_access="Enabled")
    notebook(cdk.Stack(cdk.Stage(app, "Dev"), "Stack"), direct_internet_access="Enabled")
    _reported(synth(app), {("SMG-1", "Prod/Eu/Stack/Notebook")})


def test_the_closest_scope_config_decides_and_nothing_is_reported_twice(app: cdk.App) -> None:
    enforce(app)
    lab = cdk.Stack(app, "Lab")
    relaxed = GuardrailConfig(levels={"SMG-1": Level.WARNING})
    cdk.Aspects.of(lab).add(NotebookGuardrailAspect(relaxed))
    notebook(lab, direct_internet_access="Enabled")
    notebook(cdk.Stack(app, "Prod"), direct_internet_access="Enabled")
    result = synth(app)
    _reported(result, {("SMG-1", "Prod/Notebook")})
    assert result.rules("warning") == {("SMG-1", "Lab/Notebook")}


def test_another_config_for_the_same_scope_is_rejected(app: cdk.App) -> None:
    enforce(app)
    cdk.Aspects.of(app).add(NotebookGuardrailAspect(GuardrailConfig(levels={"SMG-1": Level.OFF})))
    notebook(cdk.Stack(app, "Stack"))
    with pytest.raises(
        RuntimeError, match="NotebookGuardrailAspect on 'the app' has another config"
    ):
        app.synth()


@needs_native_acknowledge
def test_exemptions_and_acknowledgements_apply_to_the_aspect(app: cdk.App) -> None:
    _aspect(app)
    stack = cdk.Stack(app, "Stack")
    exempt(notebook(stack, "Exempted", direct_internet_access="Enabled"), "SMG-1", "SEC-42: demo")
    notebook(stack, "Acknowledged", direct_internet_access="Enabled")
    cdk.Validations.of(stack.node.find_child("Acknowledged")).acknowledge(
        cdk.Acknowledgment(id="sm-guardrails::SMG-1", reason="SEC-7: isolated lab")
    )
    result = synth(app)
    _reported(result, set())
    assert result.rules("info") == {("SMG-1", "Stack/Exempted")}
    assert [(v.rule, v.path, v.reason) for v in result.acknowledged] == [
        ("SMG-1", "Stack/Acknowledged", "SEC-7: isolated lab")
    ]


def test_the_aspect_writes_no_annotations(app: cdk.App) -> None:
    _aspect(app)
    notebook(cdk.Stack(app, "Stack"), root_access="Enabled")
    assembly = app.synth()  # a warning does not fail synth
    assert [m for s in assembly.stacks_recursively for m in s.messages] == []
    report = synth(app)
    assert report.rules("warning") == {("SMG-3", "Stack/Notebook")}


_CLI_APP = """
import sys

import aws_cdk as cdk
from aws_cdk import aws_sagemaker as sagemaker

from sm_guardrails.cdk import NotebookGuardrailAspect, enforce

app = cdk.App()
cdk.Aspects.of(app).add(NotebookGuardrailAspect())
if "both" in sys.argv:
    enforce(app)
stage = cdk.Stage(cdk.Stage(app, "Prod"), "Eu")
for scope in (app, stage):
    notebook = sagemaker.CfnNotebookInstance(
        cdk.Stack(scope, "Lab"), "Notebook", instance_type="ml.t3.medium",
        role_arn="arn:aws:iam::123456789012:role/notebook", direct_internet_access="Disabled",
        subnet_id="subnet-0123456789abcdef0", security_group_ids=["sg-0123456789abcdef0"],
        root_access="Disabled", kms_key_id="alias/notebooks",
        instance_metadata_service_configuration={"minimumInstanceMetadataServiceVersion": "2"},
    )
    notebook.add_property_override("DirectInternetAccess", "Enabled")
app.synth()
"""


@pytest.mark.parametrize("setup", ["aspect", "both"])
def test_cdk_cli_fails_and_shows_each_finding_once(tmp_path: Path, setup: str) -> None:
    (tmp_path / "app.py").write_text(_CLI_APP, encoding="utf-8")
    (tmp_path / "cdk.json").write_text(json.dumps({"app": f"python3 app.py {setup}"}))
    result = cdk_synth(tmp_path, tmp_path / "cdk.out", "**")  # stacks in stages too
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert output.count("ERROR [SMG-1] DirectInternetAccess is 'Enabled'") == 2, output
    assert "Lab/Notebook (Notebook)" in output
    assert "Prod/Eu/Lab/Notebook (Notebook)" in output
