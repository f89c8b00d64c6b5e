"""The generated Guard rules on Studio domains, run by the real cfn-guard: SMG-6 and SMG-7
land under AWS::SageMaker::Domain, in a template and in a Guard hook's resource input,
with exemptions by metadata and by config as for notebooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sm_guardrails.catalog import RULES_BY_KIND, Level
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.controls.guard import guard_rules
from sm_guardrails.kinds import STUDIO_DOMAIN
from sm_guardrails.model import Exemption
from tests.controls.guard_forms import DOMAIN, DOMAIN_PROPERTIES, NOTEBOOK
from tests.corpus.cases import BASE_PROPERTIES
from tests.guard_tool import failed_rules, validate

SMG_6, SMG_7 = "SMG_6_studio_vpc_only", "SMG_7_studio_in_vpc"
UNSET = object()
"""A change that removes the property."""


def _rules(tmp_path: Path, config: GuardrailConfig | None = None) -> Path:
    path = tmp_path / "rules.guard"
    path.write_text(guard_rules(config or GuardrailConfig()), encoding="utf-8")
    return path


def _changed(changes: dict[str, Any]) -> dict[str, Any]:
    """The compliant domain's properties with ``changes`` at dotted paths (UNSET removes)."""
    properties = json.loads(json.dumps(DOMAIN_PROPERTIES))
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = properties
        for parent in parents:
            node = node[parent]
        if value is UNSET:
            del node[leaf]
        else:
            node[leaf] = value
    return properties


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _template(tmp_path: Path, **resources: dict[str, Any]) -> Path:
    return _write(tmp_path, {"Resources": resources})


def _domain(changes: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    resource = {"Type": DOMAIN, "Properties": _changed(changes)}
    if metadata is not None:
        resource["Metadata"] = metadata
    return resource


CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("compliant", {}, set()),
    ("AppNetworkAccessType absent (AWS's default)", {"AppNetworkAccessType": UNSET}, {SMG_6}),
    ("PublicInternetOnly", {"AppNetworkAccessType": "PublicInternetOnly"}, {SMG_6}),
    ("vpconly: values are exact", {"AppNetworkAccessType": "vpconly"}, {SMG_6}),
    ("a list holding VpcOnly", {"AppNetworkAccessType": ["VpcOnly"]}, {SMG_6}),
    ("VpcId absent", {"VpcId": UNSET}, {SMG_7}),
    ("VpcId blank", {"VpcId": " "}, {SMG_7}),
    ("SubnetIds absent", {"SubnetIds": UNSET}, {SMG_7}),
    ("SubnetIds empty", {"SubnetIds": []}, {SMG_7}),
    ("a blank subnet", {"SubnetIds": ["subnet-0123456789abcdef0", ""]}, {SMG_7}),
    ("security groups absent", {"DefaultUserSettings.SecurityGroups": UNSET}, {SMG_7}),
    ("security groups empty", {"DefaultUserSettings.SecurityGroups": []}, {SMG_7}),
    ("security groups a string", {"DefaultUserSettings.SecurityGroups": "sg-1"}, {SMG_7}),
    ("DefaultUserSettings from a parameter", {"DefaultUserSettings": {"Ref": "Settings"}}, {SMG_7}),
    ("subnets from a resource", {"SubnetIds": [{"Ref": "Subnet"}]}, set()),
    (
        "security groups by GetAtt",
        {"DefaultUserSettings.SecurityGroups": [{"Fn::GetAtt": ["Group", "GroupId"]}]},
        set(),
    ),
    ("open and outside a VPC", {"AppNetworkAccessType": UNSET, "SubnetIds": UNSET}, {SMG_6, SMG_7}),
]


@pytest.mark.parametrize(
    ("changes", "failing"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_domain_templates_pass_and_fail_as_the_rules_say(
    tmp_path: Path, changes: dict[str, Any], failing: set[str]
) -> None:
    template = {
        "Parameters": {"Settings": {"Type": "String"}},
        "Resources": {
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {}},
            "Studio": _domain(changes),
        },
    }
    code, report = validate(_rules(tmp_path), _write(tmp_path, template))
    assert failed_rules(report) == failing
    assert (code != 0) == bool(failing)


@pytest.mark.parametrize(
    ("changes", "failing"),
    [case[1:] for case in CASES if "'Ref'" not in repr(case[1]) and "Fn::" not in repr(case[1])],
)
def test_a_guard_hook_input_of_a_domain_is_checked(
    tmp_path: Path, changes: dict[str, Any], failing: set[str]
) -> None:
    """A Guard hook's resource input: ResourceType and resolved ResourceProperties."""
    document = {
        "HookContext": {"TargetType": "RESOURCE", "TargetLogicalId": "Studio"},
        "Resources": {"Studio": {"ResourceType": DOMAIN, "ResourceProperties": _changed(changes)}},
    }
    _, report = validate(_rules(tmp_path), _write(tmp_path, document))
    assert failed_rules(report) == {f"{name}_hook" for name in failing}


def test_each_kinds_rules_apply_to_its_own_type_only(tmp_path: Path) -> None:
    """A domain is not judged by the notebook rules, nor a notebook by the domain rules."""
    strict = GuardrailConfig(
        levels={rule.rule_id: Level.ERROR for kind in RULES_BY_KIND for rule in RULES_BY_KIND[kind]}
    )
    rules = _rules(tmp_path, strict)
    compliant = _template(
        tmp_path,
        Studio=_domain({}),
        Lab={"Type": NOTEBOOK, "Properties": BASE_PROPERTIES},
    )
    assert validate(rules, compliant)[0] == 0
    text = rules.read_text(encoding="utf-8")
    for rule in RULES_BY_KIND[STUDIO_DOMAIN]:
        assert f'Type == "{DOMAIN}"' in text and rule.rule_id in text


def test_domain_exemptions_by_metadata_and_by_config(tmp_path: Path) -> None:
    public = {"AppNetworkAccessType": "PublicInternetOnly"}
    reason = {"sm-guardrails": {"exemptions": [{"rule": "SMG-6", "reason": "TICKET-8: lab"}]}}
    blank = {"sm-guardrails": {"exemptions": [{"rule": "SMG-6", "reason": ""}]}}
    template = _template(
        tmp_path,
        Exempt=_domain(public, reason),
        Blank=_domain(public, blank),
        ByConfig=_domain(public),
        Plain=_domain(public),
    )
    config = GuardrailConfig(exemptions=(Exemption("SMG-6", "TICKET-9", "ByConfig"),))
    _, report = validate(_rules(tmp_path, config), template)
    failing: dict[str, set[str]] = {}
    for item in report.get("not_compliant", []):
        text = json.dumps(item)
        failing.setdefault(item["Rule"]["name"], set()).update(
            part.split("/")[0] for part in text.split("/Resources/")[1:]
        )
    assert failing == {SMG_6: {"Blank", "Plain"}, "SMG_0_valid_exemption": {"Blank"}}


def test_a_template_body_declaring_a_domain_is_blocked(tmp_path: Path) -> None:
    body = json.dumps({"Resources": {"Studio": _domain({})}})
    template = _template(
        tmp_path,
        Rollout={"Type": "AWS::CloudFormation::StackSet", "Properties": {"TemplateBody": body}},
    )
    assert failed_rules(validate(_rules(tmp_path), template)[1]) == {"SMG_U_template_bodies"}
