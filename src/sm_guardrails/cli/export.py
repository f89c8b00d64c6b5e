"""``sm-guardrails export guard``: the rules as a cfn-guard 3 rules file."""

from __future__ import annotations

import argparse
from typing import Any

from sm_guardrails.catalog import Level
from sm_guardrails.cli.exits import usage_error
from sm_guardrails.cli.options import config_from_args
from sm_guardrails.config import ConfigError, parse_level
from sm_guardrails.controls.guard import guard_rules
from sm_guardrails.controls.options import add_config_options, write_output


def add_parser(subparsers: Any) -> None:
    """Register ``export`` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "export",
        help="export the rules for another tool (guard: cfn-guard 3 / CloudFormation Guard hooks)",
        description=(
            "Write the rules at the chosen levels as a cfn-guard 3 rules file, for "
            "`cfn-guard validate` and CloudFormation Guard hooks. Exit codes: 0 written, "
            "2 bad usage or a config the output cannot express (nothing written)."
        ),
    )
    parser.add_argument("format", choices=["guard"])
    parser.add_argument(
        "--levels",
        default="error",
        metavar="LEVEL[,LEVEL]",
        help="which rules to write, by configured level: error (default), warning, or both",
    )
    add_config_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the rules file; a config error exits 2 and writes nothing."""
    try:
        levels = {parse_level(word.strip(), "--levels") for word in args.levels.split(",")}
        if Level.OFF in levels:
            raise ConfigError("--levels: 'off' rules are never exported; use error, warning")
        text = guard_rules(config_from_args(args), levels)
        write_output(text, args.output)
    except ConfigError as error:
        return usage_error(str(error))
    except OSError as error:
        return usage_error(f"--output {args.output}: {error.strerror}")
    return 0
