"""``sm-guardrails``: the parser of every command, and the console entry point."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sm_guardrails import __version__, pack_scaffold
from sm_guardrails.cli import (
    audit,
    cdk_app,
    check,
    export,
    iam_policy,
    policy,
    remediate,
    rules,
)
from sm_guardrails.cli.exits import EXIT_BROKEN_PIPE, usage_error
from sm_guardrails.config import ConfigError
from sm_guardrails.kinds import KINDS

COMMANDS = (check, audit, cdk_app, iam_policy, remediate, export, policy, rules, pack_scaffold)
"""Each registers its subcommand with the function that runs it (``run`` in its defaults)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sm-guardrails",
        description=f"Keep SageMaker {' and '.join(kind.noun + 's' for kind in KINDS)} off "
        "the public internet.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except ConfigError as error:  # a command's options or config file: one line, exit 2
        return usage_error(str(error))
    return code


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
