"""``Fn::Transform`` (``AWS::Include``, macros) where it rewrites part of a template: beside
literal ``Mappings`` rows, and on one resource."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sm_guardrails import GuardrailConfig, Level, UnknownPolicy
from sm_guardrails.cloudformation.judge import judge_template
from tests.cloudformation.test_held_templates import check, notebook, rules, template

INCLUDE = {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/rows.yaml"}}
STAGE = {"Stage": {"Type": "String", "AllowedValues": ["prod", "dev"]}}


def smg1(data: dict[str, Any]) -> set[str]:
    findings = judge_template(data, GuardrailConfig()).findings
    return {item.finding.verdict.value for item in findings if item.finding.rule_id == "SMG-1"}


def test_a_row_only_the_include_supplies_is_considered() -> None:
    """`dev` is not written out: the included snippet may supply it, with any value."""
    mappings = {"Access": {"Fn::Transform": INCLUDE, "prod": {"Value": "Disabled"}}}
    lookup = {"Fn::FindInMap": ["Access", {"Ref": "Stage"}, "Value"]}
    data = template(
        {"Nb": notebook(DirectInternetAccess=lookup)}, Parameters=STAGE, Mappings=mappings
    )
    assert smg1(data) == {"unknown"}
    mappings["Access"]["dev"] = {"Value": "Disabled"}
    assert smg1(data) == set(), "every row the keys select is written out"


def test_an_include_at_the_top_of_mappings_may_supply_the_map() -> None:
    mappings = {"Fn::Transform": INCLUDE, "Other": {"prod": {"Value": "Disabled"}}}
    lookup = {"Fn::FindInMap": ["Access", "prod", "Value"]}
    data = template({"Nb": notebook(DirectInternetAccess=lookup)}, Mappings=mappings)
    findings = judge_template(data, GuardrailConfig()).findings
    (message,) = [item.finding.message for item in findings if item.finding.rule_id == "SMG-1"]
    assert "rewritten at deployment by Fn::Transform `AWS::Include`" in message


def test_a_resource_level_transform_is_unseen(tmp_path: Path) -> None:
    compliant = notebook()
    transformed = {**compliant, "Fn::Transform": {"Name": "NotebookDefaults"}}
    included = {"Fn::Transform": INCLUDE}  # the whole resource comes from S3
    data = template({"Nb": transformed, "Other": included})
    report = check(tmp_path, data)
    assert not report.errors, "a resource an include supplies has no Type, and that is fine"
    assert rules(report) == {("Nb", None, "SMG-U", "unknown"), ("Other", None, "SMG-U", "unknown")}
    (item, _) = report.findings
    assert item.finding.level is Level.ERROR
    assert item.finding.message.startswith(
        "resource Nb is processed by Fn::Transform `NotebookDefaults` when it is deployed"
    )
    relaxed = judge_template(data, GuardrailConfig(unknown=UnknownPolicy.WARN))
    assert {item.finding.level for item in relaxed.findings} == {Level.WARNING}
