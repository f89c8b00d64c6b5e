"""GuardrailValidationPlugin (through enforce) on the templates CDK renders."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import cloudformation_include as cfn_include
from constructs import Construct

from sm_guardrails.catalog import RULES, Level
from sm_guardrails.cdk import (
    GuardrailValidationPlugin,
    SecureNotebookInstance,
    enforce,
    exempt,
    release,
)
from sm_guardrails.config import ConfigError, GuardrailConfig
from tests.cdk.helpers import (
    ROLE_ARN,
    domain,
    needs_native_acknowledge,
    notebook,
    raw_domain,
    synth,
)

PATH = "Stack/Notebook"


def _stack(app: cdk.App, config: GuardrailConfig | None = None) -> cdk.Stack:
    enforce(app, config)
    return cdk.Stack(app, "Stack")


def test_violation_fails_synth_naming_rule_and_construct_path(app: cdk.App) -> None:
    notebook(_stack(app), direct_internet_access="Enabled", root_access=None)
    result = synth(app)
    assert result.error is not None
    assert "[SMG-1] DirectInternetAccess is 'Enabled', not exactly 'Disabled'" in result.error
    assert "Stack/Notebook (Notebook)" in result.error
    if release.NATIVE_ACKNOWLEDGE:
        assert "Acknowledge with 'sm-guardrails::SMG-1'" in result.error
    assert result.rules("error") == {("SMG-1", PATH)}
    assert result.rules("warning") == {("SMG-3", PATH)}


def test_compliant_app_synthesizes_without_findings(app: cdk.App) -> None:
    stack = _stack(app)
    notebook(stack)
    notebook(cdk.NestedStack(stack, "Nested"))
    domain(stack)
    result = synth(app)
    assert result.error is None
    assert result.violations == []


@pytest.mark.parametrize(
    ("access", "said"),
    [
        (
            "PublicInternetOnly",
            "AppNetworkAccessType is 'PublicInternetOnly', not exactly 'VpcOnly'",
        ),
        (None, "AppNetworkAccessType is not set, and AWS's default is PublicInternetOnly"),
    ],
    ids=["public", "absent"],
)
def test_studio_domain_off_the_vpc_fails_synth_naming_smg6_and_path(
    app: cdk.App, access: str | None, said: str
) -> None:
    domain(_stack(app), app_network_access_type=access)
    result = synth(app)
    assert result.error is not None
    assert f"[SMG-6] {said}" in result.error
    assert "Stack/Domain (Domain)" in result.error
    assert result.rules("error") == {("SMG-6", "Stack/Domain")}


def test_studio_domain_outside_a_vpc_breaks_smg7_for_each_missing_setting(app: cdk.App) -> None:
    domain(_stack(app), vpc_id="", subnet_ids=[], security_groups=None)
    result = synth(app)
    assert result.rules("error") == {("SMG-7", "Stack/Domain")}
    (violation,) = result.violations
    for said in ("VpcId is blank", "SubnetIds", "DefaultUserSettings.SecurityGroups is not set"):
        assert said in violation.description


def test_override_that_reopens_a_studio_domain_is_caught(app: cdk.App) -> None:
    stack = _stack(app)
    domain(stack, "Public").add_property_override("AppNetworkAccessType", "PublicInternetOnly")
    domain(stack, "Unset").add_property_deletion_override("AppNetworkAccessType")
    domain(stack, "NoGroups").add_override("Properties.DefaultUserSettings.SecurityGroups", [])
    assert synth(app).rules("error") == {
        ("SMG-6", "Stack/Public"),
        ("SMG-6", "Stack/Unset"),
        ("SMG-7", "Stack/NoGroups"),
    }


def test_raw_cfn_resource_studio_domain_is_caught(app: cdk.App) -> None:
    raw_domain(_stack(app))
    assert synth(app).rules("error") == {("SMG-6", "Stack/Raw"), ("SMG-7", "Stack/Raw")}


def test_exempted_studio_domain_is_reported_as_info(app: cdk.App) -> None:
    resource = domain(_stack(app), app_network_access_type="PublicInternetOnly")
    exempt(resource, "SMG-6", "SEC-51: public demo domain without data")
    result = synth(app)
    assert result.error is None
    assert result.rules("info") == {("SMG-6", "Stack/Domain")}


def test_warnings_alone_do_not_fail_synth(app: cdk.App) -> None:
    notebook(_stack(app), kms_key_id=None)
    result = synth(app)
    assert result.error is None
    assert result.rules("warning") == {("SMG-4", PATH)}


def test_property_override_is_caught(app: cdk.App) -> None:
    notebook(_stack(app)).add_property_override("DirectInternetAccess", "Enabled")
    assert synth(app).rules("error") == {("SMG-1", PATH)}


def test_property_deletion_override_is_caught(app: cdk.App) -> None:
    resource = notebook(_stack(app))
    resource.add_property_deletion_override("SecurityGroupIds")
    resource.add_override("Properties.SubnetId", "  ")
    result = synth(app)
    assert result.rules("error") == {("SMG-2", PATH)}
    (violation,) = result.violations
    assert "SubnetId is blank" in violation.description
    assert "SecurityGroupIds is not set" in violation.description


def test_override_of_a_secure_notebook_is_caught(app: cdk.App) -> None:
    stack = _stack(app)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    secure = SecureNotebookInstance(stack, "Secure", vpc=vpc)
    secure.notebook_instance.add_property_override("DirectInternetAccess", "Enabled")
    assert synth(app).rules("error") == {("SMG-1", "Stack/Secure/Resource")}


def test_raw_cfn_resource_is_caught(app: cdk.App) -> None:
    cdk.CfnResource(
        _stack(app),
        "Raw",
        type="AWS::SageMaker::NotebookInstance",
        properties={"RoleArn": ROLE_ARN},
    )
    assert synth(app).rules("error") == {("SMG-1", "Stack/Raw"), ("SMG-2", "Stack/Raw")}


def test_nested_stack_templates_are_followed(app: cdk.App) -> None:
    outer = cdk.NestedStack(_stack(app), "Outer")
    inner = cdk.NestedStack(outer, "Inner")
    notebook(inner, direct_internet_access="Enabled")
    assert synth(app).rules("error") == {("SMG-1", "Stack/Outer/Inner/Notebook")}


def test_stages_are_checked_by_the_apps_plugin(app: cdk.App) -> None:
    enforce(app)
    stage = cdk.Stage(app, "Prod")
    notebook(cdk.Stack(stage, "Stack"), direct_internet_access="Enabled")
    nested_stage = cdk.Stage(stage, "Eu")
    notebook(cdk.Stack(nested_stage, "Stack"), subnet_id="")
    assert synth(app).rules("error") == {
        ("SMG-1", "Prod/Stack/Notebook"),
        ("SMG-2", "Prod/Eu/Stack/Notebook"),
    }


@pytest.mark.parametrize(
    ("allowed", "errors"),
    [
        (["Disabled"], set()),
        (["Disabled", "Enabled"], {("SMG-1", PATH)}),
        (None, {("SMG-1", PATH)}),
    ],
)
def test_parameter_tokens_are_judged_by_allowed_values(
    app: cdk.App, allowed: list[str] | None, errors: set[tuple[str, str]]
) -> None:
    stack = _stack(app)
    parameter = cdk.CfnParameter(
        stack, "InternetAccess", default="Disabled", allowed_values=allowed
    )
    notebook(stack, direct_internet_access=parameter.value_as_string)
    result = synth(app)
    assert result.rules("error") == errors
    if errors:
        assert "parameter `InternetAccess`" in result.violations[0].description


def test_fn_if_through_cfn_condition(app: cdk.App) -> None:
    stack = _stack(app)
    condition = cdk.CfnCondition(
        stack, "Sandbox", expression=cdk.Fn.condition_equals(cdk.Aws.REGION, "eu-west-1")
    )
    value = cdk.Fn.condition_if(condition.logical_id, "Enabled", "Disabled").to_string()
    notebook(stack, direct_internet_access=value)
    result = synth(app)
    (violation,) = result.violations
    assert (violation.rule, violation.severity) == ("SMG-1", "error")
    assert "can be 'Enabled', not exactly 'Disabled' (when condition `Sandbox` is true)" in (
        violation.description
    )


def test_included_template_is_checked(app: cdk.App, tmp_path: Path) -> None:
    template = tmp_path / "legacy.json"
    template.write_text(
        json.dumps(
            {
                "Resources": {
                    "Legacy": {
                        "Type": "AWS::SageMaker::NotebookInstance",
                        "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": ROLE_ARN},
                    }
                }
            }
        )
    )
    cfn_include.CfnInclude(_stack(app), "Included", template_file=str(template))
    assert ("SMG-1", "Stack/Included/Legacy") in synth(app).rules("error")


def test_exemption_is_reported_as_info_with_its_reason(app: cdk.App) -> None:
    resource = notebook(_stack(app), direct_internet_access="Enabled")
    exempt(resource, "SMG-1", "SEC-42: demo account without data")
    result = synth(app)
    assert result.error is None
    (violation,) = result.violations
    assert (violation.rule, violation.severity, violation.path) == ("SMG-1", "info", PATH)
    assert violation.description.endswith("Exempted: SEC-42: demo account without data.")


def test_exemption_metadata_without_reason_fails_synth(app: cdk.App) -> None:
    resource = notebook(_stack(app), root_access="Enabled")
    resource.add_metadata("sm-guardrails", {"exemptions": [{"rule": "SMG-3", "reason": " "}]})
    result = synth(app)
    assert result.error is not None
    assert result.rules("error") == {("SMG-0", PATH)}
    assert result.rules("warning") == {("SMG-3", PATH)}


@needs_native_acknowledge
def test_acknowledgement_suppresses_under_its_scope_only(app: cdk.App) -> None:
    stack = _stack(app)
    team = Construct(stack, "Team")
    notebook(team, "Acknowledged", direct_internet_access="Enabled")
    notebook(stack, "Other", direct_internet_access="Enabled")
    cdk.Validations.of(team).acknowledge(
        cdk.Acknowledgment(id="sm-guardrails::SMG-1", reason="SEC-7: isolated lab")
    )
    result = synth(app)
    assert result.error is not None
    assert result.rules("error") == {("SMG-1", "Stack/Other")}
    (acknowledged,) = result.acknowledged
    assert (acknowledged.rule, acknowledged.path) == ("SMG-1", "Stack/Team/Acknowledged")
    assert acknowledged.reason == "SEC-7: isolated lab"


@needs_native_acknowledge
def test_acknowledging_every_error_lets_synth_pass(app: cdk.App) -> None:
    stack = _stack(app)
    notebook(stack, direct_internet_access="Enabled")
    cdk.Validations.of(stack).acknowledge(
        cdk.Acknowledgment(id="sm-guardrails::SMG-1", reason="SEC-7: isolated lab")
    )
    assert synth(app).error is None


@needs_native_acknowledge
@pytest.mark.parametrize("reason", ["", "   "])
def test_acknowledgement_without_reason_still_fails_synth(app: cdk.App, reason: str) -> None:
    stack = _stack(app)
    notebook(stack, direct_internet_access="Enabled")
    cdk.Validations.of(stack).acknowledge(
        cdk.Acknowledgment(id="sm-guardrails::SMG-1", reason=reason)
    )
    result = synth(app)
    assert result.error is not None
    assert "FATAL [SMG-0] Validations.of('Stack').acknowledge('sm-guardrails::SMG-1')" in (
        result.error
    )
    assert "has no reason, so it exempts nothing" in result.error
    assert result.rules("fatal") == {("SMG-0", PATH)}


@needs_native_acknowledge
def test_reasonless_acknowledgement_of_a_passing_rule_costs_nothing(app: cdk.App) -> None:
    stack = _stack(app)
    notebook(stack)
    cdk.Validations.of(stack).acknowledge(cdk.Acknowledgment(id="sm-guardrails::SMG-1", reason=""))
    result = synth(app)
    assert result.error is None and result.violations == []


def test_config_levels_apply(app: cdk.App) -> None:
    config = GuardrailConfig(levels={"SMG-1": Level.WARNING, "SMG-3": Level.OFF})
    notebook(_stack(app, config), direct_internet_access="Enabled", root_access="Enabled")
    result = synth(app)
    assert result.error is None
    assert result.rules("warning") == {("SMG-1", PATH)}
    assert {v.rule for v in result.violations} == {"SMG-1"}


def test_plugin_identity_uses_python_properties() -> None:
    plugin = GuardrailValidationPlugin()
    assert plugin.name == "sm-guardrails"
    assert plugin.rule_ids == [*(rule.rule_id for rule in RULES), "SMG-U"]
    assert isinstance(type(plugin).__dict__["name"], property)


def test_enforce_twice_reports_once_and_rejects_another_config(app: cdk.App) -> None:
    first = enforce(app)
    assert enforce(app) is first
    with pytest.raises(ConfigError, match=r"enforce\(\) on 'the app' has another config"):
        enforce(app, GuardrailConfig(levels={"SMG-1": Level.WARNING}))
    notebook(cdk.Stack(app, "Stack"), direct_internet_access="Enabled")
    assert [v.rule for v in synth(app).violations] == ["SMG-1"]


def test_enforce_needs_an_app_or_stage(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Stack")
    with pytest.raises(TypeError, match=r"enforce\(\) needs the App \(or a Stage\), got Stack"):
        enforce(stack)
