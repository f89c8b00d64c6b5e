"""Run a case's template, Pulumi and AWS forms through their adapters (CDK: ``cdk_forms``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sm_guardrails.aws.resources import EXEMPTION_TAG_PREFIX, deployed_resource
from sm_guardrails.cloudformation import check_paths
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import evaluate
from sm_guardrails.kinds import ResourceKind, Spelling, camel_path
from sm_guardrails.pulumi import MAIN_POLICY
from sm_guardrails.pulumi.engine import AnalyzerClient
from tests.corpus.cases import Case, apply_changes
from tests.corpus.outcomes import Outcome

UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIGNATURE = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
PULUMI_FORMS = {"aws": Spelling.PULUMI_AWS, "native": Spelling.PULUMI_AWS_NATIVE}
"""The Pulumi providers a case is sent as, by the short name a case uses (``extra_per_type``),
with how each spells the properties."""
AWS_REGION = "eu-west-1"
AWS_ACCOUNT = "123456789012"


def pulumi_type(kind: ResourceKind, form: str) -> str:
    """The Pulumi type token of ``kind`` in the provider ``form`` names."""
    (token,) = (token for token, how in kind.pulumi_types.items() if how is PULUMI_FORMS[form])
    return token


def respelled(
    properties: Mapping[str, Any], kind: ResourceKind, spelling: Spelling
) -> dict[str, Any]:
    """CloudFormation ``properties`` of ``kind`` as ``spelling`` writes them: a property the
    kind declares by its spelling, any other key camelCased (Pulumi) or as it is (the API)."""
    declared = {item.cloudformation: item.spelled(spelling) for item in kind.properties}

    def key(path: str, name: str) -> str:
        if path in declared:
            return declared[path].rsplit(".", 1)[-1]
        return name if spelling is Spelling.API else camel_path(name)

    def walk(node: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        spelled = {}
        for name, value in node.items():
            path = prefix + name
            nested = isinstance(value, Mapping) and set(value) != {"$secret"}
            spelled[key(path, name)] = walk(value, path + ".") if nested else value
        return spelled

    return walk(properties, "")


CFN_FORMS = ("json", "yaml-short-form")
"""How a case's template is written: JSON, and YAML with short-form tags (``!Ref``, ``!If``)."""


class _Tagged:
    """A value written with a YAML tag, e.g. ``!If [...]``."""

    def __init__(self, tag: str, value: object) -> None:
        self.tag, self.value = tag, value


class _ShortFormDumper(yaml.SafeDumper):
    """Writes ``{"Ref": x}`` as ``!Ref x`` and ``{"Fn::If": [...]}`` as ``!If [...]``."""


def _represent_tagged(dumper: yaml.SafeDumper, tagged: _Tagged) -> yaml.Node:
    if isinstance(tagged.value, list):
        return dumper.represent_sequence(tagged.tag, tagged.value)
    if isinstance(tagged.value, Mapping):
        return dumper.represent_mapping(tagged.tag, tagged.value)
    return dumper.represent_scalar(tagged.tag, str(tagged.value))


_ShortFormDumper.add_representer(_Tagged, _represent_tagged)


