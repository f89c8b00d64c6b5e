"""``sm-guardrails`` end to end, as a subprocess: formats, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from sm_guardrails.catalog import RULES, SMG_0, SMG_U
from tests.support import FIXTURES, ROOT, run_cli

EXAMPLES = ROOT / "examples" / "templates"


def test_compliant_example_exits_0() -> None:
    result = run_cli("check", EXAMPLES / "compliant.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 notebook(s), 0 error(s)" in result.stdout


def test_insecure_example_exits_1_naming_rule_resource_and_fix() -> None:
    result = run_cli("check", EXAMPLES / "insecure.yaml")
    assert result.returncode == 1
    assert "insecure.yaml:14 OpenNotebook: error [SMG-1] DirectInternetAccess is 'Enabled'" in (
        result.stdout
    )
    assert "DefaultNotebook: error [SMG-1] DirectInternetAccess is not set" in result.stdout
    assert "parameter `NotebookInternet`" in result.stdout
    assert "replaces the notebook" in result.stdout
    assert "Traceback" not in result.stderr


def test_json_has_one_entry_per_rule_that_did_not_pass() -> None:
    result = run_cli("check", EXAMPLES / "insecure.yaml", "--format", "json")
    document = json.loads(result.stdout)
    findings = document["findings"]
    assert {(f["logical_id"], f["rule_id"]) for f in findings if f["level"] == "error"} == {
        ("OpenNotebook", "SMG-1"),
        ("OpenNotebook", "SMG-2"),
        ("DefaultNotebook", "SMG-1"),
        ("DefaultNotebook", "SMG-2"),
        ("ParameterNotebook", "SMG-1"),
    }
    first = findings[0]
    for key in (
        "rule_id",
        "verdict",
        "level",
        "file",
        "logical_id",
        "construct_path",
        "message",
        "fix",
        "exemption",
    ):
        assert key in first
    assert first["verdict"] == "fail" and first["construct_path"] is None
    assert document["summary"]["exit_code"] == 1 == result.returncode


def test_json_shows_construct_path_and_exemption_from_a_cdk_out() -> None:
    result = run_cli("check", FIXTURES / "hand_cdk_out", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    lab = [
        f
        for f in findings
        if f["construct_path"] == "Prod/DataStack/Lab/Resource" and f["rule_id"] == "SMG-1"
    ]
    assert lab[0]["exemption"] == "isolated lab account, ticket SEC-7"
    assert lab[0]["blocking"] is False
    assert result.returncode == 1


def test_json_location_of_a_template_finding_is_the_top_level_keys_it_repeats() -> None:
    result = run_cli("check", FIXTURES / "hand_cdk_out", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    lab = next(f for f in findings if f["construct_path"] == "Prod/DataStack/Lab/Resource")
    assert lab["location"]["kind"] == "template"
    assert lab["location"]["construct_path"] == "Prod/DataStack/Lab/Resource"
    keys = ("file", "line", "logical_id", "inner", "construct_path", "loops")
    for finding in findings:
        assert finding["location"] == {"kind": "template", **{k: finding[k] for k in keys}}


def test_sarif_is_valid_2_1_0_with_rules_results_and_suppressions() -> None:
    result = run_cli("check", FIXTURES / "hand_cdk_out", "--format", "sarif")
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.rule_id for rule in (*RULES, SMG_0, SMG_U)]
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["level"] in {"error", "warning", "note", "none"}
        location = item["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert suppressed[0]["suppressions"][0]["justification"] == (
        "isolated lab account, ticket SEC-7"
    )


def test_levels_unknown_policy_and_strict() -> None:
    template = FIXTURES / "templates" / "intrinsics.yaml"
    assert run_cli("check", template).returncode == 1
    relaxed = run_cli("check", template, "--level", "SMG-1=warning")
    assert relaxed.returncode == 0, relaxed.stdout
    strict = run_cli("check", EXAMPLES / "compliant.yaml", "--strict")
    assert strict.returncode == 0
    unknown_only = FIXTURES / "templates" / "unknown_only.yaml"
    assert run_cli("check", unknown_only).returncode == 1
    assert run_cli("check", unknown_only, "--unknown", "warn").returncode == 0


def test_config_file_exempts_by_logical_id(tmp_path: Path) -> None:
    config = tmp_path / "guardrails.yaml"
    config.write_text(
        "exemptions:\n"
        "  - {rule: SMG-1, resource: OpenNotebook, reason: demo}\n"
        "  - {rule: SMG-2, resource: OpenNotebook, reason: demo}\n"
    )
    result = run_cli("check", EXAMPLES / "insecure.yaml", "--config", config, "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    open_errors = [f for f in findings if f["logical_id"] == "OpenNotebook" and f["blocking"]]
    assert open_errors == []
    assert result.returncode == 1  # the other notebooks still fail


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["check", "x.yaml", "--level", "SMG-9=error"], "--level SMG-9=error: unknown rule id"),
        (["check", "x.yaml", "--level", "SMG-U=off"], "--level SMG-U=off: unknown rule id"),
        (["check", "x.yaml", "--level", "SMG-1"], "expected RULE=LEVEL"),
        (["check", "x.yaml", "--level", "SMG-1=loud"], "'loud' is not one of error, warning, off"),
        (["check", "--format", "xml", "x.yaml"], "invalid choice: 'xml'"),
        (["check"], "the following arguments are required: PATH"),
        (["lint"], "invalid choice: 'lint'"),
    ],
)
def test_bad_usage_exits_2(args: list[str], says: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_files_are_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "binary.json").write_bytes(b"\x00\x01\x02")
    (tmp_path / "list.yaml").write_text("- 1\n")
    (tmp_path / "broken.json").write_text('{"Resources": {')
    (tmp_path / "no_resources.yaml").write_text("Description: nothing\n")
    args = [
        tmp_path / name
        for name in (
            "empty.yaml",
            "binary.json",
            "list.yaml",
            "broken.json",
            "no_resources.yaml",
            "missing.yaml",
        )
    ]
    result = run_cli("check", *args, EXAMPLES / "insecure.yaml")
    assert result.returncode == 2
    errors = result.stderr.splitlines()
    assert len(errors) == 6, result.stderr
    assert all(line.startswith("sm-guardrails: error: ") for line in errors)
    assert any("missing.yaml: no such file" in line for line in errors)
    assert any("binary.json: is a binary file" in line for line in errors)
    assert "binary.json" not in result.stdout  # the report keeps findings and the summary
    assert "1 template(s)" in result.stdout and "6 input error(s)" in result.stdout
    assert "OpenNotebook: error [SMG-1]" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_directory_scan_skips_non_templates_out_loud(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "stack.yaml").write_text((EXAMPLES / "compliant.yaml").read_text())
    result = run_cli("check", tmp_path)
    assert result.returncode == 0
    assert "package.json: skipped: not a CloudFormation template" in result.stdout


def test_empty_directory_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("check", tmp_path)
    assert result.returncode == 2
    assert "contains no template files" in result.stderr


def test_rules_lists_the_catalog() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    for rule in RULES:
        assert f"{rule.rule_id} ({rule.name}, default {rule.default_level.value})" in result.stdout
    assert "lacework-global-388" in result.stdout and "SageMaker.1" in result.stdout
    catalog = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [(entry["rule_id"], entry["default_level"]) for entry in catalog] == [
        (rule.rule_id, rule.default_level.value) for rule in RULES
    ]


def test_a_mapping_without_resources_is_an_error_not_a_template(tmp_path: Path) -> None:
    (tmp_path / "foo.json").write_text('{"foo": 1}')
    result = run_cli("check", tmp_path / "foo.json")
    assert result.returncode == 2
    assert "foo.json: has no Resources section" in result.stderr
    assert "0 template(s)" in result.stdout


def test_dash_reads_one_template_from_stdin() -> None:
    insecure = (EXAMPLES / "insecure.yaml").read_text()
    result = run_cli("check", "-", "--format", "json", stdin=insecure)
    document = json.loads(result.stdout)
    assert document["summary"]["exit_code"] == 1 == result.returncode
    assert {f["file"] for f in document["findings"]} == {"-"}
    assert any(f["logical_id"] == "OpenNotebook" for f in document["findings"])
    compliant = run_cli("check", "-", stdin=(EXAMPLES / "compliant.yaml").read_text())
    assert compliant.returncode == 0 and "1 template(s), 1 notebook(s)" in compliant.stdout
    empty = run_cli("check", "-", stdin="")
    assert empty.returncode == 2 and "-: the file is empty" in empty.stderr


def test_version_is_the_package_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sm-guardrails {metadata.version('sm-guardrails')}"


def test_a_reader_that_stops_early_ends_it_quietly(tmp_path: Path) -> None:
    insecure = (EXAMPLES / "insecure.yaml").read_text()
    for number in range(300):  # far more report than a pipe buffers
        (tmp_path / f"t{number}.yaml").write_text(insecure)
    process = subprocess.Popen(
        [sys.executable, "-m", "sm_guardrails", "check", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert first.strip() and stderr == ""
