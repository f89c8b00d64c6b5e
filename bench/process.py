"""Run a child process and measure its wall time, CPU time and peak memory (its own, via wait4)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: children run here so ``python -m bench...`` imports this package."""


@dataclass(frozen=True)
class Run:
    """What one child process cost."""

    wall: float
    cpu: float
    max_rss_mib: float
    returncode: int


def run_measured(
    command: Sequence[str],
    ok_codes: Sequence[int] = (0,),
    env: Mapping[str, str] | None = None,
) -> Run:
    """Run ``command`` (output discarded) and return its cost; raise if its exit code is not ok."""
    began = time.perf_counter()
    child = subprocess.Popen(
        list(command),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in ok_codes:
        tail = stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}:\n{tail}")
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mib=usage.ru_maxrss / 1024,
        returncode=child.returncode,
    )


def python_module(module: str, *arguments: str) -> list[str]:
    """A command that runs ``python -m module`` with this interpreter."""
    return [sys.executable, "-m", module, *arguments]
