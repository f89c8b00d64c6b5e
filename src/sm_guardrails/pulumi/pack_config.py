"""Read the ``sm-guardrails`` policy's config from a policy pack config, leniently.

The shape is the one :meth:`GuardrailConfig.from_mapping` reads (``sm-guardrails check
--config``, the CDK), under the policy's name; the engine strips ``enforcementLevel``
before the policy sees it::

    {"levels": {"SMG-3": "error", "SMG-5": "disabled"},
     "unknown": "fail",
     "exemptions": [{"rule": "SMG-1", "resource": "<URN or name>", "reason": "<why>"}]}

A level is ``error``/``warning``/``off`` or the Pulumi words ``mandatory``/``advisory``/
``disabled``. A mistake never raises: it becomes a problem the policy reports, the
entry it names has no effect, and the rest of the config still applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sm_guardrails.catalog import RULES, Level
from sm_guardrails.config import LEVEL_WORDS, ConfigError, UnknownPolicy, UnseenPolicy, parse_level
from sm_guardrails.model import Exemption

CONFIG_KEYS = ("levels", "unknown", "unseen", "exemptions")
EXEMPTION_KEYS = ("rule", "resource", "reason")
RULE_IDS = tuple(rule.rule_id for rule in RULES)

_RULE_CHOICES = ", ".join(RULE_IDS)

CONFIG_SCHEMA: dict[str, dict[str, Any]] = {
    "levels": {
        "type": "object",
        "description": (
            "Level per rule: error (mandatory) blocks, warning (advisory) is shown, "
            "off (disabled) is not checked. Rules not named keep their default."
        ),
        "properties": {
            rule_id: {"type": "string", "enum": list(LEVEL_WORDS)} for rule_id in RULE_IDS
        },
        "additionalProperties": False,
    },
    "unknown": {
        "type": "string",
        "enum": [policy.value for policy in UnknownPolicy],
        "description": (
            "What a value unknown at preview counts as: 'fail' reports it at the rule's "
            "level (fail closed), 'warn' reports it as an advisory."
        ),
    },
    "unseen": {
        "type": "string",
        "enum": [policy.value for policy in UnseenPolicy],
        "description": (
            "What a CloudFormation template this pack cannot read (a stack's templateUrl, "
            "a templateBody unknown at preview) counts as: 'notice' reports it as an "
            "advisory, 'error' blocks, so every notebook must have been seen."
        ),
    },
    "exemptions": {
        "type": "array",
        "description": "Notebooks exempted from one rule each, with the reason.",
        "items": {
            "type": "object",
            "properties": {
                "rule": {"type": "string", "enum": list(RULE_IDS)},
                "resource": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The notebook's URN or its Pulumi name.",
                },
                "reason": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Why, e.g. a ticket a reviewer can check.",
                },
            },
            "required": list(EXEMPTION_KEYS),
            "additionalProperties": False,
        },
    },
}
"""The JSON schema of the policy's config properties, for the engine and for readers."""


@dataclass(frozen=True)
class PackSettings:
    """What the policy's config sets, and what was wrong with it."""

    levels: Mapping[str, Level] = field(default_factory=dict)
    unknown: UnknownPolicy | None = None
    """None when the config does not say; the default applies."""
    exemptions: tuple[Exemption, ...] = ()
    problems: tuple[str, ...] = ()
    unseen: UnseenPolicy | None = None
    """None when the config does not say; the default applies."""


def read_pack_settings(raw: Mapping[str, Any], where: str) -> PackSettings:
    """The settings in the policy config ``raw``; ``where`` names it in problems."""
    problems: list[str] = []
    unexpected = sorted(map(str, set(raw) - set(CONFIG_KEYS)))
    if unexpected:
        problems.append(
            f"{where}: unknown key(s) {unexpected}, ignored; expected {', '.join(CONFIG_KEYS)} "
            "(and enforcementLevel)"
        )
    levels = _read_levels(raw.get("levels", {}), f"{where}.levels", problems)
    unknown = _read_policy(UnknownPolicy, raw, "unknown", where, problems)
    unseen = _read_policy(UnseenPolicy, raw, "unseen", where, problems)
    exemptions = _read_exemptions(raw.get("exemptions", []), f"{where}.exemptions", problems)
    return PackSettings(levels, unknown, exemptions, tuple(problems), unseen)


