"""SCPs and permissions boundaries that deny notebook requests breaking an error-level rule.

Statements are built from each rule's checks (what each property must be) and the
condition key its kind declares for the property (which SageMaker condition key carries
it, its type, and whether the kind's update action sends it too; from parliament's copy
of the Service Authorization Reference). The IAM
semantics they rely on are in docs/preventive.md:

- a negated operator (``StringNotEquals``, ``ForAnyValue:StringNotLike``) on a key the
  request does not carry: ``StringNotEquals`` is true (denied), ``ForAnyValue`` is false,
  so every multi-valued key is paired with a ``Null`` statement;
- an update that does not send a key does not change it, so update statements apply
  only when the key is present (``Null: false``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from sm_guardrails.catalog import RULES_BY_KIND, Level, Rule
from sm_guardrails.config import ConfigError, GuardrailConfig
from sm_guardrails.controls.exemptions import UnexpressibleExemption
from sm_guardrails.kinds import NOTEBOOK_INSTANCE, ConditionKey
from sm_guardrails.model import Exemption
from sm_guardrails.rules import ExactString, LeafCheck, present_id, present_id_list

SCP_MAX_CHARACTERS = 5120
"""AWS Organizations' limit for a service control policy, whitespace outside quotes not counted."""
MANAGED_POLICY_MAX_CHARACTERS = 6144
"""IAM's limit for a managed policy (a permissions boundary), whitespace not counted."""
PRINCIPAL_TAG_PREFIX = "principal-tag:"
TAGGING_ACTIONS = (
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:TagRole",
    "iam:TagUser",
    "sts:TagSession",
)
"""The requests that put a tag on a principal or a session (each sends ``aws:TagKeys``):
whoever may make them with an exemption's tag key could exempt themselves."""

PolicyKind = Literal["scp", "boundary"]


def _key_conditions(
    key: ConditionKey, check: LeafCheck, on_create: bool
) -> list[tuple[str, dict[str, Any]]]:
    """(Sid suffix, Condition) pairs that each deny a create (or an update) request when
    ``check`` would fail."""
    if isinstance(check, ExactString):
        values = [value for value in (check.expected, *check.accepted) if isinstance(value, str)]
        condition: dict[str, Any] = {"StringNotEquals": {key.name: values}}
        if not on_create:
            condition["Null"] = {key.name: "false"}  # an update that leaves it as it is
        return [("NotAllowed", condition)]
    if check is present_id and key.type in ("String", "ARN") and on_create:
        names = (key.name, key.successor) if key.successor else (key.name,)
        return [("Missing", {"Null": dict.fromkeys(names, "true")})]
    if check in (present_id, present_id_list) and key.type == "ArrayOfString" and on_create:
        found: list[tuple[str, dict[str, Any]]] = [("Missing", {"Null": {key.name: "true"}})]
        if key.id_pattern:
            found.append(("Malformed", {"ForAnyValue:StringNotLike": {key.name: [key.id_pattern]}}))
        return found
    raise NotImplementedError(f"no IAM condition for {key.name} on update")


def _exception(exemptions: tuple[Exemption, ...], kind: PolicyKind) -> dict[str, Any]:
    """Condition entries that leave the exempted principals out of a rule's denials."""
    arns = sorted({e.resource for e in exemptions if e.resource and e.resource.startswith("arn:")})
    tags: dict[str, list[str]] = {}
    for exemption in exemptions:
        resource = exemption.resource or ""
        if resource.startswith("arn:"):
            continue
        key, separator, value = resource.removeprefix(PRINCIPAL_TAG_PREFIX).partition("=")
        if not resource.startswith(PRINCIPAL_TAG_PREFIX) or not separator or not key:
            raise UnexpressibleExemption(
                exemption,
                f"an {'SCP' if kind == 'scp' else 'IAM policy'} can only exempt principals: "
                "give resource as an IAM principal ARN (arn:aws:iam::ACCOUNT:role/NAME, "
                f"wildcards allowed) or {PRINCIPAL_TAG_PREFIX}KEY=VALUE; exempting every "
                "resource, a logical id, a construct path or a URN would open the API "
                "to everyone",
            )
        tags.setdefault(f"aws:PrincipalTag/{key}", []).append(value)
    found: dict[str, Any] = {}
    if arns:
        found["ArnNotLike"] = {"aws:PrincipalArn": arns}
    if tags:
        found["StringNotEquals"] = {tag: sorted(values) for tag, values in tags.items()}
    return found


