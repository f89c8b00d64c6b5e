"""The end of ``sm-guardrails check`` that ``cdk-app`` shares: judge paths, report, exit code."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sm_guardrails.cloudformation import check_paths
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.reporting import REPORTERS

EXIT_USAGE = 2


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
        print(f"sm-guardrails: error: --output {args.output}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    with out if args.output else contextlib.nullcontext(out):
        reporter = REPORTERS[args.format](out)
        report = check_paths(paths, config, reporter.finding, skip_non_templates=skip_non_templates)
        reporter.finish(report)
    for note in report.errors:
        print(f"sm-guardrails: error: {note.file}: {note.message}", file=sys.stderr)
    return report.exit_code
