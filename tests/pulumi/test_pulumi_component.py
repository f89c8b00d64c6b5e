"""SecureNotebookInstance under Pulumi's mocks: every resource, input, default and option."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi.runtime.sync_await import _sync_await

from sm_guardrails.pulumi import (
    COMPONENT_TYPE,
    NotebookArgumentError,
    SecureNotebookInstance,
    SecureNotebookInstanceArgs,
)
from sm_guardrails.pulumi.harness import ProgramMocks, RegisteredResource, run_with_mocks

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
ROLE = "aws:iam/role:Role"
KEY = "aws:kms/key:Key"
GET_SUBNET = "aws:ec2/getSubnet:getSubnet"
GET_VPC = "aws:ec2/getVpc:getVpc"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
GET_REGION = "aws:index/getRegion:getRegion"
GET_ROUTE_TABLE = "aws:ec2/getRouteTable:getRouteTable"
LOOKUPS = {
    GET_SUBNET: {"vpcId": "vpc-of-subnet"},
    GET_VPC: {"cidrBlock": "10.9.0.0/16"},
    GET_REGION: {"region": "eu-west-1"},
    GET_ROUTE_TABLE: {"id": "rtb-of-subnet"},
}


class NotebookMocks(ProgramMocks):
    """Also gives notebooks the URL AWS would."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        if args.typ == NOTEBOOK:
            state["url"] = f"{args.name}.notebook.eu-west-1.sagemaker.aws"
        return resource_id, state


class Built:
    """What a program built: its resources by type, the invokes it made, the component.

    ``component`` builds the component; the first argument is the component's args.
    """

    def __init__(
        self,
        arguments: Any,
        component: Callable[[Any], pulumi.ComponentResource],
        mocks: ProgramMocks,
    ) -> None:
        self.mocks = mocks
        self.component: pulumi.ComponentResource | None = None

        def program() -> None:
            self.component = component(arguments)

        self.resources = run_with_mocks(program, mocks=self.mocks)
        self.calls = {call.token: call.args for call in self.mocks.calls}

    def of_type(self, resource_type: str) -> list[RegisteredResource]:
        return [r for r in self.resources if r.resource_type == resource_type]

    def one(self, resource_type: str) -> dict[str, Any]:
        [resource] = self.of_type(resource_type)
        return resource.inputs

    def output(self, name: str) -> Any:
        assert self.component is not None
        return _sync_await(getattr(self.component, name).future())


class BuiltNotebook(Built):
    """A program with one SecureNotebookInstance called nb."""

    def __init__(self, **arguments: Any) -> None:
        super().__init__(
            SecureNotebookInstanceArgs(**arguments),
            lambda args: SecureNotebookInstance("nb", args),
            NotebookMocks(preview=False, lookups=LOOKUPS),
        )


def test_defaults_create_group_role_and_key_and_a_notebook_off_the_internet() -> None:
    built = BuiltNotebook(subnet_id="subnet-1")
    # Children register concurrently, so their order is not fixed.
    assert sorted(r.resource_type for r in built.resources) == sorted(
        [COMPONENT_TYPE, ROLE, KEY, POLICY, ATTACHMENT, GROUP, NOTEBOOK]
    )
    assert built.resources[0].resource_type == COMPONENT_TYPE
    component_urn = built.resources[0].urn
    assert all(r.parent == component_urn for r in built.resources[1:])
    assert built.one(NOTEBOOK) == {
        "instanceType": "ml.t3.medium",
        "subnetId": "subnet-1",
        "securityGroups": ["nb-sg-id"],
        "directInternetAccess": "Disabled",
        "roleArn": "arn:aws:mock:::nb-role",
        "rootAccess": "Disabled",
        "kmsKeyId": "arn:aws:mock:::nb-key",
        "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
        "tags": {},
    }