def _short_form(node: object) -> object:
    """``node`` with every intrinsic function in its short form."""
    if isinstance(node, list):
        return [_short_form(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    if len(node) == 1:
        ((key, argument),) = node.items()
        if key == "Ref":
            return _Tagged("!Ref", argument)
        if key == "Fn::GetAtt" and isinstance(argument, list):
            return _Tagged("!GetAtt", ".".join(map(str, argument)))
        if isinstance(key, str) and key.startswith("Fn::") and "::" not in key[4:]:
            return _Tagged("!" + key.removeprefix("Fn::"), _short_form(argument))  # not ForEach
    return {key: _short_form(value) for key, value in node.items()}


def write_template(case: Case, workdir: Path, form: str) -> Path:
    if form == "json":
        path = workdir / f"{case.id}.json"
        path.write_text(json.dumps(case.template(), indent=1), encoding="utf-8")
    else:
        path = workdir / f"{case.id}.yaml"
        text = yaml.dump(_short_form(case.template()), Dumper=_ShortFormDumper, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    return path


def run_cloudformation(case: Case, workdir: Path, form: str) -> Outcome:
    """Write the case's template in ``form`` and check it as ``sm-guardrails check`` does."""
    path = write_template(case, workdir, form)
    return _checked(path, case)


def _checked(path: Path, case: Case) -> Outcome:
    """The outcome of ``sm-guardrails check`` on the file ``path`` that holds ``case``."""
    report = check_paths([path])
    if report.errors or sum(report.resources.values()) != 1:
        raise AssertionError(f"{path}: {report.errors}, {report.resources} found")
    return Outcome.from_findings((item.finding for item in report.findings), case.rule_ids)


HELD_FORMS = {
    "aws-stack-body": ("aws:cloudformation/stack:Stack", "templateBody"),
    "native-stack-set-body": ("aws-native:cloudformation:StackSet", "templateBody"),
}
"""Pulumi resources that deploy a template, by the form name a run reports."""


def run_cloudformation_held(case: Case, workdir: Path) -> Outcome:
    """Check the case's template given as a StackSet's ``TemplateBody``, as a JSON string.

    The resource inside must be judged exactly as the template on its own.
    """
    outer = {
        "Resources": {
            "Rollout": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {
                    "StackSetName": case.id,
                    "TemplateBody": json.dumps(case.template()),
                },
            }
        }
    }
    path = workdir / f"{case.id}.stack-set.yaml"
    path.write_text(yaml.safe_dump(outer), encoding="utf-8")
    return _checked(path, case)


def run_pulumi_held(case: Case, client: AnalyzerClient, form: str) -> Outcome:
    """Send the case's template as the body of a Pulumi stack resource (``form``) to the pack."""
    resource_type, key = HELD_FORMS[form]
    urn = f"urn:pulumi:corpus::notebooks::{resource_type}::{case.id}"
    client.configure({})
    diagnostics = client.analyze(resource_type, {key: json.dumps(case.template())}, urn, case.id)
    return _reported(diagnostics, case)


def _reported(diagnostics: list[Any], case: Case) -> Outcome:
    return Outcome.from_messages(
        ((item.policy_name, item.message) for item in diagnostics), case.rule_ids
    )


def _wire(value: object) -> Any:
    """A case's Pulumi value with its markers replaced by the engine's encodings."""
    if value == "$unknown":
        return UNKNOWN_SENTINEL
    if isinstance(value, Mapping) and set(value) == {"$secret"}:
        return {**SECRET_SIGNATURE, "value": _wire(value["$secret"])}
    if isinstance(value, Mapping):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value


def pulumi_inputs(case: Case, form: str) -> dict[str, Any]:
    """The resource's inputs as the engine sends them for the provider ``form`` names."""
    assert case.pulumi is not None
    properties = apply_changes(case.base(), case.pulumi)
    inputs = {
        key: _wire(value)
        for key, value in respelled(properties, case.kind, PULUMI_FORMS[form]).items()
    }
    inputs.update(_wire(case.pulumi.get("extra", {})))
    inputs.update(_wire(case.pulumi.get("extra_per_type", {}).get(form, {})))
    return inputs


def pack_config(case: Case, urn: str) -> dict[str, Any]:
    """The policy pack config that carries the case's exemptions for the resource ``urn``."""
    assert case.pulumi is not None
    exemptions = [
        {"rule": rule_id, "resource": urn} | ({} if reason is None else {"reason": reason})
        for rule_id, reason in case.pulumi.get("exemptions", {}).items()
    ]
    return {MAIN_POLICY: {"exemptions": exemptions}} if exemptions else {}


def run_pulumi(case: Case, client: AnalyzerClient, form: str) -> Outcome:
    """Configure the running pack for the case and send its inputs as the provider ``form``
    names them."""
    resource_type = pulumi_type(case.kind, form)
    name = case.id
    urn = f"urn:pulumi:corpus::notebooks::{resource_type}::{name}"
    client.configure(pack_config(case, urn))
    diagnostics = client.analyze(resource_type, pulumi_inputs(case, form), urn, name)
    return _reported(diagnostics, case)


def aws_description(case: Case) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The case's resource as its Describe call shows it, and its tags (exemptions)."""
    assert case.aws is not None
    kind = case.kind
    description = respelled(case.properties(), kind, Spelling.API)
    description[kind.api.name_field] = case.id
    arn = f"arn:aws:sagemaker:{AWS_REGION}:{AWS_ACCOUNT}:{kind.short_noun}/{case.id}"
    description[kind.api.arn_field] = arn
    tags = [
        {"Key": EXEMPTION_TAG_PREFIX + rule_id, "Value": reason or ""}
        for rule_id, reason in case.aws["exemptions"].items()
    ]
    return description, tags


def run_aws(case: Case) -> Outcome:
    """Read the case's Describe output and tags as ``audit`` does, and judge it."""
    description, tags = aws_description(case)
    resource = deployed_resource(case.kind, description, tags, AWS_REGION)
    findings = evaluate(resource.spec, GuardrailConfig(), passes=False)
    return Outcome.from_findings(findings, case.rule_ids)
