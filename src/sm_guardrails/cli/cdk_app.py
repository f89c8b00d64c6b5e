"""``sm-guardrails cdk-app -- COMMAND``: run a CDK app, then judge the assembly it wrote.

For CDK apps in any language (TypeScript, Java, Go, .NET) and any aws-cdk-lib: put it in
front of the app command in ``cdk.json`` and the CDK CLI's synth (and deploy, diff) fails
with the findings when a notebook breaks an error-level rule. The CLI runs the app with
``CDK_OUTDIR`` set to the output directory; the app writes its cloud assembly there and
exits, this command checks that directory as ``sm-guardrails check`` would and exits 1 on
an error-level finding, and the CLI, seeing the app command fail, stops.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sm_guardrails.cli.check import report_check
from sm_guardrails.cli.exits import usage_error
from sm_guardrails.cli.options import add_config_options, config_from_args
from sm_guardrails.cloudformation.assembly import is_assembly

OUTDIR_VARIABLE = "CDK_OUTDIR"
"""Where the CDK CLI tells the app to write its cloud assembly."""

EXIT_INTERRUPTED = 130
"""What a shell reports for a program stopped by Ctrl-C (128 + SIGINT)."""

EXAMPLE = '"app": "sm-guardrails cdk-app -- npx ts-node --prefer-ts-exts bin/app.ts"'


def add_parser(commands: Any) -> None:
    """Register ``cdk-app`` on the CLI's subcommands."""
    parser = commands.add_parser(
        "cdk-app",
        help="run a CDK app (any language) and check the cloud assembly it wrote",
        description=(
            "The app command of a cdk.json, for apps that cannot import sm-guardrails: "
            f"{EXAMPLE}. Runs COMMAND with the CDK CLI's environment, then checks the cloud "
            "assembly in $CDK_OUTDIR; the report goes to stderr (or --output). Exit codes: "
            "COMMAND's own when it fails, else 0 no error-level finding, 1 at least one, "
            "2 bad usage or input."
        ),
    )
    add_config_options(parser)
    parser.add_argument(
        "app_command",
        nargs=argparse.REMAINDER,
        metavar="-- COMMAND [ARG ...]",
        help="the app command, e.g. npx ts-node --prefer-ts-exts bin/app.ts",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the app command, then check the assembly it wrote; the exit code."""
    given = args.app_command
    command = given[1:] if given[:1] == ["--"] else given
    problem = _usage_problem(command)
    if problem:
        return usage_error(f"cdk-app: {problem}")
    config = config_from_args(args)
    executable = shutil.which(command[0])
    if executable is None:
        return usage_error(f"cdk-app: {command[0]!r} (the app command) is not found on PATH")
    try:
        code = subprocess.run([executable, *command[1:]], check=False).returncode
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    if code != 0:
        return code if code > 0 else 128 - code  # -N: stopped by signal N
    outdir = Path(os.environ[OUTDIR_VARIABLE])
    if not is_assembly(outdir):
        return usage_error(
            f"cdk-app: {' '.join(command)} wrote no cloud assembly "
            f"(manifest.json) into {OUTDIR_VARIABLE}={outdir}: is it a CDK app?"
        )
    return report_check(args, [outdir], config, sys.stderr)


def _usage_problem(command: list[str]) -> str | None:
    """Why the command line cannot run, or None."""
    if not command:
        return f"give the app command after --, as in cdk.json: {EXAMPLE}"
    if not os.environ.get(OUTDIR_VARIABLE):
        return (
            f"{OUTDIR_VARIABLE} is not set: this command is the app of the CDK CLI "
            f"(cdk.json {EXAMPLE}); run `cdk synth`, or set {OUTDIR_VARIABLE} to the "
            "directory the app writes its cloud assembly into"
        )
    return None
