"""Find ``Validations.of(scope).acknowledge`` calls for sm-guardrails that give no reason.

CDK applies acknowledgements itself, after the plugin reports, and accepts a blank
reason. An exemption without a reason must exempt nothing, so the plugin looks for
such acknowledgements and reports them as a violation CDK cannot suppress.
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
class ReasonlessAcknowledgement:
    """An acknowledgement of one of our rules, made at ``path`` without a reason."""

    rule_id: str
    path: str


def reasonless_acknowledgements(
    root: IConstruct, rule_ids: set[str]
) -> Iterator[ReasonlessAcknowledgement]:
    """Acknowledgements of ``rule_ids`` under ``root`` whose reason is blank.

    This reads every construct's metadata (a Node.js call each), so the plugin only
    calls it when a blocking violation could be hidden by such an acknowledgement.
    """
    wanted = {acknowledgement_id(rule_id): rule_id for rule_id in rule_ids}
    for construct in root.node.find_all():
        for entry in construct.node.metadata:
            if entry.type != ACKNOWLEDGED_RULES or not isinstance(entry.data, Mapping):
                continue
            for ack_id, reason in entry.data.items():
                if ack_id in wanted and not str(reason or "").strip():
                    yield ReasonlessAcknowledgement(wanted[ack_id], construct.node.path or "/")


def acknowledgement_violation(
    ack: ReasonlessAcknowledgement, resources: list[cdk.PolicyViolatingResource]
) -> cdk.PolicyViolation:
    """A fatal SMG-0 violation (CDK cannot acknowledge a fatal one) for ``ack``."""
    return cdk.PolicyViolation(
        rule_name="SMG-0",
        description=(
            f"[SMG-0] Validations.of({ack.path!r}).acknowledge({acknowledgement_id(ack.rule_id)!r})"
            " has no reason, so it exempts nothing"
        ),
        fix=(
            "Give the acknowledgement a reason a reviewer can check, e.g. "
            f"cdk.Acknowledgment(id={acknowledgement_id(ack.rule_id)!r}, "
            "reason='SEC-42: isolated lab account'), or use sm_guardrails.cdk.exempt()."
        ),
        severity="fatal",
        violating_resources=resources,
    )
