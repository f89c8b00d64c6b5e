"""Building small CDK apps and reading what synthesis reported about them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from sm_guardrails.cdk import release

needs_native_acknowledge = pytest.mark.skipif(
    not release.NATIVE_ACKNOWLEDGE,
    reason="aws-cdk-lib before 2.254 has no Validations.of(scope).acknowledge to test",
)
"""For the tests of ``Validations.of(scope).acknowledge``, which older releases lack."""

ROLE_ARN = "arn:aws:iam::123456789012:role/notebook"

COMPLIANT: dict[str, Any] = {
    "direct_internet_access": "Disabled",
    "subnet_id": "subnet-0123456789abcdef0",
    "security_group_ids": ["sg-0123456789abcdef0"],
    "root_access": "Disabled",
    "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "instance_metadata_service_configuration": (
        sagemaker.CfnNotebookInstance.InstanceMetadataServiceConfigurationProperty(
            minimum_instance_metadata_service_version="2"
        )
    ),
}
"""CfnNotebookInstance keyword arguments that pass every rule."""


def notebook(
    scope: Construct, id: str = "Notebook", **overrides: Any
) -> sagemaker.CfnNotebookInstance:
    """A CfnNotebookInstance with compliant properties, changed by ``overrides``."""
    props = {**COMPLIANT, **overrides}
    return sagemaker.CfnNotebookInstance(
        scope, id, instance_type="ml.t3.medium", role_arn=ROLE_ARN, **props
    )


DOMAIN_SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
DOMAIN_SECURITY_GROUPS = ["sg-0123456789abcdef0"]


def domain(
    scope: Construct,
    id: str = "Domain",
    security_groups: list[str] | None = DOMAIN_SECURITY_GROUPS,
    **overrides: Any,
) -> sagemaker.CfnDomain:
    """A CfnDomain that passes every rule (VpcOnly, in a VPC, behind a security group),
    changed by ``overrides`` (``app_network_access_type=None`` leaves it out) and
    ``security_groups`` (those of its default user settings)."""
    props: dict[str, Any] = {
        "app_network_access_type": "VpcOnly",
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": DOMAIN_SUBNETS,
        **overrides,
    }
    return sagemaker.CfnDomain(
        scope,
        id,
        auth_mode="IAM",
        domain_name=id.lower(),
        default_user_settings=sagemaker.CfnDomain.UserSettingsProperty(
            execution_role=ROLE_ARN, security_groups=security_groups
        ),
        **props,
    )


def raw_domain(scope: Construct, id: str = "Raw") -> cdk.CfnResource:
    """A raw ``CfnResource`` of type ``AWS::SageMaker::Domain`` that says nothing of its
    network (so breaks SMG-6 and SMG-7)."""
    return cdk.CfnResource(
        scope,
        id,
        type="AWS::SageMaker::Domain",
        properties={
            "AuthMode": "IAM",
            "DomainName": id.lower(),
            "DefaultUserSettings": {"ExecutionRole": ROLE_ARN},
        },
    )


def vpc_stack(app: cdk.App, env: cdk.Environment | None = None) -> tuple[cdk.Stack, ec2.Vpc]:
    """A stack with a VPC of public, private (with a NAT gateway) and isolated subnets."""
    stack = cdk.Stack(app, "Stack", env=env)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=1,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )
    return stack, vpc


@dataclass
class Violation:
    """One violation of the validation report, flattened to what tests check."""

    rule: str
    severity: str
    description: str
    path: str
    reason: str | None = None


@dataclass
class SynthResult:
    """What ``app.synth()`` did: the error it raised, and the sm-guardrails report."""

    error: str | None
    violations: list[Violation] = field(default_factory=list)
    acknowledged: list[Violation] = field(default_factory=list)

    def rules(self, severity: str) -> set[tuple[str, str]]:
        """(rule, construct path) of the violations of ``severity``."""
        return {(v.rule, v.path) for v in self.violations if v.severity == severity}


def synth(app: cdk.App) -> SynthResult:
    """Synthesize ``app`` and read the sm-guardrails plugin's part of the validation report."""
    error = None
    try:
        app.synth()
    except RuntimeError as exc:  # jsii turns the ValidationFailed error into RuntimeError
        error = str(exc)
    result = SynthResult(error)
    report_file = Path(app.outdir) / "validation-report.json"
    if not report_file.exists():
        return result
    for plugin in json.loads(report_file.read_text())["pluginReports"]:
        if plugin["pluginName"] != "sm-guardrails":
            continue
        result.violations = _flatten(plugin.get("violations", []))
        result.acknowledged = _flatten(plugin.get("suppressedViolations", []))
    return result


def _flatten(violations: list[dict[str, Any]]) -> list[Violation]:
    return [
        Violation(
            rule=v["ruleName"],
            severity=v["severity"],
            description=v["description"],
            path=construct["constructPath"],
            reason=v.get("reason"),
        )
        for v in violations
        for construct in v["violatingConstructs"]
    ]
