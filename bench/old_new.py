"""Old against new, side by side in one run: each layer's benchmark with the package
imported from two source trees, the runs interleaved, and new / old printed per measure.

``python -m bench.old_new OLD_SRC [--smoke] [--only templates pack cdk audit]``

OLD_SRC is the ``src`` folder of a checkout of the commit to compare with (``git worktree
add --detach /tmp/old COMMIT``, then ``/tmp/old/src``); NEW is this checkout's. Every
process that imports sm_guardrails gets the tree on ``PYTHONPATH`` (ahead of the editable
install), which is checked before anything is timed. The measures: ``check`` on the
1,000-template benchmark (CPU and wall), policy pack start-up and Analyze (both packs
running, calls alternating), enforce(app) on the 4,000-construct CDK app (CPU), audit
of 2,000 notebooks on one moto server (wall), and the core's share of judging a
notebook in-process (readers and evaluate, CPU). A ratio is the median of the
per-repetition new / old ratios; 1.05 or less meets issue 22's target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.audit_bench import REGIONS, WORKERS, _create, moto_server
from bench.cdk_bench import BASELINE, ENFORCE
from bench.pack_bench import _latencies
from bench.process import ROOT, environ, python_module, run_measured
from bench.stats import median, paired_ratio, percentile, rotations, table, verdict
from bench.templates_gen import generate
from sm_guardrails.aws import AwsSettings, make_session, sagemaker_client
from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess

OLD, NEW = "old", "new"
TARGET = 1.05
Samples = dict[str, list[float]]


@dataclass(frozen=True)
class Sizes:
    """How much of each benchmark to run."""

    templates: int
    template_repetitions: int
    startups: int
    calls: int
    rounds: int
    constructs: int
    cdk_rounds: int
    cdk_repetitions: int
    notebooks: int
    audit_rounds: int


FULL = Sizes(1000, 10, 10, 1000, 5, 4000, 4, 3, 2000, 4)
SMOKE = Sizes(10, 1, 1, 20, 1, 60, 1, 1, 8, 1)


def _env(source: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(source)}


def _check_imports(sources: dict[str, Path]) -> None:
    """Fail unless a child given each tree imports sm_guardrails from it."""
    for name, source in sources.items():
        done = subprocess.run(
            [sys.executable, "-c", "import sm_guardrails; print(sm_guardrails.__file__)"],
            env={**os.environ, **_env(source)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        found = Path(done.stdout.strip()).resolve()
        if not found.is_relative_to(source.resolve()):
            raise SystemExit(f"{name}: sm_guardrails was imported from {found}, not {source}")


def _row(measure: str, samples: Samples, unit: str, scale: float = 1) -> list[str]:
    ratio = paired_ratio(samples, NEW, OLD)
    return [
        measure,
        f"{median(samples[OLD]) * scale:.3f} {unit}".strip(),
        f"{median(samples[NEW]) * scale:.3f} {unit}".strip(),
        f"{ratio:.3f}x",
        verdict(ratio <= TARGET),
    ]


def _templates(sources: dict[str, Path], sizes: Sizes) -> list[list[str]]:
    cpu: Samples = {OLD: [], NEW: []}
    wall: Samples = {OLD: [], NEW: []}
    with tempfile.TemporaryDirectory(prefix="smg-bench-old-new-") as directory:
        work = Path(directory)
        resources = generate(work / "templates", sizes.templates)
        for order in rotations([OLD, NEW], sizes.template_repetitions):
            for name in order:
                run = run_measured(
                    python_module(
                        "sm_guardrails",
                        "check",
                        str(work / "templates"),
                        "--format",
                        "json",
                        "-o",
                        str(work / "report.json"),
                    ),
                    ok_codes=(0, 1),
                    env=_env(sources[name]),
                )
                cpu[name].append(run.cpu)
                wall[name].append(run.wall)
    label = f"check, {sizes.templates} templates ({resources} resources)"
    return [_row(f"{label}, CPU", cpu, "s"), _row(f"{label}, wall", wall, "s")]


@contextmanager
def _pack(source: Path) -> Iterator[PolicyPackProcess]:
    """The policy pack of the checkout holding ``source``, importing from it."""
    with environ(**_env(source)):
        process = PolicyPackProcess(source.parent / "policypack")
        process.start()
    try:
        yield process
    finally:
        process.stop()


def _packs(sources: dict[str, Path], sizes: Sizes) -> list[list[str]]:
    startups: Samples = {OLD: [], NEW: []}
    for order in rotations([OLD, NEW], sizes.startups):
        for name in order:
            with _pack(sources[name]) as process:
                startups[name].append(process.startup_seconds)
    rows = [_row("pack start-up to printed port", startups, "ms", 1000)]
    with ExitStack() as stack:
        clients = {}
        for name, source in sources.items():
            process = stack.enter_context(_pack(source))
            clients[name] = AnalyzerClient(process.port)
            stack.callback(clients[name].close)
            clients[name].configure({})
        _latencies(clients, "other", min(50, sizes.calls))  # warm-up, not recorded
        for kind in ("notebook", "other"):
            rounds = [_latencies(clients, kind, sizes.calls) for _ in range(sizes.rounds)]
            for label, fraction in (("p50", 0.5), ("p99", 0.99)):
                samples = {
                    name: [percentile(r[name], fraction) for r in rounds] for name in clients
                }
                rows.append(_row(f"pack Analyze, {kind} resource, {label}", samples, "ms", 1000))
    return rows


def _cdk(sources: dict[str, Path], sizes: Sizes) -> list[list[str]]:
    """enforce(app)'s synth CPU: each round runs one worker per tree, in turn."""
    enforce: Samples = {OLD: [], NEW: []}
    added: Samples = {OLD: [], NEW: []}
    with tempfile.TemporaryDirectory(prefix="smg-bench-old-new-") as directory:
        out = Path(directory) / "samples.json"
        for order in rotations([OLD, NEW], sizes.cdk_rounds):
            for name in order:
                run_measured(
                    python_module(
                        "bench.cdk_worker",
                        BASELINE,
                        ENFORCE,
                        "--constructs",
                        str(sizes.constructs),
                        "--repetitions",
                        str(sizes.cdk_repetitions),
                        "--out",
                        str(out),
                    ),
                    env=_env(sources[name]),
                )
                cpu = json.loads(out.read_text(encoding="utf-8"))[0]["cpu"]
                enforce[name].append(median(cpu[ENFORCE]))
                added[name].append(paired_ratio(cpu, ENFORCE, BASELINE))
    label = f"enforce(app), {sizes.constructs} constructs"
    return [
        _row(f"{label}, synth CPU", enforce, "s"),
        _row(f"{label}, CPU / plain synth's in the same worker", added, ""),
    ]


