"""Templates that resources of a template deploy: StackSets, nested stacks, SAM applications,
CloudFormation modules and Service Catalog products.

Each is read into a :class:`HeldTemplate`: the body as the template gives it (or where
the template is instead) and the values passed to its parameters, resolved in the
outer template. Judging happens in :mod:`sm_guardrails.cloudformation.judge`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeGuard

from sm_guardrails.cloudformation.intrinsics import TemplateContext
from sm_guardrails.cloudformation.resources import CDK_PATH_KEY
from sm_guardrails.cloudformation.service_catalog import (
    PRODUCT_TYPE,
    PROVISIONED_PRODUCT_TYPE,
    product_templates,
    provisioned_unseen,
)
from sm_guardrails.values import Choice, Known, Unknown, Value, listed_parameters

STACK_TYPE = "AWS::CloudFormation::Stack"
STACK_SET_TYPE = "AWS::CloudFormation::StackSet"
SAM_APPLICATION_TYPE = "AWS::Serverless::Application"
MODULE_SUFFIX = "::MODULE"
"""The ending of a CloudFormation registry module's type, which expands into resources."""
TEMPLATE_URL = "TemplateURL"


@dataclass(frozen=True)
class HeldTemplate:
    """A template that one resource deploys.

    ``body`` is the template text when the resource gives it as a literal; otherwise
    ``unseen`` says where the template is instead (a URL, a value decided at
    deployment). ``parameters`` are the values passed to the template's parameters;
    ``parameters_unknown`` is the reason when they are all decided at deployment.
    """

    logical_id: str
    construct_path: str | None
    resource_type: str
    body: str | None
    unseen: str | None
    parameters: Mapping[str, Value] = field(default_factory=dict)
    parameters_unknown: str | None = None


def held_templates(
    template: Mapping[str, object],
    context: TemplateContext,
    checked_elsewhere: Collection[tuple[str, str]] = (),
) -> Iterator[HeldTemplate]:
    """The templates the resources of ``template`` deploy, in template order.

    The templates named in ``checked_elsewhere``, each a (logical id, where) pair of
    :func:`template_urls`, are left out: the caller checks their files itself (a
    cloud assembly's nested stacks and product templates).
    """
    resources = template.get("Resources")
    resources = resources if isinstance(resources, Mapping) else {}
    for logical_id, resource in resources.items():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        if not _deploys_template(kind) or not isinstance(resource, Mapping):
            continue
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        metadata = resource.get("Metadata")
        path = metadata.get(CDK_PATH_KEY) if isinstance(metadata, Mapping) else None
        path = path if isinstance(path, str) else None
        local = {where for held_id, where in checked_elsewhere if held_id == logical_id}
        for held in _held_by(str(logical_id), kind, properties, context, resources, local):
            yield replace(held, construct_path=path)


def template_urls(resource: Mapping[str, object]) -> list[tuple[str, object]]:
    """Where ``resource`` gives each template it deploys by URL: (where, the URL as written).

    ``where`` is ``TemplateURL`` for a stack or StackSet without a body, and the
    provisioning artifact of a Service Catalog product.
    """
    properties = resource.get("Properties")
    properties = properties if isinstance(properties, Mapping) else {}
    kind = resource.get("Type")
    if kind in (STACK_TYPE, STACK_SET_TYPE) and properties.get("TemplateBody") is None:
        return [(TEMPLATE_URL, properties.get(TEMPLATE_URL))]
    if kind == PRODUCT_TYPE:
        return [(item.where, item.url) for item in product_templates(properties) if item.url]
    return []


def _held_by(
    logical_id: str,
    kind: str,
    properties: Mapping[str, object],
    context: TemplateContext,
    resources: Mapping[str, object],
    local: Collection[str],
) -> Iterator[HeldTemplate]:
    """The templates one resource of ``resources`` deploys, but those at ``local``
    (checked elsewhere)."""
    if kind == PRODUCT_TYPE:
        for item in product_templates(properties):
            if item.where not in local:
                yield HeldTemplate(logical_id, None, kind, None, item.unseen)
    elif kind == PROVISIONED_PRODUCT_TYPE:
        products = [
            str(product_id)
            for product_id, resource in resources.items()
            if isinstance(resource, Mapping) and resource.get("Type") == PRODUCT_TYPE
        ]
        unseen = provisioned_unseen(properties, products)
        if unseen is not None:
            yield HeldTemplate(logical_id, None, kind, None, unseen)
    elif _holds_template(kind) and TEMPLATE_URL not in local:
        yield _held(logical_id, kind, properties, context)


