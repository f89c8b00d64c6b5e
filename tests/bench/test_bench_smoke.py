"""The benchmarks keep working: ``python -m bench --smoke`` runs every suite at tiny sizes.

Nothing here looks at a timing; it checks that each suite ran and printed its tables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_mode_runs_every_suite(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.fail("the CDK benchmark needs Node.js on PATH; run the tests with `make test`")
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--results", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    for heading in (
        "### Template scanning, 12 templates",
        "### Policy pack",
        "### CDK synth, ",
        "### CDK synth scaling",
        "### Template scanning scaling",
        "### Policy pack scaling",
    ):
        assert heading in text
    for row in ("| nothing |", "| enforce(app) |", "| sm-guardrails check |", "| parse floor |"):
        assert row in text
