"""NotebookGuardrailAspect on violating and compliant construct trees."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_s3 as s3
from constructs import Construct

from sm_guardrails.cdk import NotebookGuardrailAspect, enforce, exempt
from sm_guardrails.cloudformation import METADATA_KEY
from sm_guardrails.config import GuardrailConfig, UnknownPolicy
from sm_guardrails.model import Exemption
from tests.cdk.helpers import by_level, messages, notebook, synth


def _guarded(app: cdk.App, config: GuardrailConfig | None = None) -> cdk.Stack:
    cdk.Aspects.of(app).add(NotebookGuardrailAspect(config))
    return cdk.Stack(app, "Stack")


def test_notebook_without_settings_gets_errors_and_warnings(app: cdk.App) -> None:
    stack = _guarded(app)
    notebook(
        stack,
        direct_internet_access=None,
        subnet_id=None,
        security_group_ids=None,
        root_access=None,
        kms_key_id=None,
        instance_metadata_service_configuration=None,
    )
    found = messages(app)
    path = "Stack/Notebook"
    assert by_level(found, "error") == {("SMG-1", path), ("SMG-2", path)}
    assert by_level(found, "warning") == {("SMG-3", path), ("SMG-4", path), ("SMG-5", path)}


def test_error_names_rule_path_value_and_fix(app: cdk.App) -> None:
    notebook(_guarded(app), direct_internet_access="Enabled")
    (error,) = [m for m in messages(app) if m.level == "error"]
    assert error.text.startswith("[SMG-1] Stack/Notebook: DirectInternetAccess is 'Enabled'")
    assert "Fix: Set DirectInternetAccess to exactly 'Disabled'" in error.text


def test_compliant_notebook_and_other_resources_get_no_annotation(app: cdk.App) -> None:
    stack = _guarded(app)
    notebook(stack)
    s3.Bucket(stack, "Bucket")
    cdk.CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    assert messages(app) == []


def test_raw_cfn_resource_notebook_is_judged_by_its_properties(app: cdk.App) -> None:
    cdk.CfnResource(
        _guarded(app),
        "Raw",
        type="AWS::SageMaker::NotebookInstance",
        properties={"DirectInternetAccess": "Enabled", "SubnetId": "subnet-1"},
    )
    found = messages(app)
    assert by_level(found, "error") == {("SMG-1", "Stack/Raw"), ("SMG-2", "Stack/Raw")}
    assert "SecurityGroupIds is not set" in next(
        m.text for m in found if m.text.startswith("[SMG-2]")
    )


class ThirdPartyNotebook(Construct):
    """Stands for a construct library that makes a notebook inside itself."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        inner = Construct(self, "Inner")
        notebook(inner, "Resource", direct_internet_access="Enabled")


def test_notebook_inside_another_construct(app: cdk.App) -> None:
    ThirdPartyNotebook(_guarded(app), "Library")
    assert by_level(messages(app), "error") == {("SMG-1", "Stack/Library/Inner/Resource")}


def test_notebook_in_nested_stack(app: cdk.App) -> None:
    nested = cdk.NestedStack(_guarded(app), "Nested")
    notebook(nested, root_access="Enabled")
    found = messages(app)
    assert by_level(found, "warning") == {("SMG-3", "Stack/Nested/Notebook")}
    assert by_level(found, "error") == set()


@jsii.implements(cdk.IStableStringProducer)
class _LaterString:
    """A string CDK asks for only when it resolves the template (a Lazy token)."""

    def __init__(self, value: str) -> None:
        self._value = value

    def produce(self) -> str:
        return self._value


@jsii.implements(cdk.IStableAnyProducer)
class _LaterAny:
    """Any value CDK asks for only when it resolves the template."""

    def __init__(self, value: object) -> None:
        self._value = value

    def produce(self) -> object:
        return self._value


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        (lambda: cdk.Lazy.string(_LaterString("Disabled")), set()),
        (lambda: cdk.Lazy.string(_LaterString("Enabled")), {("SMG-1", "Stack/Notebook")}),
        (
            lambda: cdk.Token.as_string(cdk.Lazy.any(_LaterAny("Enabled"))),
            {("SMG-1", "Stack/Notebook")},
        ),
    ],
    ids=["lazy-disabled", "lazy-enabled", "lazy-any-enabled"],
)
def test_token_values_are_resolved_before_judging(
    app: cdk.App, value: Callable[[], str], errors: set[tuple[str, str]]
) -> None:
    notebook(_guarded(app), direct_internet_access=value())
    assert by_level(messages(app), "error") == errors


