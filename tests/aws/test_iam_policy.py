"""The printed IAM policies are valid and least-privilege by parliament's account."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from parliament import analyze_policy_string


def _printed(which: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "sm_guardrails", "iam-policy", which, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize("which", ["audit", "remediate"])
def test_parliament_finds_nothing_in_the_printed_policy(which: str) -> None:
    analyzed = analyze_policy_string(_printed(which))
    assert [(f.issue, f.detail) for f in analyzed.findings] == []


def test_parliament_would_catch_a_misspelled_action() -> None:
    policy = json.loads(_printed("audit"))
    policy["Statement"][0]["Action"] = ["sagemaker:ListNotebookInstance"]
    issues = {f.issue for f in analyze_policy_string(json.dumps(policy)).findings}
    assert "UNKNOWN_ACTION" in issues


def test_remediate_passes_only_the_given_role_and_only_to_sagemaker() -> None:
    role = "arn:aws:iam::123456789012:role/notebook-role"
    policy = json.loads(_printed("remediate", "--role-arn", role))
    (pass_role,) = [s for s in policy["Statement"] if "iam:PassRole" in s["Action"]]
    assert pass_role["Resource"] == role
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    assert analyze_policy_string(json.dumps(policy)).findings == []
