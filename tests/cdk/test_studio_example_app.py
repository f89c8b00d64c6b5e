"""examples/cdk_studio_app through the real CDK CLI: `cdk synth` passes, `-c insecure=true`
fails naming SMG-6 and the domain's construct path."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cdk.cdk_cli import cdk_synth
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "cdk_studio_app"


def test_secure_studio_example_synthesizes(tmp_path: Path) -> None:
    result = cdk_synth(EXAMPLE, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((tmp_path / "SecureStudioStack.template.json").read_text())
    (domain,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::Domain"]
    assert domain["Properties"]["AppNetworkAccessType"] == "VpcOnly"
    assert "sm-guardrails" not in result.stderr


def test_insecure_studio_example_fails_naming_smg6_and_construct_path(tmp_path: Path) -> None:
    result = cdk_synth(EXAMPLE, tmp_path, "-c", "insecure=true")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "ERROR [SMG-6] AppNetworkAccessType is not set, and AWS's default is" in output
    assert "ERROR [SMG-7]" in output
    assert "InsecureStudioStack/Domain (Domain)" in output
    assert "SecureStudioStack/Studio" not in output
