"""Read one policy's config from a policy pack config: unknown-value policy and exemptions.

Shape, under the policy's name (the engine strips ``enforcementLevel`` before the
policy sees it)::

    {"unknown": "fail",
     "exemptions": [{"resource": "<URN or name>", "reason": "<why, e.g. a ticket>"}]}

A mistake never raises: it becomes a problem the policy reports, and the policy runs
on with the parts that are valid (an entry that is wrong exempts nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sm_guardrails.config import UnknownPolicy
from sm_guardrails.model import Exemption

CONFIG_KEYS = ("unknown", "exemptions")
EXEMPTION_KEYS = ("resource", "reason")

CONFIG_SCHEMA: dict[str, dict[str, Any]] = {
    "unknown": {
        "type": "string",
        "enum": [policy.value for policy in UnknownPolicy],
        "description": (
            "What a value unknown at preview counts as: 'fail' reports it at the policy's "
            "level (fail closed), 'warn' reports it as an advisory notice."
        ),
    },
    "exemptions": {
        "type": "array",
        "description": "Notebooks exempted from this rule, each with the reason.",
        "items": {
            "type": "object",
            "properties": {
                "resource": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The notebook's URN or name.",
                },
                "reason": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Why, e.g. a ticket number.",
                },
            },
            "required": list(EXEMPTION_KEYS),
            "additionalProperties": False,
        },
    },
}
"""The JSON schema of a rule policy's config properties, for the engine and for readers."""


@dataclass(frozen=True)
class PolicySettings:
    """A rule policy's settings read from its config, and what was wrong with it."""

    unknown: UnknownPolicy | None = None
    """None when the config does not say; the policy's default applies."""
    exemptions: tuple[Exemption, ...] = ()
    problems: tuple[str, ...] = ()


def read_policy_settings(raw: Mapping[str, Any], rule_id: str, where: str) -> PolicySettings:
    """Settings of the policy for ``rule_id`` from its config ``raw``; ``where`` names it."""
    problems: list[str] = []
    unexpected = sorted(set(raw) - set(CONFIG_KEYS))
    if unexpected:
        problems.append(
            f"{where}: unknown key(s) {unexpected}; expected {', '.join(CONFIG_KEYS)} "
            "(and enforcementLevel)"
        )
    unknown = None
    if "unknown" in raw:
        try:
            unknown = UnknownPolicy(raw["unknown"])
        except ValueError:
            choices = " or ".join(repr(policy.value) for policy in UnknownPolicy)
            problems.append(
                f"{where}.unknown: {raw['unknown']!r} is not {choices}; "
                "the policy's default applies"
            )
    exemptions = _read_exemptions(raw.get("exemptions", []), rule_id, f"{where}.exemptions")
    problems.extend(problem for problem in exemptions if isinstance(problem, str))
    return PolicySettings(
        unknown=unknown,
        exemptions=tuple(item for item in exemptions if isinstance(item, Exemption)),
        problems=tuple(problems),
    )


def _read_exemptions(raw: object, rule_id: str, where: str) -> list[Exemption | str]:
    """Each entry as an :class:`Exemption`, or as the problem that makes it exempt nothing."""
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        return [f"{where}: expected a list of {{resource, reason}} objects, got {raw!r}"]
    return [_read_exemption(entry, rule_id, f"{where}[{index}]") for index, entry in enumerate(raw)]


def _read_exemption(entry: object, rule_id: str, where: str) -> Exemption | str:
    if not isinstance(entry, Mapping):
        return f"{where}: expected an object with 'resource' and 'reason', got {entry!r}"
    unexpected = sorted(set(entry) - set(EXEMPTION_KEYS))
    if unexpected:
        return (
            f"{where}: unknown key(s) {unexpected}; an exemption has only 'resource' and "
            "'reason' (the rule is the policy it is configured under)"
        )
    resource, reason = entry.get("resource"), entry.get("reason")
    if not isinstance(resource, str) or not resource.strip():
        return f"{where}: no 'resource'; give the URN or the name of the notebook to exempt"
    if not isinstance(reason, str) or not reason.strip():
        return (
            f"{where}: the exemption of {resource} from {rule_id} has no 'reason'; give one a "
            "reviewer can check (e.g. a ticket); until then it exempts nothing"
        )
    return Exemption(rule_id=rule_id, reason=reason, resource=resource)
