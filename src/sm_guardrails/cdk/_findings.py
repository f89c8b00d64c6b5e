"""How a core finding is reported in CDK: its severity and its text."""

from __future__ import annotations

from sm_guardrails.evaluation import Finding

PLUGIN_NAME = "sm-guardrails"
"""The validation plugin's name; acknowledgement ids read ``sm-guardrails::SMG-1``."""


def severity(finding: Finding) -> str:
    """``error`` for a finding that blocks synth, ``info`` for an exempted one, else ``warning``."""
    if finding.blocking:
        return "error"
    return "info" if finding.exemption else "warning"


def acknowledgement_id(rule_id: str) -> str:
    """The id that ``Validations.of(scope).acknowledge`` takes for ``rule_id``."""
    return f"{PLUGIN_NAME}::{rule_id}"
