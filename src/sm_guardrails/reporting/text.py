"""The human report: one block per finding, then input errors and a summary line."""

from __future__ import annotations

from typing import TextIO

from sm_guardrails.catalog import RULES
from sm_guardrails.cloudformation import CheckReport, FileNote
from sm_guardrails.cloudformation.checker import Note
from sm_guardrails.deployed import DeployedFinding
from sm_guardrails.kinds import KINDS
from sm_guardrails.reporting.base import ReportedFinding


def location(item: ReportedFinding) -> str:
    """``file:line logical-id (construct path) [from loops]`` for a finding in a template,
    ``region account name arn`` for one about a deployed resource."""
    if isinstance(item, DeployedFinding):
        where = item.location
        return f"{where.region} {where.account or '-'} {where.name} {where.arn}"
    line = f":{item.line}" if item.line else ""
    path = f" ({item.construct_path})" if item.construct_path else ""
    inner = f" > {item.inner}" if item.inner else ""
    loops = f" [from {' > '.join(item.loops)}]" if item.loops else ""
    return f"{item.file}{line} {item.logical_id}{inner}{path}{loops}"


def note_place(note: Note) -> str:
    """What a note is about: the file, or ``region [name (arn)]`` of an account."""
    return note.file if isinstance(note, FileNote) else str(note.location)


class TextReporter:
    """The report for a terminal or a CI log.

    ``list_errors`` writes input errors into the report too (``location: error: message``),
    for a report written to a file; by default the CLI writes them to stderr only.
    """

    def __init__(self, out: TextIO, *, list_errors: bool = False) -> None:
        self.out = out
        self.list_errors = list_errors

    def finding(self, item: ReportedFinding) -> None:
        """``location: level [rule] message``, then the exemption and the fix."""
        finding = item.finding
        status = "exempted" if finding.exemption else finding.level.value
        verdict = " (undecidable)" if finding.verdict.value == "unknown" else ""
        lines = [f"{location(item)}: {status}{verdict} [{finding.rule_id}] {finding.message}"]
        if finding.exemption:
            lines.append(f"    exemption reason: {finding.exemption}")
        lines.append(f"    fix: {finding.fix}")
        self.out.write("\n".join(lines) + "\n")

    def finish(self, report: CheckReport) -> None:
        """Input errors if ``list_errors``, skipped files and the summary line."""
        errors = report.errors if self.list_errors else []
        lines = [f"{note_place(note)}: error: {note.message}" for note in errors]
        lines += [f"{note_place(note)}: skipped: {note.message}" for note in report.skipped]
        lines.append(summary(report))
        self.out.write("\n".join(lines) + "\n")


def summary(report: CheckReport) -> str:
    """Counts of what was checked and found: the resources of each kind that were judged
    (the registry's first kind always, so a run that found none says so; others when
    there were some), then the findings."""
    counted = [kind for kind in KINDS if kind is KINDS[0] or report.resources[kind]]
    parts = [
        f"{report.templates} {report.source}(s)",
        *(f"{report.resources[kind]} {kind.short_noun}(s)" for kind in counted),
        f"{report.blocking} error(s)",
        f"{report.warnings} warning(s)",
        f"{report.exempted} exempted",
    ]
    if report.errors:
        parts.append(f"{len(report.errors)} input error(s)")
    return "sm-guardrails: " + ", ".join(parts)


def render_rules() -> str:
    """The catalog, for ``sm-guardrails rules``."""
    blocks = []
    for rule in RULES:
        references = "; ".join(f"{ref.framework} {ref.control}" for ref in rule.references)
        blocks.append(
            f"{rule.rule_id} ({rule.name}, default {rule.default_level.value}): {rule.title}\n"
            f"    why: {rule.rationale}\n"
            f"    fix: {rule.spelled_fix()}\n"
            f"    see: {references or '-'}"
        )
    return "\n\n".join(blocks) + "\n"
