"""What SecureNotebookInstance renders: every default, every option, every input error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Template

from sm_guardrails.cdk import SecureNotebookInstance, enforce
from sm_guardrails.cdk.notebook import NotebookConfigurationError
from tests.cdk.helpers import ROLE_ARN, synth, vpc_stack

NOTEBOOK = "AWS::SageMaker::NotebookInstance"


def _stack(app: cdk.App) -> tuple[cdk.Stack, ec2.Vpc]:
    return vpc_stack(app)


def _render(app: cdk.App, **props: Any) -> tuple[Template, SecureNotebookInstance]:
    stack, vpc = _stack(app)
    construct = SecureNotebookInstance(stack, "Notebook", vpc=vpc, **props)
    return Template.from_stack(stack), construct


def _notebook_properties(template: Template) -> dict[str, Any]:
    (resource,) = template.find_resources(NOTEBOOK).values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def _logical_id(template: Template, resource_type: str) -> str:
    found = template.find_resources(resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found))


@pytest.fixture(scope="module")
def default() -> tuple[Template, SecureNotebookInstance]:
    return _render(cdk.App())


def test_default_notebook_is_in_a_private_subnet_without_internet_access(default) -> None:
    template, _ = default
    properties = _notebook_properties(template)
    assert properties["DirectInternetAccess"] == "Disabled"
    # CDK's default selection: the first PRIVATE_WITH_EGRESS subnet, never a public one.
    assert properties["SubnetId"]["Ref"].startswith("VpcAppSubnet1")


def test_default_security_group_has_no_inbound_and_only_https_to_the_vpc(default) -> None:
    template, _ = default
    properties = _notebook_properties(template)
    group_id = _logical_id(template, "AWS::EC2::SecurityGroup")
    assert properties["SecurityGroupIds"] == [{"Fn::GetAtt": [group_id, "GroupId"]}]
    group = template.find_resources("AWS::EC2::SecurityGroup")[group_id]["Properties"]
    assert "SecurityGroupIngress" not in group
    (egress,) = group["SecurityGroupEgress"]
    assert (egress["IpProtocol"], egress["FromPort"], egress["ToPort"]) == ("tcp", 443, 443)
    vpc_id = _logical_id(template, "AWS::EC2::VPC")
    assert egress["CidrIp"] == {"Fn::GetAtt": [vpc_id, "CidrBlock"]}
    template.resource_count_is("AWS::EC2::SecurityGroupIngress", 0)


def test_default_role_is_assumed_by_sagemaker_without_full_access(default) -> None:
    template, construct = default
    role_id = _logical_id(template, "AWS::IAM::Role")
    role = template.find_resources("AWS::IAM::Role")[role_id]["Properties"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    # Only the construct's own volume key policy: no AWS managed policy, no inline one.
    policy_id = _logical_id(template, "AWS::IAM::ManagedPolicy")
    assert role["ManagedPolicyArns"] == [{"Ref": policy_id}]
    assert "Policies" not in role
    template.resource_count_is("AWS::IAM::Policy", 0)
    assert _notebook_properties(template)["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert construct.grant_principal is construct.role


def test_default_volume_key_rotates_and_the_role_may_use_it(default) -> None:
    template, _ = default
    key_id = _logical_id(template, "AWS::KMS::Key")
    key = template.find_resources("AWS::KMS::Key")[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    assert _notebook_properties(template)["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    (policy,) = template.find_resources("AWS::IAM::ManagedPolicy").values()
    key_arn = {"Fn::GetAtt": [key_id, "Arn"]}
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "kms:CreateGrant",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
            "Effect": "Allow",
            "Resource": key_arn,
        },
        {"Action": "kms:DescribeKey", "Effect": "Allow", "Resource": key_arn},
    ]


def test_default_disables_root_and_imdsv1(default) -> None:
    template, _ = default
    properties = _notebook_properties(template)
    assert properties["RootAccess"] == "Disabled"
    assert properties["InstanceMetadataServiceConfiguration"] == {
        "MinimumInstanceMetadataServiceVersion": "2"
    }
    assert properties["InstanceType"] == "ml.t3.medium"
    template.resource_count_is("AWS::EC2::VPCEndpoint", 0)


def test_construct_exposes_its_resource_name_role_and_groups(default) -> None:
    template, construct = default
    assert isinstance(construct.notebook_instance, sagemaker.CfnNotebookInstance)
    stack = cdk.Stack.of(construct)
    assert stack.resolve(construct.notebook_instance_name) == {
        "Fn::GetAtt": [_logical_id(template, NOTEBOOK), "NotebookInstanceName"]
    }
    assert construct.node.default_child is construct.notebook_instance
    assert [stack.resolve(g.security_group_id) for g in construct.security_groups] == (
        _notebook_properties(template)["SecurityGroupIds"]
    )
    assert construct.encryption_key is not None


def test_default_notebook_passes_every_guardrail(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    SecureNotebookInstance(stack, "Notebook", vpc=vpc)
    enforce(app)
    result = synth(app)
    assert result.error is None
    assert result.violations == []


def test_settings_pass_through(app: cdk.App) -> None:
    template, _ = _render(
        app,
        instance_type="ml.m5.xlarge",
        volume_size_in_gb=50,
        lifecycle_config_name="install-extensions",
        default_code_repository="https://example.com/repo.git",
        additional_code_repositories=["https://example.com/other.git"],
        platform_identifier="notebook-al2-v3",
        notebook_instance_name="research",
        tags={"team": "ml"},
    )
    properties = _notebook_properties(template)
    assert properties["InstanceType"] == "ml.m5.xlarge"
    assert properties["VolumeSizeInGB"] == 50
    assert properties["LifecycleConfigName"] == "install-extensions"
    assert properties["DefaultCodeRepository"] == "https://example.com/repo.git"
    assert properties["AdditionalCodeRepositories"] == ["https://example.com/other.git"]
    assert properties["PlatformIdentifier"] == "notebook-al2-v3"
    assert properties["NotebookInstanceName"] == "research"
    assert properties["Tags"] == [{"Key": "team", "Value": "ml"}]


def test_relaxed_settings_render_and_are_reported_as_warnings(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    SecureNotebookInstance(
        stack,
        "Notebook",
        vpc=vpc,
        root_access=True,
        allow_imdsv1=True,
        aws_managed_volume_key=True,
    )
    enforce(app)
    result = synth(app)
    properties = _notebook_properties(Template.from_json(_template_json(app, "Stack")))
    assert properties["RootAccess"] == "Enabled"
    assert properties["InstanceMetadataServiceConfiguration"] == {
        "MinimumInstanceMetadataServiceVersion": "1"
    }
    assert "KmsKeyId" not in properties
    assert result.error is None
    path = "Stack/Notebook/Resource"
    assert result.rules("warning") == {("SMG-3", path), ("SMG-4", path), ("SMG-5", path)}
    assert result.rules("error") == set()


def _template_json(app: cdk.App, stack_name: str) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(
        (Path(app.outdir) / f"{stack_name}.template.json").read_text()
    )
    return template


def test_callers_key_role_and_security_groups_are_used(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    key = kms.Key(stack, "TeamKey")
    group = ec2.SecurityGroup(stack, "TeamGroup", vpc=vpc)
    role = iam.Role.from_role_arn(stack, "TeamRole", ROLE_ARN, mutable=False)
    construct = SecureNotebookInstance(
        stack, "Notebook", vpc=vpc, encryption_key=key, security_groups=[group], role=role
    )
    template = Template.from_stack(stack)
    properties = _notebook_properties(template)
    assert properties["KmsKeyId"] == {
        "Fn::GetAtt": [stack.get_logical_id(key.node.default_child), "Arn"]
    }
    assert properties["SecurityGroupIds"] == [
        {"Fn::GetAtt": [stack.get_logical_id(group.node.default_child), "GroupId"]}
    ]
    assert properties["RoleArn"] == ROLE_ARN
    template.resource_count_is("AWS::KMS::Key", 1)
    template.resource_count_is("AWS::EC2::SecurityGroup", 1)
    template.resource_count_is("AWS::IAM::Role", 0)
    assert construct.encryption_key is key and construct.role is role


def test_allow_all_outbound_is_an_explicit_opt_in(app: cdk.App) -> None:
    template, _ = _render(app, allow_all_outbound=True)
    (group,) = template.find_resources("AWS::EC2::SecurityGroup").values()
    assert group["Properties"]["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "Allow all outbound traffic by default",
            "IpProtocol": "-1",
        }
    ]


def test_prefix_lists_get_https_egress_next_to_the_vpc(app: cdk.App) -> None:
    template, construct = _render(app, vpc_endpoints=True, https_prefix_list_ids=["pl-63a5400a"])
    group_id = cdk.Stack.of(construct).get_logical_id(
        construct.security_groups[0].node.default_child
    )
    group = template.to_json()["Resources"][group_id]["Properties"]
    assert [rule["Description"] for rule in group["SecurityGroupEgress"]] == [
        "HTTPS to VPC endpoints in the VPC"
    ]
    (rule,) = template.find_resources(
        "AWS::EC2::SecurityGroupEgress",
        {
            "Properties": {
                "GroupId": {"Fn::GetAtt": [group_id, "GroupId"]},
                "DestinationPrefixListId": "pl-63a5400a",
            }
        },
    ).values()
    assert rule["Properties"] == {
        "Description": "HTTPS to prefix list pl-63a5400a",
        "DestinationPrefixListId": "pl-63a5400a",
        "FromPort": 443,
        "GroupId": {"Fn::GetAtt": [group_id, "GroupId"]},
        "IpProtocol": "tcp",
        "ToPort": 443,
    }


def test_subnet_selection_is_honoured(app: cdk.App) -> None:
    template, _ = _render(
        app, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    )
    assert "VpcDataSubnet1" in _notebook_properties(template)["SubnetId"]["Ref"]


def test_a_mixed_selection_uses_a_private_subnet(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    subnets = [*vpc.public_subnets, *vpc.isolated_subnets]
    SecureNotebookInstance(
        stack, "Notebook", vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnets=subnets)
    )
    assert "VpcDataSubnet1" in _notebook_properties(Template.from_stack(stack))["SubnetId"]["Ref"]


def test_vpc_endpoints_are_created_on_request(app: cdk.App) -> None:
    template, construct = _render(app, vpc_endpoints=True)
    endpoints = template.find_resources("AWS::EC2::VPCEndpoint").values()
    services = sorted(
        (e["Properties"].get("VpcEndpointType"), str(e["Properties"]["ServiceName"]))
        for e in endpoints
    )
    assert [kind for kind, _ in services] == ["Gateway", "Interface", "Interface", "Interface"]
    names = " ".join(name for _, name in services)
    for service in ("sagemaker.api", "sagemaker.runtime", "notebook", "s3"):
        assert service in names, f"{service} endpoint missing from {names}"
    assert construct.endpoints is not None and len(construct.endpoints.interface_endpoints) == 3


def _endpoint_ingress(template: Template, construct: SecureNotebookInstance) -> list[Any]:
    """The sources of the HTTPS ingress rules of the construct's endpoint security group."""
    assert construct.endpoints is not None
    stack = cdk.Stack.of(construct)
    endpoint_group = stack.get_logical_id(construct.endpoints.security_group.node.default_child)
    rules = template.find_resources(
        "AWS::EC2::SecurityGroupIngress",
        {"Properties": {"GroupId": {"Fn::GetAtt": [endpoint_group, "GroupId"]}}},
    ).values()
    assert all(
        (r["Properties"]["FromPort"], r["Properties"]["ToPort"]) == (443, 443) for r in rules
    )
    return [r["Properties"]["SourceSecurityGroupId"] for r in rules]


