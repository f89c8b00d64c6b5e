"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from pathlib import Path

from sm_guardrails import __version__
from sm_guardrails.catalog import RULES, SMG_0, Level, Rule
from sm_guardrails.cloudformation import CheckReport, FileNote, TemplateFinding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/sm-guardrails/"
_SARIF_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.OFF: "none"}
_CATALOG = (*RULES, SMG_0)


def _rule_descriptor(rule: Rule) -> dict[str, object]:
    references = ", ".join(f"{ref.framework} {ref.control}" for ref in rule.references)
    return {
        "id": rule.rule_id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale} References: {references or '-'}"},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.default_level]},
        "properties": {"tags": ["security", "sagemaker"]},
    }


def _uri(file: str) -> str:
    path = Path(file)
    return path.as_posix() if not path.is_absolute() else path.as_uri()


def _result(item: TemplateFinding) -> dict[str, object]:
    finding = item.finding
    region = {"startLine": item.line} if item.line else {}
    where = item.construct_path or item.logical_id
    result: dict[str, object] = {
        "ruleId": finding.rule_id,
        "ruleIndex": [rule.rule_id for rule in _CATALOG].index(finding.rule_id),
        "level": _SARIF_LEVEL[finding.level],
        "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(item.file)},
                    **({"region": region} if region else {}),
                },
                "logicalLocations": [{"name": item.logical_id, "fullyQualifiedName": where}],
            }
        ],
        "properties": {"verdict": finding.verdict.value},
    }
    if finding.exemption:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.exemption}]
    return result


def _notification(note: FileNote) -> dict[str, object]:
    return {
        "level": "error",
        "message": {"text": note.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(note.file)}}}],
    }


def render_sarif(report: CheckReport) -> str:
    """The report as a SARIF 2.1.0 log with one run."""
    run = {
        "tool": {
            "driver": {
                "name": "sm-guardrails",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in _CATALOG],
            }
        },
        "results": [_result(item) for item in report.findings],
        "invocations": [
            {
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": [_notification(note) for note in report.errors],
            }
        ],
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