def test_default_group_is_in_the_subnets_vpc_with_no_inbound_and_https_to_the_vpc_only() -> None:
    built = BuiltNotebook(subnet_id="subnet-1")
    assert built.calls[GET_SUBNET]["id"] == "subnet-1"
    assert built.calls[GET_VPC]["id"] == "vpc-of-subnet"
    group = built.one(GROUP)
    assert group["vpcId"] == "vpc-of-subnet"
    assert group["ingress"] == []
    [egress] = group["egress"]
    assert (egress["protocol"], egress["fromPort"], egress["toPort"]) == ("tcp", 443, 443)
    assert egress["cidrBlocks"] == ["10.9.0.0/16"]


def test_default_role_can_be_assumed_by_sagemaker_and_has_no_managed_policy() -> None:
    role = BuiltNotebook(subnet_id="subnet-1").one(ROLE)
    statement = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    assert "managedPolicyArns" not in role


def test_default_role_may_use_the_volume_key_through_a_managed_policy_only() -> None:
    built = BuiltNotebook(subnet_id="subnet-1")
    document = json.loads(built.one(POLICY)["policy"])
    assert document["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "kms:CreateGrant",
            "Resource": "arn:aws:mock:::nb-key",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
        },
        {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "arn:aws:mock:::nb-key"},
    ]
    assert built.one(ATTACHMENT)["policyArn"] == "arn:aws:mock:::nb-volume-key"
    assert "inlinePolicies" not in built.one(ROLE)
    assert built.component is not None and built.component.volume_key_policy is not None


def test_a_given_key_arn_goes_into_the_created_roles_policy() -> None:
    key = "arn:aws:kms:eu-west-1:1:key/given"
    built = BuiltNotebook(subnet_id="subnet-1", kms_key_id=key)
    assert built.of_type(KEY) == []
    resources = {s["Resource"] for s in json.loads(built.one(POLICY)["policy"])["Statement"]}
    assert resources == {key}


def test_default_key_rotates() -> None:
    assert BuiltNotebook(subnet_id="subnet-1").one(KEY)["enableKeyRotation"] is True


def test_given_vpc_skips_the_subnet_lookup() -> None:
    built = BuiltNotebook(subnet_id="subnet-1", vpc_id="vpc-given")
    assert GET_SUBNET not in built.calls
    assert built.calls[GET_VPC]["id"] == "vpc-given"
    assert built.one(GROUP)["vpcId"] == "vpc-given"


def test_https_to_prefix_lists_is_added_to_the_vpc_egress() -> None:
    built = BuiltNotebook(subnet_id="subnet-1", https_prefix_list_ids=["pl-s3"])
    [egress] = built.one(GROUP)["egress"]
    assert (egress["fromPort"], egress["toPort"]) == (443, 443)
    assert egress["cidrBlocks"] == ["10.9.0.0/16"]
    assert egress["prefixListIds"] == ["pl-s3"]
    assert "prefixListIds" not in BuiltNotebook(subnet_id="subnet-1").one(GROUP)["egress"][0]


def test_all_outbound_is_an_explicit_opt_in() -> None:
    built = BuiltNotebook(subnet_id="subnet-1", vpc_id="vpc-1", allow_all_outbound=True)
    [egress] = built.one(GROUP)["egress"]
    assert (egress["protocol"], egress["cidrBlocks"]) == ("-1", ["0.0.0.0/0"])
    assert GET_VPC not in built.calls
    assert built.one(GROUP)["ingress"] == []


def test_given_groups_role_and_key_create_nothing_else() -> None:
    built = BuiltNotebook(
        subnet_id="subnet-1",
        security_group_ids=["sg-1", "sg-2"],
        role_arn="arn:aws:iam::1:role/given",
        kms_key_id="alias/given",
    )
    assert [r.resource_type for r in built.resources] == [COMPONENT_TYPE, NOTEBOOK]
    assert built.calls == {}  # and no policy: a given role is the caller's to grant
    notebook = built.one(NOTEBOOK)
    assert notebook["securityGroups"] == ["sg-1", "sg-2"]
    assert notebook["roleArn"] == "arn:aws:iam::1:role/given"
    assert notebook["kmsKeyId"] == "alias/given"
    assert notebook["directInternetAccess"] == "Disabled"


def _endpoints(built: Built) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in built.of_type(ENDPOINT)}


