"""The example program run under mocks, each resource sent to the running pack like the engine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from sm_guardrails.pulumi import (
    ADVISORY_POLICY,
    MAIN_POLICY,
    SecureNotebookInstance,
    SecureNotebookInstanceArgs,
)
from sm_guardrails.pulumi.engine import AnalyzerClient
from sm_guardrails.pulumi.harness import ProgramMocks, judge, run_program_dir, run_with_mocks
from sm_guardrails.pulumi.harness import main as harness_main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "pulumi_app"
PACK = ROOT / "policypack"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_secure_example_passes_every_policy(analyzer: AnalyzerClient) -> None:
    resources = run_program_dir(EXAMPLE)
    [notebook] = [r for r in resources if r.resource_type == NOTEBOOK]
    # At preview the subnet, groups and key are outputs of resources not yet created.
    assert notebook.inputs["subnetId"] == UNKNOWN
    assert notebook.inputs["securityGroups"] == [UNKNOWN]
    assert notebook.urn.endswith(
        "::sm-guardrails:sagemaker:SecureNotebookInstance$"
        "aws:sagemaker/notebookInstance:NotebookInstance::analysis"
    )
    assert judge(resources, analyzer) == []


def test_secure_example_builds_a_vpc_only_studio_domain(analyzer: AnalyzerClient) -> None:
    resources = run_program_dir(EXAMPLE)
    [domain] = [r for r in resources if r.resource_type == DOMAIN]
    assert domain.inputs["appNetworkAccessType"] == "VpcOnly"
    assert domain.inputs["defaultUserSettings"]["securityGroups"] == [UNKNOWN]
    assert judge([domain], analyzer) == []


def test_insecure_example_is_rejected_with_smg1_and_smg6(analyzer: AnalyzerClient) -> None:
    resources = run_program_dir(EXAMPLE, {"insecure": "true"})
    diagnostics = judge(resources, analyzer)
    mandatory = [(d.policy_name, d.urn.rsplit("::", 1)[-1]) for d in diagnostics if d.mandatory]
    assert sorted(mandatory) == [(MAIN_POLICY, "insecure")] * 2 + [(MAIN_POLICY, "insecure-studio")]
    smg1, smg2, smg6 = sorted(d.message.splitlines()[1] for d in diagnostics if d.mandatory)
    assert "[SMG-1] insecure: directInternetAccess is 'Enabled'" in smg1
    assert "[SMG-2] insecure: subnetId is not set" in smg2
    assert "[SMG-6] insecure-studio: appNetworkAccessType is 'PublicInternetOnly'" in smg6


def test_relaxed_component_gives_only_advisories(analyzer: AnalyzerClient) -> None:
    def program() -> None:
        SecureNotebookInstance(
            "relaxed",
            SecureNotebookInstanceArgs(
                subnet_id="subnet-1",
                security_group_ids=["sg-1"],
                root_access="Enabled",
                use_aws_managed_key=True,
                minimum_imds_version="1",
            ),
        )

    diagnostics = judge(run_with_mocks(program, mocks=ProgramMocks(preview=True)), analyzer)
    assert [(d.policy_name, d.enforcement_level) for d in diagnostics] == [
        (ADVISORY_POLICY, "advisory")
    ] * 3
    assert [d.message.splitlines()[1][:7] for d in diagnostics] == ["[SMG-3]", "[SMG-4]", "[SMG-5]"]


def test_secret_inputs_travel_wrapped_and_are_judged_by_their_value(
    analyzer: AnalyzerClient,
) -> None:
    def program() -> None:
        aws.sagemaker.NotebookInstance(
            "secretive",
            instance_type="ml.t3.medium",
            role_arn="arn:aws:iam::1:role/r",
            direct_internet_access=pulumi.Output.secret("Enabled"),
            subnet_id=pulumi.Output.secret("subnet-1"),
            security_groups=["sg-1"],
        )

    [notebook] = run_with_mocks(program, mocks=ProgramMocks(preview=True))
    assert notebook.inputs["directInternetAccess"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "Enabled",
    }
    mandatory = [d for d in judge([notebook], analyzer) if d.mandatory]
    assert [d.policy_name for d in mandatory] == [MAIN_POLICY]
    assert "directInternetAccess is 'Enabled'" in mandatory[0].message


def test_harness_command_rejects_the_insecure_example() -> None:
    command = ["-m", "sm_guardrails.pulumi.harness", "examples/pulumi_app", "--policy-pack"]
    result = subprocess.run(
        [sys.executable, *command, "policypack", "--config", "insecure=true"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert f"[mandatory] {MAIN_POLICY} (" in result.stdout
    assert "    [SMG-1] insecure: directInternetAccess is 'Enabled'" in result.stdout
    assert "    [SMG-6] insecure-studio: appNetworkAccessType is 'PublicInternetOnly'" in (
        result.stdout
    )
    assert "3 mandatory, 3 advisory violation(s)" in result.stdout


def harness(*args: str | Path) -> int:
    return harness_main([str(EXAMPLE), "--policy-pack", str(PACK), *map(str, args)])


def test_harness_passes_the_secure_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert harness() == 0
    assert "0 mandatory, 0 advisory violation(s)" in capsys.readouterr().out


def test_harness_applies_the_pack_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack_config = tmp_path / "pack-config.json"
    exemption = {"rule": "SMG-1", "resource": "insecure", "reason": "SEC-7"}
    studio = {"rule": "SMG-6", "resource": "insecure-studio", "reason": "SEC-8"}
    config = {"levels": {"SMG-2": "advisory"}, "exemptions": [exemption, studio]}
    pack_config.write_text(json.dumps({MAIN_POLICY: config}))
    assert harness("--config", "insecure=true", "--policy-pack-config", pack_config) == 0
    out = capsys.readouterr().out
    assert f"[advisory] {ADVISORY_POLICY} (" in out
    assert "Exempted: SEC-7." in out and "Exempted: SEC-8." in out
    assert "0 mandatory, 6 advisory violation(s)" in out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--policy-pack", str(ROOT / "examples")], "PolicyPackError: "),
        (["--config", "insecure"], "--config 'insecure': expected KEY=VALUE"),
    ],
)
def test_harness_reports_bad_input_in_one_line(
    args: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert harness(*args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and error in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.skipif(
    shutil.which("pulumi") is None,
    reason="the Pulumi CLI is not on PATH (it cannot be installed from the package registries)",
)
def test_real_pulumi_preview_with_the_pack(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{tmp_path}",
        "PULUMI_CONFIG_PASSPHRASE": "",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "example",
    }
    program = tmp_path / "program"
    shutil.copytree(EXAMPLE, program, ignore=shutil.ignore_patterns("venv"))
    (program / "requirements.txt").write_text(f"-e {ROOT}[pulumi]\n")

    def pulumi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=program,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    assert pulumi("stack", "init", "dev").returncode == 0
    for key, value in (
        ("aws:skipCredentialsValidation", "true"),
        ("aws:skipRequestingAccountId", "true"),
    ):
        assert pulumi("config", "set", key, value).returncode == 0
    # The pack pins the released version; here it runs this checkout instead.
    pack_dir = tmp_path / "policypack"
    shutil.copytree(PACK, pack_dir, ignore=shutil.ignore_patterns("venv"))
    (pack_dir / "requirements.txt").write_text(f"-e {ROOT}[pulumi]\n")
    pack = str(pack_dir)
    secure = pulumi("preview", "--policy-pack", pack)
    assert secure.returncode == 0, secure.stdout + secure.stderr
    assert pulumi("config", "set", "insecure", "true").returncode == 0
    insecure = pulumi("preview", "--policy-pack", pack)
    assert insecure.returncode != 0
    assert MAIN_POLICY in insecure.stdout and "[SMG-1] insecure:" in insecure.stdout
    assert "[SMG-6] insecure-studio:" in insecure.stdout


def test_example_requirements_install_this_project_with_the_pulumi_extra(
    tmp_path: Path,
) -> None:
    folder = EXAMPLE
    report = tmp_path / "report.json"
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--quiet"]
    result = subprocess.run(
        [*pip, "--report", str(report), "-r", "requirements.txt"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0 and "Could not" in result.stderr:
        pytest.skip(f"pip could not reach the package index: {result.stderr.strip()[-200:]}")
    assert result.returncode == 0, result.stderr
    [install] = json.loads(report.read_text())["install"]
    assert install["metadata"]["name"] == "sm-guardrails"
    assert install["download_info"]["url"] == ROOT.as_uri()
    assert install["requested_extras"] == ["pulumi"]
