"""``sm-guardrails``: check CloudFormation templates and cdk.out assemblies, list the rules."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sm_guardrails import (
    __version__,
    audit_command,
    cdk_app_command,
    export_command,
    iam_policy_command,
    pack_scaffold,
    policy_command,
    remediate_command,
)
from sm_guardrails.catalog import RULES
from sm_guardrails.check_command import report_check
from sm_guardrails.cli_options import add_config_options, config_from_args
from sm_guardrails.config import ConfigError
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
    add_config_options(check)
    check.add_argument(
        "--skip-non-templates",
        action="store_true",
        help="report named files that are not templates as skipped, not as errors (pre-commit)",
    )
    audit_command.add_parser(commands)
    cdk_app_command.add_parser(commands)
    iam_policy_command.add_parser(commands)
    remediate_command.add_parser(commands)
    export_command.add_parser(commands)
    policy_command.add_parser(commands)
    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=["text", "json"], default="text")
    pack_scaffold.add_parser(commands)
    return parser


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
    if args.command == "export":
        return export_command.run(args)
    if args.command == "policy":
        return policy_command.run(args)
    if args.command == "pulumi":
        return pack_scaffold.run(args)
    if args.command == "rules":
        print(_rules_json() if args.format == "json" else render_rules(), end="")
        return 0
    if args.command == "cdk-app":
        return cdk_app_command.run(args)
    if args.command == "audit":
        return audit_command.run(args)
    if args.command == "iam-policy":
        return iam_policy_command.run(args)
    if args.command == "remediate":
        return remediate_command.run(args)
    try:
        config = config_from_args(args)
    except ConfigError as error:
        print(f"sm-guardrails: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return report_check(args, args.paths, config, sys.stdout, args.skip_non_templates)


EXIT_BROKEN_PIPE = 141
"""What a shell reports for a program that SIGPIPE stopped (128 + 13)."""


def run() -> None:
    """Console-script entry point."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped early (``| head``): end quietly, as other Unix tools do;
        # stdout goes to devnull so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_BROKEN_PIPE
    sys.exit(code)


if __name__ == "__main__":
    run()
