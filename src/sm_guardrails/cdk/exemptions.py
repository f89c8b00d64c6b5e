"""``exempt``: exempt the guarded resources under a scope from one rule, with a reason."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from sm_guardrails.cdk._resources import guarded_resource
from sm_guardrails.cloudformation import METADATA_KEY, exemption_metadata
from sm_guardrails.config import ConfigError, rule_id_problem


def exempt(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Exempt every guarded resource (notebook instance, Studio domain) under ``scope`` (or
    ``scope`` itself) from ``rule_id``.

    The exemption is written into each resource's template metadata
    (``Metadata["sm-guardrails"]["exemptions"]``), so the aspect, the validation
    plugin and ``sm-guardrails check`` all honour it and show ``reason``. Resources
    added under ``scope`` later are exempted too, except inside a ``Stage`` created
    after this call (CDK runs a scope's aspects without entering its stages): exempt
    those through the Stage or the resource itself. Raises ConfigError for an unknown
    rule id or a blank reason.
    """
    where = f"exempt({scope.node.path or '<app>'!r}, {rule_id!r})"
    problem = rule_id_problem(rule_id)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    if not isinstance(reason, str) or not reason.strip():
        raise ConfigError(
            f"{where}: the reason is empty; say why these resources may break the rule "
            "(e.g. a ticket number), so reviewers can check it"
        )
    exemption = _Exemption(rule_id, reason.strip())
    for construct in scope.node.find_all():
        exemption.visit(construct)
    if hasattr(cdk, "AspectPriority"):
        cdk.Aspects.of(scope).add(exemption, priority=cdk.AspectPriority.MUTATING)
    else:  # aws-cdk-lib before 2.172 runs aspects in the order they were added
        cdk.Aspects.of(scope).add(exemption)


@jsii.implements(cdk.IAspect)
class _Exemption:
    """Writes one exemption into the metadata of every guarded resource it visits."""

    def __init__(self, rule_id: str, reason: str) -> None:
        self._entry = {"rule": rule_id, "reason": reason}

    def visit(self, node: IConstruct) -> None:
        guarded = guarded_resource(node)
        if guarded is None:
            return
        resource = guarded[0]
        existing = resource.get_metadata(METADATA_KEY)
        entries = existing.get("exemptions") if isinstance(existing, Mapping) else None
        if isinstance(entries, list) and self._entry in entries:
            return
        resource.add_metadata(
            METADATA_KEY,
            exemption_metadata(existing, self._entry["rule"], self._entry["reason"]),
        )
