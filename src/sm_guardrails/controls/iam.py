"""SCPs and permissions boundaries that deny the requests creating or updating a resource of
any kind in the registry (a notebook instance, a Studio domain) that would break an
error-level rule.

Statements are built from each rule's checks (what each property must be) and the
condition key its kind declares for the property (which SageMaker condition key carries
it, its type, and whether the kind's update action sends it too; from parliament's copy
of the Service Authorization Reference). The IAM
semantics they rely on are in docs/preventive.md:

- a negated operator (``StringNotEquals``, ``ForAnyValue:StringNotLike``) on a key the
  request does not carry: ``StringNotEquals`` is true (denied), ``ForAnyValue`` is false,
  so every multi-valued key is paired with a ``Null`` statement;
- an update that does not send a key does not change it, so update statements apply
  only when the key is present (``Null: false``), and a multi-valued key is denied on
  update only when an id it sends is malformed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sm_guardrails.catalog import RULES_BY_KIND, Level, Rule
from sm_guardrails.config import ConfigError, GuardrailConfig
from sm_guardrails.controls.exemptions import UnexpressibleExemption
from sm_guardrails.kinds import KINDS, ConditionKey
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
    ``check`` would fail.

    An update that does not send a key leaves the property as it is, so on update an
    exact value is denied only when the key is present and a presence check only when
    the ids sent are malformed (an absent key cannot be told from one left unchanged).
    """
    if isinstance(check, ExactString):
        values = [value for value in (check.expected, *check.accepted) if isinstance(value, str)]
        condition: dict[str, Any] = {"StringNotEquals": {key.name: values}}
        if not on_create:
            condition["Null"] = {key.name: "false"}  # an update that leaves it as it is
        return [("NotAllowed", condition)]
    if check is not present_id and check is not present_id_list:
        raise NotImplementedError(f"no IAM condition for the check of {key.name}")
    found: list[tuple[str, dict[str, Any]]] = []
    if on_create:
        names = (key.name, key.successor) if key.successor else (key.name,)
        found.append(("Missing", {"Null": dict.fromkeys(names, "true")}))
    if key.type == "ArrayOfString" and key.id_pattern:
        # ForAnyValue is false on an absent key: the Null statement above covers that
        found.append(("Malformed", {"ForAnyValue:StringNotLike": {key.name: [key.id_pattern]}}))
    return found


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


@dataclass(frozen=True)
class _Denial:
    """One action a rule denies on one condition (the rule's exceptions included)."""

    rule_id: str
    verb: str
    name: str
    """The condition key's name and what the condition denies: ``VpcSubnetsMissing``."""
    action: str
    condition: dict[str, Any]


def _rule_denials(
    rule: Rule, exemptions: tuple[Exemption, ...], kind: PolicyKind
) -> Iterator[_Denial]:
    exception = _exception(exemptions, kind)
    assert rule.kind is not None
    create, update = rule.kind.iam_create, rule.kind.iam_update
    for check in rule.checks:
        key = check.prop.condition_key
        if key is None:
            continue  # no IAM condition key carries it (docs/preventive.md)
        for action in (create, update) if key.on_update else (create,):
            for suffix, condition in _key_conditions(key, check.check, action == create):
                yield _Denial(
                    rule.rule_id.replace("-", ""),
                    "Create" if action == create else "Update",
                    key.name.split(":")[1] + suffix,
                    action,
                    _merge(condition, exception),
                )


def _statements(denials: Sequence[_Denial]) -> list[dict[str, Any]]:
    """One Deny statement per distinct condition, listing every action denied on it.

    The same key often means the same thing to several actions and rules (subnets on
    CreateNotebookInstance, CreateDomain and UpdateDomain): one statement per condition
    keeps the SCP within AWS's size limit. Its Sid names the rules (and the verb, when
    there is one): ``SMG2SMG7CreateVpcSubnetsMissing``.
    """
    grouped: dict[str, list[_Denial]] = {}
    for denial in denials:
        grouped.setdefault(json.dumps(denial.condition, sort_keys=True), []).append(denial)
    statements = []
    for group in grouped.values():
        rule_ids = "".join(dict.fromkeys(denial.rule_id for denial in group))
        verbs = set(denial.verb for denial in group)
        actions = list(dict.fromkeys(denial.action for denial in group))
        statements.append(
            {
                "Sid": f"{rule_ids}{verbs.pop() if len(verbs) == 1 else ''}{group[0].name}",
                "Effect": "Deny",
                "Action": actions[0] if len(actions) == 1 else actions,
                "Resource": "*",
                "Condition": group[0].condition,
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
    denials: list[_Denial] = []
    for rule in (rule for kind in KINDS for rule in RULES_BY_KIND[kind]):
        if config.level_of(rule) is not Level.ERROR:
            continue
        exemptions = tuple(e for e in config.exemptions if e.rule_id == rule.rule_id)
        denials += _rule_denials(rule, exemptions, kind)
        tag_keys += [
            resource.removeprefix(PRINCIPAL_TAG_PREFIX).partition("=")[0]
            for resource in (e.resource or "" for e in exemptions)
            if resource.startswith(PRINCIPAL_TAG_PREFIX)
        ]
    statements += _statements(denials)
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
