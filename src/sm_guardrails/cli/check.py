"""``sm-guardrails check``; its end (judge paths, report, exit code) ``cdk-app`` shares."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from sm_guardrails.cli.exits import print_error, usage_error
from sm_guardrails.cli.options import add_config_options, config_from_args
from sm_guardrails.cloudformation import check_paths
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.reporting import REPORTERS
from sm_guardrails.reporting.text import note_place


def add_parser(subparsers: Any) -> None:
    """Register ``check`` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "check",
        help="check CloudFormation templates, directories and cdk.out assemblies",
        description=("Exit codes: 0 no error-level finding, 1 at least one, 2 bad usage or input."),
    )
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a file, a directory, or - for stdin"
    )
    add_config_options(parser)
    parser.add_argument(
        "--skip-non-templates",
        action="store_true",
        help="report named files that are not templates as skipped, not as errors (pre-commit)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the paths; the exit code."""
    config = config_from_args(args)
    return report_check(args, args.paths, config, sys.stdout, args.skip_non_templates)


def report_check(
    args: argparse.Namespace,
    paths: Sequence[Path],
    config: GuardrailConfig,
    default_out: TextIO,
    skip_non_templates: bool = False,
) -> int:
    """Check ``paths`` and write the report in ``--format`` to ``--output`` or ``default_out``.

    Input errors go to stderr whatever the format, so CI logs show them. Returns the exit
    code: 0 no error-level finding, 1 at least one, 2 bad input or an unwritable output.
    """
    try:
        out = args.output.open("w", encoding="utf-8") if args.output else default_out
    except OSError as error:
        return usage_error(f"--output {args.output}: {error.strerror}")
    with out if args.output else contextlib.nullcontext(out):
        reporter = REPORTERS[args.format](out)
        report = check_paths(paths, config, reporter.finding, skip_non_templates=skip_non_templates)
        reporter.finish(report)
    for note in report.errors:
        print_error(f"{note_place(note)}: {note.message}")
    return report.exit_code
