"""The one reader of a config given as plain data (a YAML or JSON file, a policy pack config).

It never raises: each mistake is a :class:`ConfigProblem` (where, what, how to fix, and
what a lenient reader does about it), the entry it names has no effect, and the rest is
read. Each adapter reports the problems its own way: the CLI and the CDK refuse the config
(:meth:`GuardrailConfig.from_mapping`), the policy pack reports each as a mandatory SMG-0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from sm_guardrails.catalog import Level
from sm_guardrails.config import (
    CONFIGURABLE_RULE_IDS,
    ConfigError,
    GuardrailConfig,
    UnknownPolicy,
    UnseenPolicy,
    parse_level,
    rule_id_problem,
)
from sm_guardrails.model import Exemption

CONFIG_KEYS = ("levels", "unknown", "unseen", "exemptions", "tag_exemptions")
EXEMPTION_KEYS = ("rule", "resource", "reason")


@dataclass(frozen=True)
class ConfigProblem:
    """One mistake in a config."""

    message: str
    """Where, what is wrong and how to fix it."""
    effect: str
    """What the entry does meanwhile when the rest of the config is used."""


@dataclass(frozen=True)
class ConfigRead:
    """What a config sets (None: not said, the base applies) and what was wrong with it."""

    levels: Mapping[str, Level] = field(default_factory=dict)
    unknown: UnknownPolicy | None = None
    unseen: UnseenPolicy | None = None
    exemptions: tuple[Exemption, ...] = ()
    tag_exemptions: bool | None = None
    problems: tuple[ConfigProblem, ...] = ()

    def over(self, base: GuardrailConfig) -> GuardrailConfig:
        """``base`` with what this config says: levels override, exemptions add up."""
        return replace(
            base,
            levels={**base.levels, **self.levels},
            unknown=self.unknown or base.unknown,
            unseen=self.unseen or base.unseen,
            exemptions=(*base.exemptions, *self.exemptions),
            tag_exemptions=(
                base.tag_exemptions if self.tag_exemptions is None else self.tag_exemptions
            ),
        )


def read_config(raw: object, where: str, *, resource_required: bool = False) -> ConfigRead:
    """What the config ``raw`` sets; ``where`` names it in problems.

    ``resource_required`` makes an exemption without ``resource`` a problem (the policy
    pack's exemptions name a notebook); elsewhere such an exemption applies to every
    resource checked with the config.
    """
    if raw is None:
        return ConfigRead()
    if not isinstance(raw, Mapping):
        return ConfigRead(
            problems=(
                ConfigProblem(
                    f"{where}: expected a mapping of {', '.join(CONFIG_KEYS)}, "
                    f"got {type(raw).__name__}",
                    "the defaults apply",
                ),
            )
        )
    problems: list[ConfigProblem] = []
    unexpected = sorted(map(str, set(raw) - set(CONFIG_KEYS)))
    if unexpected:
        problems.append(
            ConfigProblem(
                f"{where}: unknown key(s) {unexpected}; expected {', '.join(CONFIG_KEYS)}",
                "ignored",
            )
        )
    return ConfigRead(
        levels=_read_levels(raw.get("levels"), f"{where}.levels", problems),
        unknown=_read_policy(UnknownPolicy, raw, "unknown", where, problems),
        unseen=_read_policy(UnseenPolicy, raw, "unseen", where, problems),
        exemptions=_read_exemptions(
            raw.get("exemptions"), f"{where}.exemptions", resource_required, problems
        ),
        tag_exemptions=_read_tag_exemptions(raw, where, problems),
        problems=tuple(problems),
    )


_Policy = TypeVar("_Policy", UnknownPolicy, UnseenPolicy)


def _read_policy(
    kind: type[_Policy],
    raw: Mapping[object, object],
    key: str,
    where: str,
    problems: list[ConfigProblem],
) -> _Policy | None:
    """The policy ``raw[key]`` names, or None (a problem if it names none)."""
    if key not in raw:
        return None
    try:
        return kind(raw[key])
    except ValueError:
        choices = ", ".join(policy.value for policy in kind)
        problems.append(
            ConfigProblem(
                f"{where}.{key}: {raw[key]!r} is not one of {choices}", "the default applies"
            )
        )
        return None


def _read_tag_exemptions(
    raw: Mapping[object, object], where: str, problems: list[ConfigProblem]
) -> bool | None:
    value = raw.get("tag_exemptions")
    if value is None or isinstance(value, bool):
        return value
    problems.append(
        ConfigProblem(
            f"{where}.tag_exemptions: expected true or false, got {value!r}",
            "the default applies",
        )
    )
    return None


def _read_levels(raw: object, where: str, problems: list[ConfigProblem]) -> dict[str, Level]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(
            ConfigProblem(
                f'{where}: expected a mapping of rule id to level, e.g. {{"SMG-3": "error"}}, '
                f"got {raw!r}",
                "every rule keeps its default level",
            )
        )
        return {}
    levels: dict[str, Level] = {}
    for rule_id, word in raw.items():
        problem = rule_id_problem(rule_id)
        if problem:
            problems.append(ConfigProblem(f"{where}: {problem}", "ignored"))
            continue
        try:
            levels[str(rule_id)] = parse_level(word, f"{where}.{rule_id}")
        except ConfigError as error:
            problems.append(ConfigProblem(str(error), f"{rule_id} keeps its default level"))
    return levels


def _read_exemptions(
    raw: object, where: str, resource_required: bool, problems: list[ConfigProblem]
) -> tuple[Exemption, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)):
        problems.append(
            ConfigProblem(
                f"{where}: expected a list of {{rule, resource, reason}} mappings, got {raw!r}",
                "it exempts nothing",
            )
        )
        return ()
    exemptions = []
    for index, entry in enumerate(raw):
        read = _read_exemption(entry, f"{where}[{index}]", resource_required)
        if isinstance(read, Exemption):
            exemptions.append(read)
        else:
            problems.append(ConfigProblem(read, "until then it exempts nothing"))
    return tuple(exemptions)


def _read_exemption(entry: object, where: str, resource_required: bool) -> Exemption | str:
    """The exemption ``entry`` gives, or what is wrong with it."""
    if not isinstance(entry, Mapping):
        return f"{where}: expected a mapping with 'rule', 'resource' and 'reason', got {entry!r}"
    unexpected = sorted(map(str, set(entry) - set(EXEMPTION_KEYS)))
    if unexpected:
        return (
            f"{where}: unknown key(s) {unexpected}; an exemption has only 'rule', 'resource' "
            "and 'reason'"
        )
    rule_id, resource, reason = (entry.get(key) for key in EXEMPTION_KEYS)
    if rule_id is None:
        return f"{where}: no 'rule'; give one of {', '.join(CONFIGURABLE_RULE_IDS)}"
    problem = rule_id_problem(rule_id)
    if problem:
        return f"{where}: 'rule': {problem}"
    named = isinstance(resource, str) and bool(resource.strip())
    if (resource is not None or resource_required) and not named:
        said = "no 'resource'" if resource is None else f"'resource' {resource!r} names nothing"
        return f"{where}: {said}; give the URN or the name of the notebook to exempt from {rule_id}"
    if not isinstance(reason, str) or not reason.strip():
        said = "has no 'reason'"
        if reason is not None and not isinstance(reason, str):
            said = f"has a 'reason' that is not text ({reason!r})"
        return (
            f"{where}: the exemption of {resource or 'every resource'} from {rule_id} {said}; "
            "give one a reviewer can check (e.g. a ticket)"
        )
    return Exemption(rule_id=str(rule_id), reason=reason, resource=resource)
