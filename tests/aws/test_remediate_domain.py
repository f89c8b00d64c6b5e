"""``sm-guardrails remediate --domain`` as a subprocess against moto's server.

moto 5.2.5 implements CreateDomain, DescribeDomain, ListDomains and DeleteDomain but
not UpdateDomain, ListApps or DeleteApp: it answers them with HTTP 500. So the plan is
made from a real DescribeDomain, refusals and the journal are real, and the calls moto
lacks are sent to it anyway: the tests hold the one-line error and the resumable journal
the run leaves. The proxy plays an empty ListApps (botocore's shape) where a test needs
the run to reach UpdateDomain. Never exercised here, for that reason: a successful
UpdateDomain, DeleteApp, and apps seen running.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sm_guardrails.aws.domain_plan import DOMAIN_RULES
from tests.aws.conftest import AwsEnv
from tests.aws.fault_proxy import Answer, Call, fault_proxy
from tests.aws.test_audit_domains import GROUPS, REGION, VPC, make_domain

NETWORK_RULE, VPC_RULE = DOMAIN_RULES
NEW_GROUP = "sg-0fedcba9876543210"


def _remediate(
    env: AwsEnv, *args: str, endpoint: str | None = None, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sm_guardrails", "remediate", "--region", REGION]
    command += ["--endpoint-url", endpoint or env.endpoint, "--poll-interval", "0", *args]
    environ = {**env.environ, **({"HOME": str(home), "XDG_STATE_HOME": ""} if home else {})}
    return subprocess.run(
        command, capture_output=True, text=True, env=environ, timeout=300, check=False
    )


def _one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "error:" in line]
    return line


@pytest.fixture
def public(moto_state: AwsEnv) -> tuple[AwsEnv, str]:
    """A domain in a VPC with groups, left at AWS's default PublicInternetOnly; its id."""
    client = moto_state.client("sagemaker", REGION)
    return moto_state, make_domain(client, "public", GROUPS)


def _network(env: AwsEnv, domain_id: str) -> tuple[Any, ...]:
    domain = env.client("sagemaker", REGION).describe_domain(DomainId=domain_id)
    return domain["AppNetworkAccessType"], domain["SubnetIds"], domain["DefaultUserSettings"]


def test_the_plan_is_made_from_describe_domain_and_changes_nothing(
    public: tuple[AwsEnv, str],
) -> None:
    env, domain_id = public
    before = _network(env, domain_id)
    result = _remediate(env, "--domain", domain_id, "--security-group-id", NEW_GROUP)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"[{NETWORK_RULE}]" in out and "PublicInternetOnly" in out
    assert "AppNetworkAccessType: PublicInternetOnly -> VpcOnly" in out
    assert f"DefaultUserSettings.SecurityGroups: [{GROUPS[0]}] -> [{NEW_GROUP}]" in out
    assert f"SubnetIds: [{VPC['SubnetIds'][0]}] (kept)" in out
    # moto has no ListApps: the plan says it could not list them, and why
    assert "Running apps: could not be listed" in out and "sagemaker:ListApps" in out
    assert "HTTP 500" in out
    request = json.loads(out.split("--cli-input-json ", 1)[1].split("\n", 1)[0].strip("'"))
    assert request == {
        "AppNetworkAccessType": "VpcOnly",
        "DefaultUserSettings": {"SecurityGroups": [NEW_GROUP]},
        "DomainId": domain_id,
        "SubnetIds": VPC["SubnetIds"],
    }
    assert "Nothing was changed: this was a plan." in out
    assert _network(env, domain_id) == before


