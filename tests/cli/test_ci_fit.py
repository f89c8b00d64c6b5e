"""What CI systems consume: SARIF for code scanning, the pre-commit hook, the GitHub Action."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import FIXTURES, ROOT, run_cli

EXAMPLES = ROOT / "examples" / "templates"


def _sarif(*args: str | Path, cwd: Path | None = None) -> dict[str, object]:
    return json.loads(run_cli("check", *args, "--format", "sarif", cwd=cwd).stdout)


def test_sarif_rules_carry_severity_help_uri_and_markdown_fix() -> None:
    rules = _sarif(EXAMPLES / "insecure.yaml")["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[index]
    severities = {rule["id"]: float(rule["properties"]["security-severity"]) for rule in rules}
    assert severities["SMG-1"] >= 7.0 and severities["SMG-2"] >= 7.0  # GitHub: high
    assert all(0.0 < value < 9.0 for value in severities.values())
    assert severities["SMG-4"] < severities["SMG-3"] < severities["SMG-1"]
    for rule in rules:
        assert re.fullmatch(r"https://\S+/", rule["helpUri"])
        assert "**Fix:** " in rule["help"]["markdown"]
    smg1 = rules[0]["help"]["markdown"]
    assert "Set DirectInternetAccess to exactly 'Disabled'" in smg1 and "{" not in smg1
    assert "[AWS Security Hub SageMaker.1](https://docs.aws.amazon.com/" in smg1


def test_sarif_uris_are_relative_for_relative_paths_and_file_uris_otherwise() -> None:
    relative = _sarif("examples/templates/insecure.yaml", cwd=ROOT)["runs"][0]["results"]  # type: ignore[index]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in relative}
    assert uris == {"examples/templates/insecure.yaml"}
    absolute = _sarif(EXAMPLES / "insecure.yaml")["runs"][0]["results"]  # type: ignore[index]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in absolute}
    assert uris == {(EXAMPLES / "insecure.yaml").as_uri()}


def test_sarif_message_names_the_construct_path_of_a_cdk_out_finding() -> None:
    results = _sarif(FIXTURES / "hand_cdk_out")["runs"][0]["results"]  # type: ignore[index]
    named = [r["message"]["text"] for r in results if "(CDK construct " in r["message"]["text"]]
    assert len(named) == len(results)  # every notebook of a cdk.out has a construct path
    assert any("(CDK construct Prod/DataStack/Lab/Resource): " in text for text in named)
    plain = _sarif(EXAMPLES / "insecure.yaml")["runs"][0]["results"]  # type: ignore[index]
    assert not [r for r in plain if "CDK construct" in r["message"]["text"]]


def test_skip_non_templates_reports_them_as_skipped(tmp_path: Path) -> None:
    other = tmp_path / "package.json"
    other.write_text('{"name": "x"}')
    strict = run_cli("check", other, EXAMPLES / "compliant.yaml")
    assert strict.returncode == 2
    lenient = run_cli("check", "--skip-non-templates", other, EXAMPLES / "compliant.yaml")
    assert lenient.returncode == 0
    assert "package.json: skipped: not a CloudFormation template" in lenient.stdout


def test_action_runs_check_with_sarif_and_uploads_it() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    script = "\n".join(step.get("run", "") for step in steps)
    assert "pip install" in script and "sm-guardrails check" in script
    assert "--format sarif" in script
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/")]
    assert uploads and uploads[0]["uses"].startswith("github/codeql-action/upload-sarif@")
    used = set(re.findall(r"inputs\.([\w-]+)", (ROOT / "action.yml").read_text()))
    assert used <= set(action["inputs"]), used - set(action["inputs"])


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_hook_checks_the_example_templates(tmp_path: Path) -> None:
    """``pre-commit try-repo`` installs this repository's hook as a user's pre-commit would."""
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    shutil.copy(EXAMPLES / "compliant.yaml", repo / "infra" / "compliant.yaml")
    (repo / "package.json").write_text('{"name": "not a template"}')
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t"}
    env.pop("PYTEST_CURRENT_TEST", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=900)

    run("git", "init", "-q")
    run("git", "add", ".")
    try_repo = (sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "sm-guardrails")
    passing = run(*try_repo, "--all-files", "--verbose")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "1 template(s), 1 notebook(s), 0 error(s)" in passing.stdout
    shutil.copy(EXAMPLES / "insecure.yaml", repo / "infra" / "insecure.yaml")
    run("git", "add", ".")
    failing = run(*try_repo, "--all-files", "--verbose")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "OpenNotebook: error [SMG-1]" in failing.stdout
