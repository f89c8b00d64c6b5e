"""Templates inside resources (StackSet and stack bodies), unseen templates and macros."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from sm_guardrails import GuardrailConfig, Level, UnknownPolicy, UnseenPolicy, Verdict
from sm_guardrails.cloudformation import check_paths
from sm_guardrails.cloudformation.checker import CheckReport
from sm_guardrails.cloudformation.judge import MAX_NESTING

NOTEBOOK: dict[str, Any] = {
    "Type": "AWS::SageMaker::NotebookInstance",
    "Properties": {
        "InstanceType": "ml.t3.medium",
        "RoleArn": "arn:aws:iam::123456789012:role/nb",
        "DirectInternetAccess": "Disabled",
        "SubnetId": "subnet-1",
        "SecurityGroupIds": ["sg-1"],
        "RootAccess": "Disabled",
        "KmsKeyId": "alias/nb",
        "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
    },
}


def notebook(**changes: object) -> dict[str, Any]:
    """A compliant notebook resource with ``changes`` to its properties."""
    return {**NOTEBOOK, "Properties": {**NOTEBOOK["Properties"], **changes}}


def template(resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"AWSTemplateFormatVersion": "2010-09-09", **sections, "Resources": resources}


def stack_set(body: object, **properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudFormation::StackSet",
        "Properties": {"StackSetName": "notebooks", "TemplateBody": body, **properties},
    }


def check(
    tmp_path: Path, data: dict[str, Any], config: GuardrailConfig | None = None
) -> CheckReport:
    path = tmp_path / "outer.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return check_paths([path], config or GuardrailConfig())


def rules(report: CheckReport) -> set[tuple[str, str | None, str, str]]:
    """(outer logical id, inner, rule, verdict) of every finding."""
    return {
        (item.logical_id, item.inner, item.finding.rule_id, item.finding.verdict.value)
        for item in report.findings
    }


@pytest.mark.parametrize("dump", [json.dumps, yaml.safe_dump], ids=["json-body", "yaml-body"])
def test_a_notebook_in_a_stack_set_body_is_judged_naming_outer_and_inner(
    tmp_path: Path, dump: Any
) -> None:
    inner = template({"Lab": notebook(DirectInternetAccess="Enabled")})
    report = check(tmp_path, template({"Rollout": stack_set(dump(inner))}))
    assert report.notebooks == 1 and report.exit_code == 1
    assert rules(report) == {("Rollout", "Lab", "SMG-1", "fail")}
    (item,) = report.findings
    assert item.finding.resource == "Rollout > Lab"
    assert item.line == 3  # the StackSet's line in the outer file


def test_the_body_is_judged_exactly_as_the_same_template_on_its_own(tmp_path: Path) -> None:
    inner = template(
        {
            "Open": notebook(DirectInternetAccess={"Ref": "Access"}, RootAccess="Enabled"),
            "Bare": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {}},
        },
        Parameters={"Access": {"Type": "String", "Default": "Disabled"}},
    )
    (tmp_path / "alone").mkdir()
    alone = check(tmp_path / "alone", inner)
    held = check(tmp_path, template({"Rollout": stack_set(json.dumps(inner))}))
    assert held.notebooks == alone.notebooks == 2
    on_its_own = [(i.logical_id, i.finding.rule_id, i.finding.message) for i in alone.findings]
    inside = [(i.inner, i.finding.rule_id, i.finding.message) for i in held.findings]
    assert inside == on_its_own


def test_parameters_come_from_the_outer_resource_and_its_instance_overrides(
    tmp_path: Path,
) -> None:
    inner = json.dumps(
        template(
            {
                "Lab": notebook(
                    DirectInternetAccess={"Ref": "Access"}, SecurityGroupIds={"Ref": "Groups"}
                )
            },
            Parameters={"Access": {"Type": "String"}, "Groups": {"Type": "CommaDelimitedList"}},
        )
    )
    passed = [
        {"ParameterKey": "Access", "ParameterValue": "Disabled"},
        {"ParameterKey": "Groups", "ParameterValue": "sg-1, sg-2"},
    ]
    assert (
        check(tmp_path, template({"Rollout": stack_set(inner, Parameters=passed)})).findings == []
    )
    overridden = stack_set(
        inner,
        Parameters=passed,
        StackInstancesGroup=[
            {
                "Regions": ["eu-west-1"],
                "ParameterOverrides": [{"ParameterKey": "Access", "ParameterValue": "Enabled"}],
            }
        ],
    )
    report = check(tmp_path, template({"Rollout": overridden}))
    assert rules(report) == {("Rollout", "Lab", "SMG-1", "fail")}
    assert "through a stack instance override" in report.findings[0].finding.message
    blank = stack_set(
        inner, Parameters=[passed[0], {"ParameterKey": "Groups", "ParameterValue": ""}]
    )
    assert rules(check(tmp_path, template({"Rollout": blank}))) == {
        ("Rollout", "Lab", "SMG-2", "fail")
    }


def test_a_parameter_passed_from_an_outer_parameter_is_unknown_and_fails_closed(
    tmp_path: Path,
) -> None:
    inner = json.dumps(
        template(
            {"Lab": notebook(DirectInternetAccess={"Ref": "Access"})},
            Parameters={"Access": {"Type": "String"}},
        )
    )
    passed = [{"ParameterKey": "Access", "ParameterValue": {"Ref": "OuterAccess"}}]
    outer = template(
        {"Rollout": stack_set(inner, Parameters=passed)},
        Parameters={"OuterAccess": {"Type": "String", "Default": "Disabled"}},
    )
    report = check(tmp_path, outer)
    assert rules(report) == {("Rollout", "Lab", "SMG-1", "unknown")}
    assert "parameter `OuterAccess`" in report.findings[0].finding.message
    assert report.exit_code == 1


def test_a_stack_with_an_inline_body_is_judged(tmp_path: Path) -> None:
    inner = yaml.safe_dump(template({"Lab": notebook(SubnetId=" ")}))
    stack = {
        "Type": "AWS::CloudFormation::Stack",
        "Properties": {"TemplateBody": inner, "Parameters": {}},
    }
    assert rules(check(tmp_path, template({"Legacy": stack}))) == {
        ("Legacy", "Lab", "SMG-2", "fail")
    }


@pytest.mark.parametrize(
    ("resource", "said"),
    [
        (
            {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {"TemplateURL": "https://s3.amazonaws.com/b/t.yaml"},
            },
            "deploys the template at TemplateURL 'https://s3.amazonaws.com/b/t.yaml'",
        ),
        (
            stack_set({"Fn::Sub": "${AWS::Region}"}),
            "has a TemplateBody that is decided at deployment",
        ),
        (
            {
                "Type": "AWS::Serverless::Application",
                "Properties": {"Location": "https://example.invalid/app.yaml"},
            },
            "deploys the nested application at Location",
        ),
        (
            {"Type": "MyOrg::ML::Notebook::MODULE", "Properties": {"Team": "lab"}},
            "MyOrg::ML::Notebook::MODULE is a CloudFormation module: the resources it expands",
        ),
    ],
    ids=["template-url", "intrinsic-body", "sam-application", "module"],
)
def test_unseen_templates_are_a_notice_by_default_and_an_error_under_unseen_error(
    tmp_path: Path, resource: dict[str, Any], said: str
) -> None:
    report = check(tmp_path, template({"Outer": resource}))
    (item,) = report.findings
    assert item.finding.rule_id == "SMG-U" and item.finding.verdict is Verdict.UNKNOWN
    assert item.finding.level is Level.WARNING and report.exit_code == 0
    assert said in item.finding.message
    strict = check(
        tmp_path, template({"Outer": resource}), GuardrailConfig(unseen=UnseenPolicy.ERROR)
    )
    assert strict.findings[0].finding.blocking and strict.exit_code == 1


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("{not json", "has a TemplateBody that is not a template: invalid JSON at line 1"),
        ("Resources: [a\n", "has a TemplateBody that is not a template: invalid YAML"),
        (
            "Resources:\n  Lab: {Properties: {}}\n",
            "has a TemplateBody whose resource Lab has no Type",
        ),
        ("- a\n", "the top level is a list"),
    ],
)
def test_a_body_that_does_not_parse_is_an_error_naming_the_outer_resource(
    tmp_path: Path, body: str, said: str
) -> None:
    report = check(tmp_path, template({"Rollout": stack_set(body)}))
    (item,) = report.findings
    assert (item.logical_id, item.finding.rule_id, item.finding.blocking) == (
        "Rollout",
        "SMG-U",
        True,
    )
    assert said in item.finding.message
    assert not report.errors and report.exit_code == 1


def test_nesting_is_bounded(tmp_path: Path) -> None:
    body: dict[str, Any] = template({"Lab": notebook(DirectInternetAccess="Enabled")})
    for _ in range(MAX_NESTING + 1):
        body = template({"Level": stack_set(json.dumps(body))})
    report = check(tmp_path, body)
    (item,) = report.findings
    assert item.finding.rule_id == "SMG-U" and item.finding.blocking
    assert f"nested more than {MAX_NESTING} levels deep" in item.finding.message
    assert item.inner == " > ".join(["Level"] * MAX_NESTING)
    shallow = template({"Lab": notebook(DirectInternetAccess="Enabled")})
    for _ in range(MAX_NESTING):
        shallow = template({"Level": stack_set(json.dumps(shallow))})
    (deep,) = check(tmp_path, shallow).findings
    assert deep.finding.rule_id == "SMG-1"
    assert deep.inner == " > ".join(["Level"] * (MAX_NESTING - 1) + ["Lab"])


@pytest.mark.parametrize(
    "transform", ["CompanyNotebookMacro", ["AWS::Serverless-2016-10-31", "CompanyNotebookMacro"]]
)
def test_a_macro_is_unknown_and_fails_closed_unless_unknown_warn(
    tmp_path: Path, transform: object
) -> None:
    data = template({"Lab": notebook()}, Transform=transform)
    report = check(tmp_path, data)
    (item,) = report.findings
    assert (item.logical_id, item.finding.rule_id, item.finding.level) == (
        "Transform",
        "SMG-U",
        Level.ERROR,
    )
    assert "macro `CompanyNotebookMacro`" in item.finding.message
    assert "the deployed template may differ" in item.finding.message
    assert "--template-stage Processed" in item.finding.fix
    assert item.line == 2
    warned = check(tmp_path, data, GuardrailConfig(unknown=UnknownPolicy.WARN))
    assert warned.findings[0].finding.level is Level.WARNING and warned.exit_code == 0


@pytest.mark.parametrize("transform", ["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"])
def test_transforms_the_reader_understands_are_not_reported(tmp_path: Path, transform: str) -> None:
    assert check(tmp_path, template({"Lab": notebook()}, Transform=transform)).findings == []


def test_fn_transform_in_a_notebooks_properties_makes_them_unknown(tmp_path: Path) -> None:
    lab = notebook()
    lab["Properties"]["Fn::Transform"] = {"Name": "CompanyNotebookMacro", "Parameters": {}}
    report = check(tmp_path, template({"Lab": lab}))
    assert rules(report) == {
        ("Lab", None, "SMG-1", "unknown"),
        ("Lab", None, "SMG-3", "unknown"),
        ("Lab", None, "SMG-5", "unknown"),
    }
    smg1 = next(i.finding for i in report.findings if i.finding.rule_id == "SMG-1")
    assert smg1.blocking and "Fn::Transform `CompanyNotebookMacro`" in smg1.message
    include = notebook(
        DirectInternetAccess={
            "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}
        }
    )
    (item,) = check(tmp_path, template({"Lab": include})).findings
    assert item.finding.verdict is Verdict.UNKNOWN and "`AWS::Include`" in item.finding.message


def test_a_macro_over_the_resources_section_is_unseen_not_a_resource(tmp_path: Path) -> None:
    resources = {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}
    report = check(tmp_path, template({**resources, "Lab": notebook()}))
    assert not report.errors  # not "resource Fn::Transform has no Type"
    (item,) = report.findings
    assert (item.finding.rule_id, item.finding.level) == ("SMG-U", Level.ERROR)
    assert "macro `AWS::Include`" in item.finding.message and report.notebooks == 1
