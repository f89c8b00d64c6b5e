"""Run a child process and measure its wall time, CPU time and peak memory (its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
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
    """Run ``command`` (its output discarded) under :mod:`bench.rusage` and return its cost.

    Raises RuntimeError, with the end of its stderr, if its exit code is not in ``ok_codes``.
    """
    with tempfile.TemporaryDirectory(prefix="smg-bench-rusage-") as directory:
        out = Path(directory) / "rusage.json"
        done = subprocess.run(
            [sys.executable, "-m", "bench.rusage", str(out), *command],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            check=False,
        )
        measured = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    returncode = measured.get("returncode", done.returncode)
    if done.returncode != 0 or returncode not in ok_codes:
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} exited {returncode}:\n{tail}")
    return Run(
        wall=measured["wall"],
        cpu=measured["cpu"],
        max_rss_mib=measured["max_rss_kib"] / 1024,
        returncode=returncode,
    )


def python_module(module: str, *arguments: str) -> list[str]:
    """A command that runs ``python -m module`` with this interpreter."""
    return [sys.executable, "-m", module, *arguments]


@contextmanager
def environ(**values: str) -> Iterator[None]:
    """``os.environ`` with ``values`` set, restored afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
