"""What SecureStudioDomain renders: every default, every option, every input error."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from sm_guardrails.cdk import SecureStudioDomain, StudioConfigurationError, enforce
from sm_guardrails.cdk.studio import MAX_SECURITY_GROUPS
from tests.cdk.helpers import synth, vpc_stack

DOMAIN = "AWS::SageMaker::Domain"


def _stack(app: cdk.App) -> tuple[cdk.Stack, ec2.Vpc]:
    return vpc_stack(app, cdk.Environment(account="123456789012", region="eu-west-1"))


def _render(**props: Any) -> tuple[Template, SecureStudioDomain, cdk.Stack]:
    stack, vpc = _stack(cdk.App())
    construct = SecureStudioDomain(stack, "Studio", vpc=vpc, domain_name="research", **props)
    return Template.from_stack(stack), construct, stack


def _ref(stack: cdk.Stack, construct: Any) -> str:
    return stack.get_logical_id(construct.node.default_child)


@pytest.fixture(scope="module")
def default() -> tuple[Template, SecureStudioDomain, cdk.Stack]:
    return _render()


def _domain(template: Template) -> dict[str, Any]:
    (resource,) = template.find_resources(DOMAIN).values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def test_domain_is_vpc_only_in_the_private_subnets(default: Any) -> None:
    template, construct, stack = default
    properties = _domain(template)
    assert properties["AppNetworkAccessType"] == "VpcOnly"
    assert properties["VpcId"] == {"Ref": "Vpc8378EB38"}
    vpc = stack.node.find_child("Vpc")
    assert isinstance(vpc, ec2.Vpc)
    private = [{"Ref": _ref(stack, subnet)} for subnet in vpc.private_subnets]
    public = [{"Ref": _ref(stack, subnet)} for subnet in vpc.public_subnets]
    assert properties["SubnetIds"] == private
    assert not any(subnet in public for subnet in properties["SubnetIds"])
    assert [subnet.subnet_id for subnet in construct.subnets] == [
        subnet.subnet_id for subnet in vpc.private_subnets
    ]


def test_users_and_shared_spaces_get_the_group_role_and_key(default: Any) -> None:
    template, construct, stack = default
    properties = _domain(template)
    group = {"Fn::GetAtt": [_ref(stack, construct.security_groups[0]), "GroupId"]}
    role = {"Fn::GetAtt": [_ref(stack, construct.role), "Arn"]}
    for settings in ("DefaultUserSettings", "DefaultSpaceSettings"):
        assert properties[settings] == {"ExecutionRole": role, "SecurityGroups": [group]}
    assert properties["KmsKeyId"] == {"Fn::GetAtt": [_ref(stack, construct.encryption_key), "Arn"]}
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    policy = template.find_resources("AWS::IAM::ManagedPolicy")
    (document,) = [p["Properties"]["PolicyDocument"] for p in policy.values()]
    assert {s["Action"] for s in document["Statement"]} == {"kms:CreateGrant", "kms:DescribeKey"}


def test_created_group_admits_only_its_own_apps_and_sends_https_to_the_vpc(default: Any) -> None:
    template, construct, stack = default
    group_id = _ref(stack, construct.security_groups[0])
    (group,) = [
        r["Properties"]
        for name, r in template.find_resources("AWS::EC2::SecurityGroup").items()
        if name == group_id
    ]
    assert "SecurityGroupIngress" not in group
    assert [(rule["IpProtocol"], rule["FromPort"]) for rule in group["SecurityGroupEgress"]] == [
        ("tcp", 443)
    ]
    assert group["SecurityGroupEgress"][0]["CidrIp"] == {"Fn::GetAtt": ["Vpc8378EB38", "CidrBlock"]}
    own = {"Fn::GetAtt": [group_id, "GroupId"]}
    for kind in ("Ingress", "Egress"):
        peer = "SourceSecurityGroupId" if kind == "Ingress" else "DestinationSecurityGroupId"
        rules = [
            r["Properties"]
            for r in template.find_resources(f"AWS::EC2::SecurityGroup{kind}").values()
            if r["Properties"]["GroupId"] == own and r["Properties"].get(peer) == own
        ]
        assert [(rule["FromPort"], rule["ToPort"]) for rule in rules] == [(8192, 65535)]


def test_endpoints_studio_needs_without_internet(default: Any) -> None:
    template, construct, stack = default
    services = {
        str(r["Properties"]["ServiceName"])
        for r in template.find_resources("AWS::EC2::VPCEndpoint").values()
    }
    assert services == {
        "com.amazonaws.eu-west-1.sagemaker.api",
        "com.amazonaws.eu-west-1.sagemaker.runtime",
        "aws.sagemaker.eu-west-1.studio",
        "com.amazonaws.eu-west-1.sts",
        "com.amazonaws.eu-west-1.logs",
        str({"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]}),
    }
    assert construct.endpoints is not None
    endpoints_group = {"Fn::GetAtt": [_ref(stack, construct.endpoints.security_group), "GroupId"]}
    domain_group = {"Fn::GetAtt": [_ref(stack, construct.security_groups[0]), "GroupId"]}
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {"GroupId": endpoints_group, "SourceSecurityGroupId": domain_group, "FromPort": 443},
    )


def test_without_vpc_endpoints_none_are_created() -> None:
    template, construct, _ = _render(vpc_endpoints=False)
    assert construct.endpoints is None
    assert template.find_resources("AWS::EC2::VPCEndpoint") == {}


def test_given_groups_key_and_subnets_are_used() -> None:
    stack, vpc = _stack(cdk.App())
    groups = [ec2.SecurityGroup(stack, "Team", vpc=vpc)]
    key = kms.Key(stack, "TeamKey", enable_key_rotation=True)
    construct = SecureStudioDomain(
        stack,
        "Studio",
        vpc=vpc,
        domain_name="research",
        security_groups=groups,
        encryption_key=key,
        vpc_subnets=ec2.SubnetSelection(subnet_group_name="Data"),
        auth_mode="SSO",
    )
    properties = _domain(Template.from_stack(stack))
    assert properties["AuthMode"] == "SSO"
    assert properties["DefaultUserSettings"]["SecurityGroups"] == [
        {"Fn::GetAtt": [_ref(stack, groups[0]), "GroupId"]}
    ]
    assert properties["KmsKeyId"] == {"Fn::GetAtt": [_ref(stack, key), "Arn"]}
    assert properties["SubnetIds"] == [
        {"Ref": _ref(stack, subnet)} for subnet in vpc.isolated_subnets
    ]
    assert construct.security_groups == groups


def test_enforce_passes_it_and_catches_an_override_that_reopens_it(app: cdk.App) -> None:
    enforce(app)
    stack, vpc = _stack(app)
    SecureStudioDomain(stack, "Secure", vpc=vpc, domain_name="secure")
    reopened = SecureStudioDomain(stack, "Reopened", vpc=vpc, domain_name="reopened")
    reopened.domain.add_property_override("AppNetworkAccessType", "PublicInternetOnly")
    result = synth(app)
    assert result.rules("error") == {("SMG-6", "Stack/Reopened/Resource")}
    assert [v.rule for v in result.violations] == ["SMG-6"]


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (
            {"vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)},
            "only public subnets; a VpcOnly Studio domain without internet access belongs in "
            "private subnets",
        ),
        ({"security_groups": []}, "security_groups is an empty list"),
        ({"security_groups": MAX_SECURITY_GROUPS + 1}, "and a domain takes at most 4"),
        ({"allow_all_outbound": True, "security_groups": 1}, "allow_all_outbound applies only"),
        ({"https_prefix_list_ids": "pl-1"}, "is the string 'pl-1'; pass a list"),
        ({"auth_mode": "iam"}, "auth_mode is 'iam'; pass one of IAM, SSO"),
        ({"endpoint_clients": 1, "vpc_endpoints": False}, "endpoint_clients applies only"),
    ],
)
def test_bad_settings_are_rejected_with_the_construct_path(
    props: dict[str, Any], expected: str
) -> None:
    stack, vpc = _stack(cdk.App())
    for option in ("security_groups", "endpoint_clients"):
        if isinstance(props.get(option), int):
            props[option] = [
                ec2.SecurityGroup(stack, f"{option}{n}", vpc=vpc) for n in range(props[option])
            ]
    with pytest.raises(StudioConfigurationError, match=expected) as raised:
        SecureStudioDomain(stack, "Studio", vpc=vpc, domain_name="research", **props)
    assert str(raised.value).startswith("Stack/Studio: ")
