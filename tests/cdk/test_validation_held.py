"""``enforce(app)`` on notebooks inside templates that CDK resources deploy (real synth)."""

from __future__ import annotations

import json

import aws_cdk as cdk

from sm_guardrails import GuardrailConfig, UnseenPolicy
from sm_guardrails.cdk import enforce
from tests.cdk.helpers import ROLE_ARN, synth

INNER = {
    "Parameters": {"Access": {"Type": "String"}},
    "Resources": {
        "Lab": {
            "Type": "AWS::SageMaker::NotebookInstance",
            "Properties": {
                "InstanceType": "ml.t3.medium",
                "RoleArn": ROLE_ARN,
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


def _stack_set(stack: cdk.Stack, access: str) -> cdk.CfnStackSet:
    return cdk.CfnStackSet(
        stack,
        "Rollout",
        stack_set_name="notebooks",
        permission_model="SELF_MANAGED",
        template_body=json.dumps(INNER),
        parameters=[
            cdk.CfnStackSet.ParameterProperty(parameter_key="Access", parameter_value=access)
        ],
    )


def test_a_stack_set_body_with_internet_access_fails_synth(app: cdk.App) -> None:
    enforce(app)
    _stack_set(cdk.Stack(app, "Stack"), "Enabled")
    result = synth(app)
    assert result.error is not None
    assert result.rules("error") == {("SMG-1", "Stack/Rollout")}
    (violation,) = result.violations
    assert violation.description.startswith(
        "[SMG-1] notebook Lab of its template body: DirectInternetAccess is 'Enabled'"
    )


def test_a_stack_set_body_passed_disabled_synthesizes(app: cdk.App) -> None:
    enforce(app)
    _stack_set(cdk.Stack(app, "Stack"), "Disabled")
    result = synth(app)
    assert result.error is None and result.violations == []


def test_a_template_url_is_a_notice_and_an_error_when_unseen_is_error(app: cdk.App) -> None:
    enforce(app, GuardrailConfig(unseen=UnseenPolicy.ERROR))
    stack = cdk.Stack(app, "Stack")
    cdk.CfnStack(stack, "Remote", template_url="https://s3.amazonaws.com/bucket/child.json")
    cdk.NestedStack(stack, "Nested")  # its template is in cdk.out: seen, not reported
    result = synth(app)
    assert result.error is not None
    assert result.rules("error") == {("SMG-U", "Stack/Remote")}
    (violation,) = result.violations
    assert "nested stack with no local template" in violation.description
