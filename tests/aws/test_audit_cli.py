"""``sm-guardrails audit`` as a subprocess against the moto server (and a fault proxy in front)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sm_guardrails.cli.iam_policy import audit_policy
from sm_guardrails.kinds import KINDS
from tests.aws.conftest import ACCOUNT_ID, COMPLIANT, AwsEnv, make_notebook
from tests.aws.fault_proxy import Answer, Call, fault_proxy

REGIONS = ("eu-west-1", "us-east-2")
REGION_ONLY = {
    "kind": "deployed",
    "account": None,
    "region": "eu-west-1",
    "arn": None,
    "name": None,
}
EXEMPT_NETWORK = [
    {"Key": "sm-guardrails:exempt:SMG-1", "Value": "ticket NET-1: public demo"},
    {"Key": "sm-guardrails:exempt:SMG-2", "Value": "ticket NET-1: public demo"},
]


def _audit(
    env: AwsEnv, *args: str, endpoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sm_guardrails", "audit", "--endpoint-url"]
    command += [endpoint or env.endpoint, *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=env.environ, timeout=300, check=False
    )


def _regions(*regions: str) -> list[str]:
    return [item for region in regions for item in ("--region", region)]


def _blocking(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (item["location"]["region"], item["location"]["name"], item["rule_id"])
        for item in report["findings"]
        if item["blocking"]
    }


@pytest.fixture
def fleet(moto_state: AwsEnv) -> AwsEnv:
    """Compliant, internet-exposed, half-configured and exempted notebooks in two regions."""
    for region in REGIONS:
        client = moto_state.client("sagemaker", region)
        make_notebook(client, "compliant", **COMPLIANT)
        make_notebook(client, "exposed")
        make_notebook(client, "half", **{**COMPLIANT, "DirectInternetAccess": "Enabled"})
        make_notebook(client, "exempted", Tags=EXEMPT_NETWORK, DirectInternetAccess="Enabled")
    return moto_state


EXPECTED = {
    (region, name, rule)
    for region in REGIONS
    for name, rule in (("exposed", "SMG-1"), ("exposed", "SMG-2"), ("half", "SMG-1"))
}


def test_audit_finds_exactly_the_bad_notebooks_in_every_region(fleet: AwsEnv) -> None:
    result = _audit(fleet, *_regions(*REGIONS), "--format", "json")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""  # piped: no progress bar
    report = json.loads(result.stdout)
    assert _blocking(report) == EXPECTED
    exempted = {
        (item["location"]["region"], item["location"]["name"], item["rule_id"], item["exemption"])
        for item in report["findings"]
        if item["exemption"]
    }
    assert {(r, n, rule) for r, n, rule, _ in exempted} >= {
        (region, "exempted", rule) for region in REGIONS for rule in ("SMG-1", "SMG-2")
    }
    assert report["summary"]["regions"] == 2
    assert report["summary"]["notebooks"] == 8


def test_a_json_finding_is_located_by_account_region_arn_and_name(fleet: AwsEnv) -> None:
    report = json.loads(_audit(fleet, *_regions("eu-west-1"), "--format", "json").stdout)
    half = next(item for item in report["findings"] if item["location"]["name"] == "half")
    assert half["location"] == {
        "kind": "deployed",
        "account": ACCOUNT_ID,
        "region": "eu-west-1",
        "arn": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT_ID}:notebook-instance/half",
        "name": "half",
    }
    template_keys = {"file", "line", "logical_id", "inner", "construct_path", "loops"}
    assert not [item for item in report["findings"] if template_keys & item.keys()]


def test_text_report_names_region_account_name_and_arn(fleet: AwsEnv) -> None:
    result = _audit(fleet, *_regions("eu-west-1"))
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "[SMG-1]" in x and " half " in x)
    arn = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT_ID}:notebook-instance/half"
    assert line.startswith(f"eu-west-1 {ACCOUNT_ID} half {arn}: error [SMG-1] ")
    assert result.stdout.splitlines()[-1].startswith("sm-guardrails: 1 region(s), 4 notebook(s)")


def test_sarif_names_the_arn_as_a_logical_location_and_no_file(fleet: AwsEnv) -> None:
    result = _audit(fleet, *_regions("us-east-2"), "--format", "sarif")
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert {r["ruleId"] for r in results if r["level"] == "error"} == {"SMG-1", "SMG-2"}
    arn = f"arn:aws:sagemaker:us-east-2:{ACCOUNT_ID}:notebook-instance/half"
    half = next(r for r in results if r["ruleId"] == "SMG-1" and arn in json.dumps(r))
    assert half["locations"] == [
        {"logicalLocations": [{"name": "half", "fullyQualifiedName": arn, "kind": "resource"}]}
    ]
    assert half["message"]["text"].startswith(f"half ({arn}): ")
    assert "%3A" not in result.stdout and "artifactLocation" not in result.stdout


def test_all_regions_reads_the_enabled_regions(fleet: AwsEnv) -> None:
    result = _audit(fleet, "--all-regions", "--format", "json", "--workers", "4")
    report = json.loads(result.stdout)
    assert _blocking(report) == EXPECTED
    assert report["summary"]["regions"] > 10


def test_config_exemption_by_arn_and_tag_exemptions_turned_off(
    fleet: AwsEnv, tmp_path: Path
) -> None:
    arn = "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/half"
    config = tmp_path / "guardrails.yaml"
    config.write_text(
        "tag_exemptions: false\n"
        f"exemptions:\n  - {{rule: SMG-1, resource: '{arn}', reason: 'ticket NET-2'}}\n"
    )
    result = _audit(fleet, *_regions("eu-west-1"), "--config", str(config), "--format", "json")
    report = json.loads(result.stdout)
    assert _blocking(report) == {
        ("eu-west-1", "exposed", "SMG-1"),
        ("eu-west-1", "exposed", "SMG-2"),
        ("eu-west-1", "exempted", "SMG-1"),
        ("eu-west-1", "exempted", "SMG-2"),
    }
    skipped = [note["message"] for note in report["skipped"]]
    assert len(skipped) == 2
    assert all("not honoured: tag_exemptions is false" in message for message in skipped)


def test_throttling_slows_the_audit_down_without_failing_it(fleet: AwsEnv) -> None:
    throttled: list[Call] = []

    def throttle_first_calls(call: Call) -> Answer | None:
        if call.service == "sagemaker" and len(throttled) < 4:
            throttled.append(call)
            return Answer(400, "ThrottlingException", "Rate exceeded")
        return None

    with fault_proxy(fleet.endpoint, throttle_first_calls) as proxy:
        for mode in ("standard", "adaptive"):
            throttled.clear()
            result = _audit(
                fleet,
                *_regions(*REGIONS),
                "--format",
                "json",
                "--retry-mode",
                mode,
                endpoint=proxy,
            )
            assert result.returncode == 1, result.stderr
            assert _blocking(json.loads(result.stdout)) == EXPECTED
            assert len(throttled) == 4


def _one_region_fails(code: str, region: str = "eu-west-1") -> Any:
    def decide(call: Call) -> Answer | None:
        if call.region == region:
            return Answer(400, code, "no")
        return None

    return decide


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("AccessDeniedException", "access denied to sagemaker:List"),
        ("ExpiredTokenException", "the credentials have expired"),
        ("UnrecognizedClientException", "opt-in region, it is probably not enabled"),
    ],
)
def test_a_region_that_cannot_be_read_is_one_line_and_the_others_are_audited(
    fleet: AwsEnv, code: str, words: str
) -> None:
    with fault_proxy(fleet.endpoint, _one_region_fails(code)) as proxy:
        result = _audit(fleet, *_regions(*REGIONS), "--format", "json", endpoint=proxy)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert _blocking(report) == {item for item in EXPECTED if item[0] == "us-east-2"}
    # every kind's listing failed there: one note each, located at the region
    assert [error["location"] for error in report["errors"]] == [REGION_ONLY] * len(KINDS)
    assert all(words in error["message"] for error in report["errors"])
    lines = result.stderr.splitlines()
    assert len(lines) == len(KINDS) and words in lines[0]
    assert all(line.startswith("sm-guardrails: error: eu-west-1: eu-west-1: ") for line in lines)
    assert report["summary"]["regions"] == 1


def test_no_credentials_is_one_line(fleet: AwsEnv) -> None:
    env = {k: v for k, v in fleet.environ.items() if not k.startswith("AWS_ACCESS_KEY")}
    env.pop("AWS_SECRET_ACCESS_KEY")
    result = _audit(AwsEnv(env, fleet.endpoint), *_regions("eu-west-1"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "sm-guardrails: error: no AWS credentials found: set AWS_PROFILE (or pass --profile), "
        "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    ]


def test_an_unknown_profile_is_one_line(fleet: AwsEnv) -> None:
    result = _audit(fleet, *_regions("eu-west-1"), "--profile", "nope")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "nope" in line and "--profile" in line


def test_a_notebook_deleted_between_list_and_describe_is_reported(fleet: AwsEnv) -> None:
    client = fleet.client("sagemaker", "eu-west-1")

    def delete_before_describe(call: Call) -> Answer | None:
        describes = call.operation == "DescribeNotebookInstance" and call.region == "eu-west-1"
        if describes and b'"exposed"' in call.body:
            client.stop_notebook_instance(NotebookInstanceName="exposed")
            client.delete_notebook_instance(NotebookInstanceName="exposed")
        return None

    with fault_proxy(fleet.endpoint, delete_before_describe) as proxy:
        result = _audit(fleet, *_regions("eu-west-1"), "--format", "json", endpoint=proxy)
    report = json.loads(result.stdout)
    assert result.returncode == 1  # 'half' still fails; the deleted one is no error
    assert _blocking(report) == {("eu-west-1", "half", "SMG-1")}
    assert report["skipped"] == [
        {
            "location": {**REGION_ONLY, "name": "exposed"},
            "message": "deleted after it was listed, so it was not audited",
        }
    ]


def _policy_actions(policy: dict[str, Any]) -> set[str]:
    statements: Sequence[dict[str, Any]] = policy["Statement"]
    return {action for statement in statements for action in statement["Action"]}


def test_the_audit_policy_holds_exactly_the_actions_an_audit_calls(fleet: AwsEnv) -> None:
    from tests.aws.test_audit_domains import make_domain

    make_domain(fleet.client("sagemaker", REGIONS[0]), "studio")
    called: set[str] = set()

    def record(call: Call) -> None:
        called.add(call.action)

    with fault_proxy(fleet.endpoint, record) as proxy:
        result = _audit(fleet, "--all-regions", "--format", "json", endpoint=proxy)
    assert result.returncode == 1
    assert called == _policy_actions(audit_policy())


def test_a_terminal_gets_a_progress_bar_on_stderr(fleet: AwsEnv) -> None:
    import os
    import pty

    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "sm_guardrails", "audit", "--endpoint-url", fleet.endpoint]
    done = subprocess.run(
        [*command, *_regions(*REGIONS), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=fleet.environ,
        timeout=300,
        check=False,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["notebooks"] == 8
    assert b"8/8 resources, 2/2 regions listed" in shown


def _single_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    (line,) = stderr.splitlines()
    assert line.startswith("sm-guardrails: error: "), line
    return line


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_bad_region_is_one_line_and_the_good_regions_are_still_audited(
    fleet: AwsEnv, output_format: str
) -> None:
    result = _audit(fleet, *_regions("us-east-2", "eu_west_1"), "--format", output_format)
    assert result.returncode == 2
    line = _single_error_line(result.stderr)
    assert "eu_west_1" in line and "not a region name" in line and "--region" in line
    if output_format == "json":
        report = json.loads(result.stdout)
        assert _blocking(report) == {item for item in EXPECTED if item[0] == "us-east-2"}
        (error,) = report["errors"]
        assert error["location"] == {**REGION_ONLY, "region": "eu_west_1"} and "file" not in error
        assert report["summary"]["regions"] == 1
    else:
        assert f"\nus-east-2 {ACCOUNT_ID} exposed arn:" in "\n" + result.stdout


@pytest.mark.parametrize(
    "endpoint",
    ["not a url", "127.0.0.1:5000", "http://127.0.0.1:notaport", "ftp://x", "http://[::1"],
)
@pytest.mark.parametrize("where", [("--region", "eu-west-1"), ("--all-regions",)])
def test_a_bad_endpoint_url_is_one_line(
    fleet: AwsEnv, endpoint: str, where: tuple[str, ...]
) -> None:
    result = _audit(fleet, *where, endpoint=endpoint)
    assert result.returncode == 2
    line = _single_error_line(result.stderr)
    assert f"--endpoint-url {endpoint!r}" in line
    assert result.stdout == ""


def _unreadable(call: Call) -> Answer | None:
    """No ListNotebookInstances in eu-west-1; us-east-2's 'half' throttled on every attempt."""
    if call.region == "eu-west-1" and call.operation == "ListNotebookInstances":
        return Answer(400, "AccessDeniedException", "not allowed")
    if call.operation == "DescribeNotebookInstance" and b'"half"' in call.body:
        return Answer(400, "ThrottlingException", "Rate exceeded")
    return None


