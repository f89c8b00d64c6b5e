"""Find the notebook instances of a template and read each into a :class:`NotebookSpec`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sm_guardrails.cloudformation.intrinsics import TRANSFORM, TemplateContext
from sm_guardrails.cloudformation.language_extensions import ExpandedTemplate, expand_template
from sm_guardrails.model import Exemption, NotebookSpec

NOTEBOOK_TYPE = "AWS::SageMaker::NotebookInstance"
METADATA_KEY = "sm-guardrails"
"""Resource metadata key holding ``{"exemptions": [{"rule": ..., "reason": ...}]}``."""
CDK_PATH_KEY = "aws:cdk:path"


@dataclass(frozen=True)
class TemplateNotebook:
    """A notebook resource found in a template."""

    logical_id: str
    construct_path: str | None
    spec: NotebookSpec
    loops: tuple[str, ...] = ()
    """The ``Fn::ForEach`` loops that generated it, outermost first."""


def notebook_spec(
    logical_id: str, resource: Mapping[str, object], context: TemplateContext
) -> NotebookSpec:
    """Read the notebook ``resource`` (a template's resource entry) into a spec."""
    metadata = resource.get("Metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    construct_path = metadata.get(CDK_PATH_KEY)
    names = (construct_path, logical_id) if isinstance(construct_path, str) else (logical_id,)
    properties = context.resolve(resource.get("Properties", {}))
    imds = context.member(properties, "InstanceMetadataServiceConfiguration")
    exemptions, problems = read_exemptions(metadata.get(METADATA_KEY))
    return NotebookSpec(
        names=names,
        direct_internet_access=context.member(properties, "DirectInternetAccess"),
        subnet_id=context.member(properties, "SubnetId"),
        security_group_ids=context.member(properties, "SecurityGroupIds"),
        root_access=context.member(properties, "RootAccess"),
        kms_key_id=context.member(properties, "KmsKeyId"),
        minimum_imds_version=context.member(imds, "MinimumInstanceMetadataServiceVersion"),
        exemptions=exemptions,
        exemption_problems=problems,
    )


def notebooks_in_template(
    template: Mapping[str, object], context: TemplateContext | None = None
) -> list[TemplateNotebook]:
    """Every ``AWS::SageMaker::NotebookInstance`` of ``template``, in template order.

    Notebooks that ``Fn::ForEach`` loops generate are among them, each with its loops.
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
        if isinstance(resource, Mapping) and resource.get("Type") == NOTEBOOK_TYPE:
            spec = notebook_spec(str(logical_id), resource, context)
            path = spec.names[0] if len(spec.names) > 1 else None
            found.append(TemplateNotebook(str(logical_id), path, spec, loops.get(logical_id, ())))
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
            problems.append(f"resource {logical_id} has no Type, so it may be a notebook")
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
