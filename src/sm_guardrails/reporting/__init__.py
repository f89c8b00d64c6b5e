"""Write a check run as text, JSON or SARIF, finding by finding, as the checker finds them."""

from collections.abc import Callable
from typing import TextIO

from sm_guardrails.reporting.base import Reporter
from sm_guardrails.reporting.json_report import JsonReporter
from sm_guardrails.reporting.sarif import SarifReporter
from sm_guardrails.reporting.text import TextReporter

REPORTERS: dict[str, Callable[[TextIO], Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "sarif": SarifReporter,
}

__all__ = ["REPORTERS", "JsonReporter", "Reporter", "SarifReporter", "TextReporter"]
