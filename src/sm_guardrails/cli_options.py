"""Command-line options shared by the commands that judge notebooks (check, audit)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import yaml

from sm_guardrails.catalog import RULES, Level
from sm_guardrails.config import ConfigError, GuardrailConfig, UnknownPolicy, parse_level
from sm_guardrails.reporting import REPORTERS


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """``--format``, ``--output`` and the config options: levels, strict, unknown, file."""
    parser.add_argument("--format", choices=sorted(REPORTERS), default="text")
    parser.add_argument("--output", "-o", type=Path, help="write the report to this file")
    parser.add_argument(
        "--level",
        action="append",
        default=[],
        metavar="RULE=LEVEL",
        help="set a rule's level: error, warning or off (repeatable), e.g. SMG-3=error",
    )
    parser.add_argument("--strict", action="store_true", help="report every rule at error level")
    parser.add_argument(
        "--unknown",
        choices=[policy.value for policy in UnknownPolicy],
        help="what a value known only at deploy time means: fail (default) or warn",
    )
    parser.add_argument(
        "--config", type=Path, help="a YAML or JSON file with levels, unknown, exemptions"
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
        levels[rule_id.strip()] = parse_level(level.strip(), f"--level {option}")
    unknown = UnknownPolicy(args.unknown) if args.unknown else base.unknown
    return replace(base, levels=levels, unknown=unknown)
