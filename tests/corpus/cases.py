"""The corpus: cases as data, each one resource in every form an adapter can express.

A case names its resource's ``kind`` by CloudFormation type (default
``AWS::SageMaker::NotebookInstance``), changes a compliant resource of that kind
(:data:`BASE_PROPERTIES_BY_KIND`) with ``set`` and ``unset`` (a dotted name reaches into a
nested property: ``DefaultUserSettings.SecurityGroups``), and expects every rule of the
kind (``RULES_BY_KIND``) it does not name under ``expect`` to pass. Its forms:

- ``cfn``: the template (properties, parameters, conditions, mappings, resources,
  metadata, and ``foreach``: a list of ``{identifier, collection}`` loops, outermost
  first, that wrap the notebook in ``Fn::ForEach``, a template-only form: give
  ``cdk: none``). Absent means the notebook has no template form.
- ``custom``, in ``cfn`` (notebooks only): the notebook is created by a custom resource instead,
  ``{via: lambda}`` (a ``Custom::Notebook`` whose properties pass the settings, under
  the key ``under`` if given, to a Lambda function with inline code) or
  ``{via: sdk-call}`` (CDK's ``AwsCustomResource`` calling CreateNotebookInstance). Its
  CDK form is ``custom_resource`` or ``aws_custom_resource``.
- ``cdk``: ``derived`` (the default when there is a template form: a
  kind's L1 (``CfnNotebookInstance``, ``CfnDomain``) built from the template form, with CDK
  tokens for its parameters, conditions and imports), ``none``, or ``{builder: name, ...}``
  for a builder of ``tests/corpus/cdk_forms.py``.
- ``pulumi``: ``derived`` (the default when every template value is a literal),
  ``none``, or ``{set, unset, extra, extra_per_type, exemptions}`` in the same
  CloudFormation names, with ``$unknown`` and ``{$secret: value}`` markers.
- ``aws``: ``derived`` (the default when every template value is a literal and each
  exemption names a rule of the kind: the resource as its Describe call and ``ListTags``
  show it, exemptions as tags, read by the audit's reader) or ``none``.
- ``known_bugs``: ``{runner: description}`` for a mismatch waiting on a fix (``guard``:
  the generated Guard rules of ``test_corpus_guard``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.kinds import (
    KINDS_BY_CLOUDFORMATION_TYPE,
    NOTEBOOK_INSTANCE,
    STUDIO_DOMAIN,
    ResourceKind,
)

CASES_DIR = Path(__file__).parent / "cases"
VERDICTS = ("pass", "fail", "unknown")
GUARD_RUNNER = "guard"
AWS_RUNNER = "aws"
ADAPTERS = ("cloudformation", "cdk", "pulumi", AWS_RUNNER)
"""The adapters a case has forms for."""
RUNNERS = ("cloudformation", "cdk", "cdk-aspect", "pulumi", "cdk-nag", GUARD_RUNNER, AWS_RUNNER)
"""What runs a case: the CDK form goes through ``enforce``, ``NotebookGuardrailAspect`` and,
where it can see the resource, cdk-nag with ``SmGuardrailsChecks``; the template form
also through the generated Guard rules; the AWS form through the audit's reader."""


def rule_ids(kind: ResourceKind) -> tuple[str, ...]:
    """The ids of the rules that judge ``kind``, in catalog order."""
    return tuple(rule.rule_id for rule in RULES_BY_KIND[kind])


def resource_id(kind: ResourceKind) -> str:
    """The logical id of a case's resource of ``kind``: ``Notebook``, ``Domain``."""
    return kind.short_noun.capitalize()


NOTEBOOK_ID = resource_id(NOTEBOOK_INSTANCE)
NOTEBOOK_TYPE = NOTEBOOK_INSTANCE.cloudformation_type

BASE_PROPERTIES: dict[str, Any] = {
    "InstanceType": "ml.t3.medium",
    "RoleArn": "arn:aws:iam::123456789012:role/notebook",
    "DirectInternetAccess": "Disabled",
    "SubnetId": "subnet-0123456789abcdef0",
    "SecurityGroupIds": ["sg-0123456789abcdef0"],
    "RootAccess": "Disabled",
    "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
}
"""A notebook that passes every rule, in CloudFormation names."""

