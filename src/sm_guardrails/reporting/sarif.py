"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from sm_guardrails import __version__
from sm_guardrails.catalog import RULES, SMG_0, SMG_U, Level, Rule
from sm_guardrails.cloudformation import CheckReport, FileNote, TemplateFinding
from sm_guardrails.reporting.text import CloudFormationNames

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/sm-guardrails/"
HELP_URI = f"{INFORMATION_URI}{__version__}/"
"""Where a rule is documented: this release's page, whose README has the rules table."""
SECURITY_SEVERITY = {
    "SMG-1": "8.0",  # high: a network path around the VPC
    "SMG-2": "7.0",  # high: no subnet means no way to switch direct internet access off
    "SMG-3": "5.0",  # medium
    "SMG-4": "3.0",  # low: the volume is still encrypted, with an AWS managed key
    "SMG-5": "5.0",  # medium: IMDSv1 credentials through SSRF
    "SMG-0": "4.0",  # medium: an exemption nobody can review
    "SMG-U": "7.0",  # high: notebooks nobody checked may break SMG-1
}
"""GitHub code scanning shows 9.0+ as critical, 7.0+ high, 4.0+ medium, else low."""
_SARIF_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.OFF: "none"}
_CATALOG = (*RULES, SMG_0, SMG_U)
_RULE_INDEX = {rule.rule_id: index for index, rule in enumerate(_CATALOG)}


def _help_markdown(rule: Rule, fix: str) -> str:
    references = [
        f"- [{ref.framework} {ref.control}]({ref.url})"
        if ref.url
        else f"- {ref.framework} {ref.control}"
        for ref in rule.references
    ]
    parts = [f"**{rule.title}** ({rule.rule_id})", rule.rationale, f"**Fix:** {fix}"]
    if references:
        parts.append("**References:**\n" + "\n".join(references))
    return "\n\n".join(parts)


def _rule_descriptor(rule: Rule) -> dict[str, object]:
    references = ", ".join(f"{ref.framework} {ref.control}" for ref in rule.references)
    # SMG-0's fix shows an exemption literally; the rules' fixes name properties to spell.
    fix = rule.fix if rule is SMG_0 else rule.fix.format_map(CloudFormationNames())
    return {
        "id": rule.rule_id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "helpUri": HELP_URI,
        "help": {
            "text": f"{rule.rationale} Fix: {fix} References: {references or '-'}",
            "markdown": _help_markdown(rule, fix),
        },
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.default_level]},
        "properties": {
            "tags": ["security", "sagemaker"],
            "security-severity": SECURITY_SEVERITY[rule.rule_id],
        },
    }


def _uri(file: str) -> str:
    """A relative path stays a relative URI reference (GitHub resolves it in the repository)."""
    path = Path(file)
    return quote(path.as_posix()) if not path.is_absolute() else path.as_uri()


def _message(item: TemplateFinding) -> str:
    finding = item.finding
    source = f" (CDK construct {item.construct_path})" if item.construct_path else ""
    return f"{item.logical_id}{source}: {finding.message}. Fix: {finding.fix}"


def _result(item: TemplateFinding) -> dict[str, object]:
    finding = item.finding
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(item.file)}}
    if item.line:
        physical["region"] = {"startLine": item.line}
    result: dict[str, object] = {
        "ruleId": finding.rule_id,
        "ruleIndex": _RULE_INDEX[finding.rule_id],
        "level": _SARIF_LEVEL[finding.level],
        "message": {"text": _message(item)},
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