@pytest.mark.parametrize("destination", ["stdout", "file"])
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_every_read_error_reaches_the_user_in_every_format_and_destination(
    fleet: AwsEnv, tmp_path: Path, output_format: str, destination: str
) -> None:
    report_file = tmp_path / "report"
    to_file = ["--output", str(report_file)] if destination == "file" else []
    with fault_proxy(fleet.endpoint, _unreadable) as proxy:
        result = _audit(
            fleet, *_regions(*REGIONS), "--format", output_format, "--max-attempts", "2",
            "--retry-mode", "standard", *to_file, endpoint=proxy,
        )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "sm-guardrails: error: eu-west-1: eu-west-1: access denied to "
        "sagemaker:ListNotebookInstances (AccessDeniedException); attach the policy "
        "`sm-guardrails iam-policy audit` prints",
        "sm-guardrails: error: us-east-2 half: us-east-2: sagemaker:DescribeNotebookInstance "
        "was still throttled (ThrottlingException) after 2 attempt(s); run again later, "
        "or (audit) with fewer --workers or more --max-attempts",
    ]
    document = report_file.read_text() if destination == "file" else result.stdout
    if output_format == "json":
        errors = json.loads(document)["errors"]
        assert [error["location"] for error in errors] == [
            REGION_ONLY,
            {**REGION_ONLY, "region": "us-east-2", "name": "half"},
        ]
        shown = [error["message"] for error in errors]
    elif output_format == "sarif":
        notes = json.loads(document)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        shown = [note["message"]["text"] for note in notes]
        assert not [note for note in notes if "locations" in note]  # a region is no file
    else:
        shown = [line for line in document.splitlines() if ": error: " in line]
        assert document.splitlines()[-1].endswith("2 input error(s)")
    assert len(shown) == (2 if output_format != "text" or destination == "file" else 0)
    assert all("access denied" in s or "throttled" in s for s in shown), shown


def test_the_throttling_codes_are_botocores() -> None:
    """The codes named 'throttled' in messages are those botocore's retries back off on."""
    from botocore.retries.standard import ThrottledRetryableChecker

    from sm_guardrails.aws.errors import THROTTLED

    assert set(ThrottledRetryableChecker._THROTTLED_ERROR_CODES) == THROTTLED
