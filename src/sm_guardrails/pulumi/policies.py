"""Pulumi policies: ``sm-guardrails`` (mandatory) and ``sm-guardrails-advisory``.

``notebook_policies()`` returns the two for a ``PolicyPack`` of your own or the ready
one in ``policypack/``. ``sm-guardrails`` judges each resource of a kind in the registry
(``KINDS_BY_PULUMI_TYPE``: notebook instances and Studio domains, of both providers)
once, by every rule of its kind, under its config (the shape of
:meth:`GuardrailConfig.from_mapping`), and reports each finding that must block, and
each mistake in its config as SMG-0. The SDK reports a policy's violations at that
policy's one enforcement level, so every other finding that must be shown (a
warning-level rule, an exempted finding, a value unknown at preview under
``unknown: warn``) is handed over, per resource, to ``sm-guardrails-advisory``, which
runs right after it in the same Analyze call and reports it.

Two policies rather than one per rule: the SDK deserializes a resource's properties
once per policy, so each policy costs every Analyze call, SageMaker resource or not.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from sm_guardrails.catalog import RULES, RULES_BY_KIND, SMG_0, judged_resources
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG, Finding, evaluate
from sm_guardrails.kinds import KINDS, KINDS_BY_PULUMI_TYPE, Spelling
from sm_guardrails.pulumi.pack_config import CONFIG_SCHEMA, problem_line, read_pack_settings
from sm_guardrails.pulumi.products import PRODUCT_TYPES
from sm_guardrails.pulumi.properties import resource_spec
from sm_guardrails.pulumi.stacks import STACK_SCHEMAS

_HELD_TYPES = frozenset(STACK_SCHEMAS) | frozenset(PRODUCT_TYPES)
"""Resource types that deploy a CloudFormation template: stacks, StackSets, products."""

MAIN_POLICY = "sm-guardrails"
"""Reports what must block: findings at level error, and config mistakes (SMG-0)."""
ADVISORY_POLICY = "sm-guardrails-advisory"
"""Reports what must be shown without blocking: warnings, exemptions, accepted unknowns."""

_CACHE_SIZE = 64


class _Handover:
    """What ``sm-guardrails`` hands to ``sm-guardrails-advisory`` for the resource it judged.

    The SDK runs a pack's policies one after the other on the thread that serves the
    Analyze call, so one slot per thread is enough; it is keyed by the resource's URN
    (or name), and taking it empties it. A slot nobody takes (the advisory policy
    disabled) is replaced when ``sm-guardrails`` next judges a resource on that
    thread, so nothing piles up. It could only be taken late by an Analyze of the same
    resource in which ``sm-guardrails`` itself is disabled, after a new Configure
    call; the engine configures a pack once.
    """

    def __init__(self) -> None:
        self._slot = threading.local()

    def give(self, resource: str, messages: list[str]) -> None:
        self._slot.pending = (resource, messages)

    def take(self, resource: str) -> list[str]:
        pending: tuple[str, list[str]] | None = getattr(self._slot, "pending", None)
        self._slot.pending = None
        if pending is None or pending[0] != resource:
            return []
        return pending[1]


def _resource_key(args: ResourceValidationArgs) -> str:
    return args.urn or args.name


@dataclass(frozen=True)
class _Settings:
    """The config a resource is judged under and the SMG-0 messages of its mistakes."""

    config: GuardrailConfig
    problems: tuple[str, ...]


class _Judge:
    """``sm-guardrails``'s ``validate``: evaluates a resource once, by every rule of its kind."""

    def __init__(self, base: GuardrailConfig, handover: _Handover) -> None:
        self._base = _Settings(base, ())
        self._handover = handover
        self._settings: dict[str, _Settings] = {}

    def __call__(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in KINDS_BY_PULUMI_TYPE:
            if args.resource_type in _HELD_TYPES:
                self._judge_template(args, report_violation)
            return
        settings = self._settings_for(args.get_config())
        for problem in settings.problems:
            report_violation(problem, None)
        names = tuple(dict.fromkeys(name for name in (args.name, args.urn) if name))
        spec = resource_spec(args.resource_type, args.props, names)
        findings = evaluate(spec, settings.config, passes=False)
        self._report(args, findings, report_violation)

    def _judge_template(
        self, args: ResourceValidationArgs, report_violation: ReportViolation
    ) -> None:
        """Judge the CloudFormation templates a stack, StackSet or product resource deploys."""
        from sm_guardrails.cloudformation.judge import judge_held  # the reader loads YAML
        from sm_guardrails.pulumi.products import product_held_templates
        from sm_guardrails.pulumi.stacks import held_template

        settings = self._settings_for(args.get_config())
        for problem in settings.problems:
            report_violation(problem, None)
        names = tuple(dict.fromkeys(name for name in (args.name, args.urn) if name))
        if args.resource_type in STACK_SCHEMAS:
            held = [held_template(args.resource_type, args.props, args.name)]
        else:
            held = product_held_templates(args.resource_type, args.props, args.name)
        findings = [
            item.finding
            for template in held
            for item in judge_held(template, settings.config, names).findings
        ]
        self._report(args, findings, report_violation)

    def _report(
        self,
        args: ResourceValidationArgs,
        findings: list[Finding],
        report_violation: ReportViolation,
    ) -> None:
        """Report what blocks; hand the rest over to the advisory policy."""
        shown = []
        for finding in findings:
            if finding.blocking:
                report_violation(finding.describe(), None)
            else:
                shown.append(finding.describe())
        self._handover.give(_resource_key(args), shown)

    def _settings_for(self, raw: Mapping[str, Any]) -> _Settings:
        """The settings of the policy config ``raw``, read once per distinct config."""
        if not raw:
            return self._base
        try:
            key = json.dumps(raw, sort_keys=True)
        except (TypeError, ValueError):  # not plain JSON data: only a caller in-process
            return self._read(raw)
        settings = self._settings.get(key)
        if settings is None:
            if len(self._settings) >= _CACHE_SIZE:
                self._settings.clear()
            settings = self._settings[key] = self._read(raw)
        return settings

    def _read(self, raw: Mapping[str, Any]) -> _Settings:
        read = read_pack_settings(raw, f'policy pack config "{MAIN_POLICY}"')
        problems = tuple(f"[{SMG_0.rule_id}] {problem_line(p)}" for p in read.problems)
        return _Settings(read.over(self._base.config), problems)


@dataclass(frozen=True)
class _ReportHandedOver:
    """``sm-guardrails-advisory``'s ``validate``: reports what was handed over."""

    handover: _Handover

    def __call__(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in KINDS_BY_PULUMI_TYPE and args.resource_type not in _HELD_TYPES:
            return
        for message in self.handover.take(_resource_key(args)):
            report_violation(message, None)


def _remediation() -> str:
    fixes = " ".join(
        f"{rule.rule_id} ({kind.noun}): {rule.spelled_fix(Spelling.PULUMI_AWS)}"
        for kind in KINDS
        for rule in RULES_BY_KIND[kind]
    )
    return f"Each message ends with the fix of its rule. {fixes}"


def notebook_policies(config: GuardrailConfig = DEFAULT_CONFIG) -> list[ResourceValidationPolicy]:
    """``sm-guardrails`` and ``sm-guardrails-advisory``, in the order they must run.

    ``config`` gives the defaults (each rule's level, the unknown-value policy, and
    exemptions that always apply); the pack config of ``sm-guardrails`` overrides a
    rule's level and the unknown policy and adds exemptions. Keep both policies, in
    this order: without the second, warnings and exemptions are not shown.
    """
    handover = _Handover()
    return [
        ResourceValidationPolicy(
            name=MAIN_POLICY,
            description=f"SageMaker {judged_resources()} stay off the public internet",
            validate=_Judge(config, handover),
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=PolicyConfigSchema(properties=CONFIG_SCHEMA),
            severity=Severity.HIGH,
            remediation_steps=_remediation(),
            url=next((ref.url for ref in RULES[0].references if ref.url), None),
            tags=["sagemaker", "network-isolation"],
        ),
        ResourceValidationPolicy(
            name=ADVISORY_POLICY,
            description="sm-guardrails findings that are shown but do not block",
            validate=_ReportHandedOver(handover),
            enforcement_level=EnforcementLevel.ADVISORY,
            severity=Severity.MEDIUM,
            remediation_steps="Each message ends with the fix of its rule.",
            tags=["sagemaker", "network-isolation"],
        ),
    ]
