"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from sm_guardrails import __version__
from sm_guardrails.catalog import RULES, SMG_0, SMG_U, Level, Rule
from sm_guardrails.cloudformation import CheckReport, FileNote, TemplateFinding
from sm_guardrails.cloudformation.checker import Note
from sm_guardrails.deployed import DeployedFinding
from sm_guardrails.reporting.base import ReportedFinding
from sm_guardrails.reporting.json_report import resource_counts

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/sm-guardrails/"
HELP_URI = f"{INFORMATION_URI}{__version__}/"
"""Where a rule is documented: this release's page, whose README has the rules table."""
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
    fix = rule.spelled_fix()
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
            "tags": ["security", "sagemaker", *([rule.kind.short_noun] if rule.kind else [])],
            "security-severity": rule.security_severity,
            **({"resourceType": rule.kind.cloudformation_type} if rule.kind else {}),
        },
    }


def _uri(file: str) -> str:
    """A relative path stays a relative URI reference (GitHub resolves it in the repository)."""
    path = Path(file)
    return quote(path.as_posix()) if not path.is_absolute() else path.as_uri()


def _located(item: ReportedFinding) -> tuple[str, dict[str, object]]:
    """How the message names the finding's resource, and its SARIF location.

    A template finding has a file (and line) and the logical id or construct path; a
    deployed resource has no file, so only a logical location: its ARN.
    """
    if isinstance(item, DeployedFinding):
        where = item.location
        logical = {"name": where.name, "fullyQualifiedName": where.arn, "kind": "resource"}
        return f"{where.name} ({where.arn})", {"logicalLocations": [logical]}
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(item.file)}}
    if item.line:
        physical["region"] = {"startLine": item.line}
    qualified = " > ".join(filter(None, (item.construct_path or item.logical_id, item.inner)))
    source = f" (CDK construct {item.construct_path})" if item.construct_path else ""
    return f"{item.logical_id}{source}", {
        "physicalLocation": physical,
        "logicalLocations": [{"name": item.logical_id, "fullyQualifiedName": qualified}],
    }


def _result(item: ReportedFinding) -> dict[str, object]:
    finding = item.finding
    name, location = _located(item)
    properties: dict[str, object] = {"verdict": finding.verdict.value}
    if isinstance(item, TemplateFinding) and item.loops:
        properties["loops"] = list(item.loops)
    result: dict[str, object] = {
        "ruleId": finding.rule_id,
        "ruleIndex": _RULE_INDEX[finding.rule_id],
        "level": _SARIF_LEVEL[finding.level],
        "message": {"text": f"{name}: {finding.message}. Fix: {finding.fix}"},
        "locations": [location],
        "properties": properties,
    }
    if finding.exemption:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.exemption}]
    return result


def _notification(note: Note) -> dict[str, object]:
    """An input error; a file's is located there, a resource's at its ARN (a region's has
    no location: the message names it)."""
    notification: dict[str, object] = {"level": "error", "message": {"text": note.message}}
    if isinstance(note, FileNote):
        uri = _uri(note.file)
        notification["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
    elif note.location.arn:
        where = note.location
        logical = {"name": where.name, "fullyQualifiedName": where.arn, "kind": "resource"}
        notification["locations"] = [{"logicalLocations": [logical]}]
    return notification


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

    def finding(self, item: ReportedFinding) -> None:
        """Append one result."""
        self.out.write(self.separator + json.dumps(_result(item)))
        self.separator = ",\n"

    def finish(self, report: CheckReport) -> None:
        """Close the results and record input errors as tool notifications, and what was
        read (templates or regions, resources of each kind) in the invocation's properties."""
        counts = {f"{report.source}s": report.templates, **resource_counts(report)}
        invocation = {
            "executionSuccessful": not report.errors,
            "toolExecutionNotifications": [_notification(note) for note in report.errors],
            "properties": counts,
        }
        self.out.write(f'\n], "invocations": [{json.dumps(invocation)}]}}]}}\n')
