"""``sm-guardrails remediate --domain ID``: show or carry out a Studio domain's update in place.

Exit codes as for a notebook: 0 planned or done, 1 stopped before the end (resumable),
2 bad usage or refused (nothing changed).
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sm_guardrails.aws.clients import AwsSettings
from sm_guardrails.aws.domain_plan import DomainPlan, plan_domain_update, refuse_unsafe_update
from sm_guardrails.aws.domain_runner import DomainRunner, DomainVerification, running_apps
from sm_guardrails.aws.errors import aws_problem
from sm_guardrails.aws.journal import Journal
from sm_guardrails.aws.remediate_options import RemediateOptions
from sm_guardrails.aws.remediation_plan import PlanRefused
from sm_guardrails.aws.remediation_runner import notebook_tags
from sm_guardrails.cli.exits import EXIT_OK, EXIT_USAGE, print_error
from sm_guardrails.cli.remediation_session import (
    carry_out,
    progress_line,
    region_client,
    resume_journal,
    shown_value,
    start_journal,
)
from sm_guardrails.config import GuardrailConfig

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


def remediate_domain(domain_id: str, options: RemediateOptions, config: GuardrailConfig) -> int:
    """Plan the domain's update; with ``--apply``, journal and carry it out."""
    settings = AwsSettings(profile=options.profile, endpoint_url=options.endpoint_url)
    client, region = region_client(settings, options.region[0] if options.region else None)
    plan = _plan(client, region, domain_id, options, config)
    print(render_domain_plan(plan, _apply_command(plan)))
    if not options.apply:
        print("\nNothing was changed: this was a plan.")
        return EXIT_OK
    if plan.apps and not plan.delete_apps:
        print_error(
            f"{plan.label} has {len(plan.apps)} running app(s) (listed above): delete them "
            "first, or pass --delete-apps to let this run delete them; nothing was changed"
        )
        return EXIT_USAGE
    return start_journal(
        options, plan, lambda journal: _carry_out(client, journal, options, config)
    )


def resume_domain(
    journal: Journal, plan: DomainPlan, options: RemediateOptions, config: GuardrailConfig
) -> int:
    """Show where a domain journal's run is; with ``--apply``, judge it again and finish it."""
    return resume_journal(
        journal,
        options,
        done=f"update of {plan.label}",
        render=lambda command: render_domain_plan(plan, command),
        refuse=lambda: refuse_unsafe_update(
            plan, config, f"{journal.path} ({plan.domain_id})", from_journal=True
        ),
        carry_out=lambda client, held: _carry_out(client, held, options, config),
    )


def _plan(
    client: SageMakerClient,
    region: str,
    domain_id: str,
    options: RemediateOptions,
    config: GuardrailConfig,
) -> DomainPlan:
    """Read the domain, its tags and running apps; plan its update."""
    try:
        description = client.describe_domain(DomainId=domain_id)
        tags = notebook_tags(client, description["DomainArn"])
    except (ClientError, BotoCoreError) as error:
        action = "sagemaker:DescribeDomain or ListTags"
        raise PlanRefused(f"{domain_id}: {aws_problem(error, region, action)}") from None
    apps, apps_problem = None, ""
    try:
        apps = running_apps(client, domain_id)
    except (ClientError, BotoCoreError) as error:
        apps_problem = aws_problem(error, region, "sagemaker:ListApps")
    return plan_domain_update(
        description,
        tags,
        apps,
        region,
        apps_problem=apps_problem,
        subnet_ids=options.subnet_id,
        security_group_ids=options.security_group_id,
        vpc_id=options.vpc_id,
        delete_apps=options.delete_apps,
        endpoint_url=options.endpoint_url,
        profile=options.profile,
        config=config,
    )


def _carry_out(
    client: SageMakerClient, journal: Journal, options: RemediateOptions, config: GuardrailConfig
) -> int:
    runner = DomainRunner(
        client,
        journal,
        config,
        poll_interval=options.poll_interval,
        timeout=options.timeout,
        progress=progress_line,
    )
    return carry_out(
        runner.run, journal.path, lambda done: render_domain_verification(runner.plan, done)
    )