def test_endpoints_accept_https_from_the_notebooks_group_only() -> None:
    built = BuiltNotebook(subnet_id="subnet-1", vpc_endpoints=True)
    groups = {r.name: r.inputs for r in built.of_type(GROUP)}
    endpoint_group = groups["nb-endpoints-sg"]
    assert endpoint_group["vpcId"] == "vpc-of-subnet"
    assert endpoint_group["egress"] == []
    [ingress] = endpoint_group["ingress"]
    assert (ingress["protocol"], ingress["fromPort"], ingress["toPort"]) == ("tcp", 443, 443)
    assert ingress["securityGroups"] == ["nb-sg-id"]
    assert "cidrBlocks" not in ingress
    endpoints = _endpoints(built)
    assert {name: e["serviceName"] for name, e in endpoints.items()} == {
        "nb-sagemaker-api": "com.amazonaws.eu-west-1.sagemaker.api",
        "nb-sagemaker-runtime": "com.amazonaws.eu-west-1.sagemaker.runtime",
        "nb-sagemaker-notebook": "aws.sagemaker.eu-west-1.notebook",
        "nb-s3": "com.amazonaws.eu-west-1.s3",
    }
    for name in ("nb-sagemaker-api", "nb-sagemaker-runtime", "nb-sagemaker-notebook"):
        assert endpoints[name]["securityGroupIds"] == ["nb-endpoints-sg-id"]
        assert endpoints[name]["subnetIds"] == ["subnet-1"]
        assert endpoints[name]["vpcEndpointType"] == "Interface"
        assert endpoints[name]["privateDnsEnabled"] is True
    assert endpoints["nb-s3"]["routeTableIds"] == ["rtb-of-subnet"]
    assert built.calls[GET_ROUTE_TABLE]["subnetId"] == "subnet-1"


def test_endpoints_accept_the_callers_groups_and_named_clients() -> None:
    built = BuiltNotebook(
        subnet_id="subnet-1",
        security_group_ids=["sg-1"],
        vpc_id="vpc-1",
        vpc_endpoints=True,
        endpoint_client_security_group_ids=["sg-client"],
    )
    [endpoint_group] = built.of_type(GROUP)
    [ingress] = endpoint_group.inputs["ingress"]
    assert ingress["securityGroups"] == ["sg-1", "sg-client"]
    assert endpoint_group.inputs["vpcId"] == "vpc-1"
    assert len(built.of_type(ENDPOINT)) == 4


def test_no_endpoints_unless_asked() -> None:
    assert BuiltNotebook(subnet_id="subnet-1").of_type(ENDPOINT) == []


def test_relaxations_are_explicit_and_passed_through() -> None:
    built = BuiltNotebook(
        subnet_id="subnet-1",
        security_group_ids=["sg-1"],
        use_aws_managed_key=True,
        root_access="Enabled",
        minimum_imds_version="1",
    )
    assert built.of_type(KEY) == []
    notebook = built.one(NOTEBOOK)
    assert "kmsKeyId" not in notebook
    assert notebook["rootAccess"] == "Enabled"
    assert notebook["instanceMetadataServiceConfiguration"] == {
        "minimumInstanceMetadataServiceVersion": "1"
    }
    assert notebook["directInternetAccess"] == "Disabled"


def test_usual_settings_pass_through_and_tags_reach_every_child() -> None:
    built = BuiltNotebook(
        subnet_id="subnet-1",
        instance_type="ml.m5.xlarge",
        volume_size=50,
        lifecycle_config_name="on-start",
        default_code_repository="https://example.com/repo.git",
        additional_code_repositories=["repo-a", "repo-b"],
        platform_identifier="notebook-al2-v3",
        notebook_name="analysis",
        tags={"team": "ds"},
    )
    notebook = built.one(NOTEBOOK)
    assert {key: notebook[key] for key in notebook if key not in _SECURITY_KEYS} == {
        "instanceType": "ml.m5.xlarge",
        "volumeSize": 50,
        "lifecycleConfigName": "on-start",
        "defaultCodeRepository": "https://example.com/repo.git",
        "additionalCodeRepositories": ["repo-a", "repo-b"],
        "platformIdentifier": "notebook-al2-v3",
        "name": "analysis",
        "tags": {"team": "ds"},
    }
    for resource_type in (ROLE, KEY, GROUP, POLICY):
        assert built.one(resource_type)["tags"] == {"team": "ds"}


