"""The normalised resource every adapter produces and the rules judge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sm_guardrails.kinds import ResourceKind, Spelling
from sm_guardrails.values import ABSENT, Value


@dataclass(frozen=True)
class Exemption:
    """Exempts one resource (or, in a config, the resources named ``resource``) from one rule.

    An exemption whose reason is blank or whose rule is not in the catalog exempts
    nothing; the evaluation reports it as an SMG-0 error instead.
    """

    rule_id: str
    reason: str
    resource: str | None = None


@dataclass(frozen=True)
class ResourceSpec:
    """One resource of a declared ``kind``, each property read as a tri-state :data:`Value`.

    ``values`` are keyed by the kind's property names; a property not in it is absent.
    ``names`` are every identifier of the resource an exemption may name (logical id,
    construct path, URN, resource name, ARN); the first is the one shown in messages.
    ``spelling`` says how the user wrote the properties, and ``property_prefix`` where
    they sit in what the user reads (``plan.create_request.``), for messages.
    ``exemption_problems`` are malformed exemptions the adapter could not even parse.
    """

    kind: ResourceKind
    names: tuple[str, ...]
    values: Mapping[str, Value]
    exemptions: tuple[Exemption, ...] = ()
    exemption_problems: tuple[str, ...] = ()
    spelling: Spelling = Spelling.CLOUDFORMATION
    property_prefix: str = ""

    def value(self, name: str) -> Value:
        """The value of the property ``name``; absent when the resource does not set it."""
        return self.values.get(name, ABSENT)

    def spelled(self, name: str) -> str:
        """The property ``name`` as the user wrote it."""
        return self.property_prefix + self.kind.property(name).spelled(self.spelling)

    @property
    def display_name(self) -> str:
        """The name shown in messages."""
        return self.names[0] if self.names else f"<unnamed {self.kind.noun}>"
