"""`sm-guardrails export guard` as a subprocess, its rules run by the real cfn-guard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.corpus.cases import BASE_PROPERTIES
from tests.guard_tool import EXIT_NON_COMPLIANT, failed_rules, validate
from tests.support import ROOT, run_cli

INSECURE = ROOT / "examples" / "templates" / "insecure.yaml"
COMPLIANT = ROOT / "examples" / "templates" / "compliant.yaml"


def _export(tmp_path: Path, *options: str, config: dict[str, Any] | None = None) -> Path:
    rules = tmp_path / "rules.guard"
    args: list[str | Path] = ["export", "guard", "-o", rules, *options]
    if config is not None:
        (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
        args += ["--config", tmp_path / "config.json"]
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    return rules


def _template(tmp_path: Path, notebooks: dict[str, dict[str, Any]]) -> Path:
    resources = {}
    for logical_id, change in notebooks.items():
        resource: dict[str, Any] = {
            "Type": "AWS::SageMaker::NotebookInstance",
            "Properties": {**BASE_PROPERTIES, **change.get("set", {})},
        }
        if "metadata" in change:
            resource["Metadata"] = change["metadata"]
        resources[logical_id] = resource
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    return path


def _failing(rules: Path, data: Path) -> dict[str, set[str]]:
    """Rule name -> the logical ids cfn-guard reports it failing on."""
    _, report = validate(rules, data)
    found: dict[str, set[str]] = {name: set() for name in failed_rules(report)}
    for item in report.get("not_compliant", []):
        text = json.dumps(item)
        found[item["Rule"]["name"]] |= {
            part.split("/")[0] for part in text.split("/Resources/")[1:]
        }
    return found


def test_error_level_rules_reject_the_insecure_example(tmp_path: Path) -> None:
    rules = _export(tmp_path)
    code, report = validate(rules, INSECURE)
    assert code == EXIT_NON_COMPLIANT
    assert failed_rules(report) == {"SMG_1_no_direct_internet_access", "SMG_2_in_vpc"}
    assert validate(rules, COMPLIANT)[0] == 0


def test_levels_choose_the_rules(tmp_path: Path) -> None:
    rules = _export(tmp_path, "--levels", "warning", "--level", "SMG-1=warning")
    _, report = validate(rules, INSECURE)
    assert failed_rules(report) == {
        "SMG_1_no_direct_internet_access",
        "SMG_3_no_root_access",
        "SMG_4_volume_kms_key",
        "SMG_5_imdsv2_only",
    }
    off = _export(tmp_path, "--level", "SMG-1=off")
    assert failed_rules(validate(off, INSECURE)[1]) == {"SMG_2_in_vpc"}
    assert "SMG-1 is at level off" in off.read_text(encoding="utf-8")


def test_metadata_exemptions_need_a_reason(tmp_path: Path) -> None:
    open_door = {"DirectInternetAccess": "Enabled"}
    exempt = {"sm-guardrails": {"exemptions": [{"rule": "SMG-1", "reason": "TICKET-1"}]}}
    blank = {"sm-guardrails": {"exemptions": [{"rule": "SMG-1", "reason": " "}]}}
    template = _template(
        tmp_path,
        {
            "Exempt": {"set": open_door, "metadata": exempt},
            "Blank": {"set": open_door, "metadata": blank},
            "Plain": {"set": open_door},
        },
    )
    failing = _failing(_export(tmp_path), template)
    assert failing["SMG_1_no_direct_internet_access"] == {"Blank", "Plain"}
    assert failing["SMG_0_valid_exemption"] == {"Blank"}


def test_config_exemptions_by_logical_id_and_construct_path(tmp_path: Path) -> None:
    open_door = {"DirectInternetAccess": "Enabled"}
    template = _template(
        tmp_path,
        {
            "ById": {"set": open_door},
            "ByPath": {"set": open_door, "metadata": {"aws:cdk:path": "Stack/ByPath/Resource"}},
            "Other": {"set": open_door, "metadata": {"aws:cdk:path": "Stack/Other/Resource"}},
        },
    )
    config = {
        "exemptions": [
            {"rule": "SMG-1", "resource": "ById", "reason": "TICKET-2"},
            {"rule": "SMG-1", "resource": "Stack/ByPath/Resource", "reason": "TICKET-3"},
        ]
    }
    failing = _failing(_export(tmp_path, config=config), template)
    assert failing == {"SMG_1_no_direct_internet_access": {"Other"}}


def test_an_exemption_for_every_resource_leaves_the_rule_out(tmp_path: Path) -> None:
    config = {"exemptions": [{"rule": "SMG-2", "reason": "TICKET-4: lab account"}]}
    rules = _export(tmp_path, config=config)
    assert failed_rules(validate(rules, INSECURE)[1]) == {"SMG_1_no_direct_internet_access"}
    assert "SMG-2 is exempted by the config: SMG-2 for every resource" in rules.read_text()


@pytest.mark.parametrize(
    "resource", ["arn:aws:iam::123456789012:role/admin", "urn:pulumi:dev::app::x::y"]
)
def test_an_exemption_guard_cannot_express_writes_nothing(tmp_path: Path, resource: str) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"exemptions": [{"rule": "SMG-1", "resource": resource, "reason": "r"}]})
    )
    out = tmp_path / "rules.guard"
    done = run_cli("export", "guard", "--config", tmp_path / "config.json", "-o", out)
    assert done.returncode == 2
    assert f"exemption SMG-1 for {resource}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def _hook_input(directory: Path, resource_type: str, properties: dict[str, Any]) -> Path:
    """The document a Guard hook evaluates when resource ``Target`` is created."""
    path = directory / "hook.json"
    document = {
        "HookContext": {"TargetType": "RESOURCE", "TargetLogicalId": "Target"},
        "Resources": {"Target": {"ResourceType": resource_type, "ResourceProperties": properties}},
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_guard_hook_resource_input_is_checked(tmp_path: Path) -> None:
    def hook_input(change: dict[str, Any]) -> Path:
        notebook = "AWS::SageMaker::NotebookInstance"
        return _hook_input(tmp_path, notebook, {**BASE_PROPERTIES, **change})

    rules = _export(tmp_path)
    _, report = validate(rules, hook_input({"DirectInternetAccess": "Enabled"}))
    assert failed_rules(report) == {"SMG_1_no_direct_internet_access_hook"}
    assert validate(rules, hook_input({}))[0] == 0


@pytest.mark.parametrize("hook", [False, True], ids=["template", "hook-input"])
def test_a_body_that_declares_a_notebook_fails_closed(tmp_path: Path, hook: bool) -> None:
    """Guard reads a StackSet's TemplateBody as a string: one naming a notebook is blocked."""

    def stack_set(body: object) -> Path:
        path = tmp_path / "stack-set.json"
        type_key, properties = (
            ("ResourceType", "ResourceProperties") if hook else ("Type", "Properties")
        )
        resource = {type_key: "AWS::CloudFormation::StackSet", properties: {"TemplateBody": body}}
        path.write_text(json.dumps({"Resources": {"Rollout": resource}}), encoding="utf-8")
        return path

    notebook = {"Type": "AWS::SageMaker::NotebookInstance", "Properties": BASE_PROPERTIES}
    rules = _export(tmp_path)
    with_notebook = stack_set(json.dumps({"Resources": {"Lab": notebook}}))
    code, report = validate(rules, with_notebook)
    assert code == EXIT_NON_COMPLIANT and failed_rules(report) == {"SMG_U_template_bodies"}
    properties = "ResourceProperties" if hook else "Properties"
    assert f"/Resources/Rollout/{properties}/TemplateBody" in json.dumps(report)
    bucket = {"Resources": {"Logs": {"Type": "AWS::S3::Bucket"}}}
    assert validate(rules, stack_set(json.dumps(bucket)))[0] == 0
    assert validate(rules, stack_set({"Ref": "Body"}))[0] == 0  # check: an SMG-U notice
    # an intrinsic Guard cannot evaluate may build a notebook (check judges Fn::Join of literals)
    assert failed_rules(validate(rules, stack_set({"Fn::Sub": "${Body}"}))[1]) == {
        "SMG_U_template_bodies"
    }


