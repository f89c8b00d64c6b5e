"""SecureNotebookInstance under the checks its users already run.

cdk-nag 3's AwsSolutions, HIPAA.Security, NIST.800-53.R5 and PCI.DSS.321 packs (as CDK
validation plugins), cfn-lint and checkov's CloudFormation checks, on one synthesized
app that holds the construct in every combination of its options. The VPC is the app's
own, so findings on it are not the construct's and are left out; everything else in the
stack (the caller's own groups, role and key included) must draw nothing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from sm_guardrails.cdk import SecureNotebookInstance
from tests.cdk.compliance_tools import (
    PACKS,
    Finding,
    cfn_lint,
    checkov,
    failed_checks,
    validation_report,
)
from tests.cdk.helpers import ROLE_ARN


@dataclass(frozen=True)
class Options:
    """One combination of the construct's options that change what it creates."""

    own_security_group: bool
    own_role: str  # "" (the construct's), "role", "imported" or "immutable"
    own_key: bool
    vpc_endpoints: bool
    prefix_lists: bool

    @property
    def id(self) -> str:
        parts = [
            "Sg" if self.own_security_group else "",
            self.own_role.capitalize(),
            "Key" if self.own_key else "",
            "Endpoints" if self.vpc_endpoints else "",
            "PrefixList" if self.prefix_lists else "",
        ]
        return "Notebook" + "".join(parts)


def _combinations() -> Iterator[Options]:
    for group, role, key, endpoints, prefix in itertools.product(
        (False, True), ("", "role"), (False, True), (False, True), (False, True)
    ):
        if not (group and prefix):  # prefix lists go on the construct's own group only
            yield Options(group, role, key, endpoints, prefix)
    for role in ("imported", "immutable"):
        yield Options(True, role, True, True, False)


COMBINATIONS = list(_combinations())


def _add_notebook(stack: cdk.Stack, vpc: ec2.IVpc, options: Options) -> SecureNotebookInstance:
    scope = cdk.Stack.of(stack)
    props: dict[str, Any] = {"vpc": vpc, "vpc_endpoints": options.vpc_endpoints}
    name = options.id
    if options.own_security_group:
        props["security_groups"] = [
            ec2.SecurityGroup(scope, f"{name}Group", vpc=vpc, description="The team group")
        ]
    if options.own_role == "role":
        props["role"] = iam.Role(
            scope, f"{name}Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
        )
    elif options.own_role:
        props["role"] = iam.Role.from_role_arn(
            scope, f"{name}Role", ROLE_ARN, mutable=options.own_role == "imported"
        )
    if options.own_key:
        props["encryption_key"] = kms.Key(scope, f"{name}Key", enable_key_rotation=True)
    if options.prefix_lists:
        props["https_prefix_list_ids"] = ["pl-63a5400a"]
    if options.vpc_endpoints:
        props["endpoint_clients"] = [
            ec2.SecurityGroup(scope, f"{name}Client", vpc=vpc, description="Another workload")
        ]
    return SecureNotebookInstance(scope, name, **props)


def _vpc(stack: cdk.Stack) -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Notebooks", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )


@dataclass
class Synthesized:
    """The app with every combination, synthesized under the four packs."""

    template_file: Path
    template: dict[str, Any]
    violations: list[Finding]
    acknowledged: list[Finding]
    error: str | None


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    outdir = tmp_path_factory.mktemp("nag") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        HIPAASecurityChecks(app),
        NIST80053R5Checks(app),
        PCIDSS321Checks(app),
    )
    stack = cdk.Stack(app, "Stack")
    vpc = _vpc(stack)
    for options in COMBINATIONS:
        _add_notebook(stack, vpc, options)
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


def test_every_combination_is_in_the_app(synthesized: Synthesized) -> None:
    notebooks = [
        r
        for r in synthesized.template["Resources"].values()
        if r["Type"] == "AWS::SageMaker::NotebookInstance"
    ]
    assert len(notebooks) == len(COMBINATIONS) == 26
    endpoints = [
        r
        for r in synthesized.template["Resources"].values()
        if r["Type"] == "AWS::EC2::VPCEndpoint"
    ]
    assert len(endpoints) == 4 * sum(o.vpc_endpoints for o in COMBINATIONS)


def test_the_packs_ran_and_saw_the_vpc(synthesized: Synthesized) -> None:
    """The packs did judge this app: the bare VPC draws their flow-log rule."""
    flow_logs = {
        (f.plugin, f.path)
        for f in synthesized.violations
        if "VPC7" in f.rule or "VPCFlowLogs" in f.rule
    }
    assert flow_logs == {(pack, "Stack/Vpc/Resource") for pack in PACKS}
    assert synthesized.error is not None and "ValidationFailed" in synthesized.error


def test_no_plugin_finds_anything_outside_the_vpc(synthesized: Synthesized) -> None:
    outside = [f for f in synthesized.violations if not f.path.startswith("Stack/Vpc/")]
    assert outside == []


def test_nothing_is_acknowledged_away(synthesized: Synthesized) -> None:
    assert synthesized.acknowledged == []


def test_endpoints_accept_https_from_security_groups_only(synthesized: Synthesized) -> None:
    resources = synthesized.template["Resources"]
    ingress = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"
    ]
    inline = [
        rule
        for r in resources.values()
        if r["Type"] == "AWS::EC2::SecurityGroup"
        for rule in r["Properties"].get("SecurityGroupIngress", [])
    ]
    assert inline == []
    # The notebook's group and the named client, for each construct with endpoints.
    assert len(ingress) == 2 * sum(o.vpc_endpoints for o in COMBINATIONS)
    for rule in ingress:
        assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 443, 443)
        assert "SourceSecurityGroupId" in rule and "CidrIp" not in rule


def test_no_inline_policy_and_no_wildcard_action(synthesized: Synthesized) -> None:
    resources = synthesized.template["Resources"].values()
    assert [r for r in resources if r["Type"] == "AWS::IAM::Policy"] == []
    actions = {
        action
        for r in resources
        if r["Type"] == "AWS::IAM::ManagedPolicy"
        for statement in r["Properties"]["PolicyDocument"]["Statement"]
        for action in _as_list(statement["Action"])
    }
    assert actions == {"kms:CreateGrant", "kms:DescribeKey"}


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_cfn_lint_finds_nothing(synthesized: Synthesized) -> None:
    assert cfn_lint(synthesized.template_file) == []


def test_checkov_fails_only_what_it_cannot_see(synthesized: Synthesized) -> None:
    """CKV2_AWS_68 wants the notebook's role in the template; an imported one is not."""
    report = checkov(synthesized.template_file)
    imported = {
        f"AWS::SageMaker::NotebookInstance.{logical_id}"
        for logical_id, resource in synthesized.template["Resources"].items()
        if resource["Type"] == "AWS::SageMaker::NotebookInstance"
        and isinstance(resource["Properties"]["RoleArn"], str)
    }
    assert len(imported) == 2
    assert sorted(failed_checks(report)) == sorted(("CKV2_AWS_68", r) for r in imported)
    assert report["summary"]["passed"] > 0
