"""Pulumi resources that deploy a CloudFormation template: read them into a :class:`HeldTemplate`.

The template is then judged by the template reader (``judge_held``), exactly as
``sm-guardrails check`` judges a StackSet's ``TemplateBody``. A body that is unknown
at preview, or given by URL, is a template not seen here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sm_guardrails.pulumi.properties import UNKNOWN_VALUE, plain, to_value
from sm_guardrails.values import Choice, Unknown, Value, listed_parameters

if TYPE_CHECKING:  # the template reader loads only when such a resource comes
    from sm_guardrails.cloudformation.held import HeldTemplate


@dataclass(frozen=True)
class StackSchema:
    """How one Pulumi resource type gives its template and its parameters.

    ``listed``: parameters are a list of ``{parameterKey, parameterValue}`` (aws-native
    StackSet, whose ``stackInstancesGroup`` also holds overrides), not a mapping.
    ``overridden_elsewhere``: other resources (pulumi-aws ``StackSetInstance``) can
    override every parameter, so no passed value is certain.
    """

    resource_type: str
    listed: bool = False
    overridden_elsewhere: bool = False


STACK_SCHEMAS: dict[str, StackSchema] = {
    schema.resource_type: schema
    for schema in (
        StackSchema("aws:cloudformation/stack:Stack"),
        StackSchema("aws:cloudformation/stackSet:StackSet", overridden_elsewhere=True),
        StackSchema("aws-native:cloudformation:Stack"),
        StackSchema("aws-native:cloudformation:StackSet", listed=True),
    )
}
"""The resource types whose template the policies judge, by Pulumi type token."""

_OVERRIDE = "a StackSetInstance's parameterOverrides can replace it"


def held_template(resource_type: str, props: Mapping[str, object], name: str) -> HeldTemplate:
    """The template the resource ``name`` of ``resource_type`` (a key of STACK_SCHEMAS) deploys."""
    from sm_guardrails.cloudformation.held import HeldTemplate

    schema = STACK_SCHEMAS[resource_type]
    data = plain(props)
    data = data if isinstance(data, dict) else {}
    body, unseen = _body(data)
    parameters, unknown = _parameters(schema, data)
    return HeldTemplate(name, None, resource_type, body, unseen, parameters, unknown)


def _body(data: Mapping[str, object]) -> tuple[str | None, str | None]:
    raw = data.get("templateBody")
    if raw is UNKNOWN_VALUE:
        return None, "has a templateBody unknown at preview (an output of another resource)"
    if isinstance(raw, str):
        return raw, None
    if isinstance(raw, Mapping):  # aws-native takes the template as an object too
        return json.dumps(raw), None
    if raw is None:
        return None, f"deploys the template at templateUrl {data.get('templateUrl')!r}"
    return None, f"has a templateBody that is not a template string ({raw!r})"


def _parameters(
    schema: StackSchema, data: Mapping[str, object]
) -> tuple[dict[str, Value], str | None]:
    raw = data.get("parameters")
    if raw is UNKNOWN_VALUE:
        return {}, "its parameters are unknown at preview"
    if schema.listed:
        found = _listed(raw)
        if found is None:
            return {}, "its parameters are not a list of {parameterKey, parameterValue}"
        groups = data.get("stackInstancesGroup")
        for group in groups if isinstance(groups, list) else []:
            overrides = _listed(group.get("parameterOverrides") if isinstance(group, dict) else [])
            if overrides is None:
                return {}, "the parameterOverrides of a stack instance group are unknown"
            for key, value in overrides.items():
                unpassed = Unknown(f"parameter `{key}` is not passed to every stack instance")
                found[key] = Choice((found.get(key, unpassed), value), "a stack instance override")
        if groups is UNKNOWN_VALUE:
            return {}, "its stackInstancesGroup (with its overrides) is unknown at preview"
        return found, None
    if raw is not None and not isinstance(raw, dict):
        return {}, "its parameters are not a mapping of name to value"
    found = {str(key): to_value(value) for key, value in (raw or {}).items()}
    if schema.overridden_elsewhere:
        found = {
            key: Choice((value, Unknown(_OVERRIDE)), "a StackSetInstance override")
            for key, value in found.items()
        }
    return found, None


def _listed(raw: object) -> dict[str, Value] | None:
    """``[{parameterKey, parameterValue}]`` as a mapping; None when it is something else."""
    return listed_parameters(raw, ("parameterKey", "parameterValue"), to_value)