_SECURITY_KEYS = {
    "subnetId",
    "securityGroups",
    "directInternetAccess",
    "roleArn",
    "rootAccess",
    "kmsKeyId",
    "instanceMetadataServiceConfiguration",
}


def test_outputs_are_the_notebooks() -> None:
    built = BuiltNotebook(subnet_id="subnet-1", notebook_name="analysis")
    assert built.output("notebook_name") == "analysis"
    assert built.output("arn") == "arn:aws:mock:::nb"
    assert built.output("url") == "nb.notebook.eu-west-1.sagemaker.aws"
    assert built.output("role_arn") == "arn:aws:mock:::nb-role"
    assert built.output("security_group_ids") == ["nb-sg-id"]
    assert built.component is not None and built.component.security_group is not None
    assert built.component.role is not None and built.component.kms_key is not None


def test_outputs_are_registered_on_the_component() -> None:
    built = BuiltNotebook(subnet_id="subnet-1", notebook_name="analysis")
    assert built.resources[0].outputs == {
        "notebookName": "analysis",
        "arn": "arn:aws:mock:::nb",
        "url": "nb.notebook.eu-west-1.sagemaker.aws",
        "roleArn": "arn:aws:mock:::nb-role",
        "securityGroupIds": ["nb-sg-id"],
    }


def test_outputs_of_given_resources() -> None:
    built = BuiltNotebook(subnet_id="subnet-1", security_group_ids=["sg-9"], role_arn="arn:role")
    assert built.output("security_group_ids") == ["sg-9"]
    assert built.output("role_arn") == "arn:role"
    assert built.component is not None
    assert built.component.security_group is None and built.component.role is None


def test_outputs_can_come_from_other_resources() -> None:
    def program() -> None:
        subnet = pulumi.Output.from_input("subnet-from-output")
        SecureNotebookInstance("nb", SecureNotebookInstanceArgs(subnet_id=subnet, vpc_id="vpc-1"))

    resources = run_with_mocks(program, mocks=ProgramMocks(preview=False, lookups=LOOKUPS))
    [notebook] = [r for r in resources if r.resource_type == NOTEBOOK]
    assert notebook.inputs["subnetId"] == "subnet-from-output"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"subnet_id": ""}, "subnet_id is '': give the id of a private subnet"),
        ({"subnet_id": None}, "subnet_id is None"),
        ({"security_group_ids": []}, "security_group_ids is empty"),
        ({"security_group_ids": ["sg-1", " "]}, r"security_group_ids\[1\] is ' '"),
        (
            {"security_group_ids": ["sg-1"], "allow_all_outbound": True},
            "allow_all_outbound applies only to the security group the component creates",
        ),
        ({"security_group_ids": ["sg-1"], "vpc_id": "vpc-1"}, "vpc_id applies only"),
        (
            {"security_group_ids": ["sg-1"], "https_prefix_list_ids": ["pl-1"]},
            "https_prefix_list_ids applies only",
        ),
        (
            {"allow_all_outbound": True, "https_prefix_list_ids": ["pl-1"]},
            "already allows everything",
        ),
        ({"kms_key_id": "k", "use_aws_managed_key": True}, "contradict each other"),
        (
            {"endpoint_client_security_group_ids": ["sg-9"]},
            "endpoint_client_security_group_ids applies only to the endpoints",
        ),
        ({"root_access": "disabled"}, "root_access is 'disabled': use 'Disabled' or 'Enabled'"),
        ({"minimum_imds_version": "v2"}, "minimum_imds_version is 'v2'"),
    ],
)
def test_wrong_arguments_say_how_to_fix_them(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(NotebookArgumentError, match=message):
        SecureNotebookInstanceArgs(**{"subnet_id": "subnet-1", **arguments})


def test_subnet_is_required() -> None:
    with pytest.raises(TypeError, match="subnet_id"):
        SecureNotebookInstanceArgs()  # type: ignore[call-arg]
