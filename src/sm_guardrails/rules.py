"""How the rules judge tri-state values into an :class:`Outcome`: the leaf checks, and a
property check that applies one to a property of a spec."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from sm_guardrails.kinds import Property
from sm_guardrails.model import ResourceSpec
from sm_guardrails.values import (
    ABSENT,
    Absent,
    Choice,
    Known,
    Unknown,
    Value,
    describe,
    flatten,
    path_phrase,
    render_literal,
)


class Verdict(str, Enum):
    """What a rule decided about one resource."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Outcome:
    """A rule's verdict, what it saw (``detail``), and why it could not decide, if so."""

    verdict: Verdict
    detail: str
    unknown_reason: str | None = None


LeafCheck = Callable[[Value], Outcome]
"""Judges one concrete value (never a :class:`~sm_guardrails.values.Choice`)."""


_PASSED = Outcome(Verdict.PASS, "passes")
"""Every passing outcome. What passes is never shown, and describing it took most of an
evaluation, so a pass says only that."""


_NOT_SET = Outcome(Verdict.FAIL, "is not set")


def _undecided(value: Unknown) -> Outcome:
    return Outcome(
        Verdict.UNKNOWN, f"cannot be decided before deployment: {value.reason}", value.reason
    )


def judge(value: Value, check: LeafCheck) -> Outcome:
    """Judge every value ``value`` can take: all must pass; one failing option fails it."""
    if not isinstance(value, Choice):
        return check(value)
    undecided: Outcome | None = None
    for leaf, via in flatten(value):
        outcome = check(leaf)
        if outcome.verdict is Verdict.PASS:
            continue
        if via:
            detail = outcome.detail.replace("is not set", "can be left unset", 1)
            if detail.startswith("is "):
                detail = "can be " + detail.removeprefix("is ")
            outcome = Outcome(
                outcome.verdict, f"{detail} ({path_phrase(via)})", outcome.unknown_reason
            )
        if outcome.verdict is Verdict.FAIL:
            return outcome
        if outcome.verdict is Verdict.UNKNOWN and undecided is None:
            undecided = outcome
    return undecided or _PASSED


@dataclass(frozen=True)
class ExactString:
    """Passes only ``expected`` (or a literal of ``accepted``); absent means AWS's ``default``.

    A dataclass rather than a closure, so generators (Guard rules, IAM policies) can read
    the required value instead of copying it.
    """

    expected: str
    default: str
    accepted: tuple[object, ...] = ()

    @cached_property
    def _unset(self) -> Outcome:
        return Outcome(Verdict.FAIL, f"is not set, and AWS's default is {self.default}")

    def __call__(self, value: Value) -> Outcome:
        """Judge one concrete value."""
        if isinstance(value, Unknown):
            return _undecided(value)
        if isinstance(value, Absent):
            return self._unset
        assert isinstance(value, Known)
        if value.value == self.expected or value.value in self.accepted:
            return _PASSED
        hint = ""
        if isinstance(value.value, str) and value.value.strip().lower() == self.expected.lower():
            hint = " (values are exact: case and surrounding spaces matter)"
        return Outcome(
            Verdict.FAIL,
            f"is {render_literal(value.value)}, not exactly {self.expected!r}{hint}",
        )


def _present_unknown(value: Unknown) -> Outcome:
    """An id unknown until deployment is present, unless it may not be set at all."""
    return _undecided(value) if value.may_be_unset else _PASSED


def present_id(value: Value) -> Outcome:
    """Presence of an id: anything but absent, blank or a non-string literal is present."""
    if isinstance(value, Unknown):
        return _present_unknown(value)
    if isinstance(value, Absent):
        return _NOT_SET
    assert isinstance(value, Known)
    if not isinstance(value.value, str):
        return Outcome(Verdict.FAIL, f"is {render_literal(value.value)}, not an id")
    if not value.value.strip():
        return Outcome(Verdict.FAIL, f"is blank ({render_literal(value.value)})")
    return _PASSED


def present_id_list(value: Value) -> Outcome:
    """A non-empty list of present ids; an item that may be removed (AWS::NoValue) is not one."""
    if isinstance(value, Unknown):
        return _present_unknown(value)
    if isinstance(value, Absent):
        return _NOT_SET
    assert isinstance(value, Known)
    if not isinstance(value.value, tuple):
        return Outcome(Verdict.FAIL, f"is {render_literal(value.value)}, not a list of ids")
    always_present = False
    for item in value.value:
        may_be_removed = False
        for leaf, via in flatten(item):
            if isinstance(leaf, Absent):
                may_be_removed = True
                continue
            outcome = present_id(leaf)
            if outcome.verdict is Verdict.FAIL:
                through = f" ({path_phrase(via)})" if via else ""
                return Outcome(Verdict.FAIL, f"has an item that {outcome.detail}{through}")
        always_present = always_present or not may_be_removed
    if not always_present:
        return Outcome(Verdict.FAIL, f"is {describe(value)}, which can be an empty list")
    return _PASSED


@dataclass(frozen=True)
class PropertyCheck:
    """One property a rule reads and how each of its values is judged."""

    prop: Property
    check: LeafCheck

    def run(self, spec: ResourceSpec) -> Outcome:
        """Judge this property of ``spec`` (absent when the spec has no value for it)."""
        return judge(spec.values.get(self.prop.name, ABSENT), self.check)


DISABLED = ExactString("Disabled", "Enabled")
"""Exactly 'Disabled'; absent means AWS's default, Enabled."""
