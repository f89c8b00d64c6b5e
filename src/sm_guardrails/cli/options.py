"""Command-line options shared by the commands that judge notebooks (check, audit)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import yaml

from sm_guardrails.catalog import RULES, Level
from sm_guardrails.config import (
    ConfigError,
    GuardrailConfig,
    UnknownPolicy,
    UnseenPolicy,
    parse_level,
    rule_id_problem,
)
from sm_guardrails.reporting import REPORTERS


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """``--format``, ``--output`` and the rule options, for the commands that judge notebooks."""
    parser.add_argument("--format", choices=sorted(REPORTERS), default="text")
    parser.add_argument("--output", "-o", type=Path, help="write the report to this file")
    add_rule_options(parser)
    parser.add_argument(
        "--unknown",
        choices=[policy.value for policy in UnknownPolicy],
        help="what a value known only at deploy time means: fail (default) or warn",
    )


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    """``--level``, ``--strict`` and ``--config``: what every command reading a config takes."""
    parser.add_argument(
        "--level",
        action="append",
        default=[],
        metavar="RULE=LEVEL",
        help="set a rule's level: error, warning or off (repeatable), e.g. SMG-3=error",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help=(
            "report every rule at error level, and every template that cannot be read "
            "here (remote nested stack, TemplateURL, a body decided at deployment) as an "
            "error, so every notebook must have been seen (config: unseen: error)"
        ),
    )
    parser.add_argument(
        "--config", type=Path, help="a YAML or JSON file with levels, unknown, unseen, exemptions"
    )


def config_from_args(args: argparse.Namespace) -> GuardrailConfig:
    """The config of the options :func:`add_config_options` added; ConfigError if wrong."""
    raw: dict[str, object] = {}
    if args.config:
        try:
            loaded = yaml.safe_load(args.config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise ConfigError(f"--config {args.config}: cannot be read ({error})") from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"--config {args.config}: expected a mapping")
        raw = loaded
    base = GuardrailConfig.from_mapping(raw, where=f"--config {args.config}" if raw else "config")
    levels = dict(base.levels)
    if args.strict:
        levels.update({rule.rule_id: Level.ERROR for rule in RULES})
    for option in args.level:
        rule_id, separator, level = option.partition("=")
        if not separator:
            raise ConfigError(f"--level {option!r}: expected RULE=LEVEL, e.g. SMG-3=error")
        problem = rule_id_problem(rule_id.strip())
        if problem:
            raise ConfigError(f"--level {option}: {problem}")
        levels[rule_id.strip()] = parse_level(level.strip(), f"--level {option}")
    given = getattr(args, "unknown", None)
    unknown = UnknownPolicy(given) if given else base.unknown
    unseen = UnseenPolicy.ERROR if args.strict else base.unseen
    return replace(base, levels=levels, unknown=unknown, unseen=unseen)
