"""What the user decides: rule levels, what an undecidable value means, exemptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from sm_guardrails.catalog import RULES, Level, Rule
from sm_guardrails.model import Exemption


class ConfigError(ValueError):
    """A configuration value is wrong; the message says which and how to fix it."""


class UnknownPolicy(str, Enum):
    """What a rule's UNKNOWN verdict counts as."""

    FAIL = "fail"
    """Fail closed: an undecidable value is reported at the rule's level (the default)."""
    WARN = "warn"
    """An undecidable value is reported as a warning, never as an error."""


class UnseenPolicy(str, Enum):
    """What a template that cannot be read here (a URL, a body decided later) counts as."""

    NOTICE = "notice"
    """Reported without blocking (the default): check that template on its own."""
    ERROR = "error"
    """Reported as an error, so a pipeline can insist that every resource was seen."""


@dataclass(frozen=True)
class GuardrailConfig:
    """Rule levels, the unknown policy and exemptions for every adapter.

    ``levels`` overrides the catalog's default level per rule id. ``exemptions``
    apply to the resources whose names (logical id, construct path, URN, name)
    equal the exemption's ``resource``; an exemption without ``resource`` applies
    to every resource checked with this config. ``unseen`` says whether a template
    that cannot be read here (at a URL, or decided at deployment) blocks.
    ``tag_exemptions`` False stops
    ``sm-guardrails audit`` from honouring exemption tags on deployed notebooks (whoever
    may tag a notebook could exempt it); the tags it then ignores are reported.
    """

    levels: Mapping[str, Level] = field(default_factory=dict)
    unknown: UnknownPolicy = UnknownPolicy.FAIL
    exemptions: tuple[Exemption, ...] = ()
    unseen: UnseenPolicy = UnseenPolicy.NOTICE
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
        """Build a config from plain data (a JSON or YAML file); ConfigError on any mistake.

        Shape: ``{"levels": {"SMG-3": "error"}, "unknown": "fail", "unseen": "notice",
        "exemptions": [{"rule": "SMG-1", "resource": "urn:...", "reason": "..."}],
        "tag_exemptions": false}``. The error names the first mistake
        :func:`~sm_guardrails.config_reader.read_config` found.
        """
        from sm_guardrails.config_reader import read_config  # it builds on this module

        read = read_config(raw, where)
        if read.problems:
            raise ConfigError(read.problems[0].message)
        return read.over(cls())


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


CONFIGURABLE_RULE_IDS = tuple(rule.rule_id for rule in RULES)
"""The rules a config may set a level for or exempt from: SMG-0 (the config itself is
wrong) and SMG-U (a template not seen here, set by ``unseen``) are not among them."""


def rule_id_problem(rule_id: object) -> str | None:
    """Why ``rule_id`` cannot be given a level or an exemption, or None if it can."""
    if rule_id in CONFIGURABLE_RULE_IDS:
        return None
    return f"unknown rule id {rule_id!r}; use one of {', '.join(CONFIGURABLE_RULE_IDS)}"


def _require_rule(rule_id: str, where: str) -> None:
    problem = rule_id_problem(rule_id)
    if problem:
        raise ConfigError(f"{where}: {problem}")