_Policy = TypeVar("_Policy", UnknownPolicy, UnseenPolicy)


def _read_policy(
    kind: type[_Policy], raw: Mapping[str, Any], key: str, where: str, problems: list[str]
) -> _Policy | None:
    """The policy ``raw[key]`` names, or None (a problem if it names none)."""
    if key not in raw:
        return None
    try:
        return kind(raw[key])
    except ValueError:
        choices = " or ".join(repr(policy.value) for policy in kind)
        problems.append(f"{where}.{key}: {raw[key]!r} is not {choices}; the default applies")
        return None


def _read_levels(raw: object, where: str, problems: list[str]) -> dict[str, Level]:
    if not isinstance(raw, Mapping):
        problems.append(
            f'{where}: expected an object of rule id to level, e.g. {{"SMG-3": "error"}}, '
            f"got {raw!r}; every rule keeps its default level"
        )
        return {}
    levels: dict[str, Level] = {}
    for rule_id, word in raw.items():
        if rule_id not in RULE_IDS:
            problems.append(
                f"{where}: {rule_id!r} is not a rule, ignored; the rules are {_RULE_CHOICES}"
            )
        else:
            try:
                levels[rule_id] = parse_level(word, f"{where}.{rule_id}")
            except ConfigError as error:
                problems.append(f"{error}; {rule_id} keeps its default level")
    return levels


def _read_exemptions(raw: object, where: str, problems: list[str]) -> tuple[Exemption, ...]:
    if not isinstance(raw, (list, tuple)):
        problems.append(
            f"{where}: expected a list of {{rule, resource, reason}} objects, got {raw!r}; "
            "it exempts nothing"
        )
        return ()
    exemptions = []
    for index, entry in enumerate(raw):
        read = _read_exemption(entry, f"{where}[{index}]")
        if isinstance(read, Exemption):
            exemptions.append(read)
        else:
            problems.append(read)
    return tuple(exemptions)


def _read_exemption(entry: object, where: str) -> Exemption | str:
    """The exemption ``entry`` gives, or the problem that makes it exempt nothing."""
    if not isinstance(entry, Mapping):
        return (
            f"{where}: expected an object with 'rule', 'resource' and 'reason', got {entry!r}; "
            "it exempts nothing"
        )
    unexpected = sorted(map(str, set(entry) - set(EXEMPTION_KEYS)))
    if unexpected:
        return (
            f"{where}: unknown key(s) {unexpected}; an exemption has only 'rule', 'resource' "
            "and 'reason'; until fixed it exempts nothing"
        )
    rule_id, resource, reason = (entry.get(key) for key in EXEMPTION_KEYS)
    if rule_id not in RULE_IDS:
        said = "no 'rule'" if rule_id is None else f"'rule' {rule_id!r} is not a rule"
        return f"{where}: {said}; give one of {_RULE_CHOICES}; until then it exempts nothing"
    if not isinstance(resource, str) or not resource.strip():
        said = "no 'resource'" if resource is None else f"'resource' {resource!r} names nothing"
        return (
            f"{where}: {said}; give the URN or the name of the notebook to exempt from "
            f"{rule_id}; until then it exempts nothing"
        )
    if not isinstance(reason, str) or not reason.strip():
        said = "has no 'reason'"
        if reason is not None and not isinstance(reason, str):
            said = f"has a 'reason' that is not text ({reason!r})"
        return (
            f"{where}: the exemption of {resource} from {rule_id} {said}; give one a "
            "reviewer can check (e.g. a ticket); until then it exempts nothing"
        )
    return Exemption(rule_id=str(rule_id), reason=reason, resource=resource)
