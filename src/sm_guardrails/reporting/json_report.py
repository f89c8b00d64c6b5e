"""The machine-readable report: a ``findings`` array, input errors and a summary."""

from __future__ import annotations

import json

from sm_guardrails.cloudformation import CheckReport, TemplateFinding


def finding_record(item: TemplateFinding) -> dict[str, object]:
    """One finding as a JSON object."""
    finding = item.finding
    return {
        "rule_id": finding.rule_id,
        "title": finding.rule.title,
        "verdict": finding.verdict.value,
        "level": finding.level.value,
        "blocking": finding.blocking,
        "file": item.file,
        "line": item.line,
        "logical_id": item.logical_id,
        "construct_path": item.construct_path,
        "message": finding.message,
        "fix": finding.fix,
        "unknown_reason": finding.unknown_reason,
        "exemption": finding.exemption,
    }


def render_json(report: CheckReport) -> str:
    """The report as a JSON document."""
    document = {
        "findings": [finding_record(item) for item in report.findings],
        "errors": [{"file": note.file, "message": note.message} for note in report.errors],
        "skipped": [{"file": note.file, "message": note.message} for note in report.skipped],
        "summary": {
            "templates": report.templates,
            "notebooks": report.notebooks,
            "blocking": sum(1 for item in report.findings if item.finding.blocking),
            "exit_code": report.exit_code,
        },
    }
    return json.dumps(document, indent=2) + "\n"
