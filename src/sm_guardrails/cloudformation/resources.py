"""Find the resources of a template that a kind declares, each read into a ResourceSpec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sm_guardrails.cloudformation.intrinsics import TRANSFORM, TemplateContext
from sm_guardrails.cloudformation.language_extensions import ExpandedTemplate, expand_template
from sm_guardrails.kinds import KINDS_BY_CLOUDFORMATION_TYPE, ResourceKind
from sm_guardrails.model import Exemption, ResourceSpec
from sm_guardrails.values import Choice, Unknown, Value

METADATA_KEY = "sm-guardrails"
"""Resource metadata key holding ``{"exemptions": [{"rule": ..., "reason": ...}]}``."""
CDK_PATH_KEY = "aws:cdk:path"


@dataclass(frozen=True)
class TemplateResource:
    """A resource of a declared kind found in a template."""

    logical_id: str
    construct_path: str | None
    spec: ResourceSpec
    loops: tuple[str, ...] = ()
    """The ``Fn::ForEach`` loops that generated it, outermost first."""


def resource_spec(
    kind: ResourceKind, logical_id: str, resource: Mapping[str, object], context: TemplateContext
) -> ResourceSpec:
    """Read ``resource`` (a template's resource entry of ``kind``) into a spec."""
    metadata = resource.get("Metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    construct_path = metadata.get(CDK_PATH_KEY)
    names = (construct_path, logical_id) if isinstance(construct_path, str) else (logical_id,)
    properties = context.resolve(resource.get("Properties", {}))
    exemptions, problems = read_exemptions(metadata.get(METADATA_KEY))
    return ResourceSpec(
        kind=kind,
        names=names,
        values={
            item.name: _member(context, properties, item.cloudformation) for item in kind.properties
        },
        exemptions=exemptions,
        exemption_problems=problems,
    )


def _member(context: TemplateContext, properties: Value, path: str) -> Value:
    """The value at the dotted ``path`` inside ``properties``.

    Inside a setting decided only at deployment (``DefaultUserSettings`` imported), even
    whether the property is set is unknown, so its presence fails closed too.
    """
    value = properties
    for depth, key in enumerate(path.split(".")):
        value = context.member(_may_be_unset(value) if depth else value, key)
    return value


def _may_be_unset(value: Value) -> Value:
    """``value`` with each unknown it can be marked as maybe not setting what it holds."""
    if isinstance(value, Unknown):
        return replace(value, may_be_unset=True)
    if isinstance(value, Choice):
        return replace(value, options=tuple(_may_be_unset(option) for option in value.options))
    return value


def resources_in_template(
    template: Mapping[str, object], context: TemplateContext | None = None
) -> list[TemplateResource]:
    """Every resource of ``template`` that a registered kind declares, in template order.

    Resources that ``Fn::ForEach`` loops generate are among them, each with its loops.
    ``context`` is the expanded template's own unless given (with the values passed to it).
    """
    template = expand_template(template)
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return []
    loops = template.loops if isinstance(template, ExpandedTemplate) else {}
    context = context or TemplateContext.from_template(template)
    found = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping):
            continue
        kind = KINDS_BY_CLOUDFORMATION_TYPE.get(resource.get("Type"))  # type: ignore[arg-type]
        if kind is not None:
            spec = resource_spec(kind, str(logical_id), resource, context)
            path = spec.names[0] if len(spec.names) > 1 else None
            found.append(TemplateResource(str(logical_id), path, spec, loops.get(logical_id, ())))
    return found


def template_problems(template: Mapping[str, object]) -> list[str]:
    """What keeps parts of ``template`` from being checked: each one says where and what."""
    template = expand_template(template)
    resources = template.get("Resources")
    if resources is None:
        return ["has no Resources section, so it is not a CloudFormation template"]
    if not isinstance(resources, Mapping):
        return ["Resources is not a mapping of logical ids to resources"]
    problems = list(template.problems) if isinstance(template, ExpandedTemplate) else []
    for logical_id, resource in resources.items():
        if logical_id == TRANSFORM:
            continue  # a macro over the whole section: judge.py reports it as unseen
        if not isinstance(resource, Mapping):
            problems.append(f"resource {logical_id} is not a mapping")
        elif not isinstance(resource.get("Type"), str) and TRANSFORM not in resource:
            problems.append(
                f"resource {logical_id} has no Type, so it may be a resource the rules judge"
            )
    return problems


def read_exemptions(raw: object) -> tuple[tuple[Exemption, ...], tuple[str, ...]]:
    """The exemptions in a resource's ``sm-guardrails`` metadata, and what is malformed in it."""
    if raw is None:
        return (), ()
    shape = f"Metadata.{METADATA_KEY} must be {{exemptions: [{{rule: SMG-n, reason: ...}}]}}"
    entries = raw.get("exemptions") if isinstance(raw, Mapping) else None
    if not isinstance(entries, list):
        return (), (shape,)
    exemptions, problems = [], []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("rule"), str):
            problems.append(f"exemption #{index + 1} has no rule id; {shape}")
            continue
        reason = entry.get("reason")
        exemptions.append(Exemption(entry["rule"], reason if isinstance(reason, str) else ""))
    return tuple(exemptions), tuple(problems)


def exemption_metadata(existing: object, rule_id: str, reason: str) -> dict[str, object]:
    """``existing`` ``sm-guardrails`` metadata with one more exemption, as a CDK app writes it."""
    entries = list(existing.get("exemptions", [])) if isinstance(existing, Mapping) else []
    entries.append({"rule": rule_id, "reason": reason})
    return {"exemptions": entries}
