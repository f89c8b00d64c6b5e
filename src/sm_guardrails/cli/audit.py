"""``sm-guardrails audit``: judge the SageMaker resources an AWS account runs, region by region.

boto3 is imported only when the command runs, so the rest of the CLI needs no cloud SDK.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, Any, TextIO

from sm_guardrails.cli.exits import print_error, usage_error
from sm_guardrails.cli.options import add_config_options, config_from_args
from sm_guardrails.reporting import REPORTERS, Reporter
from sm_guardrails.reporting.text import TextReporter, note_place

if TYPE_CHECKING:
    from sm_guardrails.aws.audit import Progress


def add_parser(commands: Any) -> None:
    """Register ``audit`` on the CLI's subcommands."""
    audit = commands.add_parser(
        "audit",
        help="audit the SageMaker notebook instances and Studio domains of an AWS account",
        description=(
            "List, describe and judge every notebook instance and Studio domain in the given "
            "regions. Exit codes: 0 no error-level finding, 1 at least one, 2 bad usage or a "
            "region, kind or resource that could not be read (the rest is still audited)."
        ),
    )
    where = audit.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--region", action="append", default=[], help="a region to audit (repeatable)"
    )
    where.add_argument(
        "--all-regions",
        action="store_true",
        help="every region enabled for the account (EC2 DescribeRegions)",
    )
    audit.add_argument("--profile", help="the AWS profile to use (default: the usual chain)")
    audit.add_argument("--endpoint-url", help="send every call to this endpoint instead of AWS")
    audit.add_argument("--workers", type=int, default=8, help="resources read at once (default 8)")
    audit.add_argument(
        "--retry-mode",
        choices=["adaptive", "standard"],
        default="adaptive",
        help="botocore's retry mode for throttled calls (default adaptive)",
    )
    audit.add_argument(
        "--max-attempts", type=int, default=10, help="attempts per call, the first included"
    )
    add_config_options(audit)
    audit.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the audit; the exit code."""
    config = config_from_args(args)
    if args.workers < 1 or args.max_attempts < 1:
        return usage_error("--workers and --max-attempts must be at least 1")
    try:
        from sm_guardrails.aws.audit import (
            RegionError,
            audit_regions,
            enabled_regions,
            region_clients,
        )
        from sm_guardrails.aws.clients import AwsSettings, SettingsError, make_session
        from sm_guardrails.aws.errors import NO_CREDENTIALS, aws_problem
    except ImportError as error:
        return usage_error(str(error))
    from botocore.exceptions import BotoCoreError

    settings = AwsSettings(
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        retry_mode=args.retry_mode,
        max_attempts=args.max_attempts,
        max_pool_connections=max(args.workers, 10),
    )
    try:
        session = make_session(settings)
        if session.get_credentials() is None:
            return usage_error(NO_CREDENTIALS)
        regions = enabled_regions(session, settings) if args.all_regions else args.region
    except BotoCoreError as error:
        return usage_error(aws_problem(error, "", "session"))
    except (SettingsError, RegionError) as error:
        return usage_error(str(error))
    try:
        out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    except OSError as error:
        return usage_error(f"--output {args.output}: {error.strerror}")
    progress = _ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    clients, unusable = region_clients(session, regions, settings)
    with out if args.output else contextlib.nullcontext(out):
        reporter: Reporter = (  # a text report file also says what it could not read
            TextReporter(out, list_errors=True)
            if args.output and args.format == "text"
            else REPORTERS[args.format](out)
        )
        report = audit_regions(
            clients,
            config,
            reporter.finding,
            workers=args.workers,
            on_progress=progress.show if progress else None,
            unusable=unusable,
        )
        if progress:
            progress.close()
        reporter.finish(report)
    for note in report.errors:  # on stderr whatever the format and destination
        print_error(f"{note_place(note)}: {note.message}")
    return report.exit_code


class _ProgressBar:
    """One redrawn line on a terminal: regions listed, resources judged of those listed."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def show(self, progress: Progress) -> None:
        """Redraw the line for ``progress``."""
        share = progress.judged / progress.listed if progress.listed else 0.0
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(
            f"\r[{bar}] {progress.judged}/{progress.listed} resources, "
            f"{progress.regions_listed}/{progress.regions} regions listed"
        )
        self.stream.flush()

    def close(self) -> None:
        """End the line so the report starts on a fresh one."""
        self.stream.write("\n")
        self.stream.flush()
