"""How a core finding is reported in CDK: its severity and its text."""

from __future__ import annotations

from sm_guardrails.cloudformation import TemplateFinding
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


def description(item: TemplateFinding) -> str:
    """``[SMG-1] <message>.``, naming the resource of a template body (``notebook Lab``,
    ``domain Lab``) and the exemption."""
    finding = item.finding
    exempted = f" Exempted: {finding.exemption}." if finding.exemption else ""
    kind = finding.rule.kind
    noun = kind.short_noun if kind else "resource"
    inner = f"{noun} {item.inner} of its template body: " if item.inner else ""
    return f"[{finding.rule_id}] {inner}{finding.message}.{exempted}"


def property_paths(item: TemplateFinding) -> list[str]:
    """Where in the resource the properties the finding's rule reads are, as CDK reports them."""
    if item.inner:
        return ["Properties/TemplateBody"]
    return [
        "Properties/" + check.prop.cloudformation.replace(".", "/")
        for check in item.finding.rule.checks
    ]
