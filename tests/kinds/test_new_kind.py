"""A third kind, declared here and nowhere else, is judged by the core and every reader.

``AWS::SageMaker::Model`` with one rule (network isolation) is added to the registry and
the catalog for the test only, the way a real kind is added: one declaration, its rule,
the registry's entries. ``check`` (the Python API, reporters included), the Pulumi reader
and the API reader then judge it with no change of their own. Adapters and generators
that iterate the registry join this test as they are converted (the CDK plugin and
aspect, the pack, audit, the SCP, Guard and Config rules).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sm_guardrails import (
    GuardrailConfig,
    Level,
    ResourceKind,
    Rule,
    Verdict,
    catalog,
    config,
    evaluate,
)
from sm_guardrails.aws.resources import deployed_resource
from sm_guardrails.catalog import RULES_BY_ID, RULES_BY_KIND
from sm_guardrails.cloudformation import check_paths
from sm_guardrails.kinds import (
    KINDS_BY_CLOUDFORMATION_TYPE,
    KINDS_BY_PULUMI_TYPE,
    ApiReader,
    Property,
    Spelling,
)
from sm_guardrails.pulumi.properties import resource_spec
from sm_guardrails.reporting import JsonReporter
from sm_guardrails.rules import ExactString, PropertyCheck
from tests.kinds import test_declared_facts as facts

MODEL = ResourceKind(
    noun="model",
    short_noun="model",
    cloudformation_type="AWS::SageMaker::Model",
    config_type="AWS::SageMaker::Model",
    pulumi_types={"aws:sagemaker/model:Model": Spelling.PULUMI_AWS},
    iam_create="sagemaker:CreateModel",
    iam_update="sagemaker:CreateModel",  # a model has no update action (see the closing note)
    api=ApiReader(
        list_operation="list_models",
        list_key="Models",
        id_field="ModelName",
        describe_operation="describe_model",
        name_field="ModelName",
        arn_field="ModelArn",
        arn_pattern="arn:aws:sagemaker:*:*:model/*",
        create_operation="create_model",
    ),
    properties=(Property("EnableNetworkIsolation"),),
)
ISOLATED = Rule(
    rule_id="SMG-T",
    name="model-network-isolation",
    title="Models must run with network isolation",
    rationale="A model container without network isolation can reach the internet.",
    default_level=Level.ERROR,
    fix="Set {EnableNetworkIsolation} to true.",
    references=(),
    security_severity="7.0",
    kind=MODEL,
    # A YAML or JSON true is the boolean; CloudFormation also takes the string.
    checks=(
        PropertyCheck(
            MODEL.property("EnableNetworkIsolation"), ExactString("true", "false", (True,))
        ),
    ),
)


@pytest.fixture
def model_kind(monkeypatch: pytest.MonkeyPatch) -> Iterator[ResourceKind]:
    """The throwaway kind in the registry and its rule in the catalog, for one test."""
    monkeypatch.setitem(KINDS_BY_CLOUDFORMATION_TYPE, MODEL.cloudformation_type, MODEL)
    for token in MODEL.pulumi_types:
        monkeypatch.setitem(KINDS_BY_PULUMI_TYPE, token, MODEL)
    monkeypatch.setitem(RULES_BY_KIND, MODEL, (ISOLATED,))
    monkeypatch.setitem(RULES_BY_ID, ISOLATED.rule_id, ISOLATED)
    # What catalog.RULES gives a real kind's rules at import: a config may name it.
    monkeypatch.setattr(catalog, "RULES", (*catalog.RULES, ISOLATED))
    monkeypatch.setattr(config, "CONFIGURABLE_RULE_IDS", (*config.CONFIGURABLE_RULE_IDS, "SMG-T"))
    yield MODEL


def test_its_declared_facts_are_checked_like_every_kinds(model_kind: ResourceKind) -> None:
    """tests/kinds's checks hold for the declaration (no condition key is declared: its
    ``sagemaker:NetworkIsolation`` is a Bool, a type :class:`ConditionKey` does not take)."""
    facts.test_cloudformation_type_has_a_schema(model_kind)
    facts.test_config_type_is_what_aws_config_records(model_kind)
    facts.test_api_reader_names_real_operations_keys_and_fields(model_kind)
    facts.test_iam_actions_exist(model_kind)
    for prop in model_kind.properties:
        facts.test_cloudformation_spelling_is_in_the_schema(model_kind, prop)
        facts.test_api_spelling_is_in_the_describe_response(model_kind, prop)
        facts.test_pulumi_aws_spelling_is_an_input(model_kind, prop)


def test_check_judges_it_in_a_template(model_kind: ResourceKind, tmp_path: Path) -> None:
    template = tmp_path / "models.yaml"
    template.write_text(
        "Resources:\n"
        "  Open:\n"
        "    Type: AWS::SageMaker::Model\n"
        "    Properties: {ExecutionRoleArn: arn:aws:iam::123456789012:role/m}\n"
        "  Isolated:\n"
        "    Type: AWS::SageMaker::Model\n"
        "    Properties: {EnableNetworkIsolation: true}\n"
        "  Exempt:\n"
        "    Type: AWS::SageMaker::Model\n"
        "    Metadata:\n"
        "      sm-guardrails: {exemptions: [{rule: SMG-T, reason: ticket ML-7}]}\n"
        "    Properties: {EnableNetworkIsolation: 'false'}\n"
    )
    report = check_paths([template])
    found = {(item.logical_id, item.finding.rule_id): item for item in report.findings}
    assert set(found) == {("Open", "SMG-T"), ("Exempt", "SMG-T")}
    opened = found["Open", "SMG-T"]
    assert opened.finding.blocking and opened.line == 2  # where "Open:" is
    assert opened.finding.message == "EnableNetworkIsolation is not set, and AWS's default is false"
    assert found["Exempt", "SMG-T"].finding.exemption == "ticket ML-7"
    sink = io.StringIO()
    reporter = JsonReporter(sink)
    for item in report.findings:
        reporter.finding(item)
    reporter.finish(report)
    records = json.loads(sink.getvalue())["findings"]
    assert {(r["logical_id"], r["rule_id"]) for r in records} == {
        ("Open", "SMG-T"),
        ("Exempt", "SMG-T"),
    }


def test_an_exemption_naming_its_rule_on_another_kind_is_an_error(model_kind: ResourceKind) -> None:
    from sm_guardrails.kinds import NOTEBOOK_INSTANCE
    from sm_guardrails.model import Exemption, ResourceSpec

    notebook = ResourceSpec(NOTEBOOK_INSTANCE, ("N",), {}, exemptions=(Exemption("SMG-T", "x"),))
    problems = [f.message for f in evaluate(notebook) if f.rule_id == "SMG-0"]
    assert problems == [
        "exemption names SMG-T, which judges models, not notebook instances, so it exempts nothing"
    ]


@pytest.mark.parametrize(
    ("value", "verdict"),
    [(True, Verdict.PASS), ("true", Verdict.PASS), (False, Verdict.FAIL), (None, Verdict.FAIL)],
)
def test_the_pulumi_reader_judges_it(
    model_kind: ResourceKind, value: object, verdict: Verdict
) -> None:
    props = {"executionRoleArn": "arn:aws:iam::123456789012:role/m"}
    if value is not None:
        props["enableNetworkIsolation"] = value  # type: ignore[assignment]
    spec = resource_spec("aws:sagemaker/model:Model", props, ("urn:pulumi:dev::app::model",))
    (finding,) = evaluate(spec, GuardrailConfig())
    assert (finding.rule_id, finding.verdict) == ("SMG-T", verdict)
    if verdict is Verdict.FAIL:
        assert finding.fix == "Set enableNetworkIsolation to true."


def test_the_api_reader_judges_it(model_kind: ResourceKind) -> None:
    arn = "arn:aws:sagemaker:eu-west-1:123456789012:model/open"
    description = {"ModelName": "open", "ModelArn": arn, "EnableNetworkIsolation": False}
    deployed = deployed_resource(model_kind, description, [], "eu-west-1")
    (finding,) = evaluate(deployed.spec, passes=False)
    assert (finding.resource, finding.rule_id, finding.verdict) == ("open", "SMG-T", Verdict.FAIL)
    tags = [{"Key": "sm-guardrails:exempt:SMG-T", "Value": "ticket ML-8"}]
    exempted = deployed_resource(model_kind, description, tags, "eu-west-1")
    (finding,) = evaluate(exempted.spec, passes=False)
    assert finding.exemption == "ticket ML-8" and not finding.blocking