def _merge(condition: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = {operator: dict(keys) for operator, keys in condition.items()}
    for operator, keys in extra.items():
        merged.setdefault(operator, {}).update(keys)
    return merged


def _rule_statements(
    rule: Rule, exemptions: tuple[Exemption, ...], kind: PolicyKind
) -> list[dict[str, Any]]:
    exception = _exception(exemptions, kind)
    statements = []
    assert rule.kind is not None
    create, update = rule.kind.iam_create, rule.kind.iam_update
    for check in rule.checks:
        key = check.prop.condition_key
        if key is None:
            continue  # no IAM condition key carries it (docs/preventive.md)
        for action in (create, update) if key.on_update else (create,):
            for suffix, condition in _key_conditions(key, check.check, action == create):
                verb = "Create" if action == create else "Update"
                sid = f"{rule.rule_id.replace('-', '')}{verb}{key.name.split(':')[1]}{suffix}"
                statements.append(
                    {
                        "Sid": sid,
                        "Effect": "Deny",
                        "Action": action,
                        "Resource": "*",
                        "Condition": _merge(condition, exception),
                    }
                )
    return statements


def _tag_protection(tag_keys: Sequence[str], tag_admins: Sequence[str]) -> dict[str, Any]:
    """A Deny of setting an exemption's tag key on a principal or a session, except by
    ``tag_admins`` (principal ARN patterns); with none, by no principal the policy governs."""
    condition: dict[str, Any] = {
        "ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": sorted(set(tag_keys))}
    }
    if tag_admins:
        condition["ArnNotLike"] = {"aws:PrincipalArn": sorted(set(tag_admins))}
    return {
        "Sid": "ProtectExemptionTags",
        "Effect": "Deny",
        "Action": list(TAGGING_ACTIONS),
        "Resource": "*",
        "Condition": condition,
    }


def notebook_policy(
    config: GuardrailConfig, kind: PolicyKind, tag_admins: Sequence[str] = ()
) -> dict[str, Any]:
    """The SCP or permissions boundary denying what an error-level rule forbids.

    A boundary also allows everything else (it caps the identity's own policies); an
    SCP only denies, next to the organization's allow policies. When an exemption names
    a principal tag, the policy also denies setting that tag key (creating or tagging a
    role or user, or tagging a session) to every principal but ``tag_admins`` (IAM
    principal ARN patterns): otherwise anyone allowed ``sts:TagSession`` could exempt
    themselves. Raises :class:`UnexpressibleExemption` for an exemption that does not
    name principals, and :class:`PolicyTooLarge` when the document exceeds AWS's size limit.
    """
    statements: list[dict[str, Any]] = []
    if kind == "boundary":
        statements.append(
            {
                "Sid": "AllowWhatIdentityPoliciesAllow",
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
            }
        )
    tag_keys = []
    for rule in RULES_BY_KIND[NOTEBOOK_INSTANCE]:
        if config.level_of(rule) is not Level.ERROR:
            continue
        exemptions = tuple(e for e in config.exemptions if e.rule_id == rule.rule_id)
        statements += _rule_statements(rule, exemptions, kind)
        tag_keys += [
            resource.removeprefix(PRINCIPAL_TAG_PREFIX).partition("=")[0]
            for resource in (e.resource or "" for e in exemptions)
            if resource.startswith(PRINCIPAL_TAG_PREFIX)
        ]
    for admin in tag_admins:
        if not admin.startswith("arn:"):
            raise ConfigError(
                f"tag admin {admin!r} is not an IAM principal ARN: give one such as "
                "arn:aws:iam::*:role/platform-admin (wildcards allowed)"
            )
    if tag_keys:
        statements.append(_tag_protection(tag_keys, tag_admins))
    elif tag_admins:
        raise ConfigError(
            "tag admins are given, but no exemption names a principal tag "
            f"({PRINCIPAL_TAG_PREFIX}KEY=VALUE), so there is no tag to protect"
        )
    policy = {"Version": "2012-10-17", "Statement": statements}
    limit = SCP_MAX_CHARACTERS if kind == "scp" else MANAGED_POLICY_MAX_CHARACTERS
    size = len(minified(policy))
    if size > limit:
        raise PolicyTooLarge(
            f"the {kind} is {size} characters without whitespace, over AWS's limit of "
            f"{limit}: exempt principals by a shared tag or an ARN wildcard instead of "
            "listing them one by one"
        )
    return policy


def minified(policy: Mapping[str, Any]) -> str:
    """``policy`` without whitespace outside strings, as AWS counts its size."""
    return json.dumps(policy, separators=(",", ":"))


class PolicyTooLarge(ValueError):
    """The generated document is over AWS's size limit for its kind."""
