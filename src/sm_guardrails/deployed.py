"""Where a finding about a deployed resource is: the account, region, ARN and name of it."""

from __future__ import annotations

from dataclasses import dataclass

from sm_guardrails.evaluation import Finding


@dataclass(frozen=True)
class DeployedLocation:
    """A resource an account runs. ``account`` is None when the ARN names none."""

    account: str | None
    region: str
    arn: str
    name: str

    @classmethod
    def of(cls, arn: str, region: str, name: str) -> DeployedLocation:
        """The location of resource ``name`` in ``region``; the account is the ARN's."""
        fields = arn.split(":", 5)
        account = fields[4] if len(fields) == 6 and fields[4] else None
        return cls(account, region, arn, name)


@dataclass(frozen=True)
class DeployedFinding:
    """A finding about a resource an account runs (what ``audit`` reports)."""

    finding: Finding
    location: DeployedLocation
