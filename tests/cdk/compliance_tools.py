"""The checks a platform team runs on CDK output: cdk-nag's packs, cfn-lint, checkov."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from tests.support import ROOT

PACKS = ("AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")
"""The plugin names of cdk-nag 3's four packs, as the validation report spells them."""
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
"""cfn-lint's command, from the dev dependencies of this interpreter's virtualenv."""
CHECKOV = ROOT / ".tools" / "checkov-venv" / "bin" / "checkov"
CHECKOV_OPTIONS = ("--framework", "cloudformation", "-o", "json", "--skip-download", "--quiet")
CHECKOV_MISSING = (
    f"checkov is not installed at {CHECKOV}: `make test` builds it "
    "(its pins clash with pulumi's, so it has a virtualenv of its own)"
)


@dataclass(frozen=True)
class Finding:
    """A violation, or an acknowledged one, from CDK's validation report."""

    plugin: str
    rule: str
    path: str
    reason: str | None


@dataclass
class Synthesized:
    """An app synthesized under the four packs."""

    template_file: Path
    template: dict[str, Any]
    violations: list[Finding]
    acknowledged: list[Finding]
    error: str | None

    def resources(self, resource_type: str) -> dict[str, Any]:
        """The template's resources of ``resource_type``, by logical id."""
        return {
            logical_id: resource
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == resource_type
        }


def synth_under_packs(outdir: Path, build: Callable[[cdk.Stack, ec2.IVpc], None]) -> Synthesized:
    """Synthesize a stack that ``build`` fills, beside a VPC of isolated subnets of the app's
    own, with cdk-nag 3's four packs as validation plugins."""
    app = cdk.App(outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        HIPAASecurityChecks(app),
        NIST80053R5Checks(app),
        PCIDSS321Checks(app),
    )
    stack = cdk.Stack(app, "Stack")
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )
    build(stack, vpc)
    error = None
    try:
        app.synth()
    except RuntimeError as exc:  # the VPC's own findings fail the report
        error = str(exc)
    violations, acknowledged = validation_report(outdir)
    template_file = outdir / "Stack.template.json"
    return Synthesized(
        template_file, json.loads(template_file.read_text()), violations, acknowledged, error
    )


def validation_report(outdir: Path) -> tuple[list[Finding], list[Finding]]:
    """(violations, acknowledged) of every validation plugin in ``outdir``'s report."""
    report = json.loads((outdir / "validation-report.json").read_text())
    found: dict[str, list[Finding]] = {"violations": [], "suppressedViolations": []}
    for plugin in report["pluginReports"]:
        for kind, findings in found.items():
            findings.extend(
                Finding(plugin["pluginName"], v["ruleName"], c["constructPath"], v.get("reason"))
                for v in plugin.get(kind, [])
                for c in v["violatingConstructs"]
            )
    return found["violations"], found["suppressedViolations"]


def cfn_lint(template: Path) -> list[dict[str, Any]]:
    """cfn-lint's matches on ``template`` (warnings and informational ones included)."""
    result = subprocess.run(
        [str(CFN_LINT), "--format", "json", str(template)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    matches = json.loads(result.stdout or "null")
    assert isinstance(matches, list), f"cfn-lint did not run: {result.stderr}"
    return matches


def checkov(template: Path) -> dict[str, Any]:
    """checkov's CloudFormation report on ``template``; skips the test without checkov."""
    if not CHECKOV.exists():
        pytest.skip(CHECKOV_MISSING)
    result = subprocess.run(
        [str(CHECKOV), "--file", str(template), *CHECKOV_OPTIONS],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"},  # no PyPI round trip
    )
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["summary"]["parsing_errors"] == 0, result.stderr
    return report


def failed_checks(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(check id, resource) of every check that failed in a checkov report."""
    return [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
