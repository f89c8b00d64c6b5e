"""The policy pack over gRPC on CloudFormation stacks and StackSets holding notebooks."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from sm_guardrails.pulumi.engine import AnalyzerClient, Diagnostic

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
STACK = "aws:cloudformation/stack:Stack"
STACK_SET = "aws:cloudformation/stackSet:StackSet"
NATIVE_STACK_SET = "aws-native:cloudformation:StackSet"

INNER: dict[str, Any] = {
    "Parameters": {"Access": {"Type": "String"}},
    "Resources": {
        "Lab": {
            "Type": "AWS::SageMaker::NotebookInstance",
            "Properties": {
                "InstanceType": "ml.t3.medium",
                "RoleArn": "arn:aws:iam::123456789012:role/nb",
                "DirectInternetAccess": {"Ref": "Access"},
                "SubnetId": "subnet-1",
                "SecurityGroupIds": ["sg-1"],
                "RootAccess": "Disabled",
                "KmsKeyId": "alias/nb",
                "InstanceMetadataServiceConfiguration": {
                    "MinimumInstanceMetadataServiceVersion": "2"
                },
            },
        }
    },
}


def analyze(client: AnalyzerClient, resource_type: str, props: dict[str, Any]) -> list[Diagnostic]:
    urn = f"urn:pulumi:dev::notebooks::{resource_type}::legacy"
    return client.analyze(resource_type, props, urn, "legacy")


def shown(diagnostics: list[Diagnostic]) -> set[tuple[str, str]]:
    """(enforcement level, the finding line) of each diagnostic."""
    return {(d.enforcement_level, d.message.splitlines()[1].split(":")[0]) for d in diagnostics}


@pytest.mark.parametrize("resource_type", [STACK, STACK_SET])
def test_a_notebook_in_a_template_body_is_judged_naming_resource_and_notebook(
    analyzer: AnalyzerClient, resource_type: str
) -> None:
    props = {"templateBody": json.dumps(INNER), "parameters": {"Access": "Enabled"}}
    diagnostics = analyze(analyzer, resource_type, props)
    assert shown(diagnostics) == {("mandatory", "[SMG-1] legacy > Lab")}
    assert "DirectInternetAccess can be 'Enabled'" in diagnostics[0].message or (
        "DirectInternetAccess is 'Enabled'" in diagnostics[0].message
    )


def test_a_stack_passed_disabled_passes(analyzer: AnalyzerClient) -> None:
    props = {"templateBody": json.dumps(INNER), "parameters": {"Access": "Disabled"}}
    assert analyze(analyzer, STACK, props) == []


def test_a_stack_set_parameter_can_be_overridden_by_an_instance_so_it_fails_closed(
    analyzer: AnalyzerClient,
) -> None:
    props = {"templateBody": json.dumps(INNER), "parameters": {"Access": "Disabled"}}
    (diagnostic,) = analyze(analyzer, STACK_SET, props)
    assert diagnostic.mandatory and "StackSetInstance" in diagnostic.message
    restricted = json.loads(json.dumps(INNER))
    restricted["Parameters"]["Access"]["AllowedValues"] = ["Disabled"]
    props["templateBody"] = json.dumps(restricted)
    assert analyze(analyzer, STACK_SET, props) == []


def test_aws_native_stack_set_reads_parameters_and_instance_overrides(
    analyzer: AnalyzerClient,
) -> None:
    props: dict[str, Any] = {
        "stackSetName": "notebooks",
        "permissionModel": "SELF_MANAGED",
        "templateBody": json.dumps(INNER),
        "parameters": [{"parameterKey": "Access", "parameterValue": "Disabled"}],
    }
    assert analyze(analyzer, NATIVE_STACK_SET, props) == []
    props["stackInstancesGroup"] = [
        {
            "regions": ["eu-west-1"],
            "parameterOverrides": [{"parameterKey": "Access", "parameterValue": "Enabled"}],
        }
    ]
    (diagnostic,) = analyze(analyzer, NATIVE_STACK_SET, props)
    assert diagnostic.mandatory and "through a stack instance override" in diagnostic.message


def test_an_unknown_parameter_fails_closed(analyzer: AnalyzerClient) -> None:
    props = {"templateBody": json.dumps(INNER), "parameters": {"Access": UNKNOWN}}
    (diagnostic,) = analyze(analyzer, STACK, props)
    assert diagnostic.mandatory and "unknown at preview" in diagnostic.message


@pytest.mark.parametrize(
    ("props", "said"),
    [
        ({"templateBody": UNKNOWN}, "has a templateBody unknown at preview"),
        (
            {"templateUrl": "https://s3.amazonaws.com/b/t.yaml"},
            "deploys the template at templateUrl",
        ),
    ],
    ids=["unknown-body", "template-url"],
)
@pytest.mark.parametrize("resource_type", [STACK, STACK_SET, NATIVE_STACK_SET])
def test_an_unseen_template_is_advisory_and_mandatory_when_unseen_is_error(
    analyzer: AnalyzerClient, resource_type: str, props: dict[str, Any], said: str
) -> None:
    (notice,) = analyze(analyzer, resource_type, props)
    assert (notice.policy_name, notice.enforcement_level) == ("sm-guardrails-advisory", "advisory")
    assert "[SMG-U] legacy: " in notice.message and said in notice.message
    analyzer.configure({"sm-guardrails": {"unseen": "error"}})
    (error,) = analyze(analyzer, resource_type, props)
    assert (error.policy_name, error.enforcement_level) == ("sm-guardrails", "mandatory")


def test_a_body_that_does_not_parse_is_a_mandatory_finding(analyzer: AnalyzerClient) -> None:
    (diagnostic,) = analyze(analyzer, STACK, {"templateBody": "Resources: [oops\n"})
    assert diagnostic.mandatory
    assert "[SMG-U] legacy: has a TemplateBody that is not a template: invalid YAML" in (
        diagnostic.message
    )


def test_a_bad_unseen_setting_is_an_smg0_and_the_default_applies(
    analyzer: AnalyzerClient,
) -> None:
    analyzer.configure({"sm-guardrails": {"unseen": "sometimes"}})
    diagnostics = analyze(analyzer, STACK, {"templateUrl": "https://s3.amazonaws.com/b/t.yaml"})
    assert {(d.policy_name, d.message.splitlines()[1][:8]) for d in diagnostics} == {
        ("sm-guardrails", "[SMG-0] "),
        ("sm-guardrails-advisory", "[SMG-U] "),
    }
    smg0 = next(d for d in diagnostics if d.policy_name == "sm-guardrails")
    assert "unseen: 'sometimes' is not one of notice, error; the default applies" in smg0.message


def test_other_cloudformation_resources_are_ignored(analyzer: AnalyzerClient) -> None:
    props = {"stackSetName": "x", "accountId": "123456789012", "region": "eu-west-1"}
    assert analyze(analyzer, "aws:cloudformation/stackSetInstance:StackSetInstance", props) == []


def test_the_pack_starts_without_the_template_reader_or_the_aws_provider() -> None:
    """Start-up is measured (bench): the reader loads only when a stack body is seen."""
    probe = (
        "import sys, sm_guardrails.pulumi\n"
        "print(sorted(m for m in ('sm_guardrails.cloudformation', 'pulumi_aws') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
