"""Config exemptions that a generated control cannot carry, and how to name them."""

from __future__ import annotations

from sm_guardrails.config import ConfigError
from sm_guardrails.model import Exemption


def describe_exemption(exemption: Exemption) -> str:
    """``SMG-3 for <resource>`` (or every resource), with its reason, for messages."""
    target = exemption.resource or "every resource"
    return f"{exemption.rule_id} for {target} ({exemption.reason!r})"


class UnexpressibleExemption(ConfigError):
    """A config exemption that a generated control has no way to express."""

    def __init__(self, exemption: Exemption, why: str) -> None:
        super().__init__(f"exemption {describe_exemption(exemption)} cannot be expressed: {why}")
        self.exemption = exemption