BASE_PROPERTIES_BY_KIND: dict[ResourceKind, dict[str, Any]] = {
    NOTEBOOK_INSTANCE: BASE_PROPERTIES,
    STUDIO_DOMAIN: {
        "DomainName": "corpus",
        "AuthMode": "IAM",
        "AppNetworkAccessType": "VpcOnly",
        "VpcId": "vpc-0123456789abcdef0",
        "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
        "DefaultUserSettings": {
            "ExecutionRole": "arn:aws:iam::123456789012:role/studio",
            "SecurityGroups": ["sg-0123456789abcdef0"],
        },
        "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
}
"""A resource of each kind that passes every rule of its kind, in CloudFormation names
(with the properties CloudFormation requires, so every adapter can build it)."""

_TEMPLATE_SECTIONS = {
    "parameters": "Parameters",
    "conditions": "Conditions",
    "mappings": "Mappings",
}
_CFN_KEYS = {"set", "unset", "metadata", "resources", "foreach", "custom", *_TEMPLATE_SECTIONS}
MAKER_ID = "NotebookMaker"
"""The Lambda function behind a custom resource that creates the notebook."""
MAKER_CODE = """\
import boto3, cfnresponse
def handler(event, context):
    if event["RequestType"] == "Create":
        settings = dict(event["ResourceProperties"])
        settings.pop("ServiceToken")
        boto3.client("sagemaker").create_notebook_instance(**settings)
    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})
"""
CUSTOM_NOTEBOOK_NAME = "corpus"
_PULUMI_KEYS = {"set", "unset", "extra", "extra_per_type", "exemptions"}
_CASE_KEYS = {
    "id",
    "about",
    "kind",
    "cfn",
    "cdk",
    "pulumi",
    "aws",
    "expect",
    "exempt",
    "exemption_problem",
}


@dataclass(frozen=True)
class Expected:
    """What every adapter must report about a case's resource: a verdict per rule of its kind."""

    verdicts: Mapping[str, str]
    exempt: frozenset[str] = frozenset()
    exemption_problem: bool = False


@dataclass(frozen=True)
class Case:
    """One logical resource of a kind and its forms."""

    id: str
    about: str
    expected: Expected
    cfn: Mapping[str, Any] | None
    cdk: Mapping[str, Any] | None
    pulumi: Mapping[str, Any] | None
    aws: Mapping[str, Any] | None = None
    known_bugs: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    kind: ResourceKind = NOTEBOOK_INSTANCE

    @property
    def adapters(self) -> tuple[str, ...]:
        """The adapters that have a form for this case."""
        forms = {
            "cloudformation": self.cfn,
            "cdk": self.cdk,
            "pulumi": self.pulumi,
            AWS_RUNNER: self.aws,
        }
        return tuple(name for name in ADAPTERS if forms[name] is not None)

    @property
    def logical_id(self) -> str:
        """The resource's logical id in the case's template."""
        return resource_id(self.kind)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rules that judge the case's resource."""
        return rule_ids(self.kind)

    def base(self) -> dict[str, Any]:
        """The compliant properties of the case's kind, which its forms change."""
        return BASE_PROPERTIES_BY_KIND[self.kind]

    def properties(self) -> dict[str, Any]:
        """The resource's CloudFormation properties (only for a case with a template form)."""
        assert self.cfn is not None
        return apply_changes(self.base(), self.cfn)

    def template(self) -> dict[str, Any]:
        """The case's CloudFormation template."""
        assert self.cfn is not None
        resource: dict[str, Any] = {
            "Type": self.kind.cloudformation_type,
            "Properties": self.properties(),
        }
        made_by: dict[str, Any] = {}
        if "custom" in self.cfn:
            resource, made_by = _custom_resource(self.cfn["custom"], self.properties())
        if "metadata" in self.cfn:
            resource["Metadata"] = {"sm-guardrails": copy.deepcopy(self.cfn["metadata"])}
        template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
        for key, section in _TEMPLATE_SECTIONS.items():
            if key in self.cfn:
                template[section] = copy.deepcopy(self.cfn[key])
        loops = self.cfn.get("foreach", [])
        key = self.logical_id + "".join(f"${{{loop['identifier']}}}" for loop in loops)
        declared: dict[str, Any] = {key: resource}
        for loop in reversed(loops):
            identifier = loop["identifier"]
            body = [identifier, copy.deepcopy(loop["collection"]), declared]
            declared = {f"Fn::ForEach::{identifier}Loop": body}
            template["Transform"] = "AWS::LanguageExtensions"
        resources = {**copy.deepcopy(self.cfn.get("resources", {})), **made_by}
        template["Resources"] = {**resources, **declared}
        return template


def _custom_resource(
    form: Mapping[str, Any], properties: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A custom resource that creates the notebook, and the function behind it."""
    settings = {"NotebookInstanceName": CUSTOM_NOTEBOOK_NAME, **properties}
    token = {"Fn::GetAtt": [MAKER_ID, "Arn"]}
    maker: dict[str, Any] = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Handler": "index.handler",
            "Runtime": "python3.12",
            "Role": "arn:aws:iam::123456789012:role/maker",
            "Code": {"ZipFile": MAKER_CODE},
        },
    }
    if form["via"] == "sdk-call":
        maker["Properties"]["Code"] = {"S3Bucket": "assets", "S3Key": "aws-sdk-call.zip"}
        call = {"service": "SageMaker", "action": "createNotebookInstance", "parameters": settings}
        resource = {"ServiceToken": token, "Create": json_with_values(call)}
        return {"Type": "Custom::AWS", "Properties": resource}, {MAKER_ID: maker}
    if form["via"] != "lambda":
        raise ValueError(f"custom: via must be lambda or sdk-call, not {form['via']!r}")
    nested = {form["under"]: settings} if "under" in form else settings
    resource = {"ServiceToken": token, **nested}
    return {"Type": "Custom::Notebook", "Properties": resource}, {MAKER_ID: maker}


_SPLICE = re.compile(r"@@(\d+)@@")


def json_with_values(data: object) -> object:
    """``data`` as JSON text, as CDK renders it: ``Fn::Join`` of the text and each
    intrinsic function, spliced in where its value goes; the text alone when there is none."""
    values: list[object] = []

    def placeholder(node: object) -> object:
        if isinstance(node, list):
            return [placeholder(item) for item in node]
        if isinstance(node, Mapping) and not is_literal(node) and len(node) == 1:
            values.append(node)
            return f"@@{len(values) - 1}@@"
        if isinstance(node, Mapping):
            return {key: placeholder(value) for key, value in node.items()}
        return node

    text = json.dumps(placeholder(data), separators=(",", ":"))
    if not values:
        return text
    pieces = _SPLICE.split(text)
    parts = [values[int(piece)] if index % 2 else piece for index, piece in enumerate(pieces)]
    return {"Fn::Join": ["", [part for part in parts if part != ""]]}


def apply_changes(base: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``form['set']`` applied and ``form['unset']`` removed; a dotted name
    (``DefaultUserSettings.SecurityGroups``) sets or removes a nested property."""
    properties = copy.deepcopy(dict(base))
    for name, value in form.get("set", {}).items():
        *outer, last = name.split(".")
        _mapping_at(properties, outer, name)[last] = copy.deepcopy(value)
    for name in form.get("unset", []):
        *outer, last = name.split(".")
        _mapping_at(properties, outer, name).pop(last, None)
    return properties


def _mapping_at(properties: dict[str, Any], path: list[str], name: str) -> dict[str, Any]:
    """The nested mapping of ``properties`` at ``path`` (created where missing)."""
    node = properties
    for key in path:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ValueError(f"{name}: {key} is not a mapping, so it has no nested property")
    return node


def is_literal(node: object) -> bool:
    """True when ``node`` holds no intrinsic function and no dynamic reference."""
    if isinstance(node, str):
        return "{{resolve:" not in node
    if isinstance(node, list):
        return all(is_literal(item) for item in node)
    if isinstance(node, Mapping):
        if len(node) == 1 and next(iter(node)) in ("Ref", "Condition"):
            return False
        if any(str(key).startswith("Fn::") for key in node):
            return False
        return all(is_literal(item) for item in node.values())
    return True


def _pulumi_exemptions(metadata: object, rules: tuple[str, ...]) -> dict[str, str | None] | None:
    """The template's exemptions as ``{rule: reason}`` for the pack config (or tags), if
    expressible: each names one of ``rules``."""
    if metadata is None:
        return {}
    entries = metadata.get("exemptions") if isinstance(metadata, Mapping) else None
    if not isinstance(entries, list):
        return None
    found: dict[str, str | None] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("rule") not in rules:
            return None
        found[entry["rule"]] = entry.get("reason")
    return found


def _derived_pulumi(cfn: Mapping[str, Any], rules: tuple[str, ...]) -> dict[str, Any] | None:
    """The Pulumi form of a template form whose values are all literals, else None."""
    if set(cfn) - {"set", "unset", "metadata"} or not is_literal(cfn.get("set", {})):
        return None
    exemptions = _pulumi_exemptions(cfn.get("metadata"), rules)
    if exemptions is None:
        return None
    return {"set": cfn.get("set", {}), "unset": cfn.get("unset", []), "exemptions": exemptions}


def _form(raw: object, derived: Mapping[str, Any] | None, where: str) -> Mapping[str, Any] | None:
    if raw == "none":
        return None
    if raw is None or raw == "derived":
        return derived
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected 'derived', 'none' or a mapping, got {raw!r}")
    return raw


def _check_keys(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unexpected = set(raw) - allowed
    if unexpected:
        raise ValueError(f"{where}: unknown key(s) {sorted(unexpected)}")


def _kind(raw: Mapping[str, Any], where: str) -> ResourceKind:
    name = raw.get("kind", NOTEBOOK_INSTANCE.cloudformation_type)
    if name not in KINDS_BY_CLOUDFORMATION_TYPE:
        raise ValueError(f"{where}: kind must be one of {sorted(KINDS_BY_CLOUDFORMATION_TYPE)}")
    return KINDS_BY_CLOUDFORMATION_TYPE[name]


def parse_case(raw: Mapping[str, Any], source: str) -> Case:
    """A :class:`Case` from its YAML mapping; a mistake in the data raises ValueError."""
    where = f"{source}: case {raw.get('id')!r}"
    _check_keys(raw, _CASE_KEYS | {"known_bugs"}, where)
    kind = _kind(raw, where)
    rules = rule_ids(kind)
    cfn = raw.get("cfn")
    if cfn is not None:
        _check_keys(cfn, _CFN_KEYS, f"{where}.cfn")
        if "custom" in cfn and kind is not NOTEBOOK_INSTANCE:
            raise ValueError(f"{where}.cfn: custom resources create notebooks only")
    derived = _derived_pulumi(cfn, rules) if cfn is not None else None
    pulumi = _form(raw.get("pulumi"), derived, where)
    if pulumi is not None:
        _check_keys(pulumi, _PULUMI_KEYS, f"{where}.pulumi")
    aws = _form(raw.get("aws"), derived and {"exemptions": derived["exemptions"]}, where)
    if aws is not None and derived is None:
        raise ValueError(f"{where}: the AWS form is derived from a literal template form only")
    expect = dict(raw.get("expect") or {})
    if set(expect) - set(rules) or set(expect.values()) - set(VERDICTS):
        raise ValueError(f"{where}: expect must map {', '.join(rules)} to {VERDICTS}")
    exempt = frozenset(raw.get("exempt") or ())
    if exempt - {rule for rule, verdict in expect.items() if verdict != "pass"}:
        raise ValueError(f"{where}: only a rule that does not pass can be exempted")
    known_bugs = dict(raw.get("known_bugs") or {})
    if set(known_bugs) - set(RUNNERS):
        raise ValueError(f"{where}: known_bugs names an unknown adapter")
    return Case(
        id=str(raw["id"]),
        about=str(raw.get("about", "")),
        expected=Expected(
            verdicts={rule: expect.get(rule, "pass") for rule in rules},
            exempt=exempt,
            exemption_problem=bool(raw.get("exemption_problem", False)),
        ),
        cfn=cfn,
        cdk=_form(raw.get("cdk"), {"builder": "derived"} if cfn is not None else None, where),
        pulumi=pulumi,
        aws=aws,
        known_bugs=known_bugs,
        source=source,
        kind=kind,
    )


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    """Every case of every ``*.yaml`` file of ``directory``; ids must be unique."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            cases.append(parse_case(raw, path.name))
    ids = [case.id for case in cases]
    duplicates = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicates:
        raise ValueError(f"duplicate case ids: {duplicates}")
    return cases
