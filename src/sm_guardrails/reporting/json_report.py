"""The machine-readable report: a ``findings`` array, input errors and a summary."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TextIO

from sm_guardrails.cloudformation import CheckReport, FileNote
from sm_guardrails.cloudformation.checker import Note
from sm_guardrails.deployed import DeployedFinding, DeployedLocation
from sm_guardrails.kinds import KINDS
from sm_guardrails.reporting.base import ReportedFinding


def finding_record(item: ReportedFinding) -> dict[str, object]:
    """One finding as a JSON object: what was found, and a ``location`` object.

    A template finding also keeps its location's keys at the top level, as before.
    """
    finding = item.finding
    if isinstance(item, DeployedFinding):
        where = deployed_location(item.location)
        flat = {}
    else:
        flat = {
            "file": item.file,
            "line": item.line,
            "logical_id": item.logical_id,
            "inner": item.inner,
            "construct_path": item.construct_path,
            "loops": list(item.loops),
        }
        where = {"kind": "template", **flat}
    return {
        "rule_id": finding.rule_id,
        "title": finding.rule.title,
        "verdict": finding.verdict.value,
        "level": finding.level.value,
        "blocking": finding.blocking,
        **flat,
        "location": where,
        "message": finding.message,
        "fix": finding.fix,
        "unknown_reason": finding.unknown_reason,
        "exemption": finding.exemption,
    }


def resource_counts(report: CheckReport) -> dict[str, int]:
    """How many resources of each kind the run judged, by plural short noun (``notebooks``)."""
    return {f"{kind.short_noun}s": report.resources[kind] for kind in KINDS}


def deployed_location(location: DeployedLocation) -> dict[str, object]:
    """A deployed resource's (or region's) ``location`` object."""
    return {"kind": "deployed", **asdict(location)}


def _notes(notes: list[Note]) -> list[dict[str, object]]:
    """A file's note keeps its ``file`` key; an account's has a deployed ``location``."""
    return [
        {"file": note.file, "message": note.message}
        if isinstance(note, FileNote)
        else {"location": deployed_location(note.location), "message": note.message}
        for note in notes
    ]


class JsonReporter:
    """``{"findings": [...], "errors": [...], "skipped": [...], "summary": {...}}``; the
    summary counts the resources of every kind in the registry (``notebooks``, ``domains``)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.separator = "\n"
        out.write('{"findings": [')

    def finding(self, item: ReportedFinding) -> None:
        """Append one finding to the array."""
        self.out.write(self.separator + "  " + json.dumps(finding_record(item)))
        self.separator = ",\n"

    def finish(self, report: CheckReport) -> None:
        """Close the array and write the rest."""
        rest = {
            "errors": _notes(report.errors),
            "skipped": _notes(report.skipped),
            "summary": {
                f"{report.source}s": report.templates,
                **resource_counts(report),
                "blocking": report.blocking,
                "warnings": report.warnings,
                "exempted": report.exempted,
                "exit_code": report.exit_code,
            },
        }
        self.out.write("\n]," + json.dumps(rest, indent=2)[1:] + "\n")
