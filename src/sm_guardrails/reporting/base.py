"""The shape every reporter has: findings as they come, then the rest at the end."""

from __future__ import annotations

from typing import Protocol

from sm_guardrails.cloudformation import CheckReport, TemplateFinding
from sm_guardrails.deployed import DeployedFinding

ReportedFinding = TemplateFinding | DeployedFinding
"""A finding in a template (``check``) or about a deployed resource (``audit``): each
reporter writes the two kinds of location its own way."""


class Reporter(Protocol):
    """Writes one check run to the stream it was made with."""

    def finding(self, item: ReportedFinding) -> None:
        """Write one finding (passes are never sent)."""

    def finish(self, report: CheckReport) -> None:
        """Write input errors, skipped files and totals, and close the document."""
