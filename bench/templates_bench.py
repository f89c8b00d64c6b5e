"""Template scanning: ``sm-guardrails check`` against the parse floor and checkov, same files."""

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

CHECKOV_HEADERS = (
    "files", "checkov wall s", "checkov CPU s", "check wall s", "checkov / check",
    "checkov peak RSS MiB",
)  # fmt: skip
SCALING_HEADERS = ("templates", "check s", "floor s", "check / floor", "check ms per template")

CHECK = "sm-guardrails check"
FLOOR = "parse floor"


@dataclass(frozen=True)
class TemplateSizes:
    """How many templates, how often, and which subsets checkov scans."""

    files: int
    scaling: tuple[int, ...]
    repetitions: int
    scaling_repetitions: int
    memory_copies: int
    checkov_subsets: tuple[int, ...]


FULL = TemplateSizes(1000, (125, 250, 500), 3, 2, 10, (20, 60))
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


def _run(tool: str, directory: Path, report: Path) -> Run:
    env = CHECKOV_ENV if tool not in (CHECK, FLOOR) else None
    return run_measured(_command(tool, directory, report), ok_codes=(0, 1), env=env)


def _compare(directory: Path, repetitions: int, work: Path) -> dict[str, list[Run]]:
    """``check`` and the floor over ``directory``, interleaved."""
    runs: dict[str, list[Run]] = {CHECK: [], FLOOR: []}
    for order in rotations([CHECK, FLOOR], repetitions):
        for tool in order:
            runs[tool].append(_run(tool, directory, work / "report.json"))
    return runs


def _ratio(runs: dict[str, list[Run]]) -> float:
    pairs = zip(runs[CHECK], runs[FLOOR], strict=True)
    return median([check.wall / floor.wall for check, floor in pairs])


def _wall(runs: Sequence[Run]) -> float:
    return median([run.wall for run in runs])


def _headline(runs: dict[str, list[Run]], files: int, resources: int) -> list[str]:
    rows = [
        [
            tool,
            f"{_wall(runs[tool]):.2f}",
            f"{median([run.cpu for run in runs[tool]]):.2f}",
            f"{median([run.max_rss_mib for run in runs[tool]]):.0f}",
        ]
        for tool in (CHECK, FLOOR)
    ]
    return [
        f"### Template scanning, {files} templates, {resources} resources "
        f"({len(runs[CHECK])} interleaved repetitions, medians)",
        "",
        table(["tool", "wall s", "CPU s", "peak RSS MiB"], rows),
    ]


def _checkov(source: Path, work: Path, files: int) -> tuple[list[str], float]:
    """checkov and ``check`` on subsets, a linear fit, and checkov extrapolated to ``files``."""
    points = []
    rows = []
    for count in FULL.checkov_subsets:
        directory = subset(source, work / f"checkov-{count}", count)
        ours = _run(CHECK, directory, work / "report.json")
        theirs = _run("checkov", directory, work / "checkov.json")
        points.append((count, theirs.wall))
        rows.append(
            [str(count), f"{theirs.wall:.1f}", f"{theirs.cpu:.1f}", f"{ours.wall:.2f}",
             f"{theirs.wall / ours.wall:.0f}x", f"{theirs.max_rss_mib:.0f}"]
        )  # fmt: skip
    (n1, t1), (n2, t2) = points[0], points[-1]
    per_file = (t2 - t1) / (n2 - n1)
    estimate = t1 + per_file * (files - n1)
    lines = [
        f"checkov {_checkov_version()} on subsets of the same templates (one run each; "
        f"`checkov -d DIR --framework cloudformation -o json --skip-download`):",
        "",
        table(CHECKOV_HEADERS, rows),
        "",
        f"Linear fit: {t1 - per_file * n1:.1f} s start-up + {per_file:.2f} s per file, "
        f"so about {estimate:.0f} s for all {files} files (extrapolated, not run).",
    ]
    return lines, estimate


def _checkov_version() -> str:
    done = subprocess.run([str(CHECKOV), "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _scaling(source: Path, work: Path, sizes: TemplateSizes) -> list[list[str]]:
    rows = []
    for count in sizes.scaling:
        directory = subset(source, work / f"scale-{count}", count)
        runs = _compare(directory, sizes.scaling_repetitions, work)
        rows.append(_scaling_row(count, runs))
    return rows


def _scaling_row(count: int, runs: dict[str, list[Run]]) -> list[str]:
    check, floor = _wall(runs[CHECK]), _wall(runs[FLOOR])
    return [str(count), f"{check:.2f}", f"{floor:.2f}", f"{_ratio(runs):.2f}x",
            f"{check / count * 1000:.1f}"]  # fmt: skip


def run(smoke: bool) -> str:
    """Measure, and return the Markdown section."""
    sizes = SMOKE if smoke else FULL
    with tempfile.TemporaryDirectory(prefix="smg-bench-templates-") as directory:
        work = Path(directory)
        source = work / "templates"
        resources = generate(source, sizes.files)
        runs = _compare(source, sizes.repetitions, work)
        lines = _headline(runs, sizes.files, resources)
        check_wall = _wall(runs[CHECK])
        ratio = _ratio(runs)
        many = work / "many"
        copies = replicate(source, many, sizes.memory_copies)
        big = {tool: _run(tool, many, work / "report.json") for tool in (CHECK, FLOOR)}
        rss_small = median([run.max_rss_mib for run in runs[CHECK]])
        rss_growth = big[CHECK].max_rss_mib / rss_small
        lines += [
            "",
            f"Peak memory over {copies} templates (the same files hard-linked "
            f"{sizes.memory_copies} times, one run): check {big[CHECK].max_rss_mib:.0f} MiB "
            f"in {big[CHECK].wall:.1f} s, floor {big[FLOOR].max_rss_mib:.0f} MiB "
            f"in {big[FLOOR].wall:.1f} s.",
        ]
        targets = [
            ["check within 1.5x of the parse floor", f"{ratio:.2f}x", verdict(ratio <= 1.5)],
            [
                f"peak memory flat from {sizes.files} to {copies} files",
                f"{rss_small:.0f} -> {big[CHECK].max_rss_mib:.0f} MiB ({rss_growth:.2f}x)",
                verdict(rss_growth <= 1.25),
            ],
        ]
        if not smoke and CHECKOV.exists():
            checkov_lines, estimate = _checkov(source, work, sizes.files)
            lines += ["", *checkov_lines]
            speedup = estimate / check_wall
            targets.insert(
                1, ["at least 20x faster than checkov", f"{speedup:.0f}x", verdict(speedup >= 20)]
            )
        else:
            lines += ["", "checkov was not run (smoke mode, or .tools/checkov-venv is missing)."]
        lines += ["", table(["target", "measured", ""], targets)]
        scaling = [*_scaling(source, work, sizes), _scaling_row(sizes.files, runs)]
    lines += [
        "",
        "### Template scanning scaling",
        "",
        table(SCALING_HEADERS, scaling),
    ]
    return "\n".join(lines)
