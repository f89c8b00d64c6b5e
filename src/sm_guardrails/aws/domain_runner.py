"""Carry out a domain's plan: delete its running apps if allowed, UpdateDomain, read it back.

As the notebook runner, it trusts neither its memory nor the journal: before any call it
judges the journal's update request again; each round it describes the domain and lists
its apps, takes the next step from what it sees and what the journal says was
requested, journals the step, calls, and looks again. A fresh run and a ``--resume`` are
the same loop. Any call the endpoint does not answer (AccessDenied, an endpoint without
ListApps or UpdateDomain) stops the run with one line and a resumable journal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sm_guardrails.aws.domain_plan import (
    DELETABLE_APP_STATES,
    DOMAIN_RULES,
    RUNNING_APP_STATES,
    UPDATABLE_STATES,
    App,
    DomainPlan,
    refuse_unsafe_update,
)
from sm_guardrails.aws.errors import aws_problem
from sm_guardrails.aws.journal import DONE, INTERRUPTED, Journal, crash_point
from sm_guardrails.aws.remediation_plan import (
    blocking,
    describe_findings,
    json_ready,
    judged_for_remediation,
)
from sm_guardrails.aws.remediation_runner import Polling, RemediationInterrupted, notebook_tags
from sm_guardrails.aws.resources import deployed_resource
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG, Finding
from sm_guardrails.kinds import STUDIO_DOMAIN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

DELETE_APP, UPDATE, VERIFY = "delete-app", "update", "verify"
REQUESTED, COMPLETED = "requested", "done"


@dataclass(frozen=True)
class DomainVerification:
    """The domain as read back after the update, and its non-blocking findings."""

    description: Mapping[str, Any]
    findings: tuple[Finding, ...]


@dataclass
class DomainRunner(Polling):
    """Runs one journal's domain plan to the end against ``client`` (in its region)."""

    client: SageMakerClient
    journal: Journal
    config: GuardrailConfig = DEFAULT_CONFIG
    _sent: bool = field(default=False, init=False)

    @property
    def subject(self) -> str:
        """The domain: ``d-abc (name, region)``."""
        return self.plan.label

    @property
    def plan(self) -> DomainPlan:
        """The plan being carried out."""
        plan = self.journal.plan
        if not isinstance(plan, DomainPlan):
            raise TypeError(f"{self.journal.path} is not a domain's journal")
        return plan

    def run(self) -> DomainVerification:
        """Finish the plan; :class:`RemediationInterrupted` leaves a resumable journal;
        :class:`~sm_guardrails.aws.remediation_plan.PlanRefused` (nothing called or written)
        when the journal's request would leave the domain breaking an error-level rule."""
        where = f"{self.journal.path} ({self.plan.domain_id})"
        refuse_unsafe_update(self.plan, self.config, where, from_journal=True)
        try:
            verification = None
            while verification is None:
                verification = self._advance()
        except RemediationInterrupted as stop:
            self.journal.finish(INTERRUPTED, str(stop))
            raise
        self.journal.finish(DONE)
        return verification

    def _advance(self) -> DomainVerification | None:
        """Take the next step from what is seen; the read-back once the domain is updated."""
        current = self._describe()
        status = current.get("Status")
        if status == "Updating":
            self._wait("Updating", "the update to finish")
            return None
        if status == "Update_Failed" and self.journal.has(UPDATE, REQUESTED):
            raise RemediationInterrupted(
                f"the update of {self.plan.label} failed: "
                f"{current.get('FailureReason') or 'no reason given'}; fix the cause and "
                f"resume {self.journal.path}"
            )
        if self._updated(current):
            self._complete(UPDATE)
            return self._verify(current)
        if status not in UPDATABLE_STATES:
            raise RemediationInterrupted(
                f"{self.plan.label} is {status}; resume when it is InService"
            )
        running = self._running_apps()
        if running:
            self._stop_apps(running)
        elif self._sent:  # sent in this run; the endpoint does not show it yet
            self._wait(str(status), "the update to show")
        else:
            self._request(UPDATE, "sagemaker:UpdateDomain", self.client.update_domain)
            self._sent = True
        return None

    def _updated(self, current: Mapping[str, Any]) -> bool:
        """True when the domain shows every setting the update request asks for."""
        request = self.plan.update_request
        groups = (current.get("DefaultUserSettings") or {}).get("SecurityGroups")
        return bool(
            current.get("AppNetworkAccessType") == request["AppNetworkAccessType"]
            and current.get("SubnetIds") == request["SubnetIds"]
            and groups == request["DefaultUserSettings"]["SecurityGroups"]
            and current.get("VpcId") == request.get("VpcId", current.get("VpcId"))
        )

    def _stop_apps(self, running: list[App]) -> None:
        """Delete the apps that block the update (if the plan may), or stop and say which."""
        if not self.plan.delete_apps:
            names = "; ".join(map(str, running))
            raise RemediationInterrupted(
                f"{self.plan.label} has {len(running)} running app(s) and AWS changes "
                f"AppNetworkAccessType only when none runs: {names}. Delete them "
                "(their unsaved work is lost; home directories stay), or resume with "
                "--delete-apps"
            )
        deletable = [app for app in running if app.status in DELETABLE_APP_STATES]
        for app in deletable:
            request = app.delete_request(self.plan.domain_id)
            step = f"{DELETE_APP} {app.app_type}/{app.app_name}"
            if not self.journal.has(step, REQUESTED):
                self._request(step, "sagemaker:DeleteApp", self.client.delete_app, request)
        status = "Deleting" if not deletable else "deleting requested"
        self._wait(status, f"{len(running)} app(s) to be deleted")

    def _request(
        self,
        step: str,
        action: str,
        operation: Callable[..., object],
        request: Mapping[str, Any] | None = None,
    ) -> None:
        """Journal ``step`` as requested, make the call, journal it as called."""
        self.journal.record(step, REQUESTED)
        crash_point(f"{step}:requested")
        self.progress(f"{self.plan.domain_id}: {step}")
        try:
            operation(**(request if request is not None else self.plan.update_request))
        except (ClientError, BotoCoreError) as error:
            problem = aws_problem(error, self.plan.region, action)
            raise RemediationInterrupted(f"{step} of {self.plan.label}: {problem}") from None
        crash_point(f"{step}:called")

    def _complete(self, step: str) -> None:
        if not self.journal.has(step, COMPLETED):
            self.journal.record(step, COMPLETED)
            self.progress(f"{self.plan.domain_id}: {step} done")

    def _describe(self) -> dict[str, Any]:
        try:
            response = self.client.describe_domain(DomainId=self.plan.domain_id)
        except (ClientError, BotoCoreError) as error:
            problem = aws_problem(error, self.plan.region, "sagemaker:DescribeDomain")
            raise RemediationInterrupted(f"{self.plan.label}: {problem}") from None
        return json_ready(response)

    def _running_apps(self) -> list[App]:
        """The domain's apps in a state that blocks the update (ListApps, every page)."""
        try:
            return running_apps(self.client, self.plan.domain_id)
        except (ClientError, BotoCoreError) as error:
            problem = aws_problem(error, self.plan.region, "sagemaker:ListApps")
            raise RemediationInterrupted(
                f"{self.plan.label}: cannot tell which apps run, so the update was not sent: "
                f"{problem}"
            ) from None

    def _verify(self, current: Mapping[str, Any]) -> DomainVerification:
        """Judge the domain as read back; it must pass the rules the update fixes."""
        try:
            tags = notebook_tags(self.client, self.plan.arn)
        except (ClientError, BotoCoreError) as error:
            problem = aws_problem(error, self.plan.region, "sagemaker:ListTags")
            raise RemediationInterrupted(f"{self.plan.label}: {problem}") from None
        domain = deployed_resource(
            STUDIO_DOMAIN,
            current,
            tags,
            self.plan.region,
            honour_exemption_tags=self.config.tag_exemptions,
        )
        findings = judged_for_remediation(domain.spec, self.config, DOMAIN_RULES)
        problems = blocking(findings)
        if problems:
            raise RemediationInterrupted(
                f"{self.plan.label}, read back after the update, breaks "
                f"{describe_findings(problems)}; look at it, then resume to judge it again"
            )
        self.journal.record(VERIFY, COMPLETED)
        return DomainVerification(dict(current), tuple(findings))


def running_apps(client: SageMakerClient, domain_id: str) -> list[App]:
    """The apps of ``domain_id`` that are InService, Pending or Deleting (ListApps)."""
    apps = []
    for page in client.get_paginator("list_apps").paginate(DomainIdEquals=domain_id):
        for details in page["Apps"]:
            if details.get("Status") in RUNNING_APP_STATES:
                apps.append(App.from_details(details))
    return apps