@pytest.mark.parametrize(
    ("settings", "args", "words"),
    [
        ({"AppNetworkAccessType": "VpcOnly", "groups": GROUPS}, [], "there is nothing to fix"),
        ({}, [], "no default security groups for its apps: pass --security-group-id"),
        ({"groups": GROUPS}, ["--vpc-id", "vpc-0aaaaaaaaaaaaaaaa"], "leave out --vpc-id"),
    ],
    ids=["passes", "no-groups", "other-vpc"],
)
def test_what_cannot_be_fixed_is_refused_in_one_line(
    moto_state: AwsEnv, settings: dict[str, Any], args: list[str], words: str
) -> None:
    client = moto_state.client("sagemaker", REGION)
    domain_id = make_domain(client, "target", settings.pop("groups", None), **settings)
    result = _remediate(moto_state, "--domain", domain_id, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    line = _one_error(result)
    assert line.startswith(f"sm-guardrails: error: {domain_id} ({REGION}) ") and words in line


def test_apply_without_a_running_apps_list_stops_resumable_and_sends_no_update(
    public: tuple[AwsEnv, str], tmp_path: Path
) -> None:
    """The journal goes to the user's state folder by default, outside any checkout."""
    env, domain_id = public
    calls: list[str] = []

    def record(call: Call) -> None:
        calls.append(call.operation)

    with fault_proxy(env.endpoint, record) as proxy:
        result = _remediate(env, "--domain", domain_id, "--apply", endpoint=proxy, home=tmp_path)
        assert result.returncode == 1, result.stderr
        line = _one_error(result)
        assert "cannot tell which apps run, so the update was not sent" in line
        assert "sagemaker:ListApps failed: the endpoint answered HTTP 500" in line
        (journal,) = (tmp_path / ".local" / "state" / "sm-guardrails" / "remediation").glob(
            "sm-guardrails-remediate-*.json"
        )
        assert f"(journal: {journal})" in line
        written = json.loads(journal.read_text())
        assert written["status"] == "interrupted" and written["events"] == []
        assert written["plan"]["kind"] == "studio-domain-update"
        assert "UpdateDomain" not in calls
        resumed = _remediate(env, "--resume", str(journal), "--apply", endpoint=proxy)
    assert resumed.returncode == 1
    assert "cannot tell which apps run" in _one_error(resumed)
    assert "UpdateDomain" not in calls
    assert _network(env, domain_id)[0] == "PublicInternetOnly"


def _no_apps(call: Call) -> Answer | None:
    """ListApps as AWS answers it for a domain without apps (moto has no ListApps)."""
    if call.operation == "ListApps":
        return Answer(200, "", "", body={"Apps": []})
    return None


def test_an_update_the_endpoint_does_not_answer_is_journaled_and_resumable(
    public: tuple[AwsEnv, str], tmp_path: Path
) -> None:
    env, domain_id = public
    with fault_proxy(env.endpoint, _no_apps) as proxy:
        plan = _remediate(env, "--domain", domain_id, endpoint=proxy)
        assert "Running apps: none" in plan.stdout
        folder = ["--journal-dir", str(tmp_path)]
        result = _remediate(env, "--domain", domain_id, "--apply", *folder, endpoint=proxy)
        assert result.returncode == 1
        line = _one_error(result)
        assert f"update of {domain_id} (public, {REGION})" in line
        assert "sagemaker:UpdateDomain failed: the endpoint answered HTTP 500" in line
        (journal,) = tmp_path.glob("sm-guardrails-remediate-*.json")
        written = json.loads(journal.read_text())
        assert [(e["step"], e["phase"]) for e in written["events"]] == [("update", "requested")]
        assert written["status"] == "interrupted"
        # the runner trusts what it sees, not the journal: not updated, so it sends it again
        shown = _remediate(env, "--resume", str(journal), endpoint=proxy)
        assert shown.returncode == 0 and "steps so far: update requested" in shown.stdout
        resumed = _remediate(env, "--resume", str(journal), "--apply", endpoint=proxy)
    assert resumed.returncode == 1
    assert "sagemaker:UpdateDomain failed" in _one_error(resumed)
    events = json.loads(journal.read_text())["events"]
    assert [(e["step"], e["phase"]) for e in events] == [("update", "requested")] * 2


def test_a_journal_edited_to_keep_the_domain_public_is_refused(
    public: tuple[AwsEnv, str], tmp_path: Path
) -> None:
    from sm_guardrails.aws.journal import checksum

    env, domain_id = public
    with fault_proxy(env.endpoint, _no_apps) as proxy:
        args = ["--domain", domain_id, "--apply", "--journal-dir", str(tmp_path)]
        _remediate(env, *args, endpoint=proxy)
    (journal,) = tmp_path.glob("sm-guardrails-remediate-*.json")
    content = json.loads(journal.read_text())
    content["plan"]["update_request"]["AppNetworkAccessType"] = "PublicInternetOnly"
    del content["checksum"]
    content["checksum"] = checksum(content)  # someone who means it computes it again
    journal.write_text(json.dumps(content))
    for extra in ([], ["--apply"]):
        result = _remediate(env, "--resume", str(journal), *extra)
        assert result.returncode == 2
        line = _one_error(result)
        assert f"[{NETWORK_RULE}]" in line and "the journal was edited" in line
    assert _network(env, domain_id)[0] == "PublicInternetOnly"


def test_a_damaged_domain_journal_is_one_line(public: tuple[AwsEnv, str], tmp_path: Path) -> None:
    from sm_guardrails.aws.journal import checksum

    env, domain_id = public
    with fault_proxy(env.endpoint, _no_apps) as proxy:
        _remediate(
            env, "--domain", domain_id, "--apply", "--journal-dir", str(tmp_path), endpoint=proxy
        )
    (journal,) = tmp_path.glob("sm-guardrails-remediate-*.json")
    content = json.loads(journal.read_text())
    content["plan"]["update_request"]["Bogus"] = 1
    del content["checksum"]
    content["checksum"] = checksum(content)
    journal.write_text(json.dumps(content))
    result = _remediate(env, "--resume", str(journal), "--apply")
    assert result.returncode == 2
    line = _one_error(result)
    assert "the journal is damaged (plan.update_request:" in line and "Bogus" in line


def test_the_remediate_policy_allows_every_call_a_domain_update_makes(
    public: tuple[AwsEnv, str], tmp_path: Path
) -> None:
    from sm_guardrails.cli.iam_policy import remediate_policy

    env, domain_id = public
    called: set[str] = set()

    def record(call: Call) -> Answer | None:
        called.add(call.action)
        return _no_apps(call)

    with fault_proxy(env.endpoint, record) as proxy:
        args = ["--domain", domain_id, "--apply", "--journal-dir", str(tmp_path)]
        _remediate(env, *args, endpoint=proxy)
    allowed = {action for s in remediate_policy()["Statement"] for action in s["Action"]}
    assert {"sagemaker:ListApps", "sagemaker:UpdateDomain"} <= called <= allowed
