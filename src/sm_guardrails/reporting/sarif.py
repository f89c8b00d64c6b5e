"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from sm_guardrails import __version__
from sm_guardrails.catalog import RULES, SMG_0, SMG_U, Level, Rule
from sm_guardrails.cloudformation import CheckReport, FileNote, TemplateFinding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/sm-guardrails/"
_SARIF_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.OFF: "none"}
_CATALOG = (*RULES, SMG_0, SMG_U)
_RULE_INDEX = {rule.rule_id: index for index, rule in enumerate(_CATALOG)}


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
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(item.file)}}
    if item.line:
        physical["region"] = {"startLine": item.line}
    result: dict[str, object] = {
        "ruleId": finding.rule_id,
        "ruleIndex": _RULE_INDEX[finding.rule_id],
        "level": _SARIF_LEVEL[finding.level],
        "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {
                        "name": item.logical_id,
                        "fullyQualifiedName": " > ".join(
                            filter(None, (item.construct_path or item.logical_id, item.inner))
                        ),
                    }
                ],
            }
        ],
        "properties": {"verdict": finding.verdict.value},
    }
    if item.loops:
        result["properties"] = {"verdict": finding.verdict.value, "loops": list(item.loops)}
    if finding.exemption:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.exemption}]
    return result


def _notification(note: FileNote) -> dict[str, object]:
    return {
        "level": "error",
        "message": {"text": note.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(note.file)}}}],
    }


class SarifReporter:
    """A SARIF 2.1.0 log with one run; results are written as they are found."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.separator = "\n"
        driver = {
            "name": "sm-guardrails",
            "version": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [_rule_descriptor(rule) for rule in _CATALOG],
        }
        head = json.dumps({"$schema": SCHEMA, "version": "2.1.0"})[:-1]
        out.write(f'{head}, "runs": [{{"tool": {{"driver": {json.dumps(driver)}}}, "results": [')

    def finding(self, item: TemplateFinding) -> None:
        """Append one result."""
        self.out.write(self.separator + json.dumps(_result(item)))
        self.separator = ",\n"

    def finish(self, report: CheckReport) -> None:
        """Close the results and record input errors as tool notifications."""
        invocation = {
            "executionSuccessful": not report.errors,
            "toolExecutionNotifications": [_notification(note) for note in report.errors],
        }
        self.out.write(f'\n], "invocations": [{json.dumps(invocation)}]}}]}}\n')
