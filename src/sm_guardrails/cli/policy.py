"""``sm-guardrails policy scp|boundary``: the error-level rules as an IAM policy document."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sm_guardrails.cli.exits import usage_error
from sm_guardrails.cli.options import config_from_args
from sm_guardrails.config import ConfigError
from sm_guardrails.controls.iam import PolicyTooLarge, minified, notebook_policy
from sm_guardrails.controls.options import add_config_options, write_output
from sm_guardrails.kinds import KINDS


def add_parser(subparsers: Any) -> None:
    """Register ``policy`` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "policy",
        help=(
            "print an SCP or permissions boundary denying "
            f"{' and '.join(kind.noun + 's' for kind in KINDS)} that break an error rule"
        ),
        description=(
            f"Print a policy that denies {', '.join(kind.iam_create for kind in KINDS)} "
            f"(and {', '.join(kind.iam_update for kind in KINDS)} where the condition key "
            "applies) when the request would break an error-level rule. Exemptions must name "
            "principals: an IAM principal ARN, or principal-tag:KEY=VALUE; a tag exemption "
            "also denies setting "
            "that tag key (sts:TagSession, iam:TagRole, ...) to all but --tag-admin. SCPs "
            "never apply to the management account. Exit codes: 0 printed, 2 bad "
            "usage, an exemption the policy cannot express, or over AWS's size limit."
        ),
    )
    parser.add_argument("kind", choices=["scp", "boundary"])
    parser.add_argument(
        "--minify", action="store_true", help="no whitespace, as AWS counts the size"
    )
    parser.add_argument(
        "--tag-admin",
        action="append",
        default=[],
        metavar="ARN",
        help=(
            "a principal ARN (wildcards allowed) that may set the tag keys of principal-tag "
            "exemptions; everyone else is denied (repeatable)"
        ),
    )
    add_config_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the policy; any error exits 2 and writes nothing."""
    try:
        policy = notebook_policy(config_from_args(args), args.kind, args.tag_admin)
        text = minified(policy) if args.minify else json.dumps(policy, indent=2)
        write_output(text + "\n", args.output)
    except (ConfigError, PolicyTooLarge) as error:
        return usage_error(str(error))
    except OSError as error:
        return usage_error(f"--output {args.output}: {error.strerror}")
    return 0