def test_list_token_and_resolvable_struct_are_resolved(app: cdk.App) -> None:
    groups = cdk.Token.as_list(cdk.Lazy.any(_LaterAny([])))
    imds = cdk.Lazy.any(_LaterAny({"minimumInstanceMetadataServiceVersion": "2"}))
    notebook(
        _guarded(app),
        security_group_ids=groups,
        instance_metadata_service_configuration=imds,
    )
    found = messages(app)
    assert by_level(found, "error") == {("SMG-2", "Stack/Notebook")}
    assert by_level(found, "warning") == set()  # IMDSv2 only, read through the token


def test_message_names_the_overridden_logical_id(app: cdk.App) -> None:
    resource = notebook(_guarded(app), direct_internet_access="Enabled")
    resource.override_logical_id("LabNotebook")
    (error,) = [m for m in messages(app) if m.level == "error"]
    assert error.text.startswith("[SMG-1] Stack/Notebook: ")
    assert "LabNotebook" not in error.text  # the path is the name shown; the id still exempts
    exempting = GuardrailConfig(
        exemptions=(Exemption(rule_id="SMG-1", reason="SEC-1", resource="LabNotebook"),)
    )
    app2 = cdk.App()
    resource2 = notebook(_guarded(app2, exempting), direct_internet_access="Enabled")
    resource2.override_logical_id("LabNotebook")
    found = messages(app2)
    assert by_level(found, "error") == set()
    assert any("Exempted: SEC-1" in m.text for m in found if m.level == "info")


def test_parameter_without_allowed_values_fails_closed(app: cdk.App) -> None:
    stack = _guarded(app)
    parameter = cdk.CfnParameter(stack, "InternetAccess", default="Disabled")
    notebook(stack, direct_internet_access=parameter.value_as_string)
    (error,) = [m for m in messages(app) if m.level == "error"]
    assert error.text.startswith("[SMG-1]")
    assert "parameter `InternetAccess`" in error.text


def test_unknown_policy_warn_turns_undecidable_errors_into_warnings(app: cdk.App) -> None:
    stack = _guarded(app, GuardrailConfig(unknown=UnknownPolicy.WARN))
    parameter = cdk.CfnParameter(stack, "InternetAccess")
    notebook(stack, direct_internet_access=parameter.value_as_string)
    found = messages(app)
    assert by_level(found, "error") == set()
    assert by_level(found, "warning") == {("SMG-1", "Stack/Notebook")}


@pytest.mark.parametrize(
    ("allowed", "errors"),
    [(["Disabled"], set()), (["Disabled", "Enabled"], {("SMG-1", "Stack/Notebook")})],
)
def test_parameter_allowed_values_decide(
    app: cdk.App, allowed: list[str], errors: set[tuple[str, str]]
) -> None:
    stack = _guarded(app)
    parameter = cdk.CfnParameter(stack, "InternetAccess", allowed_values=allowed)
    notebook(stack, direct_internet_access=parameter.value_as_string)
    assert by_level(messages(app), "error") == errors


@pytest.mark.parametrize(
    ("when_false", "errors"),
    [("Disabled", set()), ("Enabled", {("SMG-1", "Stack/Notebook")})],
)
def test_fn_if_passes_only_when_every_branch_does(
    app: cdk.App, when_false: str, errors: set[tuple[str, str]]
) -> None:
    stack = _guarded(app)
    condition = cdk.CfnCondition(
        stack, "IsProduction", expression=cdk.Fn.condition_equals(cdk.Aws.ACCOUNT_ID, "1")
    )
    value = cdk.Fn.condition_if(condition.logical_id, "Disabled", when_false).to_string()
    notebook(stack, direct_internet_access=value)
    found = messages(app)
    assert by_level(found, "error") == errors
    if errors:
        assert "condition `IsProduction`" in found[0].text


def test_exemption_with_reason_turns_the_error_into_info_showing_the_reason(app: cdk.App) -> None:
    stack = _guarded(app)
    resource = notebook(stack, direct_internet_access="Enabled")
    exempt(resource, "SMG-1", "SEC-42: public demo, no data")
    found = messages(app)
    assert by_level(found, "error") == set()
    (info,) = [m for m in found if m.level == "info"]
    assert info.text.startswith("[SMG-1] Stack/Notebook:")
    assert "Exempted: SEC-42: public demo, no data." in info.text


