"""Judge one template: its resources of every declared kind, its macros, and every
template its resources hold.

A template that a StackSet or nested stack gives inline is judged exactly as if it
were checked on its own (the same reader and the same evaluation), with the values
the outer resource passes to its parameters; what cannot be read here is an
``SMG-U`` finding (:mod:`sm_guardrails.coverage`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from sm_guardrails.cloudformation.custom_resources import (
    CodeMadeResource,
    code_fix,
    code_made_resources,
)
from sm_guardrails.cloudformation.held import HeldTemplate, held_templates
from sm_guardrails.cloudformation.intrinsics import TRANSFORM, TemplateContext, transform_names
from sm_guardrails.cloudformation.language_extensions import ExpandedTemplate, expand_template
from sm_guardrails.cloudformation.loader import TemplateError, parse_template
from sm_guardrails.cloudformation.resources import (
    CDK_PATH_KEY,
    resource_spec,
    resources_in_template,
    template_problems,
)
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.coverage import Unseen, unseen_finding
from sm_guardrails.evaluation import Finding, evaluate
from sm_guardrails.kinds import ResourceKind
from sm_guardrails.values import Unknown, Value

UNDERSTOOD_TRANSFORMS = frozenset({"AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"})
"""Transforms whose effect on resources the reader knows: LanguageExtensions is expanded
by the reader, and SAM makes no SageMaker resource (its nested applications are reported)."""
MAX_NESTING = 8
"""Templates held deeper than this (a body holding a StackSet holding a body...) are not read."""
TRANSFORM_KEY = "Transform"


@dataclass(frozen=True)
class JudgedFinding:
    """A finding, placed at the resource (or section) of the judged template it is about.

    ``inner`` is the resource's place inside the template that resource holds
    (``Notebook``, or ``Inner > Notebook`` one level further down); None at top level.
    """

    logical_id: str
    construct_path: str | None
    inner: str | None
    finding: Finding
    loops: tuple[str, ...] = ()
    """The ``Fn::ForEach`` loops that generated the resource, outermost first."""


@dataclass
class Judgement:
    """What judging a template found: how many resources of each kind (held ones included)
    and the findings."""

    resources: Counter[ResourceKind] = field(default_factory=Counter)
    findings: list[JudgedFinding] = field(default_factory=list)


def judge_template(
    template: Mapping[str, object],
    config: GuardrailConfig,
    checked_elsewhere: Collection[tuple[str, str]] = (),
    passed: Mapping[str, Value] | None = None,
    outer: tuple[str, ...] = (),
    depth: int = 0,
) -> Judgement:
    """The findings (passes left out) about ``template`` and the templates it holds.

    ``checked_elsewhere``: the templates (logical id, where) whose files the caller checks.
    ``passed``: the values an outer resource passes to the parameters. ``outer``: the
    names of that resource, which prefix every name here (``Outer > Notebook``).
    """
    judgement = Judgement()
    found = judgement.findings.append
    for name in _macros(template):
        message = (
            f"the template is processed by macro `{name}` when it is deployed, so the "
            "deployed template may differ from this one (resources added or changed)"
        )
        resource = _prefixed(outer, (TRANSFORM_KEY,))[0]
        finding = unseen_finding(resource, message, Unseen.MACRO, config)
        found(JudgedFinding(TRANSFORM_KEY, None, None, finding))
    template = expand_template(template)
    context = TemplateContext.from_template(template, passed)
    resources = template.get("Resources")
    resources = resources if isinstance(resources, Mapping) else {}
    judgement.findings.extend(_transformed_resources(resources, config, outer))
    for item in resources_in_template(template, context):
        judgement.resources[item.spec.kind] += 1
        spec = item.spec
        if outer:
            spec = replace(spec, names=_prefixed(outer, spec.names))
        for finding in evaluate(spec, config, passes=False):
            found(JudgedFinding(item.logical_id, item.construct_path, None, finding, item.loops))
    loops = template.loops if isinstance(template, ExpandedTemplate) else {}
    for made in code_made_resources(resources, context):
        judgement.resources[made.kind] += 1
        judged = _judge_code_made(made, context, config, outer, loops.get(made.logical_id, ()))
        judgement.findings.extend(judged)
    for held in held_templates(template, context, checked_elsewhere):
        own = (held.construct_path, held.logical_id) if held.construct_path else (held.logical_id,)
        inside = judge_held(held, config, _prefixed(outer, own), depth + 1)
        judgement.resources.update(inside.resources)
        judgement.findings.extend(inside.findings)
    return judgement


def _judge_code_made(
    made: CodeMadeResource,
    context: TemplateContext,
    config: GuardrailConfig,
    outer: tuple[str, ...],
    loops: tuple[str, ...],
) -> list[JudgedFinding]:
    """The findings about a resource that a custom resource's code creates.

    Its settings, where its properties pass them, are judged by its kind's rules, each
    finding saying that code the checker cannot read makes it; without them it is unseen.
    ``loops``: the ``Fn::ForEach`` loops that generated the custom resource.
    """
    metadata = made.resource.get("Metadata")
    path = metadata.get(CDK_PATH_KEY) if isinstance(metadata, Mapping) else None
    path = path if isinstance(path, str) else None
    names = _prefixed(outer, (path, made.logical_id) if path else (made.logical_id,))
    about = (
        f"custom resource `{made.logical_id}` creates the {made.kind.short_noun} through code "
        f"the checker cannot read ({made.maker})"
    )
    if not made.settings:
        message = f"{about}, and {made.unseen_reason}"
        finding = unseen_finding(names[0], message, Unseen.CODE, config)
        finding = replace(finding, fix=code_fix(made.kind))
        return [JudgedFinding(made.logical_id, path, None, finding, loops)]
    judged = []
    for settings in made.settings:
        resource = {"Properties": settings, "Metadata": metadata}
        spec = resource_spec(made.kind, made.logical_id, resource, context)
        spec = replace(spec, names=names)
        for finding in evaluate(spec, config, passes=False):
            message = f"{finding.message}; {about}, judged by the settings its properties pass"
            finding = replace(finding, message=message)
            judged.append(JudgedFinding(made.logical_id, path, None, finding, loops))
    return judged


def judge_held(
    held: HeldTemplate, config: GuardrailConfig, names: tuple[str, ...], depth: int = 1
) -> Judgement:
    """Judge the template ``held`` gives; ``names`` are the resource's (path, id, URN).

    Every finding is placed at ``held``'s logical id: about the resource itself (its
    template unseen or unreadable), or about a resource inside (``inner``).
    """

    def itself(message: str, kind: Unseen) -> JudgedFinding:
        finding = unseen_finding(names[0], message, kind, config)
        return JudgedFinding(held.logical_id, held.construct_path, None, finding)

    if held.body is None:
        return Judgement(findings=[itself(f"{held.resource_type} {held.unseen}", Unseen.ELSEWHERE)])
    if depth > MAX_NESTING:
        message = f"holds templates nested more than {MAX_NESTING} levels deep, which are not read"
        return Judgement(findings=[itself(message, Unseen.UNREADABLE)])
    try:
        template = parse_template(held.body)
    except TemplateError as error:
        message = f"has a TemplateBody that is not a template: {error}"
        return Judgement(findings=[itself(message, Unseen.UNREADABLE)])
    problems = [
        itself(f"has a TemplateBody whose {problem}", Unseen.UNREADABLE)
        for problem in template_problems(template)
    ]
    passed = held.parameters
    if held.parameters_unknown is not None:
        declared = template.get("Parameters")
        reason = f"{names[0]}: {held.parameters_unknown}"
        declared = declared if isinstance(declared, Mapping) else {}
        passed = {str(name): Unknown(reason) for name in declared}
    inside = judge_template(template, config, passed=passed, outer=names, depth=depth)
    placed = [
        JudgedFinding(
            held.logical_id,
            held.construct_path,
            item.logical_id if item.inner is None else f"{item.logical_id} > {item.inner}",
            item.finding,
        )
        for item in inside.findings
    ]
    return Judgement(inside.resources, problems + placed)


def _transformed_resources(
    resources: Mapping[str, object], config: GuardrailConfig, outer: tuple[str, ...]
) -> list[JudgedFinding]:
    """An unseen finding for each resource that an ``Fn::Transform`` of its own rewrites."""
    judged = []
    for logical_id, resource in resources.items():
        if isinstance(resource, Mapping) and TRANSFORM in resource:
            names = ", ".join(f"`{name}`" for name in transform_names(resource[TRANSFORM]))
            message = (
                f"resource {logical_id} is processed by Fn::Transform {names} when it is "
                "deployed, so what it deploys (a SageMaker resource, perhaps) may differ from this "
                "template"
            )
            place = _prefixed(outer, (str(logical_id),))[0]
            finding = unseen_finding(place, message, Unseen.MACRO, config)
            judged.append(JudgedFinding(str(logical_id), None, None, finding))
    return judged


def _macros(template: Mapping[str, object]) -> list[str]:
    """The transforms of ``template`` that the reader does not understand (macros).

    Those of its ``Transform`` section and the ``Fn::Transform`` over its ``Resources``.
    """
    raw = template.get(TRANSFORM_KEY)
    items = raw if isinstance(raw, list) else [] if raw is None else [raw]
    names = [str(item.get("Name")) if isinstance(item, Mapping) else str(item) for item in items]
    resources = template.get("Resources")
    if isinstance(resources, Mapping) and TRANSFORM in resources:
        names += transform_names(resources[TRANSFORM])
    return [name for name in names if name not in UNDERSTOOD_TRANSFORMS]


def _prefixed(outer: tuple[str, ...], names: tuple[str, ...]) -> tuple[str, ...]:
    if not outer:
        return names
    return tuple(f"{prefix} > {name}" for prefix in outer for name in names)
