"""What ``sm-guardrails remediate`` does: read, plan, confirm, journal, run, report.

The AWS side (:mod:`sm_guardrails.aws`) plans, journals and runs, and returns or raises;
this module is the command's: it prints plans, read-backs and one-line errors.

Exit codes: 0 the plan was shown or carried out (or there was nothing to replace);
1 a run stopped before the end (the journal says where; ``--resume`` goes on);
2 bad usage or input, or a refusal: nothing was changed.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sm_guardrails.aws.audit import audit_regions, region_clients
from sm_guardrails.aws.clients import (
    AwsSettings,
    RegionNameError,
    SettingsError,
    make_session,
)
from sm_guardrails.aws.domain_plan import DomainPlan
from sm_guardrails.aws.errors import aws_problem
from sm_guardrails.aws.journal import Journal, JournalError
from sm_guardrails.aws.remediate_options import RemediateOptions
from sm_guardrails.aws.remediation_plan import (
    FIXED_IN_PLACE,
    REPLACED_BY,
    PlanRefused,
    RemediationPlan,
    plan_remediation,
    refuse_unsafe_request,
)
from sm_guardrails.aws.remediation_runner import (
    RemediationRunner,
    Verification,
    notebook_tags,
)
from sm_guardrails.cli.domain_remediation import remediate_domain, resume_domain
from sm_guardrails.cli.exits import print_error
from sm_guardrails.cli.remediation_session import (
    carry_out,
    progress_line,
    region_client,
    resume_journal,
    shown_value,
    start_journal,
)
from sm_guardrails.config import ConfigError, GuardrailConfig
from sm_guardrails.deployed import DeployedFinding
from sm_guardrails.kinds import NOTEBOOK_INSTANCE
from sm_guardrails.reporting.text import note_place
from sm_guardrails.rules import Verdict

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

EXIT_OK, EXIT_INTERRUPTED, EXIT_REFUSED = 0, 1, 2
IN_PLACE_NOTE = (
    "fails only SMG-3/SMG-5, not replaced: fix it in place (stop it, then "
    "update-notebook-instance --root-access Disabled --instance-metadata-service-"
    "configuration MinimumInstanceMetadataServiceVersion=2, then start it)"
)


def run_remediate(options: RemediateOptions) -> int:
    """Plan or carry out one replacement, or resume one; returns the exit code."""
    config = options.config
    try:
        if options.resume:
            return _resume(options.resume, options, config)
        if options.all_failing:
            return _remediate_all_failing(options, config)
        if len(options.region) > 1:
            raise PlanRefused("one --region for one resource (several only with --all-failing)")
        if options.domain is not None:
            return remediate_domain(options.domain, options, config)
        if options.name is None:
            raise PlanRefused(
                "give the notebook's NAME, --domain ID, --resume JOURNAL or --all-failing"
            )
        return _remediate(options.name, options, config)
    except (PlanRefused, JournalError, ConfigError, SettingsError, RegionNameError) as refusal:
        print_error(str(refusal))
        return EXIT_REFUSED
    except BotoCoreError as error:  # e.g. a profile whose credentials cannot be resolved
        print_error(aws_problem(error, "", "session"))
        return EXIT_REFUSED


def _remediate(name: str, options: RemediateOptions, config: GuardrailConfig) -> int:
    settings = AwsSettings(profile=options.profile, endpoint_url=options.endpoint_url)
    client, region = region_client(settings, options.region[0] if options.region else None)
    plan = _plan(client, region, name, options, config)
    print(render_plan(plan, _apply_command(plan, options)))
    if not options.apply:
        print("\nNothing was changed: this was a plan.")
        return EXIT_OK
    if not _confirmed(options, [plan.name]):
        print_error(
            f"--apply deletes {plan.name}'s ML storage volume: copy /home/ec2-user/SageMaker "
            "first, then pass --confirm-data-loss (or answer yes on a terminal)"
        )
        return EXIT_REFUSED
    return _start(client, plan, options, config)


def _remediate_all_failing(options: RemediateOptions, config: GuardrailConfig) -> int:
    """Every notebook the audit finds failing SMG-1 or SMG-2, one plan and journal each.

    The audit judges them with ``config`` (its levels and exemptions), as ``audit`` does.
    """
    if not options.region:
        raise PlanRefused("--all-failing needs --region (repeatable)")
    if len(options.region) > 1 and (options.subnet_id or options.security_group_id):
        raise PlanRefused("--subnet-id and --security-group-id belong to one region")
    settings = AwsSettings(profile=options.profile, endpoint_url=options.endpoint_url)
    session = make_session(settings)
    replace: dict[tuple[str, str], None] = {}
    in_place: dict[tuple[str, str], None] = {}

    def sort(item: DeployedFinding) -> None:
        finding, key = item.finding, (item.location.region, item.location.name or "")
        if finding.exemption is None and finding.verdict is not Verdict.PASS:
            if finding.rule_id in REPLACED_BY:
                replace[key] = None
            elif finding.rule_id in FIXED_IN_PLACE:
                in_place[key] = None

    clients, unusable = region_clients(session, options.region, settings)
    report = audit_regions(clients, config, sort, unusable=unusable, kinds=[NOTEBOOK_INSTANCE])
    for note in report.errors:
        print_error(f"{note_place(note)}: {note.message}")
    plans, outcomes = [], []
    for region, name in replace:
        client = clients[region]
        try:
            plans.append((client, _plan(client, region, name, options, config)))
        except PlanRefused as refusal:
            outcomes.append((EXIT_REFUSED, f"{name} ({region}): not planned: {refusal}"))
    for _, plan in plans:
        print(render_plan(plan, "(below)") + "\n")
    in_place_only = [key for key in in_place if key not in replace]
    outcomes += [(EXIT_OK, f"{name} ({region}): {IN_PLACE_NOTE}") for region, name in in_place_only]
    if plans and options.apply and not _confirmed(options, [plan.name for _, plan in plans]):
        print_error(
            "--apply deletes the ML storage volume of every notebook above: copy each "
            "/home/ec2-user/SageMaker first, then pass --confirm-data-loss"
        )
        return EXIT_REFUSED
    for client, plan in plans:
        if not options.apply:
            outcomes.append((EXIT_OK, f"{plan.name} ({plan.region}): planned, not changed"))
            continue
        code = _start(client, plan, options, config)
        done = "replaced" if code == EXIT_OK else "stopped before the end, see its journal"
        outcomes.append((code, f"{plan.name} ({plan.region}): {done}"))
    print(
        f"Summary: {len(plans)} to replace, {len(in_place_only)} to fix in place, "
        f"{len(report.errors)} unreadable region(s) or notebook(s)"
    )
    for _, line in outcomes:
        print(f"  {line}")
    if not options.apply and plans:
        print("Nothing was changed. To apply: add --apply --confirm-data-loss.")
    worst = max((code for code, _ in outcomes), default=EXIT_OK)
    return EXIT_REFUSED if report.errors else worst


def _plan(
    client: SageMakerClient,
    region: str,
    name: str,
    options: RemediateOptions,
    config: GuardrailConfig,
) -> RemediationPlan:
    """Read notebook ``name`` and plan its replacement with the command line's options."""
    try:
        description = client.describe_notebook_instance(NotebookInstanceName=name)
        tags = notebook_tags(client, description["NotebookInstanceArn"])
    except (ClientError, BotoCoreError) as error:
        action = "sagemaker:DescribeNotebookInstance or ListTags"
        raise PlanRefused(f"{name}: {aws_problem(error, region, action)}") from None
    return plan_remediation(
        description,
        tags,
        region,
        subnet_id=_one_subnet(options.subnet_id),
        security_group_ids=options.security_group_id,
        keep_root_access=options.keep_root_access,
        endpoint_url=options.endpoint_url,
        profile=options.profile,
        config=config,
    )