def _deploys_template(kind: object) -> TypeGuard[str]:
    """True when a resource of type ``kind`` deploys (or offers) a template."""
    return kind in (PRODUCT_TYPE, PROVISIONED_PRODUCT_TYPE) or _holds_template(kind)


def _holds_template(kind: object) -> bool:
    if kind in (STACK_TYPE, STACK_SET_TYPE, SAM_APPLICATION_TYPE):
        return True
    return isinstance(kind, str) and kind.endswith(MODULE_SUFFIX)


def _held(
    logical_id: str, kind: str, properties: Mapping[str, object], context: TemplateContext
) -> HeldTemplate:
    body, unseen = _body(kind, properties, context)
    if kind == STACK_SET_TYPE:
        parameters, reason = _stack_set_parameters(properties, context)
    else:
        parameters, reason = _map_parameters(properties.get("Parameters"), context)
    return HeldTemplate(logical_id, None, kind, body, unseen, parameters, reason)


def _body(
    kind: str, properties: Mapping[str, object], context: TemplateContext
) -> tuple[str | None, str | None]:
    """The literal body, or None and where the template is instead."""
    if kind == SAM_APPLICATION_TYPE:
        location = properties.get("Location")
        return None, f"deploys the nested application at Location {location!r}"
    if kind.endswith(MODULE_SUFFIX):
        return None, (
            "is a CloudFormation module: the resources it expands into when deployed "
            "(a SageMaker resource among them, perhaps) are in the module's template, not this one"
        )
    raw = properties.get("TemplateBody")
    if raw is None:
        url = properties.get(TEMPLATE_URL)
        if kind == STACK_TYPE:
            return None, (
                f"is a nested stack with no local template (TemplateURL {url!r}); "
                "check its template too"
            )
        return None, f"deploys the template at TemplateURL {url!r}, which is not checked here"
    if isinstance(raw, str):
        return raw, None
    value = context.resolve(raw)
    if isinstance(value, Known) and isinstance(value.value, str):
        return value.value, None
    why = value.reason if isinstance(value, Unknown) else "it is not a single string literal"
    return None, f"has a TemplateBody that is decided at deployment ({why})"


def _map_parameters(raw: object, context: TemplateContext) -> tuple[dict[str, Value], str | None]:
    """A nested stack's ``Parameters``: a mapping of name to value."""
    if raw is None:
        return {}, None
    if not isinstance(raw, Mapping):
        return {}, "its Parameters are decided at deployment"
    return {str(name): context.resolve(value) for name, value in raw.items()}, None


def _stack_set_parameters(
    properties: Mapping[str, object], context: TemplateContext
) -> tuple[dict[str, Value], str | None]:
    """A StackSet's ``Parameters``, each a choice with the overrides of its instance groups.

    A parameter that some instance group overrides and the StackSet does not pass is
    unknown: the groups that do not override it get the template's own default.
    """
    base = _key_values(properties.get("Parameters"), context)
    if base is None:
        return {}, "its Parameters are decided at deployment"
    groups = properties.get("StackInstancesGroup", [])
    if not isinstance(groups, list):
        return {}, "its StackInstancesGroup (with its parameter overrides) is decided at deployment"
    options: dict[str, list[Value]] = {name: [value] for name, value in base.items()}
    for group in groups:
        raw = group.get("ParameterOverrides") if isinstance(group, Mapping) else None
        overrides = _key_values(raw, context)
        if overrides is None:
            return {}, "the ParameterOverrides of a stack instance group are decided at deployment"
        for name, value in overrides.items():
            options.setdefault(
                name, [Unknown(f"parameter `{name}` is not passed to every stack instance")]
            ).append(value)
    return {
        name: values[0] if len(values) == 1 else Choice(tuple(values), "a stack instance override")
        for name, values in options.items()
    }, None


def _key_values(raw: object, context: TemplateContext) -> dict[str, Value] | None:
    """``[{ParameterKey, ParameterValue}]`` as a mapping; None when it is not written out."""
    return listed_parameters(raw, ("ParameterKey", "ParameterValue"), context.resolve)
