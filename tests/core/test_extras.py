"""Importing an adapter without its extra names the extra to install, in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("adapter", "hidden", "extra"),
    [
        ("sm_guardrails.cdk", "aws_cdk", "cdk"),
        ("sm_guardrails.cdk", "constructs", "cdk"),
        ("sm_guardrails.pulumi", "pulumi_policy", "pulumi"),
        ("sm_guardrails.pulumi", "pulumi_aws", "pulumi"),
        ("sm_guardrails.aws", "boto3", "aws"),
    ],
)
def test_an_adapter_without_its_extra_says_what_to_install(
    adapter: str, hidden: str, extra: str
) -> None:
    # sys.modules[name] = None is how Python marks a module as not importable.
    probe = (
        f"import sys; sys.modules[{hidden!r}] = None\n"
        "from sm_guardrails.extras import MissingExtraError\n"
        "try:\n"
        f"    import {adapter}\n"
        "except MissingExtraError as error:\n"
        "    print(type(error).__mro__[1].__name__, error.name, error, sep='|')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    base, name, message = result.stdout.strip().split("|")
    assert base == "ModuleNotFoundError" and name == hidden
    assert f"pip install 'sm-guardrails[{extra}]'" in message
    assert message.startswith(f"{adapter} needs the '{extra}' extra ({hidden} is not installed)")


def test_with_the_extras_installed_the_adapters_import() -> None:
    probe = "import sm_guardrails.aws, sm_guardrails.cdk, sm_guardrails.pulumi"
    subprocess.run([sys.executable, "-c", probe], timeout=120, check=True)