def test_exemption_of_a_scope_covers_notebooks_added_later(app: cdk.App) -> None:
    stack = _guarded(app)
    team = Construct(stack, "Team")
    exempt(team, "SMG-1", "sandbox account")
    notebook(team, "First", direct_internet_access="Enabled")
    notebook(Construct(team, "Deeper"), "Second", direct_internet_access="Enabled")
    notebook(stack, "Outside", direct_internet_access="Enabled")
    found = messages(app)
    assert by_level(found, "error") == {("SMG-1", "Stack/Outside")}
    assert by_level(found, "info") == {
        ("SMG-1", "Stack/Team/First"),
        ("SMG-1", "Stack/Team/Deeper/Second"),
    }


def test_exemption_metadata_without_reason_exempts_nothing(app: cdk.App) -> None:
    resource = notebook(_guarded(app), direct_internet_access="Enabled")
    resource.add_metadata(METADATA_KEY, {"exemptions": [{"rule": "SMG-1"}]})
    found = messages(app)
    assert by_level(found, "error") == {("SMG-0", "Stack/Notebook"), ("SMG-1", "Stack/Notebook")}


def test_warnings_can_be_acknowledged_natively(app: cdk.App) -> None:
    stack = _guarded(app)
    notebook(stack, root_access="Enabled", kms_key_id=None)
    cdk.Validations.of(stack).acknowledge(
        cdk.Acknowledgment(id="sm-guardrails::SMG-3", reason="vendor agent needs root")
    )
    assert by_level(messages(app), "warning") == {("SMG-4", "Stack/Notebook")}


def test_limit_an_app_aspect_does_not_see_inside_a_stage(app: cdk.App) -> None:
    cdk.Aspects.of(app).add(NotebookGuardrailAspect())
    stage = cdk.Stage(app, "Prod")
    notebook(cdk.Stack(stage, "Stack"), direct_internet_access="Enabled")
    assert by_level(messages(app), "error") == set()


def test_an_aspect_added_to_the_stage_sees_inside_it(app: cdk.App) -> None:
    stage = cdk.Stage(app, "Prod")
    cdk.Aspects.of(stage).add(NotebookGuardrailAspect())
    notebook(cdk.Stack(stage, "Stack"), direct_internet_access="Enabled")
    assert by_level(messages(app), "error") == {("SMG-1", "Prod/Stack/Notebook")}


def test_limit_escape_hatch_overrides_are_not_visible_to_the_aspect(app: cdk.App) -> None:
    resource = notebook(_guarded(app))
    resource.add_property_override("DirectInternetAccess", "Enabled")
    assert by_level(messages(app), "error") == set()


def test_limit_mappings_are_unknown_to_the_aspect(app: cdk.App, tmp_path: Path) -> None:
    def build(stack: cdk.Stack) -> None:
        mapping = cdk.CfnMapping(stack, "Access", mapping={"prod": {"internet": "Disabled"}})
        notebook(stack, direct_internet_access=mapping.find_in_map("prod", "internet"))

    build(_guarded(app))
    enforced = cdk.App(outdir=str(tmp_path / "enforced"))
    enforce(enforced)
    build(cdk.Stack(enforced, "Stack"))
    assert by_level(messages(app), "error") == {("SMG-1", "Stack/Notebook")}
    assert synth(enforced).violations == []


def _mixed_notebooks(stack: cdk.Stack) -> None:
    parameter = cdk.CfnParameter(stack, "Access", allowed_values=["Disabled", "Enabled"])
    condition = cdk.CfnCondition(
        stack, "Lab", expression=cdk.Fn.condition_equals(cdk.Aws.REGION, "eu-west-1")
    )
    notebook(stack, "Bare", direct_internet_access=None, root_access=None, kms_key_id=None)
    notebook(stack, "Parameter", direct_internet_access=parameter.value_as_string)
    notebook(
        stack,
        "Condition",
        root_access=cdk.Fn.condition_if(condition.logical_id, "Enabled", "Disabled").to_string(),
    )
    exempt(notebook(stack, "Exempted", subnet_id=""), "SMG-2", "SEC-9: moving VPCs")
    cdk.CfnResource(stack, "Raw", type="AWS::SageMaker::NotebookInstance", properties={})


def test_aspect_and_validation_plugin_agree(app: cdk.App, tmp_path: Path) -> None:
    _mixed_notebooks(_guarded(app))
    enforced = cdk.App(outdir=str(tmp_path / "enforced"))
    enforce(enforced)
    _mixed_notebooks(cdk.Stack(enforced, "Stack"))
    from_aspect, from_plugin = messages(app), synth(enforced)
    for level in ("error", "warning", "info"):
        assert by_level(from_aspect, level) == from_plugin.rules(level), level
    assert ("SMG-2", "Stack/Exempted") in from_plugin.rules("info")
    assert ("SMG-3", "Stack/Condition") in from_plugin.rules("warning")
