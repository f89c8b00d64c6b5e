"""The normalised notebook every adapter produces and the rules judge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sm_guardrails.catalog import CFN_PROPERTY_NAMES
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
class NotebookSpec:
    """One SageMaker notebook instance, with each property as a tri-state :data:`Value`.

    ``names`` are every identifier of the resource an exemption may name (logical id,
    construct path, URN, resource name); the first is the one shown in messages.
    ``property_names`` spell the properties the way the user wrote them.
    ``exemption_problems`` are malformed exemptions the adapter could not even parse.
    """

    names: tuple[str, ...]
    direct_internet_access: Value = ABSENT
    subnet_id: Value = ABSENT
    security_group_ids: Value = ABSENT
    root_access: Value = ABSENT
    kms_key_id: Value = ABSENT
    minimum_imds_version: Value = ABSENT
    exemptions: tuple[Exemption, ...] = ()
    exemption_problems: tuple[str, ...] = ()
    property_names: Mapping[str, str] = field(default_factory=lambda: CFN_PROPERTY_NAMES)

    @property
    def display_name(self) -> str:
        """The name shown in messages."""
        return self.names[0] if self.names else "<unnamed notebook>"