def _start(
    client: SageMakerClient,
    plan: RemediationPlan,
    options: RemediateOptions,
    config: GuardrailConfig,
) -> int:
    """Write the plan's journal, then carry it out."""
    return start_journal(
        options, plan, lambda journal: _carry_out(client, journal, options, config)
    )


def _resume(path: Path, options: RemediateOptions, config: GuardrailConfig) -> int:
    """Show where journal ``path``'s run is; with --apply, judge its create request and finish."""
    journal = Journal.load(path)
    plan = journal.plan
    if isinstance(plan, DomainPlan):
        return resume_domain(journal, plan, options, config)
    return resume_journal(
        journal,
        options,
        done=f"replacement of {plan.name} ({plan.region})",
        render=lambda command: render_plan(plan, command),
        refuse=lambda: refuse_unsafe_request(
            plan, config, f"{journal.path} ({plan.name})", from_journal=True
        ),
        carry_out=lambda client, held: _carry_out(client, held, options, config),
    )


def _carry_out(
    client: SageMakerClient, journal: Journal, options: RemediateOptions, config: GuardrailConfig
) -> int:
    runner = RemediationRunner(
        client,
        journal,
        config,
        poll_interval=options.poll_interval,
        timeout=options.timeout,
        progress=progress_line,
    )
    return carry_out(runner.run, journal.path, lambda done: render_verification(runner.plan, done))


