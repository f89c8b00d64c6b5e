"""enforce() fails `python app.py` and `cdk synth` the same way on every supported release.

These run on the newest aws-cdk-lib (`make test`) and on the floors (`make test-floor`):
2.80 and 2.254, where enforce() judges the written assembly itself, and 2.271, where
the validation plugin does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest

from sm_guardrails.cdk import GuardrailViolationError, enforce, release
from tests.cdk.cdk_cli import TOOLS_BIN, cdk_synth
from tests.cdk.helpers import needs_native_acknowledge, notebook, synth
from tests.support import ROOT

_APP = """
import sys

import aws_cdk as cdk
from aws_cdk import aws_sagemaker as sagemaker

from sm_guardrails.cdk import enforce

app = cdk.App()
enforce(app)
sagemaker.CfnNotebookInstance(
    cdk.Stack(app, "Lab"), "Notebook", instance_type="ml.t3.medium",
    role_arn="arn:aws:iam::123456789012:role/notebook",
    direct_internet_access="Enabled" if "open" in sys.argv else "Disabled",
    subnet_id="subnet-0123456789abcdef0", security_group_ids=["sg-0123456789abcdef0"],
    root_access="Enabled",  # a warning, SMG-3
    kms_key_id="alias/notebooks",
    instance_metadata_service_configuration={"minimumInstanceMetadataServiceVersion": "2"},
)
app.synth()
"""


def _run_app(directory: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python app.py`` as a user runs it: outside pytest, Node.js 22 first on PATH."""
    (directory / "app.py").write_text(_APP, encoding="utf-8")
    environment = {
        **os.environ,
        "PATH": os.pathsep.join([str(TOOLS_BIN), os.environ["PATH"]]),
        "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    for variable in ("PYTEST_CURRENT_TEST", "PYTEST_VERSION"):  # CDK reads them as "in a test"
        environment.pop(variable, None)
    return subprocess.run(
        [sys.executable, "app.py", *args],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1]


@pytest.mark.parametrize("mode", ["unknown", "process"])
def test_python_app_py_fails_with_the_report_last_and_no_traceback(
    tmp_path: Path, mode: str
) -> None:
    env = {} if mode == "unknown" else {"CDK_APP_MODE": "process"}
    result = _run_app(tmp_path, "open", **env)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "jsii" not in result.stderr, result.stderr
    assert "ERROR [SMG-1] DirectInternetAccess is 'Enabled'" in result.stderr
    assert "Lab/Notebook (Notebook)" in result.stderr
    assert "validation-report.json" in _last_line(result.stderr), result.stderr


def test_python_app_py_with_warnings_only_succeeds_and_shows_them(tmp_path: Path) -> None:
    result = _run_app(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "WARNING [SMG-3] RootAccess is 'Enabled'" in result.stderr


def test_cdk_synth_fails_with_the_report_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(_APP, encoding="utf-8")
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python3 app.py open"}))
    result = cdk_synth(tmp_path, tmp_path / "cdk.out")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert "ERROR [SMG-1] DirectInternetAccess is 'Enabled'" in output


def test_cdk_synth_accepts_the_report_of_a_passing_app(tmp_path: Path) -> None:
    """The CLI reads validation-report.json after a passing synth; ours must satisfy it."""
    (tmp_path / "app.py").write_text(_APP, encoding="utf-8")
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python3 app.py"}))
    result = cdk_synth(tmp_path, tmp_path / "cdk.out")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text())
    (ours,) = [p for p in report["pluginReports"] if p["pluginName"] == "sm-guardrails"]
    assert [v["ruleName"] for v in ours["violations"]] == ["SMG-3"]


def test_synth_fails_even_when_the_context_says_not_to(tmp_path: Path) -> None:
    app = cdk.App(
        outdir=str(tmp_path / "cdk.out"),
        context={"@aws-cdk/core:failSynthOnValidationErrors": False},
    )
    enforce(app)
    notebook(cdk.Stack(app, "Stack"), direct_internet_access="Enabled")
    with pytest.raises(GuardrailViolationError) as raised:
        app.synth()
    message = str(raised.value)
    assert "ERROR [SMG-1] DirectInternetAccess is 'Enabled'" in message
    assert "Stack/Notebook (Notebook)" in message
    assert "1 finding(s) at error level" in _last_line(message)


def test_exception_carries_the_report_under_pytest(app: cdk.App) -> None:
    enforce(app)
    notebook(cdk.Stack(app, "Stack"), subnet_id="")
    with pytest.raises(GuardrailViolationError, match=r"\[SMG-2\] SubnetId is blank"):
        app.synth()


@needs_native_acknowledge
def test_acknowledging_one_notebook_leaves_the_other_stacks_failing(app: cdk.App) -> None:
    """On 2.254-2.270 CDK would apply this acknowledgement to SMG-1 across the whole app."""
    enforce(app)
    lab = cdk.Stack(app, "Lab")
    notebook(lab, direct_internet_access="Enabled")
    notebook(cdk.Stack(app, "Prod"), direct_internet_access="Enabled")
    cdk.Validations.of(lab).acknowledge(
        cdk.Acknowledgment(id="sm-guardrails::SMG-1", reason="SEC-9: lab account")
    )
    result = synth(app)
    assert result.error is not None
    assert result.rules("error") == {("SMG-1", "Prod/Notebook")}
    assert [(v.path, v.reason) for v in result.acknowledged] == [
        ("Lab/Notebook", "SEC-9: lab account")
    ]


def test_import_below_the_floor_says_the_range_and_the_fallback_in_one_line(
    tmp_path: Path,
) -> None:
    """The release is read from the package metadata, here that of an aws-cdk-lib 2.45."""
    metadata = tmp_path / "aws_cdk_lib-2.45.0.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: aws-cdk-lib\nVersion: 2.45.0\n"
    )
    probe = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import sm_guardrails.cdk"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert _last_line(result.stderr) == (
        "sm_guardrails.extras.UnsupportedReleaseError: sm_guardrails.cdk supports aws-cdk-lib "
        "2.80.0 and newer (below 3), found 2.45.0: upgrade it (pip install "
        "'aws-cdk-lib>=2.80.0,<3'), or without upgrading, run `cdk synth`, then "
        "`sm-guardrails check cdk.out`"
    )
    assert "AttributeError" not in result.stderr


def test_the_mechanism_matches_the_release() -> None:
    assert (release.RELEASE >= (2, 271, 0)) == release.USES_PLUGIN
    assert (release.RELEASE >= (2, 254, 0)) == release.NATIVE_ACKNOWLEDGE
