"""examples/cdk_app through the real CDK CLI: `cdk synth` passes, `-c insecure=true` fails."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cdk.cdk_cli import cdk_synth
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "cdk_app"


def _cdk_synth(outdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cdk_synth(EXAMPLE, outdir, *args)


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
