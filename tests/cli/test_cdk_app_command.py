"""``sm-guardrails cdk-app -- COMMAND`` as the CDK CLI runs it: a subprocess with $CDK_OUTDIR set.

The app here is a Python script that writes a cloud assembly, so these tests need no CDK;
tests/cdk/test_typescript_app.py runs the command under the real CDK CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.corpus.cases import BASE_PROPERTIES, NOTEBOOK_ID, NOTEBOOK_TYPE
from tests.support import FIXTURES

APP = """\
import os, shutil, sys
shutil.copytree(sys.argv[1], os.environ["CDK_OUTDIR"], dirs_exist_ok=True)
print("app output", " ".join(sys.argv[3:]))
sys.exit(int(sys.argv[2]))
"""
"""A stand-in CDK app: copies an assembly into $CDK_OUTDIR, prints its own arguments, exits."""


def _compliant_assembly(directory: Path) -> Path:
    directory.mkdir()
    notebook = {"Type": NOTEBOOK_TYPE, "Properties": BASE_PROPERTIES}
    template = {"Resources": {NOTEBOOK_ID: notebook}}
    (directory / "Stack.template.json").write_text(json.dumps(template))
    manifest = {
        "version": "48.0.0",
        "artifacts": {
            "Stack": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "Stack.template.json"},
            }
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


def _cdk_app(
    tmp_path: Path, *args: str, outdir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``sm-guardrails cdk-app ARGS`` with CDK_OUTDIR=``outdir`` (unset when None), in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k != "CDK_OUTDIR"}
    if outdir is not None:
        env["CDK_OUTDIR"] = str(outdir)
    return subprocess.run(
        [sys.executable, "-m", "sm_guardrails", "cdk-app", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def _app(tmp_path: Path, assembly: Path, exit_code: int = 0, *app_args: str) -> list[str]:
    script = tmp_path / "app.py"
    script.write_text(APP)
    return ["--", sys.executable, str(script), str(assembly), str(exit_code), *app_args]


def test_a_bad_notebook_fails_with_the_report_on_stderr(tmp_path: Path) -> None:
    outdir = tmp_path / "cdk.out"
    result = _cdk_app(tmp_path, *_app(tmp_path, FIXTURES / "hand_cdk_out"), outdir=outdir)
    assert result.returncode == 1, result.stderr
    assert "AppStack.template.json" in result.stderr
    assert "error [SMG-1]" in result.stderr
    assert "sm-guardrails: 3 template(s), 4 notebook(s), 3 error(s)" in result.stderr
    # stdout stays the app's: `cdk synth > template.yaml` must not receive the report
    assert result.stdout == "app output \n"


def test_a_compliant_app_passes_and_says_what_it_checked(tmp_path: Path) -> None:
    assembly = _compliant_assembly(tmp_path / "assembly")
    result = _cdk_app(tmp_path, *_app(tmp_path, assembly), outdir=tmp_path / "cdk.out")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "sm-guardrails: 1 template(s), 1 notebook(s), 0 error(s), 0 warning(s), 0 exempted\n"
    )


def test_options_before_the_separator_are_ours_after_it_the_apps(tmp_path: Path) -> None:
    assembly = _compliant_assembly(tmp_path / "assembly")
    sarif = tmp_path / "report.sarif"
    command = _app(tmp_path, assembly, 0, "--level", "SMG-9=nonsense", "--format", "json")
    result = _cdk_app(
        tmp_path,
        "--level",
        "SMG-3=error",
        "--format",
        "sarif",
        "--output",
        str(sarif),
        *command,
        outdir=tmp_path / "cdk.out",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "app output --level SMG-9=nonsense --format json\n"
    assert json.loads(sarif.read_text())["version"] == "2.1.0"


def test_a_failing_app_keeps_its_exit_code_and_nothing_is_checked(tmp_path: Path) -> None:
    outdir = tmp_path / "cdk.out"
    result = _cdk_app(tmp_path, *_app(tmp_path, FIXTURES / "hand_cdk_out", 3), outdir=outdir)
    assert result.returncode == 3
    assert "sm-guardrails" not in result.stderr


def test_without_cdk_outdir_it_says_how_to_run_it_and_runs_nothing(tmp_path: Path) -> None:
    result = _cdk_app(tmp_path, *_app(tmp_path, FIXTURES / "hand_cdk_out"))
    assert result.returncode == 2
    assert result.stderr.startswith("sm-guardrails: error: cdk-app: CDK_OUTDIR is not set")
    assert "run `cdk synth`" in result.stderr
    assert result.stdout == ""


def test_a_bad_level_is_refused_before_the_app_runs(tmp_path: Path) -> None:
    command = _app(tmp_path, FIXTURES / "hand_cdk_out")
    result = _cdk_app(tmp_path, "--level", "SMG-3=loud", *command, outdir=tmp_path / "out")
    assert result.returncode == 2
    assert "SMG-3=loud" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_app_that_writes_no_assembly_is_an_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _cdk_app(tmp_path, *_app(tmp_path, empty), outdir=tmp_path / "cdk.out")
    assert result.returncode == 2
    assert "wrote no cloud assembly (manifest.json) into CDK_OUTDIR=" in result.stderr
    assert "is it a CDK app?" in result.stderr


def test_a_missing_command_or_program_is_a_usage_error(tmp_path: Path) -> None:
    outdir = tmp_path / "cdk.out"
    missing = _cdk_app(tmp_path, "--", outdir=outdir)
    assert missing.returncode == 2
    assert "give the app command after --" in missing.stderr
    program = "no-such-program-sm-guardrails"
    assert shutil.which(program) is None
    unknown = _cdk_app(tmp_path, "--", program, "bin/app.ts", outdir=outdir)
    assert unknown.returncode == 2
    assert f"'{program}' (the app command) is not found on PATH" in unknown.stderr
