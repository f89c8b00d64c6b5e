"""Judge a resource by its kind's rules under a config: the one function every adapter calls."""

from __future__ import annotations

from dataclasses import dataclass

from sm_guardrails.catalog import RULES_BY_ID, RULES_BY_KIND, SMG_0, Level, Rule
from sm_guardrails.config import GuardrailConfig, UnknownPolicy, rule_id_problem
from sm_guardrails.kinds import ResourceKind
from sm_guardrails.model import Exemption, ResourceSpec
from sm_guardrails.rules import Outcome, PropertyCheck, Verdict

DEFAULT_CONFIG = GuardrailConfig()


@dataclass(frozen=True)
class Finding:
    """What one rule decided about one resource, and how it is reported."""

    rule: Rule
    resource: str
    verdict: Verdict
    level: Level
    message: str
    fix: str
    unknown_reason: str | None = None
    exemption: str | None = None

    @property
    def rule_id(self) -> str:
        """The rule's id, e.g. ``SMG-1``."""
        return self.rule.rule_id

    @property
    def blocking(self) -> bool:
        """True when this finding must stop a synth, preview or CI run."""
        return (
            self.verdict is not Verdict.PASS
            and self.level is Level.ERROR
            and self.exemption is None
        )

    def describe(self) -> str:
        """One line: rule, resource, message, exemption and fix, for logs and diagnostics."""
        exempt = f" Exempted: {self.exemption}." if self.exemption else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"[{self.rule_id}] {self.resource}: {self.message}.{exempt}{fix}"


def evaluate(
    spec: ResourceSpec, config: GuardrailConfig = DEFAULT_CONFIG, *, passes: bool = True
) -> list[Finding]:
    """Judge ``spec`` by every rule of its kind not turned off.

    A rule that passes gives a PASS finding, whose message is only "passes" and whose
    fix is empty: the rules describe only what must be shown. ``passes=False`` leaves
    them out, which is what every adapter wants (and cheaper: most rules pass).
    """
    if spec.exemptions or spec.exemption_problems or config.exemptions:
        exempted, findings = _sort_exemptions(spec, config)
    else:
        exempted, findings = {}, []
    for rule in RULES_BY_KIND[spec.kind]:
        level = config.level_of(rule)
        if level is Level.OFF:
            continue
        shown = []
        for check in rule.checks:
            outcome = check.run(spec)
            if outcome.verdict is not Verdict.PASS:
                shown.append((check, outcome))
        exemption = exempted.get(rule.rule_id)
        if shown:
            findings.append(_finding(rule, level, spec, shown, config, exemption))
        elif passes:
            findings.append(
                Finding(rule, spec.display_name, Verdict.PASS, level, "passes", "", None, exemption)
            )
    return findings


def _finding(
    rule: Rule,
    level: Level,
    spec: ResourceSpec,
    shown: list[tuple[PropertyCheck, Outcome]],
    config: GuardrailConfig,
    exemption: str | None,
) -> Finding:
    """The finding of a rule whose checks gave the outcomes ``shown`` (none a pass).

    A failure outranks an undecidable value: the message names what failed.
    """
    if len(shown) > 1:
        shown = [item for item in shown if item[1].verdict is Verdict.FAIL] or shown
    verdict = shown[0][1].verdict
    message = "; ".join(
        f"{spec.spelled(check.prop.name)} {outcome.detail}" for check, outcome in shown
    )
    if verdict is Verdict.UNKNOWN:
        if config.unknown is UnknownPolicy.WARN and level is Level.ERROR:
            level = Level.WARNING
        message += " (unknown values fail closed)" if level is Level.ERROR else ""
    return Finding(
        rule=rule,
        resource=spec.display_name,
        verdict=verdict,
        level=level,
        message=message,
        fix=rule.spelled_fix(spec.spelling, spec.property_prefix),
        unknown_reason=shown[0][1].unknown_reason,
        exemption=exemption,
    )


def _sort_exemptions(
    spec: ResourceSpec, config: GuardrailConfig
) -> tuple[dict[str, str], list[Finding]]:
    """Valid exemptions by rule id, and an SMG-0 finding for every invalid one.

    An exemption the resource carries itself (metadata, tags) must name a rule of its
    kind; one from the config (already checked when it was read) applies to the rules of
    the resource's kind, so a config exempting every resource from SMG-6 leaves notebook
    instances as they are instead of reporting them.
    """
    valid: dict[str, list[str]] = {}
    problems = list(spec.exemption_problems)
    for exemption in spec.exemptions:
        problem = _exemption_problem(exemption, spec.kind)
        if problem:
            problems.append(problem)
        else:
            valid.setdefault(exemption.rule_id, []).append(exemption.reason.strip())
    for exemption in config.exemptions_for(spec.names):
        if RULES_BY_ID[exemption.rule_id].kind is spec.kind:
            valid.setdefault(exemption.rule_id, []).append(exemption.reason.strip())
    findings = [
        Finding(
            rule=SMG_0,
            resource=spec.display_name,
            verdict=Verdict.FAIL,
            level=Level.ERROR,
            message=f"{problem}, so it exempts nothing",
            fix=SMG_0.fix,
        )
        for problem in problems
    ]
    return {rule_id: "; ".join(reasons) for rule_id, reasons in valid.items()}, findings


def _exemption_problem(exemption: Exemption, kind: ResourceKind) -> str | None:
    """What is wrong with an exemption a resource of ``kind`` carries, or None."""
    rule_id = exemption.rule_id
    if rule_id_problem(rule_id):
        own = ", ".join(rule.rule_id for rule in RULES_BY_KIND[kind])
        return f"exemption names unknown rule {rule_id!r}; a {kind.noun}'s rules are {own}"
    judged = RULES_BY_ID[rule_id].kind
    if judged is not None and judged is not kind:
        return f"exemption names {rule_id}, which judges {judged.noun}s, not {kind.noun}s"
    if not exemption.reason.strip():
        return f"exemption of {rule_id} has no reason"
    return None
