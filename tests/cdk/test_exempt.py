"""exempt(): input errors, the metadata it writes, and the template checker honouring it."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from sm_guardrails.cdk import enforce, exempt
from sm_guardrails.cloudformation import check_paths
from sm_guardrails.config import ConfigError
from tests.cdk.helpers import notebook, synth


@pytest.mark.parametrize(
    ("rule", "reason", "message"),
    [
        ("SMG-1", "", r"exempt\('Stack/Notebook', 'SMG-1'\): the reason is empty"),
        ("SMG-1", "   ", "the reason is empty"),
        ("SMG-9", "why", r"unknown rule id 'SMG-9'; use one of SMG-1, SMG-2, SMG-3, SMG-4, SMG-5"),
        ("SMG-0", "why", "unknown rule id"),
    ],
)
def test_bad_exemptions_are_rejected_where_they_are_made(
    app: cdk.App, rule: str, reason: str, message: str
) -> None:
    resource = notebook(cdk.Stack(app, "Stack"))
    with pytest.raises(ConfigError, match=message):
        exempt(resource, rule, reason)


def _metadata(app: cdk.App, stack: str, logical_id: str) -> object:
    template = json.loads((Path(app.outdir) / f"{stack}.template.json").read_text())
    return template["Resources"][logical_id]["Metadata"]["sm-guardrails"]


def test_metadata_has_the_template_checkers_format_without_duplicates(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Stack")
    resource = notebook(stack, direct_internet_access="Enabled", root_access="Enabled")
    exempt(stack, "SMG-1", "  SEC-1: lab  ")
    exempt(resource, "SMG-3", "SEC-2: vendor agent")
    exempt(stack, "SMG-1", "SEC-1: lab")
    app.synth()
    assert _metadata(app, "Stack", "Notebook") == {
        "exemptions": [
            {"rule": "SMG-1", "reason": "SEC-1: lab"},
            {"rule": "SMG-3", "reason": "SEC-2: vendor agent"},
        ]
    }


def test_template_checker_honours_and_shows_the_exemption(app: cdk.App) -> None:
    enforce(app)
    notebook(cdk.Stack(app, "Stack"), direct_internet_access="Enabled")
    exempt(app, "SMG-1", "SEC-3: sandbox account")
    assert synth(app).error is None
    report = check_paths([Path(app.outdir)])
    assert report.exit_code == 0
    (found,) = report.findings
    assert (found.finding.rule_id, found.finding.exemption) == ("SMG-1", "SEC-3: sandbox account")


def test_exempting_the_app_reaches_into_existing_stages(app: cdk.App) -> None:
    enforce(app)
    stage = cdk.Stage(app, "Prod")
    notebook(cdk.Stack(stage, "Stack"), direct_internet_access="Enabled")
    exempt(app, "SMG-1", "SEC-4: migration window")
    result = synth(app)
    assert result.error is None
    assert result.rules("info") == {("SMG-1", "Prod/Stack/Notebook")}
