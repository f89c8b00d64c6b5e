"""examples/cdk_app through the real CDK CLI: `cdk synth` passes, `-c insecure=true` fails."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cdk.cdk_cli import cdk_synth
from tests.cdk.compliance_tools import PACKS, cfn_lint, checkov, failed_checks, validation_report
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
    prefix_lists = [r["Properties"].get("DestinationPrefixListId") for r in egress]
    assert [p for p in prefix_lists if p] == [{"Ref": "S3PrefixListId"}]
    assert "sm-guardrails" not in result.stderr
    assert not (tmp_path / "InsecureNotebookStack.template.json").exists()


def test_insecure_example_fails_naming_rule_and_construct_path(tmp_path: Path) -> None:
    result = _cdk_synth(tmp_path, "-c", "insecure=true")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "ERROR [SMG-1] DirectInternetAccess is 'Enabled'" in output
    assert "InsecureNotebookStack/Notebook (Notebook)" in output
    assert "SecureNotebookStack/Notebook" not in output


def test_compliance_packs_find_nothing_but_the_bare_vpc(tmp_path: Path) -> None:
    result = _cdk_synth(tmp_path, "-c", "compliance=true")
    violations, acknowledged = validation_report(tmp_path)
    assert violations, result.stdout + result.stderr
    outside = [v for v in violations if not v.path.startswith("SecureNotebookStack/Vpc/")]
    assert outside == [] and acknowledged == []
    flow_logs = {v.plugin for v in violations if v.path == "SecureNotebookStack/Vpc/Resource"}
    assert set(PACKS) <= flow_logs
    assert result.returncode != 0  # the VPC's findings are errors


@pytest.fixture(scope="module")
def example_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("example")
    result = _cdk_synth(outdir)
    assert result.returncode == 0, result.stdout + result.stderr
    return outdir / "SecureNotebookStack.template.json"


def test_example_template_is_clean_under_cfn_lint(example_template: Path) -> None:
    assert cfn_lint(example_template) == []


def test_example_template_passes_every_checkov_check(example_template: Path) -> None:
    report = checkov(example_template)
    assert failed_checks(report) == []
    assert report["summary"]["passed"] >= 30
