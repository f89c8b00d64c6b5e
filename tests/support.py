"""Helpers the tests share."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def run_cli(
    *args: str | Path, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``sm-guardrails`` as a user does, in a subprocess (``stdin``: its input)."""
    return subprocess.run(
        [sys.executable, "-m", "sm_guardrails", *map(str, args)],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=120,
    )
