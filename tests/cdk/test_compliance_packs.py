"""SecureNotebookInstance and SecureStudioDomain under the checks their users already run.

cdk-nag 3's AwsSolutions, HIPAA.Security, NIST.800-53.R5 and PCI.DSS.321 packs (as CDK
validation plugins), cfn-lint and checkov's CloudFormation checks, on one synthesized
app per construct that holds it in every combination of its options. The VPC is the
app's own, so findings on it are not the construct's and are left out; everything else
in the stack (the caller's own groups, role and key included) must draw nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from sm_guardrails.cdk import SecureNotebookInstance, SecureStudioDomain
from tests.cdk.compliance_tools import (
    PACKS,
    Synthesized,
    cfn_lint,
    checkov,
    failed_checks,
    synth_under_packs,
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


STUDIO_OPTIONS: dict[str, dict[str, Any]] = {
    "Studio": {},
    "StudioOwn": {"security_groups": "group", "role": "role", "encryption_key": "key"},
    "StudioNoEndpoints": {"security_groups": "group", "vpc_endpoints": False},
    "StudioPrefixList": {"https_prefix_list_ids": ["pl-63a5400a"], "endpoint_clients": "client"},
    "StudioImported": {"security_groups": "group", "role": "imported", "auth_mode": "SSO"},
    "StudioImmutable": {"role": "immutable", "encryption_key": "key"},
}
"""The combinations of SecureStudioDomain's options that change what it creates, by id."""


def _own(stack: cdk.Stack, vpc: ec2.IVpc, name: str, what: str) -> object:
    """The caller's own resource that an option of STUDIO_OPTIONS names."""
    if what in ("group", "client"):
        return [ec2.SecurityGroup(stack, f"{name}{what}", vpc=vpc, description="A team group")]
    if what == "role":
        principal = iam.ServicePrincipal("sagemaker.amazonaws.com")
        return iam.Role(stack, f"{name}Role", assumed_by=principal)
    if what in ("imported", "immutable"):
        return iam.Role.from_role_arn(stack, f"{name}Role", ROLE_ARN, mutable=what == "imported")
    assert what == "key"
    return kms.Key(stack, f"{name}Key", enable_key_rotation=True)


def _add_domains(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    for name, options in STUDIO_OPTIONS.items():
        props = {
            option: _own(stack, vpc, name, value) if option in OWN_OPTIONS else value
            for option, value in options.items()
        }
        SecureStudioDomain(stack, name, vpc=vpc, domain_name=name.lower(), **props)


OWN_OPTIONS = ("security_groups", "endpoint_clients", "role", "encryption_key")
"""The options whose value in STUDIO_OPTIONS names a resource of the caller's (``_own``)."""


def _add_notebooks(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    for options in COMBINATIONS:
        _add_notebook(stack, vpc, options)


BUILDS = {"notebook": _add_notebooks, "studio": _add_domains}


@pytest.fixture(scope="module")
def _apps() -> dict[str, Synthesized]:
    """Each construct's app, synthesized once per module (and worker) when first asked for."""
    return {}


def _synthesized(
    name: str, apps: dict[str, Synthesized], tmp: pytest.TempPathFactory
) -> Synthesized:
    if name not in apps:
        apps[name] = synth_under_packs(tmp.mktemp(name) / "cdk.out", BUILDS[name])
    return apps[name]


@pytest.fixture(scope="module", params=list(BUILDS))
def synthesized(
    request: pytest.FixtureRequest,
    _apps: dict[str, Synthesized],
    tmp_path_factory: pytest.TempPathFactory,
) -> Synthesized:
    """Each construct's app in turn."""
    return _synthesized(request.param, _apps, tmp_path_factory)


@pytest.fixture(scope="module")
def notebooks(
    _apps: dict[str, Synthesized], tmp_path_factory: pytest.TempPathFactory
) -> Synthesized:
    return _synthesized("notebook", _apps, tmp_path_factory)


@pytest.fixture(scope="module")
def domains(_apps: dict[str, Synthesized], tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return _synthesized("studio", _apps, tmp_path_factory)


def test_every_combination_is_in_the_app(notebooks: Synthesized) -> None:
    assert len(notebooks.resources("AWS::SageMaker::NotebookInstance")) == len(COMBINATIONS) == 26
    endpoints = notebooks.resources("AWS::EC2::VPCEndpoint")
    assert len(endpoints) == 4 * sum(o.vpc_endpoints for o in COMBINATIONS)


def test_every_studio_combination_is_in_the_app(domains: Synthesized) -> None:
    assert len(domains.resources("AWS::SageMaker::Domain")) == len(STUDIO_OPTIONS)
    with_endpoints = sum(o.get("vpc_endpoints", True) for o in STUDIO_OPTIONS.values())
    assert len(domains.resources("AWS::EC2::VPCEndpoint")) == 6 * with_endpoints


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


def test_endpoints_accept_https_from_security_groups_only(notebooks: Synthesized) -> None:
    resources = notebooks.template["Resources"]
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


def test_studio_groups_admit_https_to_endpoints_and_apps_of_the_group_only(
    domains: Synthesized,
) -> None:
    ingress = [
        r["Properties"] for r in domains.resources("AWS::EC2::SecurityGroupIngress").values()
    ]
    inline = [
        rule
        for r in domains.resources("AWS::EC2::SecurityGroup").values()
        for rule in r["Properties"].get("SecurityGroupIngress", [])
    ]
    assert inline == []
    created = [name for name, o in STUDIO_OPTIONS.items() if "security_groups" not in o]
    between_apps = [rule for rule in ingress if rule["FromPort"] == 8192]
    assert len(between_apps) == len(created)
    for rule in between_apps:  # from the group itself, AWS's VpcOnly app ports
        assert (rule["IpProtocol"], rule["ToPort"]) == ("tcp", 65535)
        assert rule["SourceSecurityGroupId"] == rule["GroupId"]
    for rule in ingress:
        assert "SourceSecurityGroupId" in rule and "CidrIp" not in rule
        assert rule in between_apps or (rule["FromPort"], rule["ToPort"]) == (443, 443)


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


def test_checkov_fails_only_what_it_cannot_see(notebooks: Synthesized) -> None:
    """CKV2_AWS_68 wants the notebook's role in the template; an imported one is not."""
    report = checkov(notebooks.template_file)
    imported = {
        f"AWS::SageMaker::NotebookInstance.{logical_id}"
        for logical_id, resource in notebooks.resources("AWS::SageMaker::NotebookInstance").items()
        if isinstance(resource["Properties"]["RoleArn"], str)
    }
    assert len(imported) == 2
    assert sorted(failed_checks(report)) == sorted(("CKV2_AWS_68", r) for r in imported)
    assert report["summary"]["passed"] > 0


def test_checkov_fails_nothing_on_studio_domains(domains: Synthesized) -> None:
    """Its one Domain check (CKV_AWS_187, a customer managed key) passes; roles are not read."""
    report = checkov(domains.template_file)
    assert failed_checks(report) == []
    assert report["summary"]["passed"] > 0
