"""What an adapter reported about one resource, in one shape for every adapter."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sm_guardrails import Verdict
from sm_guardrails.evaluation import Finding
from tests.corpus.cases import Expected

UNDECIDED_MARK = "cannot be decided before deployment"
"""How a finding's message says its verdict is UNKNOWN (see ``sm_guardrails.rules``)."""
EXEMPTED_MARK = "Exempted:"
_RULE_MARK = re.compile(r"\[(SMG-\d+)\]")


@dataclass(frozen=True)
class Outcome:
    """Per-rule verdicts, the rules whose finding is exempted, and any exemption problem."""

    verdicts: tuple[tuple[str, str], ...]
    exempt: frozenset[str]
    exemption_problem: bool

    @classmethod
    def of(cls, expected: Expected) -> Outcome:
        """The outcome ``expected`` describes."""
        return cls(tuple(expected.verdicts.items()), expected.exempt, expected.exemption_problem)

    @classmethod
    def from_findings(cls, findings: Iterable[Finding], rules: Sequence[str]) -> Outcome:
        """From core findings (PASS findings may be left out) about a resource judged by
        ``rules``; a finding of another rule is an error."""
        verdicts = dict.fromkeys(rules, "pass")
        exempt: set[str] = set()
        problem = False
        for finding in findings:
            if finding.rule_id == "SMG-0":
                problem = True
            elif finding.verdict is not Verdict.PASS:
                if finding.rule_id not in verdicts:
                    raise AssertionError(f"a finding of a rule not of the kind: {finding}")
                verdicts[finding.rule_id] = _worse(verdicts[finding.rule_id], finding.verdict.value)
                if finding.exemption:
                    exempt.add(finding.rule_id)
        return cls(tuple(verdicts.items()), frozenset(exempt), problem)

    @classmethod
    def from_messages(cls, messages: Iterable[tuple[str, str]], rules: Sequence[str]) -> Outcome:
        """From ``(rule id, text)`` of the non-passing findings an adapter reported as text
        about a resource judged by ``rules`` (a finding of another rule is an error).

        The rule id is taken from the first ``[SMG-n]`` in the text when ``rule id`` is
        not one (a Pulumi policy's name); the verdict is UNKNOWN when the text says the
        value cannot be decided, else FAIL.
        """
        verdicts = dict.fromkeys(rules, "pass")
        exempt: set[str] = set()
        problem = False
        for rule_id, text in messages:
            match = _RULE_MARK.search(text)
            rule = rule_id if rule_id in verdicts or rule_id == "SMG-0" else None
            rule = rule or (match.group(1) if match else "")
            if rule == "SMG-0" or "invalid policy pack config" in text:
                problem = True
                continue
            if rule not in verdicts:
                raise AssertionError(f"a finding names no rule of the kind: {text!r}")
            verdict = "unknown" if UNDECIDED_MARK in text else "fail"
            verdicts[rule] = _worse(verdicts[rule], verdict)
            if EXEMPTED_MARK in text:
                exempt.add(rule)
        return cls(tuple(verdicts.items()), frozenset(exempt), problem)

    def describe(self) -> str:
        """A one-line rendering for assertion messages."""
        shown = ", ".join(f"{rule}={verdict}" for rule, verdict in self.verdicts)
        extra = f"; exempt {sorted(self.exempt)}" if self.exempt else ""
        return shown + extra + ("; exemption problem" if self.exemption_problem else "")


_ORDER = {"pass": 0, "unknown": 1, "fail": 2}


def _worse(first: str, second: str) -> str:
    return first if _ORDER[first] >= _ORDER[second] else second


def blocks(outcome: Outcome, rule: str) -> bool:
    """True when ``rule``'s verdict would stop a deployment (not passing, not exempted)."""
    return dict(outcome.verdicts)[rule] != "pass" and rule not in outcome.exempt


def classify(expected: Outcome, got: Outcome) -> str | None:
    """``false negative``, ``false positive``, ``other mismatch`` or None when they agree.

    A false negative lets through what must block (a rule passes or is exempted when
    it must not, or an exemption problem goes unreported); a false positive blocks
    what must pass. Anything else that differs (FAIL for UNKNOWN) is another mismatch.
    """
    if expected == got:
        return None
    rules = [rule for rule, _ in expected.verdicts]
    lenient = any(blocks(expected, rule) and not blocks(got, rule) for rule in rules)
    if lenient or (expected.exemption_problem and not got.exemption_problem):
        return "false negative"
    strict = any(blocks(got, rule) and not blocks(expected, rule) for rule in rules)
    if strict or (got.exemption_problem and not expected.exemption_problem):
        return "false positive"
    return "other mismatch"
