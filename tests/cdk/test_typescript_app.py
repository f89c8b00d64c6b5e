"""examples/typescript_cdk_app (aws-cdk-lib 2.80, ts-node) through the real CDK CLI, by each route
docs/cdk.md gives TypeScript, Java, Go and .NET apps: `sm-guardrails cdk-app` as cdk.json's app,
`sm-guardrails check cdk.out` after a plain synth, and the exported Guard rules in
@cdklabs/cdk-validator-cfnguard's CfnGuardValidator.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cdk.cdk_cli import cdk_synth
from tests.support import ROOT, run_cli

EXAMPLE = ROOT / "examples" / "typescript_cdk_app"
PLAIN_APP = "npx ts-node --prefer-ts-exts bin/app.ts"
GUARD_RULES_APP = "npx ts-node --prefer-ts-exts bin/app-guard-rules.ts"


def _synth(outdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    installed = EXAMPLE / "node_modules" / ".installed"
    if not installed.exists():
        pytest.fail(f"{EXAMPLE.name} has no node_modules: run `make tools` (or `make test`)")
    return cdk_synth(EXAMPLE, outdir, *args)


def test_cdk_app_passes_the_compliant_app_and_says_what_it_checked(tmp_path: Path) -> None:
    result = _synth(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sm-guardrails: 1 template(s), 1 notebook(s), 0 error(s)" in result.stderr
    assert (tmp_path / "SecureNotebookStack.template.json").exists()


def test_cdk_app_fails_synth_naming_rule_and_construct_path(tmp_path: Path) -> None:
    result = _synth(tmp_path, "-c", "insecure=true", "-c", "no-vpc=true")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    lines = [line for line in output.splitlines() if ": error [SMG-" in line]
    assert [line.split(".template.json:3 ")[1] for line in lines] == [
        "Notebook (InsecureNotebookStack/Notebook): error [SMG-1] DirectInternetAccess is "
        "'Enabled', not exactly 'Disabled'",
        "Notebook (InsecureNotebookStack/Nested/Notebook): error [SMG-1] DirectInternetAccess "
        "is 'Enabled', not exactly 'Disabled'",
        "Notebook (NoVpcNotebookStack/Notebook): error [SMG-1] DirectInternetAccess is "
        "'Enabled', not exactly 'Disabled'",
        "Notebook (NoVpcNotebookStack/Notebook): error [SMG-2] SubnetId is not set; "
        "SecurityGroupIds is not set",
    ]
    assert "SecureNotebookStack/Notebook" not in output
    assert "Lab (InsecureNotebookStack/Lab): exempted [SMG-1]" in output
    assert "exemption reason: SEC-42: lab account without VPC endpoints" in output
    assert "sm-guardrails cdk-app -- npx ts-node" in output  # the CLI names the failed step


def test_plain_synth_passes_a_bad_notebook_and_check_fails_it(tmp_path: Path) -> None:
    result = _synth(tmp_path, "--app", PLAIN_APP, "-c", "insecure=true")
    assert result.returncode == 0, result.stdout + result.stderr
    checked = run_cli("check", tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Notebook (InsecureNotebookStack/Nested/Notebook): error [SMG-1]" in checked.stdout
    assert "2 error(s)" in checked.stdout


def test_guard_rules_pass_the_compliant_app(tmp_path: Path) -> None:
    result = _synth(tmp_path, "--app", GUARD_RULES_APP)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Policy Validation Successful!" in output


def test_guard_rules_fail_synth_naming_rule_and_construct_path(tmp_path: Path) -> None:
    result = _synth(tmp_path, "--app", GUARD_RULES_APP, "-c", "insecure=true")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "SMG_1_no_direct_internet_access (1 occurrences)" in output
    assert "Construct Path: InsecureNotebookStack/Notebook" in output
    assert "[SMG-1] error: Notebook instances must not have direct internet access" in output
    assert "InsecureNotebookStack/Lab" not in output  # exempted in its metadata
    # documented limit: CDK hands a validation plugin the top-level stacks' templates only
    assert "InsecureNotebookStack/Nested" not in output


def test_guard_rules_name_rule_and_construct_path_on_a_notebook_outside_a_vpc(
    tmp_path: Path,
) -> None:
    """The validator 0.0.62 reads every check of the SMG-2 rule: each names its path."""
    result = _synth(tmp_path, "--app", GUARD_RULES_APP, "-c", "no-vpc=true")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "CfnGuardValidator plugin failed processing cfn-guard results" not in output
    assert "SMG_2_in_vpc (1 occurrences)" in output
    assert "SMG_1_no_direct_internet_access (1 occurrences)" in output
    occurrence = output.split("SMG_2_in_vpc (1 occurrences)")[1].split("Description:")[0]
    assert "Construct Path: NoVpcNotebookStack/Notebook" in occurrence
    assert "Resource ID: Notebook" in occurrence
    assert "/Resources/Notebook/Properties" in occurrence
    assert "[SMG-2] error: Notebook instances must run in a VPC subnet" in output


def test_the_example_guard_rules_are_what_export_guard_writes() -> None:
    exported = run_cli("export", "guard")
    assert exported.returncode == 0, exported.stderr
    assert (EXAMPLE / "sm-guardrails.guard").read_text() == exported.stdout
