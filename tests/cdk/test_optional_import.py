"""aws-cdk-lib is an optional extra: only sm_guardrails.cdk imports it."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "imports_cdk"),
    [
        ("sm_guardrails", False),
        ("sm_guardrails.cloudformation", False),
        ("sm_guardrails.evaluation", False),
        ("sm_guardrails.cdk", True),
    ],
)
def test_only_the_cdk_package_imports_aws_cdk(module: str, imports_cdk: bool) -> None:
    probe = f"import sys, {module}; print('aws_cdk' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == str(imports_cdk)