def _audit(sources: dict[str, Path], sizes: Sizes) -> list[list[str]]:
    seconds: Samples = {OLD: [], NEW: []}
    with moto_server() as endpoint, tempfile.TemporaryDirectory() as directory:
        settings = AwsSettings(endpoint_url=endpoint, max_pool_connections=WORKERS * 2)
        session = make_session(settings)
        clients = {region: sagemaker_client(session, region, settings) for region in REGIONS}
        _create(clients, 0, sizes.notebooks)
        out = Path(directory) / "audit.json"
        for order in rotations([OLD, NEW], sizes.audit_rounds):
            for name in order:
                run_measured(
                    python_module("bench.audit_worker", endpoint, "1", str(out)),
                    env=_env(sources[name]),
                )
                result = json.loads(out.read_text(encoding="utf-8"))
                assert result["notebooks"] == [sizes.notebooks], result
                seconds[name] += result["seconds"]
    label = f"audit, {sizes.notebooks} notebooks in {len(REGIONS)} regions, wall"
    return [_row(label, seconds, "s")]


def _core(sources: dict[str, Path], sizes: Sizes) -> list[list[str]]:
    """The core's share in-process (:mod:`bench.core_worker`): CPU, free of RPC and I/O."""
    samples: dict[str, Samples] = {}
    with tempfile.TemporaryDirectory(prefix="smg-bench-old-new-") as directory:
        out = Path(directory) / "core.json"
        for order in rotations([OLD, NEW], sizes.template_repetitions):
            for name in order:
                run_measured(python_module("bench.core_worker", str(out)), env=_env(sources[name]))
                for measure, value in json.loads(out.read_text(encoding="utf-8")).items():
                    samples.setdefault(measure, {OLD: [], NEW: []})[name].append(value)
    return [
        _row(f"{measure} of a notebook, CPU per notebook", values, "µs")
        for measure, values in samples.items()
    ]


SUITES: dict[str, Callable[[dict[str, Path], Sizes], list[list[str]]]] = {
    "templates": _templates,
    "pack": _packs,
    "cdk": _cdk,
    "audit": _audit,
    "core": _core,
}


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen suites, printing each row as it is measured, then the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.old_new", description=__doc__)
    parser.add_argument("old_src", type=Path, help="the src folder of the old checkout")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes")
    parser.add_argument("--only", nargs="+", choices=sorted(SUITES), help="run only these")
    args = parser.parse_args(argv)
    sources = {OLD: args.old_src.resolve(), NEW: (ROOT / "src").resolve()}
    _check_imports(sources)
    sizes = SMOKE if args.smoke else FULL
    rows: list[list[str]] = []
    began = time.monotonic()
    for name in args.only or list(SUITES):
        for row in SUITES[name](sources, sizes):
            print(" | ".join(row), flush=True)
            rows.append(row)
    print()
    print(table(["measure", f"old ({sources[OLD]})", "new", "new / old", "within 1.05x"], rows))
    print(f"\n{time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
