"""Where a finding or a note about a deployed resource is: account, region, ARN and name."""

from __future__ import annotations

from dataclasses import dataclass

from sm_guardrails.evaluation import Finding


@dataclass(frozen=True)
class DeployedLocation:
    """A resource an account runs, or a whole region (``arn`` and ``name`` None).

    ``account`` is None when there is no ARN or the ARN names none.
    """

    account: str | None
    region: str
    arn: str | None = None
    name: str | None = None

    @classmethod
    def of(cls, arn: str, region: str, name: str) -> DeployedLocation:
        """The location of resource ``name`` in ``region``; the account is the ARN's."""
        fields = arn.split(":", 5)
        account = fields[4] if len(fields) == 6 and fields[4] else None
        return cls(account, region, arn, name)

    @classmethod
    def region_only(cls, region: str) -> DeployedLocation:
        """A region as a whole (what a listing that failed is about)."""
        return cls(None, region)

    def __str__(self) -> str:
        """``region``, ``region name`` or ``region name (arn)``, for one-line messages."""
        name = f" {self.name}" if self.name else ""
        arn = f" ({self.arn})" if self.arn else ""
        return f"{self.region}{name}{arn}"


@dataclass(frozen=True)
class DeployedFinding:
    """A finding about a resource an account runs (what ``audit`` reports)."""

    finding: Finding
    location: DeployedLocation


@dataclass(frozen=True)
class DeployedNote:
    """Why part of an account was not judged: a region or resource that could not be read
    (an error), or one left out for a reason (a skipped note)."""

    location: DeployedLocation
    message: str
