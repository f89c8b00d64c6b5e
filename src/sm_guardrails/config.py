"""What the user decides: rule levels, what an undecidable value means, exemptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from sm_guardrails.catalog import RULES, RULES_BY_ID, Level, Rule
from sm_guardrails.model import Exemption


class ConfigError(ValueError):
    """A configuration value is wrong; the message says which and how to fix it."""


class UnknownPolicy(str, Enum):
    """What a rule's UNKNOWN verdict counts as."""

    FAIL = "fail"
    """Fail closed: an undecidable value is reported at the rule's level (the default)."""
    WARN = "warn"
    """An undecidable value is reported as a warning, never as an error."""


@dataclass(frozen=True)
class GuardrailConfig:
    """Rule levels, the unknown policy and exemptions for every adapter.

    ``levels`` overrides the catalog's default level per rule id. ``exemptions``
    apply to the resources whose names (logical id, construct path, URN, name)
    equal the exemption's ``resource``; an exemption without ``resource`` applies
    to every resource checked with this config. ``tag_exemptions`` False stops
    ``sm-guardrails audit`` from honouring exemption tags on deployed notebooks (whoever
    may tag a notebook could exempt it); the tags it then ignores are reported.
    """

    levels: Mapping[str, Level] = field(default_factory=dict)
    unknown: UnknownPolicy = UnknownPolicy.FAIL
    exemptions: tuple[Exemption, ...] = ()
    tag_exemptions: bool = True

    def __post_init__(self) -> None:
        for rule_id in self.levels:
            _require_rule(rule_id, "levels")
        for exemption in self.exemptions:
            _require_rule(exemption.rule_id, "exemptions")
            if not exemption.reason.strip():
                raise ConfigError(
                    f"exemption of {exemption.rule_id} for "
                    f"{exemption.resource or 'every resource'} has no reason: "
                    "give a non-empty reason that a reviewer can check"
                )

    def level_of(self, rule: Rule) -> Level:
        """The level findings of ``rule`` are reported at."""
        return self.levels.get(rule.rule_id, rule.default_level)

    def exemptions_for(self, names: tuple[str, ...]) -> tuple[Exemption, ...]:
        """The configured exemptions that apply to a resource known by ``names``."""
        return tuple(e for e in self.exemptions if e.resource is None or e.resource in names)

    @classmethod
    def from_mapping(cls, raw: object, where: str = "config") -> GuardrailConfig:
        """Build a config from plain data (a policy pack's config, a JSON or YAML file).

        Shape: ``{"levels": {"SMG-3": "error"}, "unknown": "fail",
        "exemptions": [{"rule": "SMG-1", "resource": "urn:...", "reason": "..."}],
        "tag_exemptions": false}``.
        """
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{where}: expected a mapping, got {type(raw).__name__}")
        unexpected = set(raw) - {"levels", "unknown", "exemptions", "tag_exemptions"}
        if unexpected:
            raise ConfigError(
                f"{where}: unknown key(s) {sorted(map(str, unexpected))}; "
                "expected levels, unknown, exemptions, tag_exemptions"
            )
        tag_exemptions = raw.get("tag_exemptions", True)
        if not isinstance(tag_exemptions, bool):
            raise ConfigError(f"{where}.tag_exemptions: expected true or false")
        return cls(
            levels=_parse_levels(raw.get("levels") or {}, f"{where}.levels"),
            unknown=_parse_enum(UnknownPolicy, raw.get("unknown", "fail"), f"{where}.unknown"),
            exemptions=_parse_exemptions(raw.get("exemptions") or [], f"{where}.exemptions"),
            tag_exemptions=tag_exemptions,
        )


LEVEL_WORDS: Mapping[str, Level] = {
    "error": Level.ERROR,
    "warning": Level.WARNING,
    "off": Level.OFF,
    "mandatory": Level.ERROR,
    "advisory": Level.WARNING,
    "disabled": Level.OFF,
}
"""The words a level may be given in: the core's, and Pulumi's enforcement levels, so
one config file serves the CLI, CDK and the policy pack."""


def parse_level(text: object, where: str) -> Level:
    """A :class:`Level` from one of :data:`LEVEL_WORDS`, with a clear error otherwise."""
    if isinstance(text, str) and text in LEVEL_WORDS:
        return LEVEL_WORDS[text]
    raise ConfigError(f"{where}: {text!r} is not one of {', '.join(LEVEL_WORDS)}")


def _require_rule(rule_id: str, where: str) -> None:
    if rule_id not in RULES_BY_ID or rule_id == "SMG-0":
        known = ", ".join(rule.rule_id for rule in RULES)
        raise ConfigError(f"{where}: unknown rule id {rule_id!r}; known rules: {known}")


_Choice = TypeVar("_Choice", Level, UnknownPolicy)


def _parse_enum(kind: type[_Choice], text: object, where: str) -> _Choice:
    try:
        return kind(text)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise ConfigError(f"{where}: {text!r} is not one of {choices}") from None


def _parse_levels(raw: object, where: str) -> dict[str, Level]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping of rule id to level")
    return {
        str(rule_id): parse_level(level, f"{where}.{rule_id}") for rule_id, level in raw.items()
    }


def _parse_exemptions(raw: object, where: str) -> tuple[Exemption, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: expected a list of {{rule, resource, reason}} mappings")
    exemptions = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("rule"), str):
            raise ConfigError(f"{where}[{index}]: expected a mapping with a 'rule' id")
        reason = entry.get("reason")
        resource = entry.get("resource")
        exemptions.append(
            Exemption(
                rule_id=entry["rule"],
                reason=reason if isinstance(reason, str) else "",
                resource=str(resource) if resource is not None else None,
            )
        )
    return tuple(exemptions)