def render_verification(plan: RemediationPlan, verification: Verification) -> str:
    """The new notebook as read back and judged: its network settings, findings, unseen."""
    shown = verification.description
    network = ", ".join(
        f"{field}={shown_value(shown.get(field))}"
        for field in ("DirectInternetAccess", "SubnetId", "SecurityGroups")
    )
    lines = [
        f"\n{plan.name} ({plan.region}) was replaced.",
        f"Read back and judged as `sm-guardrails audit` judges it: {network}; no error-level "
        "finding; the other settings and the tags are those asked for.",
        *(
            f"  {'exempted' if f.exemption else f.level.value} [{f.rule_id}] {f.message}"
            for f in verification.findings
        ),
    ]
    if verification.unconfirmed:
        lines.append(
            "The endpoint did not show these settings, so they were not checked: "
            + ", ".join(verification.unconfirmed)
        )
    return "\n".join(lines)


def render_plan(plan: RemediationPlan, apply_command: str) -> str:
    """The plan in words: why, the steps, the data lost, every setting, the commands."""
    size = plan.original.get("VolumeSizeInGB", "?")
    lines = [
        f"Plan: replace notebook instance {plan.name} ({plan.region}, {plan.arn}), "
        f"now {plan.original_status}, to take it off the internet.",
        "Why:",
        *(f"  {reason}" for reason in plan.reasons),
        "Steps (the same name is kept):",
    ]
    steps = []
    if plan.original_status in ("InService", "Stopping"):
        steps.append("stop it (StopNotebookInstance) and wait until it is Stopped")
    steps += [
        "delete it (DeleteNotebookInstance) and wait until it is gone",
        "create it again with the settings below (CreateNotebookInstance) and wait "
        "until it is InService",
    ]
    if plan.restop:
        steps.append("stop it again, as it was stopped before")
    lines += [f"  {number}. {step}" for number, step in enumerate(steps, 1)]
    lines += [
        f"DATA LOSS: deleting the notebook deletes its ML storage volume ({size} GB): "
        "everything under /home/ec2-user/SageMaker is lost and the new notebook starts "
        "with an empty volume. Copy it first (docs/audit.md, 'Copy the volume first').",
        "Settings of the new notebook:",
    ]
    for row in plan.settings():
        before, after = shown_value(row.before), shown_value(row.after)
        change = f"{before} -> {after} ({row.why})" if row.why else f"{after} (kept)"
        lines.append(f"  {row.name}: {change}")
    kept = plan.create_request.get("Tags", [])
    lines.append(
        f"Tags ({len(kept)}, kept): "
        + (", ".join(f"{t['Key']}={t['Value']}" for t in kept) or "none")
    )
    if plan.dropped_tags:
        lines.append(
            "Tags not carried over (aws: tags belong to AWS and cannot be set): "
            + ", ".join(plan.dropped_tags)
        )
    stack = next((t for t in plan.dropped_tags if t.startswith("aws:cloudformation:stack")), "")
    if stack:
        lines.append(
            f"WARNING: CloudFormation manages this notebook ({stack}). Fix its template "
            "instead (sm-guardrails check), or the stack drifts from the notebook."
        )
    lines += [
        f"Network: the notebook reaches AWS only from subnet {plan.create_request['SubnetId']}: "
        "give that VPC interface endpoints (SageMaker API, runtime, notebook) and an S3 "
        "gateway endpoint, or a NAT gateway.",
        "By hand, instead of --apply:",
        *(f"  {command}" for command in plan.aws_cli_commands()),
        f"To apply: {apply_command}",
    ]
    return "\n".join(lines)


def _apply_command(plan: RemediationPlan, options: RemediateOptions) -> str:
    words = ["sm-guardrails", "remediate", plan.name, "--region", plan.region]
    for option, value in (("--profile", plan.profile), ("--endpoint-url", plan.endpoint_url)):
        if value:
            words += [option, value]
    words += ["--subnet-id", plan.create_request["SubnetId"]]
    for group in plan.create_request["SecurityGroupIds"]:
        words += ["--security-group-id", group]
    if options.keep_root_access:
        words.append("--keep-root-access")
    return shlex.join([*words, "--apply", "--confirm-data-loss"])


def _confirmed(options: RemediateOptions, names: list[str]) -> bool:
    if options.confirm_data_loss:
        return True
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    question = f"Delete {', '.join(names)} with their ML storage volumes, and recreate them?"
    try:
        answer = input(f"{question} [yes/no] ")
    except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C: no
        print(file=sys.stderr)
        return False
    return answer.strip().lower() == "yes"


def _one_subnet(subnets: tuple[str, ...]) -> str | None:
    if len(subnets) > 1:
        raise PlanRefused("a notebook instance takes one --subnet-id")
    return subnets[0] if subnets else None
