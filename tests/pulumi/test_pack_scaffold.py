"""``sm-guardrails pulumi new-pack``: a pack a team owns, started as the engine starts it."""

from __future__ import annotations

from pathlib import Path

from packaging.requirements import Requirement

import sm_guardrails
from sm_guardrails.pack_scaffold import pack_files
from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess
from tests.support import ROOT, run_cli

AWS = "aws:sagemaker/notebookInstance:NotebookInstance"


def _requirement(pack: Path) -> Requirement:
    lines = (pack / "requirements.txt").read_text().splitlines()
    [line] = [line for line in lines if line and not line.startswith("#")]
    return Requirement(line)


def test_new_pack_writes_a_pack_that_the_engine_runs(tmp_path: Path) -> None:
    pack = tmp_path / "team-notebooks"
    result = run_cli("pulumi", "new-pack", pack)
    assert result.returncode == 0, result.stderr
    requirement = _requirement(pack)
    assert requirement.name == "sm-guardrails" and requirement.extras == {"pulumi"}
    assert str(requirement.specifier) == f"=={sm_guardrails.__version__}"
    with PolicyPackProcess(pack) as process:
        client = AnalyzerClient(process.port)
        try:
            assert client.info().name == "team-notebooks"
            props = {"instanceType": "ml.t3.medium", "directInternetAccess": "Enabled"}
            diagnostics = client.analyze(AWS, props, f"urn:pulumi:dev::p::{AWS}::nb", "nb")
        finally:
            client.close()
    blocking = [d for d in diagnostics if d.mandatory]
    assert {d.message.splitlines()[1][:7] for d in blocking} == {"[SMG-1]", "[SMG-2]"}


def test_new_pack_refuses_a_directory_with_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = run_cli("pulumi", "new-pack", tmp_path)
    assert result.returncode == 2
    assert "exists and is not an empty directory" in result.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert run_cli("pulumi", "new-pack", tmp_path / "x", "--name", "bad name").returncode == 2


def test_the_repository_pack_is_the_scaffold_pinned_to_this_release() -> None:
    for file, text in pack_files("sm-guardrails").items():
        assert (ROOT / "policypack" / file).read_text() == text, file
