"""``sm-guardrails``: check CloudFormation templates and cdk.out assemblies, list the rules."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from sm_guardrails import __version__, pack_scaffold
from sm_guardrails.catalog import RULES, Level
from sm_guardrails.cloudformation import check_paths
from sm_guardrails.config import ConfigError, GuardrailConfig, UnknownPolicy, parse_level
from sm_guardrails.reporting import REPORTERS
from sm_guardrails.reporting.text import render_rules

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sm-guardrails",
        description="Keep SageMaker notebook instances off the public internet.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="check CloudFormation templates, directories and cdk.out assemblies",
        description=("Exit codes: 0 no error-level finding, 1 at least one, 2 bad usage or input."),
    )
    check.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a file, a directory, or - for stdin"
    )
    check.add_argument("--format", choices=sorted(REPORTERS), default="text")
    check.add_argument("--output", "-o", type=Path, help="write the report to this file")
    check.add_argument(
        "--level",
        action="append",
        default=[],
        metavar="RULE=LEVEL",
        help="set a rule's level: error, warning or off (repeatable), e.g. SMG-3=error",
    )
    check.add_argument("--strict", action="store_true", help="report every rule at error level")
    check.add_argument(
        "--skip-non-templates",
        action="store_true",
        help="report named files that are not templates as skipped, not as errors (pre-commit)",
    )
    check.add_argument(
        "--unknown",
        choices=[policy.value for policy in UnknownPolicy],
        help="what a value known only at deploy time means: fail (default) or warn",
    )
    check.add_argument(
        "--config", type=Path, help="a YAML or JSON file with levels, unknown, exemptions"
    )
    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=["text", "json"], default="text")
    pack_scaffold.add_parser(commands)
    return parser


def _config(args: argparse.Namespace) -> GuardrailConfig:
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
    return GuardrailConfig(levels=levels, unknown=unknown, exemptions=base.exemptions)


def _rules_json() -> str:
    return json.dumps(
        [
            {
                "rule_id": rule.rule_id,
                "name": rule.name,
                "title": rule.title,
                "default_level": rule.default_level.value,
                "rationale": rule.rationale,
                "references": [
                    {"framework": ref.framework, "control": ref.control, "url": ref.url}
                    for ref in rule.references
                ],
            }
            for rule in RULES
        ],
        indent=2,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "pulumi":
        return pack_scaffold.run(args)
    if args.command == "rules":
        print(_rules_json() if args.format == "json" else render_rules(), end="")
        return 0
    try:
        config = _config(args)
    except ConfigError as error:
        print(f"sm-guardrails: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    except OSError as error:
        print(f"sm-guardrails: error: --output {args.output}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    with out if args.output else contextlib.nullcontext(out):
        reporter = REPORTERS[args.format](out)
        report = check_paths(
            args.paths, config, reporter.finding, skip_non_templates=args.skip_non_templates
        )
        reporter.finish(report)
    for note in report.errors:  # on stderr whatever the format, so CI logs show them
        print(f"sm-guardrails: error: {note.file}: {note.message}", file=sys.stderr)
    return report.exit_code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
