"""Find the ``Validations.of(scope).acknowledge`` calls made for sm-guardrails' rules.

From aws-cdk-lib 2.271 CDK applies acknowledgements itself, after the plugin reports,
and accepts a blank reason. An exemption without a reason must exempt nothing, so the
plugin looks for such acknowledgements and reports them as a violation CDK cannot
suppress. On 2.254-2.270, where CDK would apply one to its rule across the whole app,
``enforce`` reads them here and applies each only under its construct
(:mod:`sm_guardrails.cdk.assembly_report`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import aws_cdk as cdk
from constructs import IConstruct

from sm_guardrails.cdk._findings import acknowledgement_id

ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
"""The construct metadata type under which CDK records acknowledgements."""


@dataclass(frozen=True)
class RecordedAcknowledgement:
    """An acknowledgement of one of our rules, made at ``path`` with ``reason`` (maybe blank)."""

    rule_id: str
    path: str
    """The construct path it was made on ("" for the App)."""
    reason: str

    @property
    def reasonless(self) -> bool:
        """True when the reason is blank: such an acknowledgement exempts nothing."""
        return not self.reason.strip()

    def covers(self, construct_path: str) -> bool:
        """True when the construct at ``construct_path`` is the one acknowledged or under it."""
        return (
            not self.path
            or construct_path == self.path
            or construct_path.startswith(self.path + "/")
        )


def recorded_acknowledgements(
    root: IConstruct, rule_ids: set[str]
) -> Iterator[RecordedAcknowledgement]:
    """Acknowledgements of ``rule_ids`` made on ``root`` or any construct under it.

    This reads every construct's metadata (a Node.js call each), so callers only call it
    when there is a finding such an acknowledgement could change.
    """
    wanted = {acknowledgement_id(rule_id): rule_id for rule_id in rule_ids}
    for construct in root.node.find_all():
        for entry in construct.node.metadata:
            if entry.type != ACKNOWLEDGED_RULES or not isinstance(entry.data, Mapping):
                continue
            for ack_id, reason in entry.data.items():
                if ack_id in wanted:
                    yield RecordedAcknowledgement(
                        wanted[ack_id], construct.node.path, str(reason or "")
                    )


def reasonless_acknowledgements(
    root: IConstruct, rule_ids: set[str]
) -> Iterator[RecordedAcknowledgement]:
    """Acknowledgements of ``rule_ids`` under ``root`` whose reason is blank."""
    return (ack for ack in recorded_acknowledgements(root, rule_ids) if ack.reasonless)


def reasonless_message(ack: RecordedAcknowledgement) -> tuple[str, str]:
    """The description and the fix of the SMG-0 violation that reports ``ack``."""
    ack_id = acknowledgement_id(ack.rule_id)
    return (
        f"[SMG-0] Validations.of({ack.path or '/'!r}).acknowledge({ack_id!r})"
        " has no reason, so it exempts nothing",
        "Give the acknowledgement a reason a reviewer can check, e.g. cdk.Acknowledgment("
        f"id={ack_id!r}, reason='SEC-42: isolated lab account'), "
        "or use sm_guardrails.cdk.exempt().",
    )


def acknowledgement_violation(
    ack: RecordedAcknowledgement, resources: list[cdk.PolicyViolatingResource]
) -> cdk.PolicyViolation:
    """A fatal SMG-0 violation (CDK cannot acknowledge a fatal one) for ``ack``."""
    description, fix = reasonless_message(ack)
    return cdk.PolicyViolation(
        rule_name="SMG-0",
        description=description,
        fix=fix,
        severity="fatal",
        violating_resources=resources,
    )