def test_endpoints_accept_https_from_the_notebook_group_not_the_vpc(app: cdk.App) -> None:
    template, construct = _render(app, vpc_endpoints=True)
    stack = cdk.Stack.of(construct)
    (notebook_group,) = construct.security_groups
    assert _endpoint_ingress(template, construct) == [
        stack.resolve(notebook_group.security_group_id)
    ]
    endpoints = template.find_resources("AWS::EC2::VPCEndpoint").values()
    interface = [e for e in endpoints if e["Properties"].get("VpcEndpointType") == "Interface"]
    assert {json.dumps(e["Properties"]["SecurityGroupIds"]) for e in interface} == {
        json.dumps([stack.resolve(construct.endpoints.security_group.security_group_id)])
    }
    group = template.to_json()["Resources"][
        stack.get_logical_id(construct.endpoints.security_group.node.default_child)
    ]["Properties"]
    assert "SecurityGroupIngress" not in group  # no CIDR rule, inline or not


def test_endpoints_accept_the_callers_groups_and_named_clients(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    own = ec2.SecurityGroup(stack, "Own", vpc=vpc, allow_all_outbound=False)
    client = ec2.SecurityGroup(stack, "Client", vpc=vpc)
    construct = SecureNotebookInstance(
        stack,
        "Notebook",
        vpc=vpc,
        security_groups=[own],
        vpc_endpoints=True,
        endpoint_clients=[client],
    )
    template = Template.from_stack(stack)
    sources = _endpoint_ingress(template, construct)
    assert sorted(map(json.dumps, sources)) == sorted(
        json.dumps(stack.resolve(g.security_group_id)) for g in (own, client)
    )
    # The caller's group sends only what it allows: it is opened to the endpoints' group.
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        {
            "GroupId": stack.resolve(own.security_group_id),
            "DestinationSecurityGroupId": stack.resolve(
                construct.endpoints.security_group.security_group_id  # type: ignore[union-attr]
            ),
            "FromPort": 443,
        },
    )


