"""enforce()'s verdict where aws-cdk-lib's validation plugins cannot give it (before 2.271).

After ``app.synth()`` has written the cloud assembly, the App's coverage judges its
templates (the same judge the plugin uses, so the same verdicts), each acknowledgement
is applied only under the construct it was made on, and the result is written into the
assembly's ``validation-report.json`` in CDK's format, next to any other plugin's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from constructs import IConstruct

from sm_guardrails import __version__
from sm_guardrails.cdk._findings import PLUGIN_NAME, description, property_paths, severity
from sm_guardrails.cdk.acknowledgements import (
    RecordedAcknowledgement,
    reasonless_message,
    recorded_acknowledgements,
)
from sm_guardrails.cloudformation import TemplateFinding
from sm_guardrails.cloudformation.assembly import assembly_stacks

REPORT_FILE = "validation-report.json"
BLOCKING_SEVERITIES = ("error", "fatal")


@dataclass
class PluginReport:
    """sm-guardrails' part of a validation report, as CDK's ``validation-report.json`` holds it."""

    violations: list[dict[str, Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def blocking(self) -> int:
        """How many violations fail the synth."""
        return sum(item["severity"] in BLOCKING_SEVERITIES for item in self.violations)

    def as_json(self) -> dict[str, Any]:
        """The entry of ``pluginReports``."""
        return {
            "pluginName": PLUGIN_NAME,
            "pluginVersion": __version__,
            "conclusion": "failure" if self.blocking else "success",
            "violations": self.violations,
            "suppressedViolations": self.suppressed,
        }


def judge_assembly(
    directory: Path,
    judge: Any,
    root: IConstruct,
    read_acknowledgements: bool,
) -> PluginReport:
    """Judge the assembly in ``directory`` with ``judge`` (``Coverage.findings``).

    ``read_acknowledgements`` (aws-cdk-lib 2.254-2.270) applies the App's
    ``Validations.of(scope).acknowledge`` calls, each under its own scope.
    """
    findings: list[TemplateFinding] = list(judge(str(file) for file in assembly_stacks(directory)))
    # Reading them costs a Node.js call per construct: only for findings they could hide.
    open_findings = [item for item in findings if not item.finding.exemption]
    acknowledgements = (
        list(recorded_acknowledgements(root, {item.finding.rule_id for item in open_findings}))
        if read_acknowledgements and open_findings
        else []
    )
    report = PluginReport()
    reasonless: dict[RecordedAcknowledgement, list[dict[str, Any]]] = {}
    for item in findings:
        path = item.construct_path or ""
        violation = _violation(item, path, directory)
        ack = _closest(acknowledgements, item.finding.rule_id, path)
        if ack is not None and ack.reasonless and item.finding.blocking:
            reasonless.setdefault(ack, []).extend(violation["violatingConstructs"])
        if ack is None or ack.reasonless:
            report.violations.append(violation)
        else:
            report.suppressed.append(
                {
                    **violation,
                    "acknowledgedId": f"{PLUGIN_NAME}::{ack.rule_id}",
                    "reason": ack.reason,
                    "acknowledgedAt": ack.path or "/",
                }
            )
    for ack, constructs in reasonless.items():
        text, fix = reasonless_message(ack)
        report.violations.append(
            {
                "ruleName": "SMG-0",
                "description": text,
                "suggestedFix": fix,
                "severity": "fatal",
                "violatingConstructs": constructs,
            }
        )
    return report


def write_report(directory: Path, report: PluginReport) -> Path:
    """Add ``report`` to the assembly's ``validation-report.json`` (created if CDK wrote none)."""
    file = directory / REPORT_FILE
    if file.is_file():
        document = json.loads(file.read_text(encoding="utf-8"))
    else:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        document = {"version": manifest["version"], "title": "Validation Report"}
    others = [
        entry
        for entry in document.get("pluginReports", [])
        if entry.get("pluginName") != PLUGIN_NAME
    ]
    document["pluginReports"] = [*others, report.as_json()]
    file.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return file


def plugin_report_in(directory: Path) -> PluginReport | None:
    """sm-guardrails' part of the ``validation-report.json`` CDK wrote, None if it has none."""
    file = directory / REPORT_FILE
    if not file.is_file():
        return None
    for entry in json.loads(file.read_text(encoding="utf-8")).get("pluginReports", []):
        if entry.get("pluginName") == PLUGIN_NAME:
            return PluginReport(entry.get("violations", []), entry.get("suppressedViolations", []))
    return None


def report_text(violations: Sequence[Mapping[str, Any]], acknowledgeable: bool) -> str:
    """The violations as CDK prints a validation report: severity, rule, where, the fix,
    and (``acknowledgeable``: the release has ``Validations``) the acknowledgement id."""
    blocks = []
    for violation in violations:
        lines = [f"{violation['severity'].upper()} {violation['description']} ({PLUGIN_NAME})"]
        for construct in violation["violatingConstructs"]:
            resource = construct.get("cloudFormationResource") or {}
            where = construct.get("constructPath") or resource.get("templatePath", "")
            lines.append(f"   {where} ({resource.get('logicalId', 'N/A')})")
        if violation.get("suggestedFix"):
            lines.append(f"   Suggested fix: {violation['suggestedFix']}")
        if acknowledgeable and violation["severity"] != "fatal":
            lines.append(f"   Acknowledge with '{PLUGIN_NAME}::{violation['ruleName']}'")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _violation(item: TemplateFinding, path: str, directory: Path) -> dict[str, Any]:
    return {
        "ruleName": item.finding.rule_id,
        "description": description(item),
        "suggestedFix": item.finding.fix,
        "severity": severity(item.finding),
        "violatingConstructs": [
            {
                "constructPath": path,
                "cloudFormationResource": {
                    "templatePath": _relative(item.file, directory),
                    "logicalId": item.logical_id,
                    "propertyPaths": property_paths(item),
                },
            }
        ],
    }


def _closest(
    acknowledgements: Iterable[RecordedAcknowledgement], rule_id: str, path: str
) -> RecordedAcknowledgement | None:
    """The acknowledgement of ``rule_id`` made closest above the construct at ``path``."""
    covering = [ack for ack in acknowledgements if ack.rule_id == rule_id and ack.covers(path)]
    return max(covering, key=lambda ack: len(ack.path), default=None)


def _relative(file: str, directory: Path) -> str:
    try:
        return str(Path(file).resolve().relative_to(directory.resolve()))
    except ValueError:
        return file
