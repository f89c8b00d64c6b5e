"""``sm-guardrails remediate``: replace a notebook that has direct internet access, or
update a Studio domain in place to VpcOnly.

boto3 is imported only when the command runs (``sm_guardrails.cli.remediation_run``), so the
rest of the CLI needs no cloud SDK.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sm_guardrails.cli.exits import usage_error
from sm_guardrails.cli.options import add_rule_options, config_from_args


def add_parser(subparsers: Any) -> None:
    """Register ``remediate`` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "remediate",
        help="replace a notebook with direct internet access by one without (plan by default)",
        description=(
            "Stop, delete and recreate a notebook instance under the same name with "
            "DirectInternetAccess=Disabled in a VPC subnet, every other setting and tag "
            "carried over (Security Hub SageMaker.1, Lacework lacework-global-388). "
            "Shows the plan unless --apply. Deleting the notebook DELETES ITS ML STORAGE "
            "VOLUME (/home/ec2-user/SageMaker). Exit codes: 0 done or planned, 1 stopped "
            "before the end (resume with --resume), 2 bad usage or refused (nothing changed)."
        ),
    )
    add_rule_options(parser)  # the audit's --config: its exemptions spare a notebook here too
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("name", nargs="?", metavar="NAME", help="the notebook instance's name")
    target.add_argument(
        "--domain",
        metavar="ID",
        help="a Studio domain's id (d-...): update it in place to VpcOnly (UpdateDomain)",
    )
    target.add_argument(
        "--resume", type=Path, metavar="JOURNAL", help="finish the run this journal records"
    )
    target.add_argument(
        "--all-failing",
        action="store_true",
        help="every notebook of --region failing SMG-1 or SMG-2 (as audit sees it), one by one",
    )
    parser.add_argument(
        "--region",
        action="append",
        default=[],
        help="the notebook's region (default: the profile's); repeatable with --all-failing",
    )
    parser.add_argument("--profile", help="the AWS profile to use")
    parser.add_argument("--endpoint-url", help="send every call to this endpoint instead of AWS")
    parser.add_argument(
        "--subnet-id",
        action="append",
        default=[],
        metavar="ID",
        help="the new subnet (default: the resource's own); repeatable for a domain",
    )
    parser.add_argument(
        "--security-group-id",
        action="append",
        default=[],
        metavar="ID",
        help="a new security group (repeatable; default: the notebook's own, same subnet only)",
    )
    parser.add_argument(
        "--vpc-id", help="a domain's VPC, only for a domain that has none (UpdateDomain's rule)"
    )
    parser.add_argument(
        "--delete-apps",
        action="store_true",
        help="let --apply delete a domain's running apps (their unsaved work is lost; home "
        "directories stay): AWS changes its network access only when none runs",
    )
    parser.add_argument(
        "--keep-root-access", action="store_true", help="keep RootAccess as it is (SMG-3)"
    )
    parser.add_argument("--apply", action="store_true", help="carry out the plan")
    parser.add_argument(
        "--confirm-data-loss",
        action="store_true",
        help="accept that the notebook's ML storage volume is deleted (needed with --apply)",
    )
    parser.add_argument(
        "--journal-dir",
        type=Path,
        default=None,
        help="where --apply writes its journal (default: $XDG_STATE_HOME/sm-guardrails/"
        "remediation, else ~/.local/state/sm-guardrails/remediation)",
    )
    parser.add_argument(
        "--poll-interval",
        type=_seconds,
        default=15.0,
        metavar="SECONDS",
        help="pause between looks while a state changes (default 15)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=1800.0,
        metavar="SECONDS",
        help="longest wait for one state change before stopping, resumable (default 1800)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Plan, carry out or resume a replacement; the exit code."""
    config = config_from_args(args)
    try:
        from sm_guardrails.aws.journal import default_journal_dir
        from sm_guardrails.aws.remediate_options import RemediateOptions
        from sm_guardrails.cli.remediation_run import run_remediate
    except ImportError as error:
        return usage_error(f"remediate needs the [aws] extra ({error})")
    options = RemediateOptions(
        config=config,
        name=args.name,
        resume=args.resume,
        all_failing=args.all_failing,
        region=tuple(args.region),
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        subnet_id=tuple(args.subnet_id),
        security_group_id=tuple(args.security_group_id),
        domain=args.domain,
        vpc_id=args.vpc_id,
        delete_apps=args.delete_apps,
        keep_root_access=args.keep_root_access,
        apply=args.apply,
        confirm_data_loss=args.confirm_data_loss,
        journal_dir=args.journal_dir or default_journal_dir(),
        poll_interval=args.poll_interval,
        timeout=args.timeout,
    )
    return run_remediate(options)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return value
