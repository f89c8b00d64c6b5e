"""Every fact a kind declares, checked against the installed machine-readable sources.

Derived from the registry: a new kind, property or ExactString check is checked here
without a line of this file changing. A failure names the kind and the property.
"""

from __future__ import annotations

import re

import botocore
import pytest

from sm_guardrails.catalog import RULES
from sm_guardrails.kinds import KINDS, Property, ResourceKind, Spelling
from sm_guardrails.rules import ExactString
from tests.kinds.sources import (
    botocore_model,
    cloudformation_schema,
    iam_action_keys,
    iam_key_type,
    member_documentation,
    pulumi_aws_has,
    schema_property,
    shape_member,
)

PROPERTIES = [(kind, prop) for kind in KINDS for prop in kind.properties]
PROPERTY_IDS = [f"{kind.short_noun}-{prop.name}" for kind, prop in PROPERTIES]
EXACT_CHECKS = [
    (rule.kind, check.prop, check.check)
    for rule in RULES
    for check in rule.checks
    if rule.kind is not None and isinstance(check.check, ExactString)
]
EXACT_IDS = [f"{kind.short_noun}-{prop.name}" for kind, prop, _ in EXACT_CHECKS]


def _kind_id(kind: ResourceKind) -> str:
    return kind.short_noun


def _where(kind: ResourceKind, prop: Property | None = None) -> str:
    return kind.cloudformation_type + (f" {prop.name}" if prop else "")


def _operation(kind: ResourceKind, boto3_name: str) -> dict[str, object] | None:
    """The sagemaker operation whose boto3 method name is ``boto3_name``."""
    operations = botocore_model("sagemaker")["operations"]
    for name, operation in operations.items():
        if botocore.xform_name(name) == boto3_name:
            found: dict[str, object] = operation
            return found
    return None


def _shape(operation: dict[str, object], side: str) -> str:
    shape: dict[str, str] = operation[side]  # type: ignore[assignment]
    return shape["shape"]


@pytest.mark.parametrize("kind", KINDS, ids=_kind_id)
def test_cloudformation_type_has_a_schema(kind: ResourceKind) -> None:
    assert cloudformation_schema(kind.cloudformation_type), (
        f"{_where(kind)}: cfn-lint ships no schema for this CloudFormation type"
    )


@pytest.mark.parametrize(("kind", "prop"), PROPERTIES, ids=PROPERTY_IDS)
def test_cloudformation_spelling_is_in_the_schema(kind: ResourceKind, prop: Property) -> None:
    schema = cloudformation_schema(kind.cloudformation_type)
    assert schema is not None
    path = prop.spelled(Spelling.CLOUDFORMATION)
    assert schema_property(schema, path), f"{_where(kind, prop)}: no {path} in cfn-lint's schema"


NOT_RECORDED_BY_CONFIG = {
    "AWS::SageMaker::NotebookInstance": (
        "botocore's AWS Config ResourceType enum has no AWS::SageMaker::NotebookInstance: "
        "Config does not record notebook instances (its managed rules for them are "
        "periodic), so the declared config_type is no type Config knows"
    )
}
"""Declared Config types that botocore's config model does not list, each with why."""


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(
            kind,
            marks=pytest.mark.xfail(strict=True, reason=NOT_RECORDED_BY_CONFIG[kind.config_type]),
        )
        if kind.config_type in NOT_RECORDED_BY_CONFIG
        else kind
        for kind in KINDS
    ],
    ids=_kind_id,
)
def test_config_type_is_what_aws_config_records(kind: ResourceKind) -> None:
    recorded = botocore_model("config")["shapes"]["ResourceType"]["enum"]
    assert kind.config_type in recorded, (
        f"{_where(kind)}: AWS Config records no resource type {kind.config_type}"
    )


@pytest.mark.parametrize("kind", KINDS, ids=_kind_id)
def test_api_reader_names_real_operations_keys_and_fields(kind: ResourceKind) -> None:
    model, api, where = botocore_model("sagemaker"), kind.api, _where(kind)
    listing = _operation(kind, api.list_operation)
    describing = _operation(kind, api.describe_operation)
    assert listing, f"{where}: sagemaker has no operation {api.list_operation}"
    assert describing, f"{where}: sagemaker has no operation {api.describe_operation}"
    items = shape_member(model, _shape(listing, "output"), api.list_key)
    assert items and items["type"] == "list", f"{where}: the list response has no {api.list_key}"
    summary = items["member"]["shape"]
    assert shape_member(model, summary, api.id_field), f"{where}: no {api.id_field} in {summary}"
    request = _shape(describing, "input")
    assert shape_member(model, request, api.id_field), f"{where}: {request} takes no {api.id_field}"
    response = _shape(describing, "output")
    for field in (api.name_field, api.arn_field):
        assert shape_member(model, response, field), f"{where}: no {field} in {response}"


