"""Template scanning: ``sm-guardrails check`` against the parse floor and checkov, same files.

Ratios are of CPU time (user + system) as well as wall time: both tools are single
processes on one core, and on a shared machine a process's wall time includes the
time it waited for a core, which CPU time leaves out.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.process import ROOT, Run, python_module, run_measured
from bench.stats import median, rotations, table, verdict
from bench.templates_gen import generate, replicate, subset

CHECKOV = ROOT / ".tools" / "checkov-venv" / "bin" / "checkov"
CHECKOV_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}
"""Without it checkov asks PyPI for a newer version on every run."""

FLAT = 1.1
"""The most peak memory may grow from the headline run to ten times the files and be flat."""

CHECK = "sm-guardrails check"
FLOOR = "parse floor"
CHECKOV_HEADERS = (
    "files", "checkov wall s", "checkov CPU s", "check wall s", "check CPU s",
    "checkov / check (wall)", "checkov / check (CPU)", "checkov peak RSS MiB",
)  # fmt: skip
SCALING_HEADERS = (
    "templates", "check CPU s", "floor CPU s", "check / floor (CPU)", "check / floor (wall)",
    "check CPU ms per template",
)  # fmt: skip


@dataclass(frozen=True)
class TemplateSizes:
    """How many templates, how often, and which subsets checkov scans."""

    files: int
    scaling: tuple[int, ...]
    repetitions: int
    scaling_repetitions: int
    memory_copies: int
    checkov_subsets: tuple[int, ...]


FULL = TemplateSizes(1000, (125, 250, 500), 5, 3, 10, (20, 60))
SMOKE = TemplateSizes(12, (6,), 1, 1, 2, ())


def _command(tool: str, directory: Path, report: Path) -> list[str]:
    if tool == CHECK:
        return python_module(
            "sm_guardrails", "check", str(directory), "--format", "json", "-o", str(report)
        )
    if tool == FLOOR:
        return python_module("bench.parse_floor", str(directory))
    return [
        str(CHECKOV), "-d", str(directory), "--framework", "cloudformation",
        "-o", "json", "--skip-download",
    ]  # fmt: skip


def _run(tool: str, directory: Path, work: Path) -> Run:
    env = CHECKOV_ENV if tool not in (CHECK, FLOOR) else None
    return run_measured(_command(tool, directory, work / "report.json"), ok_codes=(0, 1), env=env)


def _compare(directory: Path, repetitions: int, work: Path) -> dict[str, list[Run]]:
    """``check`` and the floor over ``directory``, interleaved."""
    runs: dict[str, list[Run]] = {CHECK: [], FLOOR: []}
    for order in rotations([CHECK, FLOOR], repetitions):
        for tool in order:
            runs[tool].append(_run(tool, directory, work))
    return runs


def _ratio(runs: dict[str, list[Run]], measure: str) -> float:
    """The median over repetitions of check / floor in ``measure`` ("cpu" or "wall")."""
    pairs = zip(runs[CHECK], runs[FLOOR], strict=True)
    return median([getattr(check, measure) / getattr(floor, measure) for check, floor in pairs])


def _median(runs: Sequence[Run], measure: str) -> float:
    return median([getattr(run, measure) for run in runs])


def _headline(runs: dict[str, list[Run]], files: int, resources: int) -> list[str]:
    rows = [
        [
            tool,
            f"{_median(runs[tool], 'wall'):.2f}",
            f"{_median(runs[tool], 'cpu'):.2f}",
            f"{_median(runs[tool], 'max_rss_mib'):.0f}",
        ]
        for tool in (CHECK, FLOOR)
    ]
    return [
        f"### Template scanning, {files} templates, {resources} resources "
        f"({len(runs[CHECK])} interleaved repetitions, medians)",
        "",
        table(["tool", "wall s", "CPU s", "peak RSS MiB"], rows),
    ]


def _checkov(source: Path, work: Path, files: int) -> tuple[list[str], float, float]:
    """checkov and ``check`` on subsets, and checkov's cost extrapolated to ``files``.

    Returns the Markdown lines, the ratio measured on the largest subset, and the
    ratio of checkov's extrapolated CPU time to ``check``'s over the largest subset
    scaled by file count (a lower bound: our start-up is counted in full).
    """
    rows = []
    points: list[tuple[int, Run, Run]] = []
    for count in FULL.checkov_subsets:
        directory = subset(source, work / f"checkov-{count}", count)
        ours = _run(CHECK, directory, work)
        theirs = _run("checkov", directory, work)
        points.append((count, theirs, ours))
        rows.append(
            [str(count), f"{theirs.wall:.1f}", f"{theirs.cpu:.1f}", f"{ours.wall:.2f}",
             f"{ours.cpu:.2f}", f"{theirs.wall / ours.wall:.0f}x", f"{theirs.cpu / ours.cpu:.0f}x",
             f"{theirs.max_rss_mib:.0f}"]
        )  # fmt: skip
    (n1, first, _), (n2, last, ours_last) = points[0], points[-1]
    per_file = (last.cpu - first.cpu) / (n2 - n1)
    estimate = first.cpu + per_file * (files - n1)
    direct = last.cpu / ours_last.cpu
    lines = [
        f"checkov {_checkov_version()} on subsets of the same templates (one run each, "
        "`checkov -d DIR --framework cloudformation -o json --skip-download`; "
        "all 1,000 would take over ten minutes):",
        "",
        table(CHECKOV_HEADERS, rows),
        "",
        f"checkov's CPU time grows by {per_file:.2f} s per template between the two subsets: "
        f"about {estimate:.0f} CPU s for all {files} templates (extrapolated, not run).",
    ]
    return lines, direct, estimate


def _checkov_version() -> str:
    done = subprocess.run([str(CHECKOV), "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _scaling_row(count: int, runs: dict[str, list[Run]]) -> list[str]:
    check = _median(runs[CHECK], "cpu")
    return [
        str(count),
        f"{check:.2f}",
        f"{_median(runs[FLOOR], 'cpu'):.2f}",
        f"{_ratio(runs, 'cpu'):.2f}x",
        f"{_ratio(runs, 'wall'):.2f}x",
        f"{check / count * 1000:.1f}",
    ]


def _memory(source: Path, work: Path, sizes: TemplateSizes, small: float) -> tuple[str, list[str]]:
    """One run of each tool over ``memory_copies`` times the templates; a line and a target."""
    many = work / "many"
    count = replicate(source, many, sizes.memory_copies)
    big = {tool: _run(tool, many, work) for tool in (CHECK, FLOOR)}
    growth = big[CHECK].max_rss_mib / small
    line = (
        f"Peak memory over {count} templates (the same files hard-linked "
        f"{sizes.memory_copies} times, one run each): check {big[CHECK].max_rss_mib:.0f} MiB "
        f"({big[CHECK].cpu:.1f} CPU s), floor {big[FLOOR].max_rss_mib:.0f} MiB "
        f"({big[FLOOR].cpu:.1f} CPU s)."
    )
    target = [
        f"peak memory flat from {sizes.files} to {count} templates",
        f"{small:.0f} -> {big[CHECK].max_rss_mib:.0f} MiB ({growth:.2f}x)",
        verdict(growth <= FLAT),
    ]
    return line, target


def run(smoke: bool) -> str:
    """Measure, and return the Markdown section."""
    sizes = SMOKE if smoke else FULL
    with tempfile.TemporaryDirectory(prefix="smg-bench-templates-") as directory:
        work = Path(directory)
        source = work / "templates"
        resources = generate(source, sizes.files)
        runs = _compare(source, sizes.repetitions, work)
        lines = _headline(runs, sizes.files, resources)
        cpu_ratio, wall_ratio = _ratio(runs, "cpu"), _ratio(runs, "wall")
        targets = [
            [
                "check within 1.5x of the parse floor",
                f"{cpu_ratio:.2f}x CPU ({wall_ratio:.2f}x wall)",
                verdict(cpu_ratio <= 1.5),
            ]
        ]
        memory_line, memory_target = _memory(
            source, work, sizes, _median(runs[CHECK], "max_rss_mib")
        )
        lines += ["", memory_line]
        if not smoke and CHECKOV.exists():
            checkov_lines, direct, estimate = _checkov(source, work, sizes.files)
            lines += ["", *checkov_lines]
            speedup = estimate / _median(runs[CHECK], "cpu")
            targets.append(
                [
                    "at least 20x faster than checkov",
                    f"{direct:.0f}x CPU on {FULL.checkov_subsets[-1]} templates, "
                    f"~{speedup:.0f}x on {sizes.files} (extrapolated)",
                    verdict(min(direct, speedup) >= 20),
                ]
            )
        else:
            lines += ["", "checkov was not run (smoke mode, or .tools/checkov-venv is missing)."]
        targets.append(memory_target)
        lines += ["", table(["target", "measured", ""], targets)]
        scaling = [
            _scaling_row(count, _compare(subset(source, work / f"scale-{count}", count),
                                         sizes.scaling_repetitions, work))
            for count in sizes.scaling
        ]  # fmt: skip
        scaling.append(_scaling_row(sizes.files, runs))
    lines += [
        "",
        "### Template scanning scaling (CPU time; templates average 100 resources)",
        "",
        table(SCALING_HEADERS, scaling),
    ]
    return "\n".join(lines)
