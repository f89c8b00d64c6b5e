"""One process that times ``app.synth()`` for several variants, interleaved, and writes JSON.

``python -m bench.cdk_worker --constructs N... --repetitions R --out FILE VARIANT...``
Each repetition builds a new app per variant and size (building is not timed).
Untimed warm-up synths first load what a first synth loads (schemas, rule packs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cdk_app import build_app
from bench.cdk_bench import VARIANTS
from bench.cdk_variants import FAILS_SYNTH, SETUPS
from bench.stats import rotations

WARM_UP_CONSTRUCTS = 200
"""The size of the warm-up app of each variant (the first variant warms up at full size)."""


@dataclass(frozen=True)
class Synth:
    """What one ``app.synth()`` cost."""

    wall: float
    cpu: float
    """CPU seconds of this process and of its children (the Node.js process of jsii)."""
    constructs: int


def _stat(pid: str) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (state is field 0)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _descendants() -> list[str]:
    """This process's descendants: jsii's Node.js runtime and the program it starts."""
    parents: dict[str, str] = {}
    if not os.path.isdir("/proc"):
        return []  # not Linux: CPU time then counts the Python side only
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            parents[pid] = _stat(pid)[1]
        except (OSError, IndexError):
            continue
    found, frontier = [], [str(os.getpid())]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its live descendants."""
    own = os.times()
    total = own.user + own.system
    tick = os.sysconf("SC_CLK_TCK")
    for pid in _descendants():
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def time_synth(variant: str, constructs: int, workdir: Path) -> Synth:
    """What ``app.synth()`` costs with ``variant`` on a new app of about ``constructs``."""
    outdir = tempfile.mkdtemp(dir=workdir)
    try:
        app = build_app(outdir, constructs)
        count = len(app.node.find_all())
        SETUPS[variant](app)
        began, cpu = time.perf_counter(), cpu_seconds()
        try:
            app.synth()
        except RuntimeError as error:  # how jsii surfaces the ValidationFailed error
            if variant not in FAILS_SYNTH or "ValidationFailed" not in str(error):
                raise
        return Synth(time.perf_counter() - began, cpu_seconds() - cpu, count)
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def main() -> None:
    """Parse the arguments, warm up, time every variant, write the samples."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--constructs", type=int, nargs="+", required=True)
    parser.add_argument("--repetitions", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="smg-bench-cdk-") as workdir:
        largest = max(args.constructs)
        for index, variant in enumerate(args.variants):
            time_synth(variant, largest if index == 0 else WARM_UP_CONSTRUCTS, Path(workdir))
        for size in args.constructs:
            samples: dict[str, list[float]] = {variant: [] for variant in args.variants}
            cpu: dict[str, list[float]] = {variant: [] for variant in args.variants}
            count = 0
            for order in rotations(args.variants, args.repetitions):
                for variant in order:
                    synth = time_synth(variant, size, Path(workdir))
                    samples[variant].append(synth.wall)
                    cpu[variant].append(synth.cpu)
                    count = synth.constructs
            results.append({"size": size, "constructs": count, "samples": samples, "cpu": cpu})
    args.out.write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main()