def render_domain_plan(plan: DomainPlan, apply_command: str) -> str:
    """The plan in words: why, what changes, the apps in the way and what is lost."""
    original, request = plan.original, plan.update_request
    before_groups = (original.get("DefaultUserSettings") or {}).get("SecurityGroups")
    rows = [
        ("AppNetworkAccessType", original.get("AppNetworkAccessType"), "VpcOnly"),
        ("VpcId", original.get("VpcId"), request.get("VpcId", original.get("VpcId"))),
        ("SubnetIds", original.get("SubnetIds"), request["SubnetIds"]),
        (
            "DefaultUserSettings.SecurityGroups",
            before_groups,
            request["DefaultUserSettings"]["SecurityGroups"],
        ),
    ]
    lines = [
        f"Plan: update Studio domain {plan.label}, {plan.arn}, in place (UpdateDomain), to "
        "send all its apps' traffic through its VPC.",
        "Why:",
        *(f"  {reason}" for reason in plan.reasons),
        "Settings:",
        *(
            f"  {name}: {shown_value(before)} -> {shown_value(after)}"
            if before != after
            else f"  {name}: {shown_value(after)} (kept)"
            for name, before, after in rows
        ),
        "Nothing else of the domain changes: its user profiles, spaces, EFS home directories "
        "and the spaces' storage stay.",
    ]
    lines += _apps_lines(plan)
    lines += [
        "Network: without internet, the apps reach AWS only through the VPC: give it "
        "interface endpoints (SageMaker API, runtime, Studio, STS, ...) and an S3 gateway "
        "endpoint, or a NAT gateway, before users start apps again.",
        "By hand, instead of --apply:",
        "  aws sagemaker update-domain --region "
        f"{plan.region} --cli-input-json {shlex.quote(json.dumps(request, sort_keys=True))}",
        f"To apply: {apply_command}",
    ]
    return "\n".join(lines)


def _apps_lines(plan: DomainPlan) -> list[str]:
    if plan.apps is None:
        return [
            f"Running apps: could not be listed ({plan.apps_problem}). AWS refuses the "
            "update while any app is InService, Pending or Deleting; --apply lists them "
            "again before it sends anything, and stops if it cannot."
        ]
    if not plan.apps:
        return ["Running apps: none, so the update can be sent at once."]
    action = (
        "--delete-apps is given: the run deletes them (DeleteApp) and waits until they are gone"
        if plan.delete_apps
        else "delete them first (aws sagemaker delete-app ...), or pass --delete-apps"
    )
    return [
        f"Running apps ({len(plan.apps)}): AWS refuses the update while any runs; {action}.",
        *(f"  {app}" for app in plan.apps),
        "DATA LOSS in deleted apps: their running kernels, terminals and anything not "
        "saved to disk; an app's own instance storage. The EFS home directories and the "
        "spaces' EBS volumes stay: saved notebooks and files are kept.",
    ]


def render_domain_verification(plan: DomainPlan, verification: DomainVerification) -> str:
    """The domain as read back and judged after the update."""
    shown = verification.description
    groups = (shown.get("DefaultUserSettings") or {}).get("SecurityGroups")
    return "\n".join(
        [
            f"\n{plan.label} was updated.",
            "Read back and judged as `sm-guardrails audit` judges it: AppNetworkAccessType="
            f"{shown.get('AppNetworkAccessType')}, VpcId={shown.get('VpcId')}, "
            f"SubnetIds={shown_value(shown.get('SubnetIds'))}, "
            f"SecurityGroups={shown_value(groups)}; "
            "no error-level finding.",
            *(
                f"  {'exempted' if f.exemption else f.level.value} [{f.rule_id}] {f.message}"
                for f in verification.findings
            ),
        ]
    )


def _apply_command(plan: DomainPlan) -> str:
    words = ["sm-guardrails", "remediate", "--domain", plan.domain_id, "--region", plan.region]
    for option, value in (("--profile", plan.profile), ("--endpoint-url", plan.endpoint_url)):
        if value:
            words += [option, value]
    if "VpcId" in plan.update_request:
        words += ["--vpc-id", plan.update_request["VpcId"]]
    for subnet in plan.update_request["SubnetIds"]:
        words += ["--subnet-id", subnet]
    for group in plan.update_request["DefaultUserSettings"]["SecurityGroups"]:
        words += ["--security-group-id", group]
    if plan.delete_apps:
        words.append("--delete-apps")
    return shlex.join([*words, "--apply"])
