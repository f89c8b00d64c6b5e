"""Render a :class:`~sm_guardrails.cloudformation.CheckReport` as text, JSON or SARIF."""

from collections.abc import Callable

from sm_guardrails.cloudformation import CheckReport
from sm_guardrails.reporting.json_report import render_json
from sm_guardrails.reporting.sarif import render_sarif
from sm_guardrails.reporting.text import render_text

RENDERERS: dict[str, Callable[[CheckReport], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
}

__all__ = ["RENDERERS", "render_json", "render_sarif", "render_text"]