@pytest.mark.parametrize(("kind", "prop"), PROPERTIES, ids=PROPERTY_IDS)
def test_api_spelling_is_in_the_describe_response(kind: ResourceKind, prop: Property) -> None:
    describing = _operation(kind, kind.api.describe_operation)
    assert describing is not None
    response, path = _shape(describing, "output"), prop.spelled(Spelling.API)
    assert shape_member(botocore_model("sagemaker"), response, path), (
        f"{_where(kind, prop)}: no {path} in botocore's {response}"
    )


@pytest.mark.parametrize(("kind", "prop"), PROPERTIES, ids=PROPERTY_IDS)
def test_pulumi_aws_spelling_is_an_input(kind: ResourceKind, prop: Property) -> None:
    tokens = [
        token for token, spelling in kind.pulumi_types.items() if spelling is Spelling.PULUMI_AWS
    ]
    assert tokens, f"{_where(kind)}: no pulumi-aws type token declared"
    path = prop.spelled(Spelling.PULUMI_AWS)
    for token in tokens:
        assert pulumi_aws_has(token, path), (
            f"{_where(kind, prop)}: pulumi-aws {token} has no {path}"
        )


@pytest.mark.parametrize("kind", KINDS, ids=_kind_id)
def test_iam_actions_exist(kind: ResourceKind) -> None:
    for action in (kind.iam_create, kind.iam_update):
        assert iam_action_keys(action) is not None, f"{_where(kind)}: parliament lists no {action}"


@pytest.mark.parametrize(("kind", "prop"), PROPERTIES, ids=PROPERTY_IDS)
def test_condition_key_type_and_actions(kind: ResourceKind, prop: Property) -> None:
    """The key exists with the declared type, on the create action, on update iff declared."""
    key = prop.condition_key
    if key is None:
        return
    where = _where(kind, prop)
    assert iam_key_type(key.name) == key.type, (
        f"{where}: parliament types {key.name} {iam_key_type(key.name)}, declared {key.type}"
    )
    assert key.name in (iam_action_keys(kind.iam_create) or ()), (
        f"{where}: {kind.iam_create} does not carry {key.name}"
    )
    on_update = key.name in (iam_action_keys(kind.iam_update) or ())
    assert on_update is key.on_update, (
        f"{where}: {kind.iam_update} {'carries' if on_update else 'does not carry'} {key.name}, "
        f"declared on_update={key.on_update}"
    )


def _allowed(value: str, spec: dict[str, object]) -> bool:
    """``value`` is one ``spec`` (a schema property or a botocore shape) allows."""
    enum = spec.get("enum")
    if isinstance(enum, list):
        return value in enum
    pattern = spec.get("pattern")
    return isinstance(pattern, str) and re.fullmatch(pattern, value) is not None


def _documents_default(text: str, value: str) -> bool:
    """A sentence of ``text`` says ``value`` is the default (either order)."""
    return any(
        re.search(rf"default.*{re.escape(value)}|{re.escape(value)}.*default", sentence, re.I)
        for sentence in re.split(r"(?<=\.)\s", text)
    )


@pytest.mark.parametrize(("kind", "prop", "check"), EXACT_CHECKS, ids=EXACT_IDS)
def test_exact_value_and_default_are_the_sources(
    kind: ResourceKind, prop: Property, check: ExactString
) -> None:
    """The value a rule requires and the default it assumes for an absent property are
    values CloudFormation and the API accept, and the default is the documented one."""
    where = _where(kind, prop)
    schema = cloudformation_schema(kind.cloudformation_type)
    assert schema is not None
    cloudformation = schema_property(schema, prop.spelled(Spelling.CLOUDFORMATION))
    create = _operation(kind, botocore.xform_name(kind.iam_create.split(":")[1]))
    assert cloudformation is not None and create is not None
    model = botocore_model("sagemaker")
    request, api_path = _shape(create, "input"), prop.spelled(Spelling.API)
    api = shape_member(model, request, api_path)
    assert api is not None, f"{where}: {request} takes no {api_path}"
    for value in (check.expected, check.default):
        assert _allowed(value, cloudformation), f"{where}: CloudFormation does not allow {value!r}"
        assert _allowed(value, api), f"{where}: {request} does not allow {value!r}"
    documentation = member_documentation(model, request, api_path)
    described = str(cloudformation.get("description", ""))
    assert _documents_default(documentation, check.default) or _documents_default(
        described, check.default
    ), f"{where}: neither botocore nor the schema documents {check.default!r} as the default"
