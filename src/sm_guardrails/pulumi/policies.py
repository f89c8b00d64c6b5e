"""Pulumi policies: one resource policy per rule (SMG-1 to SMG-5), then SMG-0 and notices.

``notebook_policies()`` returns them for a ``PolicyPack`` of your own or the ready one
in ``policypack/``. Each rule policy judges ``aws.sagemaker.NotebookInstance`` and
``aws-native:sagemaker:NotebookInstance`` through the rule core and reports a
violation, at the policy's enforcement level, for each finding that must block.
The SDK gives a policy only its own config and its own enforcement level, so what a
rule policy finds but must report at another level is handed over, per resource, to
a policy that runs after it in the same Analyze call: a mistake in its config to the
mandatory ``smg-0-valid-config``, and a finding that must be shown but must not
block (an exempted notebook, or a value unknown at preview under ``unknown: warn``)
to the advisory ``smg-notices``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from sm_guardrails.catalog import RULES, SMG_0, Level, Rule
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG, evaluate_notebook
from sm_guardrails.pulumi.pack_config import CONFIG_SCHEMA, read_policy_settings
from sm_guardrails.pulumi.properties import SCHEMAS, notebook_spec
from sm_guardrails.rules import Verdict

ENFORCEMENT_LEVELS: dict[Level, EnforcementLevel] = {
    Level.ERROR: EnforcementLevel.MANDATORY,
    Level.WARNING: EnforcementLevel.ADVISORY,
    Level.OFF: EnforcementLevel.DISABLED,
}
"""How a rule's level in a :class:`GuardrailConfig` maps to a Pulumi enforcement level."""

NOTICES_POLICY = "smg-notices"
CONFIG_POLICY = "smg-0-valid-config"
_AWS_NAMES = SCHEMAS["aws:sagemaker/notebookInstance:NotebookInstance"].property_names


def policy_name(rule: Rule) -> str:
    """The Pulumi policy name of ``rule``, e.g. ``smg-1-no-direct-internet-access``."""
    return f"{rule.rule_id.lower()}-{rule.name}"


class _Handover:
    """Messages rule policies hand to a later policy, per resource, across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, list[str]] = {}

    def add(self, resource: str, message: str) -> None:
        with self._lock:
            self._pending.setdefault(resource, []).append(message)

    def take(self, resource: str) -> list[str]:
        with self._lock:
            return self._pending.pop(resource, [])


def _resource_key(args: ResourceValidationArgs) -> str:
    return args.urn or args.name


@dataclass(frozen=True)
class _RuleValidation:
    """Validates one notebook against one rule (a policy's ``validate`` callback)."""

    rule: Rule
    base: GuardrailConfig
    problems: _Handover
    notices: _Handover

    def __call__(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in SCHEMAS:
            return
        name = policy_name(self.rule)
        settings = read_policy_settings(
            args.get_config(), self.rule.rule_id, f'policy pack config "{name}"'
        )
        for problem in settings.problems:
            self.problems.add(_resource_key(args), f"[{SMG_0.rule_id}] {problem}")
        config = GuardrailConfig(
            levels={rule.rule_id: Level.OFF for rule in RULES if rule is not self.rule}
            | {self.rule.rule_id: Level.ERROR},
            unknown=settings.unknown or self.base.unknown,
            exemptions=(
                *(e for e in self.base.exemptions if e.rule_id == self.rule.rule_id),
                *settings.exemptions,
            ),
        )
        names = tuple(dict.fromkeys(n for n in (args.name, args.urn) if n))
        spec = notebook_spec(args.resource_type, args.props, names)
        for finding in evaluate_notebook(spec, config):
            if finding.verdict is Verdict.PASS:
                continue
            if finding.blocking:
                report_violation(finding.describe(), None)
            else:
                self.notices.add(_resource_key(args), finding.describe())


@dataclass(frozen=True)
class _ReportHandedOver:
    """Reports what the rule policies handed over for this resource."""

    handover: _Handover

    def __call__(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for message in self.handover.take(_resource_key(args)):
            report_violation(message, None)


def notebook_policies(config: GuardrailConfig = DEFAULT_CONFIG) -> list[ResourceValidationPolicy]:
    """The five rule policies, then the config and notices policies, in the order they run.

    ``config`` sets each rule's default enforcement level (error → mandatory, warning →
    advisory, off → disabled), the default unknown-value policy and exemptions that
    always apply; a pack's config may change levels and add exemptions per policy.
    Keep all of them, in this order: without the last two, config mistakes and
    exemptions would not be shown.
    """
    problems, notices = _Handover(), _Handover()
    policies = [
        ResourceValidationPolicy(
            name=policy_name(rule),
            description=f"{rule.rule_id}: {rule.title}",
            validate=_RuleValidation(rule, config, problems, notices),
            enforcement_level=ENFORCEMENT_LEVELS[config.level_of(rule)],
            config_schema=PolicyConfigSchema(properties=CONFIG_SCHEMA),
            severity=Severity.HIGH if rule.default_level is Level.ERROR else Severity.MEDIUM,
            remediation_steps=rule.fix.format(**_AWS_NAMES),
            url=next((ref.url for ref in rule.references if ref.url), None),
            tags=["sagemaker", "network-isolation"],
        )
        for rule in RULES
    ]
    policies.append(
        ResourceValidationPolicy(
            name=CONFIG_POLICY,
            description=(
                "SMG-0: The policy pack config must be valid: each exemption names a "
                "resource and gives a reason"
            ),
            validate=_ReportHandedOver(problems),
            enforcement_level=EnforcementLevel.MANDATORY,
            severity=Severity.HIGH,
            remediation_steps="Fix the entry the message names in the policy pack config.",
        )
    )
    policies.append(
        ResourceValidationPolicy(
            name=NOTICES_POLICY,
            description=(
                "sm-guardrails notices: exempted findings and preview-time unknowns accepted "
                "as warnings (shown, never blocking)"
            ),
            validate=_ReportHandedOver(notices),
            enforcement_level=EnforcementLevel.ADVISORY,
            severity=Severity.LOW,
        )
    )
    return policies