def test_a_hook_input_of_a_custom_resource_creating_a_notebook_fails(tmp_path: Path) -> None:
    def hook_input(resource_type: str, properties: dict[str, Any]) -> Path:
        return _hook_input(tmp_path, resource_type, properties)

    rules = _export(tmp_path)
    settings = {"ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:f"}
    maker = hook_input("Custom::Lab", {**settings, "Spec": {"RootAccess": "Enabled"}})
    assert failed_rules(validate(rules, maker)[1]) == {"SMG_U_code_made_notebooks"}
    code = {"ZipFile": "sagemaker.create_notebook_instance(**spec)"}
    function = hook_input("AWS::Lambda::Function", {"Code": code})
    assert failed_rules(validate(rules, function)[1]) == {"SMG_U_code_made_notebooks"}
    endpoint = hook_input("Custom::Scoring", {**settings, "EndpointName": "scoring"})
    assert validate(rules, endpoint)[0] == 0


_PARAMETERS = {
    "Open": {"Type": "String"},
    "Chosen": {"Type": "String", "AllowedValues": ["subnet-0123456789abcdef0"]},
}


@pytest.mark.parametrize(
    ("parameters", "target", "fails"),
    [
        (True, "Subnet", False),  # a resource of the template
        (True, "Open", False),  # a parameter without AllowedValues
        (True, "Chosen", True),  # AllowedValues: Guard cannot judge each value
        (True, "Nowhere", True),
        (True, "AWS::Region", True),
        (True, "AWS::NoValue", True),
        (False, "Subnet", False),
        # without a Parameters section Guard reads any other name as present
        (False, "Nowhere", False),
        (False, "AWS::Region", False),
        (False, "AWS::NoValue", True),
    ],
)
def test_a_ref_is_a_present_id_when_it_names_a_resource_or_an_open_parameter(
    tmp_path: Path, parameters: bool, target: str, fails: bool
) -> None:
    ref = {"Ref": target}
    template: dict[str, Any] = {
        "Resources": {
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {}},
            "Notebook": {
                "Type": "AWS::SageMaker::NotebookInstance",
                "Properties": {**BASE_PROPERTIES, "SubnetId": ref, "SecurityGroupIds": [ref]},
            },
        }
    }
    if parameters:
        template["Parameters"] = _PARAMETERS
    data = tmp_path / "template.json"
    data.write_text(json.dumps(template), encoding="utf-8")
    failing = _failing(_export(tmp_path), data)
    assert failing == ({"SMG_2_in_vpc": {"Notebook"}} if fails else {})
