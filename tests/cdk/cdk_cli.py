"""Running the real CDK CLI (installed into .tools/ by `make tools`) on an app folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

TOOLS_BIN = ROOT / ".tools" / "node_modules" / ".bin"


def cdk_synth(app_dir: Path, outdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``cdk synth`` of the app in ``app_dir`` (its cdk.json) into ``outdir``."""
    cdk = TOOLS_BIN / "cdk"
    if not cdk.exists():
        pytest.fail(f"the CDK CLI is not installed at {cdk}: run `make tools` (or `make test`)")
    env = {
        **os.environ,
        # The app command is `python3 app.py`: this interpreter's venv and Node.js 22 first.
        "PATH": os.pathsep.join(
            [str(TOOLS_BIN), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
        "CDK_DISABLE_VERSION_CHECK": "true",
        "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
    }
    for variable in ("PYTEST_CURRENT_TEST", "PYTEST_VERSION"):  # CDK reads them as "in a test"
        env.pop(variable, None)
    return subprocess.run(
        [str(cdk), "synth", "--no-notices", "--quiet", "--output", str(outdir), *args],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
