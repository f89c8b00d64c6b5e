"""examples/cdk_app through the real CDK CLI: `cdk synth` passes, `-c insecure=true` fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "cdk_app"
TOOLS_BIN = ROOT / ".tools" / "node_modules" / ".bin"


def _cdk_synth(outdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
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
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_secure_example_synthesizes(tmp_path: Path) -> None:
    result = _cdk_synth(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((tmp_path / "SecureNotebookStack.template.json").read_text())
    (notebook,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::NotebookInstance"
    ]
    assert notebook["Properties"]["DirectInternetAccess"] == "Disabled"
    egress = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroupEgress"
    ]
    assert [r["Properties"]["DestinationPrefixListId"] for r in egress] == [
        {"Ref": "S3PrefixListId"}
    ]
    assert "sm-guardrails" not in result.stderr
    assert not (tmp_path / "InsecureNotebookStack.template.json").exists()


def test_insecure_example_fails_naming_rule_and_construct_path(tmp_path: Path) -> None:
    result = _cdk_synth(tmp_path, "-c", "insecure=true")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "ERROR [SMG-1] DirectInternetAccess is 'Enabled'" in output
    assert "InsecureNotebookStack/Notebook (Notebook)" in output
    assert "SecureNotebookStack/Notebook" not in output
