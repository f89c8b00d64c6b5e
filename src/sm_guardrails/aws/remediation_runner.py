"""Carry out a remediation plan: stop, delete, recreate, one journaled step at a time.

The runner does not trust its own memory, nor the journal. Before any step it judges the
create request it will send with the rules (a journal edited to put the notebook on the
internet is refused, nothing changed). Each round it describes the notebook, decides
the next step from what it sees and what the journal says was requested, journals the
step, makes the call, and looks again. So a fresh run and a ``--resume`` after a crash at
any point are the same loop, and a notebook that someone else stopped, started, changed,
deleted or recreated meanwhile is noticed and reported instead of overwritten. The last
step reads the new notebook back and judges it as ``audit`` would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sm_guardrails.aws.errors import aws_problem, is_not_found
from sm_guardrails.aws.journal import DONE, INTERRUPTED, Journal, crash_point
from sm_guardrails.aws.remediation_plan import (
    CARRIED_OVER,
    RESERVED_TAG_PREFIX,
    RemediationPlan,
    blocking,
    describe_findings,
    json_ready,
    judged_for_remediation,
    refuse_unsafe_request,
)
from sm_guardrails.aws.resources import deployed_resource
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG, Finding
from sm_guardrails.kinds import NOTEBOOK_INSTANCE

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

STOP, DELETE, CREATE, RESTOP, GONE, VERIFY = (
    "stop",
    "delete",
    "create",
    "stop-new",
    "gone-elsewhere",
    "verify",
)
REQUESTED, COMPLETED, SEEN = "requested", "done", "seen"

_ACTIONS = {
    STOP: "StopNotebookInstance",
    RESTOP: "StopNotebookInstance",
    DELETE: "DeleteNotebookInstance",
    CREATE: "CreateNotebookInstance",
}

WATCHED_FIELDS = (
    *(field for field, _ in CARRIED_OVER),
    "DirectInternetAccess",
    "SubnetId",
    "SecurityGroups",
    "RootAccess",
    "InstanceMetadataServiceConfiguration",
)
"""Fields whose change by someone else mid-run makes the plan stale."""


class RemediationInterrupted(Exception):
    """The run stopped before the end; the message says why and how to go on."""


@dataclass(frozen=True)
class Verification:
    """The new notebook as read back: its description, what the rules found, what was unseen.

    ``findings`` are the non-passing findings that do not block (warnings, exempted);
    ``unconfirmed`` the requested settings the endpoint did not show.
    """

    description: Mapping[str, Any]
    findings: tuple[Finding, ...]
    unconfirmed: tuple[str, ...]


@dataclass(kw_only=True)
class Polling:
    """How a runner waits for a state to change: ``poll_interval`` seconds between looks,
    at most ``timeout`` seconds in one state before it stops with a resumable journal."""

    poll_interval: float = 15.0
    timeout: float = 1800.0
    progress: Callable[[str], None] = lambda message: None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _waiting: tuple[str, float] | None = field(default=None, init=False)

    @property
    def subject(self) -> str:
        """What the messages name: the notebook, the domain."""
        raise NotImplementedError

    def _wait(self, status: str, goal: str) -> None:
        """Pause while ``status`` lasts, up to the timeout."""
        now = self.clock()
        if self._waiting is None or self._waiting[0] != status:
            self._waiting = (status, now)
        elif now - self._waiting[1] > self.timeout:
            raise RemediationInterrupted(
                f"{self.subject} is still {status} after {self.timeout:g} s, waiting for "
                f"{goal}; resume later (nothing is lost)"
            )
        self.sleep(self.poll_interval)


@dataclass
class RemediationRunner(Polling):
    """Runs one journal's plan to the end against ``client`` (in the plan's region).

    ``poll_interval`` is the pause between looks while a state changes; ``timeout`` the
    longest one state may last before the run stops with a resumable journal. ``config``
    judges the create request before anything and the new notebook at the end.
    """

    client: SageMakerClient
    journal: Journal
    config: GuardrailConfig = DEFAULT_CONFIG
    _last_call: tuple[str, str] | None = field(default=None, init=False)

    @property
    def subject(self) -> str:
        """The notebook's name."""
        return self.plan.name

    @property
    def plan(self) -> RemediationPlan:
        """The plan being carried out."""
        plan = self.journal.plan
        if not isinstance(plan, RemediationPlan):
            raise TypeError(f"{self.journal.path} is not a notebook's journal")
        return plan

    def run(self) -> Verification:
        """Finish the plan; :class:`RemediationInterrupted` leaves a resumable journal.

        :class:`~sm_guardrails.aws.remediation_plan.PlanRefused`, before any call or
        write, when the create request breaks an error-level rule.
        """
        where = f"{self.journal.path} ({self.plan.name})"
        refuse_unsafe_request(self.plan, self.config, where, from_journal=True)
        try:
            verification = None
            while verification is None:
                verification = self._advance(self._describe())
        except RemediationInterrupted as stop:
            self.journal.finish(INTERRUPTED, str(stop))
            raise
        self.journal.finish(DONE)
        return verification

    def _advance(self, current: dict[str, Any] | None) -> Verification | None:
        """Take the next step from what is seen; a Verification when the plan is done."""
        if current is None:
            self._when_gone()
        elif current.get("CreationTime") != self.plan.original.get("CreationTime"):
            return self._when_new(current)
        else:
            self._when_original(current)
        return None

    def _when_original(self, current: Mapping[str, Any]) -> None:
        changed = [f for f in WATCHED_FIELDS if current.get(f) != self.plan.original.get(f)]
        if changed:
            raise RemediationInterrupted(
                f"{self.plan.name} was changed by someone else since the plan "
                f"({', '.join(changed)}); nothing was deleted: run `sm-guardrails remediate "
                f"{self.plan.name}` again for a new plan"
            )
        status = current["NotebookInstanceStatus"]
        if status == "InService":
            self._call(STOP, status, self.client.stop_notebook_instance)
        elif status in ("Stopped", "Failed"):
            self._complete(STOP)
            self._call(DELETE, status, self.client.delete_notebook_instance)
        elif status in ("Stopping", "Deleting"):
            self._wait(status, "Stopped" if status == "Stopping" else "deleted")
        else:
            raise RemediationInterrupted(
                f"{self.plan.name} is {status}: someone else is starting or updating it; "
                "resume when it is InService or Stopped"
            )

    def _when_gone(self) -> None:
        name = self.plan.name
        if self.journal.has(CREATE, COMPLETED):
            raise RemediationInterrupted(
                f"the new {name} was deleted by someone else after this run created it; "
                f"its settings are in {self.journal.path} (plan.create_request)"
            )
        if self.journal.has(DELETE, REQUESTED):
            self._complete(DELETE)
        elif not self.journal.has(GONE, SEEN):
            self.journal.record(GONE, SEEN)
            raise RemediationInterrupted(
                f"{name} was deleted by someone else before this run deleted it. Its "
                f"settings and tags are in {self.journal.path}: resume to recreate it off "
                "the internet with them, or keep the journal as the record and stop here"
            )
        self._call(CREATE, "gone", self._create)

    def _when_new(self, current: Mapping[str, Any]) -> Verification | None:
        name, status = self.plan.name, current["NotebookInstanceStatus"]
        request = self.plan.create_request
        ours = self.journal.has(CREATE, REQUESTED) and all(
            current.get(key) == request[key] for key in ("DirectInternetAccess", "SubnetId")
        )
        if not ours:
            raise RemediationInterrupted(
                f"a different notebook named {name} now exists (created "
                f"{current.get('CreationTime')}, not by this run); the original's settings "
                f"are in {self.journal.path}"
            )
        if status == "Pending" or (status == "Stopping" and self.plan.restop):
            self._wait(status, "InService" if status == "Pending" else "Stopped")
            return None
        if status == "Failed":
            raise RemediationInterrupted(
                f"the new {name} failed: {current.get('FailureReason', 'no reason given')}. "
                "Fix the cause (subnet, security groups, role, KMS key), delete the failed "
                f"notebook, and resume {self.journal.path}"
            )
        if status not in ("InService", "Stopped"):
            raise RemediationInterrupted(f"the new {name} is {status}; resume when it is InService")
        self._complete(CREATE)
        if status == "InService" and self.plan.restop:
            self._call(RESTOP, status, self.client.stop_notebook_instance)
            return None
        self._complete(RESTOP)
        return self._verify(current)

    def _verify(self, current: Mapping[str, Any]) -> Verification:
        """Judge the new notebook as read back, then compare it with the request."""
        all_tags = self._tags(str(current["NotebookInstanceArn"]))
        notebook = deployed_resource(
            NOTEBOOK_INSTANCE,
            current,
            all_tags,
            self.plan.region,
            honour_exemption_tags=self.config.tag_exemptions,
        )
        findings = judged_for_remediation(notebook.spec, self.config)
        problems = blocking(findings)
        if problems:
            raise RemediationInterrupted(
                f"the new {self.plan.name}, read back, breaks {describe_findings(problems)}: "
                "it is not what was asked for; look at it before anyone uses it, then resume "
                "to judge it again"
            )
        request = self.plan.create_request
        shown = {parameter: current.get(field) for field, parameter in CARRIED_OVER} | {
            "SecurityGroupIds": current.get("SecurityGroups"),
            "DirectInternetAccess": current.get("DirectInternetAccess"),
            "SubnetId": current.get("SubnetId"),
            "RootAccess": current.get("RootAccess"),
            "InstanceMetadataServiceConfiguration": current.get(
                "InstanceMetadataServiceConfiguration"
            ),
        }
        unconfirmed, different = [], []
        for key, wanted in request.items():
            if key in ("NotebookInstanceName", "Tags"):
                continue
            seen = shown.get(key)
            if seen is None:
                unconfirmed.append(key)
            elif seen != wanted:
                different.append(f"{key} is {seen!r}, asked {wanted!r}")
        tags = [t for t in all_tags if not t["Key"].startswith(RESERVED_TAG_PREFIX)]
        if sorted(map(_pair, tags)) != sorted(map(_pair, request.get("Tags", []))):
            different.append("Tags differ from the ones asked for")
        if different:
            raise RemediationInterrupted(
                f"the new {self.plan.name} does not have the settings asked for: "
                + "; ".join(different)
            )
        self.journal.record(VERIFY, COMPLETED, ", ".join(unconfirmed))
        return Verification(dict(current), tuple(findings), tuple(unconfirmed))

    def _call(self, step: str, status: str, operation: Callable[..., object]) -> None:
        """Journal ``step`` as requested, make the call, and remember it.

        When the same step was just called in the same state, the endpoint has not caught
        up yet (its reads are eventually consistent): wait instead of calling twice.
        """
        if self._last_call == (step, status):
            self._wait(status, f"{step} to take effect")
            return
        self.journal.record(step, REQUESTED)
        crash_point(f"{step}:requested")
        self.progress(f"{self.plan.name}: {step}")
        try:
            operation(NotebookInstanceName=self.plan.name)
        except (ClientError, BotoCoreError) as error:
            problem = aws_problem(error, self.plan.region, f"sagemaker:{_ACTIONS[step]}")
            raise RemediationInterrupted(f"{step} of {self.plan.name}: {problem}") from None
        crash_point(f"{step}:called")
        self._last_call, self._waiting = (step, status), None

    def _complete(self, step: str) -> None:
        """Journal ``step`` as done once, if it was requested."""
        if self.journal.has(step, REQUESTED) and not self.journal.has(step, COMPLETED):
            self.journal.record(step, COMPLETED)
            self.progress(f"{self.plan.name}: {step} done")
            crash_point(f"{step}:done")

    def _create(self, NotebookInstanceName: str) -> None:
        """CreateNotebookInstance with the plan's request (whose name is the same)."""
        self.client.create_notebook_instance(**self.plan.create_request)

    def _describe(self) -> dict[str, Any] | None:
        """DescribeNotebookInstance as JSON data, or None when there is no such notebook."""
        try:
            response = self.client.describe_notebook_instance(NotebookInstanceName=self.plan.name)
        except (ClientError, BotoCoreError) as error:
            if is_not_found(error):
                return None
            problem = aws_problem(error, self.plan.region, "sagemaker:DescribeNotebookInstance")
            raise RemediationInterrupted(f"{self.plan.name}: {problem}") from None
        return json_ready(response)

    def _tags(self, arn: str) -> list[dict[str, str]]:
        try:
            return notebook_tags(self.client, arn)
        except (ClientError, BotoCoreError) as error:
            problem = aws_problem(error, self.plan.region, "sagemaker:ListTags")
            raise RemediationInterrupted(f"{arn}: {problem}") from None


def notebook_tags(client: SageMakerClient, arn: str) -> list[dict[str, str]]:
    """Every tag of the resource ``arn`` (ListTags, all pages)."""
    tags: list[dict[str, str]] = []
    for page in client.get_paginator("list_tags").paginate(ResourceArn=arn):
        tags += [{"Key": t["Key"], "Value": t.get("Value", "")} for t in page.get("Tags", [])]
    return tags


def _pair(tag: Mapping[str, str]) -> tuple[str, str]:
    return tag["Key"], tag.get("Value", "")
