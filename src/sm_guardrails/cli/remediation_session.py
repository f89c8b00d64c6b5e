"""What every ``remediate`` run starts with: a client in the resource's region, a journal name."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sm_guardrails.aws.clients import AwsSettings, make_session, sagemaker_client
from sm_guardrails.aws.journal import DONE, Journal, Plan, notebook_lock
from sm_guardrails.aws.remediate_options import RemediateOptions
from sm_guardrails.aws.remediation_plan import PlanRefused
from sm_guardrails.aws.remediation_runner import RemediationInterrupted
from sm_guardrails.cli.exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, print_error

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

Outcome = TypeVar("Outcome")


def journal_name(plan: Plan) -> str:
    """A new journal's file name: the region, the notebook's name or domain's id, the time."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"sm-guardrails-remediate-{plan.region}-{plan.name}-{stamp}.json"


def region_client(settings: AwsSettings, region: str | None) -> tuple[SageMakerClient, str]:
    """A SageMaker client in ``region`` (default: the profile's), and that region."""
    session = make_session(settings)
    region = region or session.region_name
    if not region:
        raise PlanRefused("no region: pass --region or set one in the profile (AWS_REGION)")
    return sagemaker_client(session, region, settings), region


def shown_value(value: object) -> str:
    """A setting as a plan shows it: ``not set``, ``[a, b]`` or the value."""
    if value is None:
        return "not set"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def progress_line(message: str) -> None:
    """A runner's progress, one line on stderr."""
    print(f"sm-guardrails: {message}", file=sys.stderr)


def carry_out(run: Callable[[], Outcome], journal: Path, render: Callable[[Outcome], str]) -> int:
    """Run a runner to the end; print its read-back, or its refusal or stop in one line.

    0 done; 1 stopped before the end (the journal resumes it); 2 refused, nothing changed.
    """
    try:
        outcome = run()
    except PlanRefused as refusal:
        print_error(str(refusal))
        return EXIT_USAGE
    except RemediationInterrupted as stop:
        print_error(f"{stop} (journal: {journal})")
        return EXIT_FINDINGS
    print(render(outcome))
    return EXIT_OK


def start_journal(
    options: RemediateOptions, plan: Plan, carry_out: Callable[[Journal], int]
) -> int:
    """Write ``plan``'s new journal under the lock on its resource, then carry it out."""
    options.journal_dir.mkdir(parents=True, exist_ok=True)
    with notebook_lock(options.journal_dir, plan.region, plan.name):
        journal = Journal.start(options.journal_dir / journal_name(plan), plan)
        print(f"\nJournal: {journal.path} (resume with --resume {journal.path} --apply)")
        return carry_out(journal)


def resume_journal(
    journal: Journal,
    options: RemediateOptions,
    *,
    done: str,
    render: Callable[[str], str],
    refuse: Callable[[], None],
    carry_out: Callable[[SageMakerClient, Journal], int],
) -> int:
    """Show where ``journal``'s run is; with ``--apply`` finish it, under its lock.

    ``done`` is what a finished run's line says was done, ``render`` shows the plan with
    the resume command, ``refuse`` raises when ``--apply`` would be refused.
    """
    plan = journal.plan
    if journal.status == DONE:
        print(f"{journal.path}: the {done} is already done")
        return EXIT_OK
    steps = ", ".join(f"{e['step']} {e['phase']}" for e in journal.events) or "none"
    print(
        render(shlex.join(["sm-guardrails", "remediate", "--resume", str(journal.path), "--apply"]))
    )
    print(f"\nJournal {journal.path}: {journal.status}; steps so far: {steps}")
    if journal.message:
        print(f"Last stop: {journal.message}")
    if not options.apply:  # say now what --apply would refuse
        refuse()
        print("\nNothing was changed. To go on: add --apply.")
        return EXIT_OK
    settings = AwsSettings(
        profile=options.profile or plan.profile,
        endpoint_url=options.endpoint_url or plan.endpoint_url,
    )
    client, _ = region_client(settings, plan.region)
    with notebook_lock(journal.path.parent, plan.region, plan.name):
        # as the lock holder saw it
        return carry_out(client, Journal.load(journal.path))