def test_an_immutable_role_is_left_alone(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    role = iam.Role.from_role_arn(stack, "TeamRole", ROLE_ARN, mutable=False)
    construct = SecureNotebookInstance(stack, "Notebook", vpc=vpc, role=role)
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    assert "Roles" not in policy["Properties"]
    assert construct.volume_key_policy is not None


def test_an_imported_mutable_role_gets_the_volume_key_policy(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    role = iam.Role.from_role_arn(stack, "TeamRole", ROLE_ARN)
    SecureNotebookInstance(stack, "Notebook", vpc=vpc, role=role)
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    assert policy["Properties"]["Roles"] == ["notebook"]


def test_grants_go_to_the_execution_role(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    construct = SecureNotebookInstance(stack, "Notebook", vpc=vpc)
    bucket = s3.Bucket(stack, "Data")
    bucket.grant_read(construct)
    template = Template.from_stack(stack)
    role_id = stack.get_logical_id(construct.role.node.default_child)
    policies = template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role_id}]}}
    )
    statements = [
        s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert any("s3:GetObject*" in s["Action"] for s in statements)


def test_connections_open_the_notebooks_security_group(app: cdk.App) -> None:
    stack, vpc = _stack(app)
    construct = SecureNotebookInstance(stack, "Notebook", vpc=vpc)
    database = ec2.SecurityGroup(stack, "Database", vpc=vpc)
    database.connections.allow_from(construct, ec2.Port.tcp(5432))
    template = Template.from_stack(stack)
    group_id = stack.get_logical_id(construct.security_groups[0].node.default_child)
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {"FromPort": 5432, "SourceSecurityGroupId": {"Fn::GetAtt": [group_id, "GroupId"]}},
    )


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (
            {"vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)},
            "only public subnets",
        ),
        ({"security_groups": []}, "security_groups is an empty list"),
        ({"allow_all_outbound": True, "security_groups": "own"}, "allow_all_outbound applies only"),
        (
            {"https_prefix_list_ids": ["pl-1"], "security_groups": "own"},
            "https_prefix_list_ids applies only",
        ),
        (
            {"https_prefix_list_ids": ["pl-1"], "allow_all_outbound": True},
            "already allows everything",
        ),
        ({"https_prefix_list_ids": "pl-1"}, "is the string 'pl-1'; pass a list"),
        ({"encryption_key": "own", "aws_managed_volume_key": True}, "contradict each other"),
        ({"endpoint_clients": "own"}, "endpoint_clients applies only"),
    ],
)
def test_bad_settings_are_rejected_with_the_construct_path(
    props: dict[str, Any], expected: str
) -> None:
    stack, vpc = _stack(cdk.App())
    if props.get("security_groups") == "own":
        props["security_groups"] = [ec2.SecurityGroup(stack, "Own", vpc=vpc)]
    if props.get("endpoint_clients") == "own":
        props["endpoint_clients"] = [ec2.SecurityGroup(stack, "Own", vpc=vpc)]
    if props.get("encryption_key") == "own":
        props["encryption_key"] = kms.Key(stack, "Own")
    with pytest.raises(NotebookConfigurationError, match=expected) as raised:
        SecureNotebookInstance(stack, "Notebook", vpc=vpc, **props)
    assert str(raised.value).startswith("Stack/Notebook: ")
