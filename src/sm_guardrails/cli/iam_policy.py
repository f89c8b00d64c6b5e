"""``sm-guardrails iam-policy audit|remediate``: the least-privilege IAM policies to run them.

Each action is one the command calls (the tests record the calls an audit makes and
compare); resources are as narrow as the action allows (List* and DescribeRegions
support only ``*``). Checked with parliament in the tests.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, STUDIO_DOMAIN

DEFAULT_ROLE = "arn:aws:iam::*:role/*"


def audit_policy() -> dict[str, object]:
    """What ``sm-guardrails audit`` calls for every kind of the registry: list, describe,
    tags; and region discovery."""
    return _policy(
        _statement("ListResources", sorted(kind.api.list_action for kind in KINDS), "*"),
        *(
            _statement(
                "Read" + "".join(word.title() for word in kind.short_noun.split()) + "s",
                [kind.api.describe_action, "sagemaker:ListTags"],
                kind.api.arn_pattern,
            )
            for kind in KINDS
        ),
        _statement("FindEnabledRegions", ["ec2:DescribeRegions"], "*"),
    )


def remediate_policy(role_arn: str = DEFAULT_ROLE) -> dict[str, object]:
    """What ``sm-guardrails remediate`` needs: stop, delete and recreate a notebook; update
    a domain in place, list its apps and (``--delete-apps``) delete them.

    Recreating passes the notebook's role to SageMaker (only to SageMaker), and a
    notebook with a KMS key needs a grant on that key made through SageMaker.
    """
    return _policy(
        _statement("ListNotebooks", ["sagemaker:ListNotebookInstances"], "*"),
        _statement(
            "ReplaceNotebooks",
            [
                "sagemaker:AddTags",
                "sagemaker:CreateNotebookInstance",
                "sagemaker:DeleteNotebookInstance",
                "sagemaker:DescribeNotebookInstance",
                "sagemaker:ListTags",
                "sagemaker:StopNotebookInstance",
            ],
            NOTEBOOK_INSTANCE.api.arn_pattern,
        ),
        _statement(
            "UpdateDomains",
            [STUDIO_DOMAIN.api.describe_action, "sagemaker:ListTags", "sagemaker:UpdateDomain"],
            STUDIO_DOMAIN.api.arn_pattern,
        ),
        _statement("ListDomainApps", ["sagemaker:ListApps"], "*"),
        _statement(
            "DeleteDomainAppsWhenAsked", ["sagemaker:DeleteApp"], "arn:aws:sagemaker:*:*:app/*"
        ),
        _statement(
            "PassNotebookRole",
            ["iam:PassRole"],
            role_arn,
            {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        ),
        _statement(
            "GrantVolumeKey",
            ["kms:CreateGrant", "kms:DescribeKey"],
            "arn:aws:kms:*:*:key/*",
            {"StringLike": {"kms:ViaService": "sagemaker.*.amazonaws.com"}},
        ),
    )


def _statement(
    sid: str, actions: list[str], resource: str, condition: dict[str, Any] | None = None
) -> dict[str, object]:
    statement: dict[str, object] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": resource,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def add_parser(commands: Any) -> None:
    """Register ``iam-policy`` on the CLI's subcommands."""
    parser = commands.add_parser(
        "iam-policy",
        help="print the least-privilege IAM policy for audit or remediate",
    )
    parser.add_argument("command_name", choices=["audit", "remediate"], metavar="audit|remediate")
    parser.add_argument(
        "--role-arn",
        default=DEFAULT_ROLE,
        help="remediate: the notebooks' execution role(s) it may pass (default: any role)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the policy as JSON."""
    policy = audit_policy() if args.command_name == "audit" else remediate_policy(args.role_arn)
    print(json.dumps(policy, indent=2))
    return 0
