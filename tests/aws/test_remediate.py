"""``sm-guardrails remediate`` against moto's server: plan, apply, crash and resume, faults.

What moto's SageMaker backend does, checked here and relied on: CreateNotebookInstance
leaves the notebook InService at once, StopNotebookInstance makes it Stopped at once (no
Stopping), DeleteNotebookInstance removes it at once (no Deleting; only from Stopped or
Failed), and a missing notebook is ``ValidationException: RecordNotFound``. It keeps
InstanceType, RoleArn, SubnetId, SecurityGroups, KmsKeyId, lifecycle config name,
DirectInternetAccess, VolumeSizeInGB, AcceleratorTypes, both code repository settings,
RootAccess and tags; it drops PlatformIdentifier, IpAddressType and
InstanceMetadataServiceConfiguration (accepted, never shown).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from sm_guardrails.aws import AwsSettings, make_session, sagemaker_client
from sm_guardrails.aws.journal import FORMAT as JOURNAL_FORMAT
from sm_guardrails.aws.journal import Journal, checksum, notebook_lock
from sm_guardrails.aws.remediate_options import RemediateOptions
from sm_guardrails.aws.remediation_plan import (
    CARRIED_OVER,
    SET_BY_PLAN,
    PlanRefused,
    plan_remediation,
)
from sm_guardrails.aws.remediation_runner import (
    RemediationInterrupted,
    RemediationRunner,
    notebook_tags,
)
from sm_guardrails.cli.remediation_run import run_remediate
from sm_guardrails.config import GuardrailConfig
from tests.aws.conftest import AwsEnv, make_notebook
from tests.support import ROOT

REGIONS = ("eu-west-1", "ap-southeast-2")
KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXPOSED: dict[str, Any] = {
    "SubnetId": "subnet-0aaa",
    "SecurityGroupIds": ["sg-0aaa", "sg-0bbb"],
    "DirectInternetAccess": "Enabled",
    "KmsKeyId": KMS_KEY,
    "LifecycleConfigName": "install-tools",
    "VolumeSizeInGB": 50,
    "AcceleratorTypes": ["ml.eia2.medium"],
    "DefaultCodeRepository": "https://github.com/example/notebooks.git",
    "AdditionalCodeRepositories": ["https://github.com/example/extra.git"],
    "Tags": [{"Key": "team", "Value": "ml"}, {"Key": "cost-center", "Value": "42"}],
}
"""An internet-exposed notebook in a VPC, with every setting moto keeps."""
KEPT_BY_MOTO = (
    "InstanceType",
    "RoleArn",
    "SubnetId",
    "SecurityGroups",
    "KmsKeyId",
    "NotebookInstanceLifecycleConfigName",
    "VolumeSizeInGB",
    "AcceleratorTypes",
    "DefaultCodeRepository",
    "AdditionalCodeRepositories",
)


def _cli(env: AwsEnv, *args: str, crash_at: str = "") -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, or (``crash_at``) one that crashes at that point."""
    entry = ["tests.aws.crashing_cli", crash_at] if crash_at else ["sm_guardrails"]
    return subprocess.run(
        [sys.executable, "-m", *entry, *args],
        env=env.environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _remediate(env: AwsEnv, name: str, region: str, *args: str, crash_at: str = "") -> Any:
    return _cli(
        env, "remediate", name, "--region", region, "--endpoint-url", env.endpoint,
        "--poll-interval", "0.01", "--timeout", "5", *args, crash_at=crash_at,
    )  # fmt: skip


def _describe(client: Any, name: str) -> dict[str, Any]:
    response = dict(client.describe_notebook_instance(NotebookInstanceName=name))
    response.pop("ResponseMetadata")
    return response


def _journal(folder: Path) -> Path:
    (path,) = folder.glob("sm-guardrails-remediate-*.json")
    return path


def test_the_plan_covers_every_create_parameter_of_the_api() -> None:
    """A new CreateNotebookInstance parameter must be carried over or decided, never dropped."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    parameters = set(model.operation_model("CreateNotebookInstance").input_shape.members)
    assert parameters == {p for _, p in CARRIED_OVER} | set(SET_BY_PLAN)
    described = set(model.operation_model("DescribeNotebookInstance").output_shape.members)
    assert {field for field, _ in CARRIED_OVER} <= described


@pytest.mark.parametrize("region", REGIONS)
def test_plan_changes_nothing_then_apply_replaces_and_a_second_audit_is_clean(
    moto_state: AwsEnv, tmp_path: Path, region: str
) -> None:
    client = moto_state.client("sagemaker", region)
    make_notebook(client, "exposed", **EXPOSED)
    before = _describe(client, "exposed")

    plan = _remediate(moto_state, "exposed", region)
    assert plan.returncode == 0, plan.stderr
    assert "DATA LOSS" in plan.stdout and "/home/ec2-user/SageMaker" in plan.stdout
    assert "DirectInternetAccess: Enabled -> Disabled (SMG-1)" in plan.stdout
    assert "aws sagemaker delete-notebook-instance --notebook-instance-name exposed" in (
        plan.stdout
    )
    assert "Nothing was changed" in plan.stdout
    assert _describe(client, "exposed") == before
    assert not list(tmp_path.iterdir())

    applied = _remediate(
        moto_state, "exposed", region, "--apply", "--confirm-data-loss",
        "--journal-dir", str(tmp_path),
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    after = _describe(client, "exposed")
    assert after["DirectInternetAccess"] == "Disabled"
    assert after["RootAccess"] == "Disabled"
    assert after["CreationTime"] != before["CreationTime"]
    for field in KEPT_BY_MOTO:
        assert after.get(field) == before.get(field), field
    assert notebook_tags(client, after["NotebookInstanceArn"]) == EXPOSED["Tags"]
    journal = json.loads(_journal(tmp_path).read_text())
    assert journal["status"] == "done"
    assert [(e["step"], e["phase"]) for e in journal["events"]] == [
        ("stop", "requested"), ("stop", "done"), ("delete", "requested"), ("delete", "done"),
        ("create", "requested"), ("create", "done"), ("verify", "done"),
    ]  # fmt: skip

    again = _remediate(moto_state, "exposed", region)
    assert again.returncode == 2
    assert "passes SMG-1 and SMG-2" in again.stderr


def test_a_stopped_notebook_is_stopped_again_after_the_replacement(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "idle", **EXPOSED)
    client.stop_notebook_instance(NotebookInstanceName="idle")
    result = _remediate(
        moto_state, "idle", REGIONS[0], "--apply", "--confirm-data-loss", "--keep-root-access",
        "--journal-dir", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    after = _describe(client, "idle")
    assert after["NotebookInstanceStatus"] == "Stopped"
    assert "RootAccess" not in after  # kept as it was: not set (Enabled)


def test_apply_without_confirming_the_data_loss_changes_nothing(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "exposed", **EXPOSED)
    before = _describe(client, "exposed")
    result = _remediate(
        moto_state, "exposed", REGIONS[0], "--apply", "--journal-dir", str(tmp_path)
    )
    assert result.returncode == 2
    assert "--confirm-data-loss" in result.stderr
    assert _describe(client, "exposed") == before
    assert not list(tmp_path.iterdir())


def test_a_notebook_outside_a_vpc_needs_a_subnet_and_groups(moto_state: AwsEnv) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "public")
    refused = _remediate(moto_state, "public", REGIONS[0])
    assert refused.returncode == 2
    assert "not in a VPC subnet" in refused.stderr and "--subnet-id" in refused.stderr
    subnet_only = _remediate(moto_state, "public", REGIONS[0], "--subnet-id", "subnet-0new")
    assert subnet_only.returncode == 2
    assert "--security-group-id" in subnet_only.stderr
    planned = _remediate(
        moto_state, "public", REGIONS[0], "--subnet-id", "subnet-0new",
        "--security-group-id", "sg-0new",
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    assert "SubnetId: not set -> subnet-0new (SMG-2)" in planned.stdout


def test_moving_to_another_subnet_does_not_reuse_groups_of_the_old_vpc(moto_state: AwsEnv) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "exposed", **EXPOSED)
    description = _describe(client, "exposed")
    with pytest.raises(PlanRefused, match="--security-group-id for subnet-0other"):
        plan_remediation(description, [], REGIONS[0], subnet_id="subnet-0other")


@pytest.mark.parametrize("status", ["Pending", "Updating", "Deleting"])
def test_a_notebook_in_a_state_where_no_step_is_allowed_is_refused(
    moto_state: AwsEnv, status: str
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "busy", **EXPOSED)
    description = _describe(client, "busy") | {"NotebookInstanceStatus": status}
    with pytest.raises(PlanRefused, match=f"busy \\({REGIONS[0]}\\) is {status}"):
        plan_remediation(description, [], REGIONS[0])


@pytest.mark.parametrize("crash_at", ["delete:called", "delete:done", "create:requested"])
def test_a_crash_between_delete_and_create_is_resumed_with_nothing_lost(
    moto_state: AwsEnv, tmp_path: Path, crash_at: str
) -> None:
    region = REGIONS[1]
    client = moto_state.client("sagemaker", region)
    make_notebook(client, "exposed", **EXPOSED)
    before = _describe(client, "exposed")
    crashed = _remediate(
        moto_state, "exposed", region, "--apply", "--confirm-data-loss",
        "--journal-dir", str(tmp_path), crash_at=crash_at,
    )  # fmt: skip
    assert crashed.returncode == -9  # killed, as a crash would be
    assert client.list_notebook_instances()["NotebookInstances"] == []  # the worst case
    journal = _journal(tmp_path)
    assert json.loads(journal.read_text())["status"] == "in-progress"

    shown = _cli(moto_state, "remediate", "--resume", str(journal))
    assert shown.returncode == 0, shown.stderr
    assert "Nothing was changed" in shown.stdout
    assert client.list_notebook_instances()["NotebookInstances"] == []

    resumed = _cli(moto_state, "remediate", "--resume", str(journal), "--apply")
    assert resumed.returncode == 0, resumed.stderr
    after = _describe(client, "exposed")
    assert after["DirectInternetAccess"] == "Disabled"
    for field in KEPT_BY_MOTO:
        assert after.get(field) == before.get(field), field
    assert notebook_tags(client, after["NotebookInstanceArn"]) == EXPOSED["Tags"]
    done = _cli(moto_state, "remediate", "--resume", str(journal), "--apply")
    assert done.returncode == 0 and "already done" in done.stdout


def _runner(env: AwsEnv, region: str, name: str, folder: Path) -> RemediationRunner:
    settings = AwsSettings(endpoint_url=env.endpoint)
    client = sagemaker_client(make_session(settings), region, settings)
    description = client.describe_notebook_instance(NotebookInstanceName=name)
    tags = notebook_tags(client, description["NotebookInstanceArn"])
    plan = plan_remediation(description, tags, region, endpoint_url=env.endpoint)  # type: ignore[arg-type]
    journal = Journal.start(folder / "journal.json", plan)
    return RemediationRunner(client, journal, poll_interval=0.0, timeout=0.05)


def test_a_notebook_deleted_by_someone_else_mid_run_stops_with_a_resumable_journal(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    region = REGIONS[0]
    other = moto_state.client("sagemaker", region)
    make_notebook(other, "exposed", **EXPOSED)
    runner = _runner(moto_state, region, "exposed", tmp_path)

    def someone_else_deletes(**_: Any) -> None:
        other.delete_notebook_instance(NotebookInstanceName="exposed")

    runner.client.meta.events.register(
        "after-call.sagemaker.StopNotebookInstance", someone_else_deletes
    )
    with pytest.raises(RemediationInterrupted, match="deleted by someone else before this run"):
        runner.run()
    journal = json.loads((tmp_path / "journal.json").read_text())
    assert journal["status"] == "interrupted"
    assert other.list_notebook_instances()["NotebookInstances"] == []

    resumed = _cli(moto_state, "remediate", "--resume", str(tmp_path / "journal.json"), "--apply")
    assert resumed.returncode == 0, resumed.stderr
    assert _describe(other, "exposed")["DirectInternetAccess"] == "Disabled"


def test_a_notebook_changed_or_restarted_by_someone_else_is_not_overwritten(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    region = REGIONS[0]
    other = moto_state.client("sagemaker", region)
    make_notebook(other, "exposed", **EXPOSED)
    runner = _runner(moto_state, region, "exposed", tmp_path)

    def someone_else_recreates(**_: Any) -> None:
        other.delete_notebook_instance(NotebookInstanceName="exposed")
        make_notebook(other, "exposed")

    runner.client.meta.events.register(
        "after-call.sagemaker.StopNotebookInstance", someone_else_recreates
    )
    with pytest.raises(RemediationInterrupted, match="a different notebook named exposed"):
        runner.run()
    assert _describe(other, "exposed")["DirectInternetAccess"] == "Enabled"  # left alone


def test_a_state_that_lasts_too_long_stops_the_run_with_a_clear_message(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    region = REGIONS[0]
    make_notebook(moto_state.client("sagemaker", region), "stuck", **EXPOSED)
    runner = _runner(moto_state, region, "stuck", tmp_path)

    def still_stopping(parsed: dict[str, Any], **_: Any) -> None:
        parsed["NotebookInstanceStatus"] = "Stopping"  # a stop that never ends

    runner.client.meta.events.register(
        "after-call.sagemaker.DescribeNotebookInstance", still_stopping
    )
    with pytest.raises(RemediationInterrupted, match=r"still Stopping after 0\.05 s"):
        runner.run()
    assert json.loads((tmp_path / "journal.json").read_text())["status"] == "interrupted"


def _signed(content: dict[str, Any]) -> str:
    """``content`` as a journal file with its checksum (the content may still be no journal)."""
    return json.dumps({**content, "checksum": checksum(content)})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON at line 1"),
        ('{"format": "something else"}', "not an sm-guardrails remediation journal"),
        (
            '{"format": "sm-guardrails/remediation-journal", "version": 1, "events": []}',
            "journal version 1; this sm-guardrails reads version 2",
        ),
        (
            '{"format": "sm-guardrails/remediation-journal", "version": 2, "events": []}',
            "the journal does not match its checksum (it has none)",
        ),
        (_signed({"format": JOURNAL_FORMAT, "version": 2}), "the journal is damaged (missing"),
    ],
)
def test_a_bad_journal_is_a_one_line_error_and_changes_nothing(
    moto_state: AwsEnv, tmp_path: Path, content: str, message: str
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "exposed", **EXPOSED)
    before = _describe(client, "exposed")
    journal = tmp_path / "journal.json"
    journal.write_text(content)
    result = _cli(moto_state, "remediate", "--resume", str(journal), "--apply")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _describe(client, "exposed") == before


def test_all_failing_replaces_what_audit_fails_and_summarises_the_rest(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    in_place = {**EXPOSED, "DirectInternetAccess": "Disabled", "RootAccess": "Enabled"}
    exempt = [{"Key": "sm-guardrails:exempt:SMG-1", "Value": "SEC-7: public demo"}]
    for region in REGIONS:
        client = moto_state.client("sagemaker", region)
        make_notebook(client, "exposed", **EXPOSED)
        make_notebook(client, "root-only", **in_place)
        make_notebook(client, "exempted", **{**EXPOSED, "Tags": exempt})
    make_notebook(moto_state.client("sagemaker", REGIONS[0]), "public")
    regions = [word for region in REGIONS for word in ("--region", region)]
    common = ["remediate", "--all-failing", *regions, "--endpoint-url", moto_state.endpoint]

    planned = _cli(moto_state, *common)
    assert planned.returncode == 2  # public cannot be planned without --subnet-id
    assert planned.stdout.count("Plan: replace notebook instance exposed") == 2
    assert "public (eu-west-1): not planned: public is not in a VPC subnet" in planned.stdout
    assert "root-only (eu-west-1): fails only SMG-3/SMG-5, not replaced" in planned.stdout
    assert "replace notebook instance exempted" not in planned.stdout  # exempted from SMG-1

    applied = _cli(
        moto_state, *common, "--apply", "--confirm-data-loss", "--journal-dir", str(tmp_path),
        "--poll-interval", "0",
    )  # fmt: skip
    assert applied.returncode == 2, applied.stderr
    assert len(list(tmp_path.glob("*.json"))) == 2
    assert "exposed (ap-southeast-2): replaced" in applied.stdout
    audit = _cli(
        moto_state,
        "audit",
        *regions,
        "--endpoint-url",
        moto_state.endpoint,
        "--level",
        "SMG-3=off",
        "--level",
        "SMG-4=off",
        "--level",
        "SMG-5=off",
    )
    failing = {line.split()[2] for line in audit.stdout.splitlines() if "error [SMG-" in line}
    assert failing == {"public"}, audit.stdout


def test_settings_moto_does_not_keep_are_carried_in_the_create_request(
    moto_state: AwsEnv,
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "exposed", **EXPOSED)
    description = _describe(client, "exposed") | {
        "PlatformIdentifier": "notebook-al2-v3",
        "IpAddressType": "dualstack",
        "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "1"},
        "RootAccess": "Enabled",
    }
    plan = plan_remediation(description, EXPOSED["Tags"], REGIONS[0], keep_root_access=True)
    request = plan.create_request
    assert request["PlatformIdentifier"] == "notebook-al2-v3"
    assert request["IpAddressType"] == "dualstack"
    assert request["InstanceMetadataServiceConfiguration"] == {
        "MinimumInstanceMetadataServiceVersion": "2"
    }
    assert request["RootAccess"] == "Enabled"
    assert request["Tags"] == EXPOSED["Tags"]


def test_remediate_honours_the_audits_config_exemptions_and_tag_setting(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    exempt = [{"Key": "sm-guardrails:exempt:SMG-1", "Value": "SEC-7: public demo"}]
    make_notebook(client, "lab", **EXPOSED)
    make_notebook(client, "tagged", **{**EXPOSED, "Tags": exempt})
    config = tmp_path / "guardrails.yaml"
    config.write_text(
        "exemptions:\n  - {rule: SMG-1, resource: lab, reason: 'SEC-9: vendor demo until March'}\n"
    )
    refused = _remediate(moto_state, "lab", REGIONS[0], "--config", str(config))
    assert refused.returncode == 2
    assert "lab (eu-west-1) passes SMG-1 and SMG-2 (or is exempted)" in refused.stderr

    common = ["remediate", "--all-failing", "--region", REGIONS[0]]
    common += ["--endpoint-url", moto_state.endpoint, "--config", str(config)]
    planned = _cli(moto_state, *common)
    assert planned.returncode == 0, planned.stderr
    assert "replace notebook instance lab" not in planned.stdout  # the config exempts it
    assert "replace notebook instance tagged" not in planned.stdout  # its tag exempts it

    config.write_text(config.read_text() + "tag_exemptions: false\n")
    untagged = _cli(moto_state, *common)
    assert "Plan: replace notebook instance tagged" in untagged.stdout
    assert "replace notebook instance lab" not in untagged.stdout
    assert _describe(client, "lab")["DirectInternetAccess"] == "Enabled"  # a plan changes nothing


def test_a_second_run_on_the_same_notebook_is_refused_while_the_first_holds_it(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "exposed", **EXPOSED)
    before = _describe(client, "exposed")
    folder = ["--journal-dir", str(tmp_path)]
    apply = ["--apply", "--confirm-data-loss", *folder]
    with notebook_lock(tmp_path, REGIONS[0], "exposed"):  # as a first run holds it
        second = _remediate(moto_state, "exposed", REGIONS[0], *apply)
    assert second.returncode == 2
    assert "another sm-guardrails remediate is replacing it now" in second.stderr
    assert _describe(client, "exposed") == before and not list(tmp_path.glob("*.json"))

    crashed = _remediate(moto_state, "exposed", REGIONS[0], *apply, crash_at="delete:done")
    assert crashed.returncode == -9  # killed while it held the lock
    journal = _journal(tmp_path)
    with notebook_lock(tmp_path, REGIONS[0], "exposed"):
        resumed = _cli(moto_state, "remediate", "--resume", str(journal), "--apply")
    assert resumed.returncode == 2 and "another sm-guardrails remediate" in resumed.stderr
    finished = _cli(moto_state, "remediate", "--resume", str(journal), "--apply")
    assert finished.returncode == 0, finished.stderr  # the lock died with its holder
    assert _describe(client, "exposed")["DirectInternetAccess"] == "Disabled"


def _on_a_terminal(env: AwsEnv, args: list[str], answer: bytes) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin, stdout and stderr; answer its question."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sm_guardrails", *args],
        stdin=child, stdout=child, stderr=child, env=env.environ, close_fds=True,
    )  # fmt: skip
    os.close(child)
    seen = b""
    while b"[yes/no]" not in seen:
        chunk = os.read(main, 4096)
        assert chunk, seen.decode(errors="replace")
        seen += chunk
    os.write(main, answer)
    with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
        while chunk := os.read(main, 4096):
            seen += chunk
    os.close(main)
    return process.wait(timeout=120), seen.decode(errors="replace")


@pytest.mark.parametrize(
    ("answer", "replaced"), [(b"yes\n", True), (b"no\n", False), (b"\x04", False)]
)
def test_on_a_terminal_apply_asks_and_only_yes_goes_ahead(
    moto_state: AwsEnv, tmp_path: Path, answer: bytes, replaced: bool
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "exposed", **EXPOSED)
    args = ["remediate", "exposed", "--region", REGIONS[0], "--endpoint-url", moto_state.endpoint]
    args += ["--apply", "--journal-dir", str(tmp_path), "--poll-interval", "0"]
    code, output = _on_a_terminal(moto_state, args, answer)
    assert "Delete exposed with their ML storage volumes" in output
    assert "Traceback" not in output
    access = _describe(client, "exposed")["DirectInternetAccess"]
    assert (code, access) == ((0, "Disabled") if replaced else (2, "Enabled")), output


def _crash_then_edit(
    env: AwsEnv, folder: Path, crash_at: str, region: str = REGIONS[0]
) -> tuple[Any, dict[str, Any], Path]:
    """Crash a run at ``crash_at``; the client, the notebook as it was, and the journal."""
    client = env.client("sagemaker", region)
    make_notebook(client, "exposed", **EXPOSED)
    before = _describe(client, "exposed")
    crashed = _remediate(
        env, "exposed", region, "--apply", "--confirm-data-loss", "--journal-dir", str(folder),
        crash_at=crash_at,
    )  # fmt: skip
    assert crashed.returncode == -9
    return client, before, _journal(folder)


def _assert_refused_and_unchanged(
    env: AwsEnv, client: Any, journal: Path, crash_at: str, before: dict[str, Any]
) -> str:
    """Resume ``journal``: refused in one line, the notebook(s) and the journal unchanged."""
    written = journal.read_bytes()
    resumed = _cli(env, "remediate", "--resume", str(journal), "--apply")
    assert resumed.returncode == 2, resumed.stdout + resumed.stderr
    assert "Traceback" not in resumed.stderr
    (line,) = resumed.stderr.splitlines()
    assert "nothing was changed" in line.lower()
    assert journal.read_bytes() == written
    if crash_at.startswith("stop"):
        assert _describe(client, "exposed") == before
    else:
        assert client.list_notebook_instances()["NotebookInstances"] == []
    return line


@pytest.mark.parametrize("crash_at", ["stop:requested", "delete:done"])
def test_a_journal_edited_by_hand_does_not_match_its_checksum_and_is_refused(
    moto_state: AwsEnv, tmp_path: Path, crash_at: str
) -> None:
    client, before, journal = _crash_then_edit(moto_state, tmp_path, crash_at)
    raw = json.loads(journal.read_text())
    raw["plan"]["create_request"]["DirectInternetAccess"] = "Enabled"
    journal.write_text(json.dumps(raw, indent=2, sort_keys=True))
    line = _assert_refused_and_unchanged(moto_state, client, journal, crash_at, before)
    assert "does not match its checksum" in line


@pytest.mark.parametrize("crash_at", ["stop:requested", "delete:done"])
def test_a_journal_edited_with_its_checksum_recomputed_is_refused_by_the_rules(
    moto_state: AwsEnv, tmp_path: Path, crash_at: str
) -> None:
    """What a deliberate edit gets: the create request is judged again before anything."""
    client, before, journal_path = _crash_then_edit(moto_state, tmp_path, crash_at)
    journal = Journal.load(journal_path)
    request = {**journal.plan.create_request, "DirectInternetAccess": "Enabled"}
    journal.plan = dataclasses.replace(journal.plan, create_request=request)
    journal.write()  # a valid checksum over the edited content
    shown = _cli(moto_state, "remediate", "--resume", str(journal_path))
    assert shown.returncode == 2 and "refused before the create step" in shown.stderr
    line = _assert_refused_and_unchanged(moto_state, client, journal_path, crash_at, before)
    assert "refused before the create step" in line and "[SMG-1]" in line
    assert "plan.create_request.DirectInternetAccess is 'Enabled'" in line
    assert "the journal was edited" in line


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"VolumeSizeInGB": "50"}, "create_request: Invalid type for parameter VolumeSizeInGB"),
        ({"PublicIp": True}, 'plan.create_request: Unknown parameter in input: "PublicIp"'),
        ({"SecurityGroupIds": "sg-0aaa"}, "Invalid type for parameter SecurityGroupIds"),
    ],
)
def test_a_journal_whose_create_request_does_not_fit_the_api_is_refused(
    moto_state: AwsEnv, tmp_path: Path, change: dict[str, Any], words: str
) -> None:
    client, before, journal_path = _crash_then_edit(moto_state, tmp_path, "delete:done")
    journal = Journal.load(journal_path)
    request = {**journal.plan.create_request, **change}
    journal.plan = dataclasses.replace(journal.plan, create_request=request)
    journal.write()
    line = _assert_refused_and_unchanged(moto_state, client, journal_path, "delete:done", before)
    assert words in line


def test_a_crash_halfway_through_writing_the_journal_leaves_the_last_version_to_resume(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    client, before, journal = _crash_then_edit(moto_state, tmp_path, "create:requested:writing")
    assert list(tmp_path.glob(".*.tmp"))  # the half-written temporary file
    steps = [(e["step"], e["phase"]) for e in json.loads(journal.read_text())["events"]]
    assert steps[-1] == ("delete", "done")  # the last complete version
    resumed = _cli(moto_state, "remediate", "--resume", str(journal), "--apply")
    assert resumed.returncode == 0, resumed.stderr
    assert _describe(client, "exposed")["DirectInternetAccess"] == "Disabled"
    assert _describe(client, "exposed")["CreationTime"] != before["CreationTime"]


def test_the_final_check_judges_the_notebook_as_read_back_not_the_plan(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    make_notebook(moto_state.client("sagemaker", REGIONS[0]), "exposed", **EXPOSED)
    runner = _runner(moto_state, REGIONS[0], "exposed", tmp_path)
    events, created = runner.client.meta.events, []
    events.register("after-call.sagemaker.CreateNotebookInstance", lambda **_: created.append(1))

    def shows_no_groups(parsed: dict[str, Any], **_: Any) -> None:
        if created:  # the endpoint shows the new notebook without its security groups
            parsed.pop("SecurityGroups", None)

    events.register("after-call.sagemaker.DescribeNotebookInstance", shows_no_groups)
    with pytest.raises(RemediationInterrupted, match=r"read back.*\[SMG-2\] SecurityGroups"):
        runner.run()
    assert json.loads((tmp_path / "journal.json").read_text())["status"] == "interrupted"


def test_the_closing_report_is_the_notebook_read_back_and_judged(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "exposed", **EXPOSED)
    applied = _remediate(
        moto_state, "exposed", REGIONS[0], "--apply", "--confirm-data-loss",
        "--journal-dir", str(tmp_path),
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert (
        "Read back and judged as `sm-guardrails audit` judges it: DirectInternetAccess=Disabled, "
        "SubnetId=subnet-0aaa, SecurityGroups=[sg-0aaa, sg-0bbb]; no error-level finding"
    ) in applied.stdout
    # moto does not keep IMDS settings: the notebook read back is judged as it is shown
    assert "warning [SMG-5]" in applied.stdout


def test_a_plan_whose_new_notebook_would_break_an_error_level_rule_is_refused(
    moto_state: AwsEnv, tmp_path: Path
) -> None:
    client = moto_state.client("sagemaker", REGIONS[0])
    make_notebook(client, "nokey", **{k: v for k, v in EXPOSED.items() if k != "KmsKeyId"})
    refused = _remediate(moto_state, "nokey", REGIONS[0], "--level", "SMG-4=error")
    assert refused.returncode == 2
    (line,) = refused.stderr.splitlines()
    assert "[SMG-4]" in line and "plan.create_request.KmsKeyId" in line
    assert "--level SMG-4=warning" in line


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--region", "eu_west_1"], "'eu_west_1' is not a region name"),
        (["--region", REGIONS[0], "--profile", "nope"], "check --profile"),
        (["--region", REGIONS[0], "--endpoint-url", "not a url"], "--endpoint-url 'not a url'"),
    ],
)
def test_a_client_that_cannot_be_made_is_one_line_for_remediate(
    moto_state: AwsEnv, options: list[str], words: str
) -> None:
    result = _cli(moto_state, "remediate", "exposed", *options)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert words in line


def test_all_failing_with_a_bad_region_still_plans_the_good_ones(moto_state: AwsEnv) -> None:
    make_notebook(moto_state.client("sagemaker", REGIONS[0]), "exposed", **EXPOSED)
    result = _cli(
        moto_state, "remediate", "--all-failing", "--region", REGIONS[0], "--region", "eu_west_1",
        "--endpoint-url", moto_state.endpoint,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert "'eu_west_1' is not a region name" in line
    assert "Plan: replace notebook instance exposed (eu-west-1" in result.stdout


def test_options_naming_no_notebook_are_refused_before_any_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_remediate(RemediateOptions(config=GuardrailConfig())) == 2
    assert capsys.readouterr().err == (
        "sm-guardrails: error: give the notebook's NAME, --domain ID, --resume JOURNAL or "
        "--all-failing\n"
    )
