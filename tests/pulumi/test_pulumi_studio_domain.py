"""SecureStudioDomain under Pulumi's mocks: its resources, defaults, refusals, and the pack's
verdict on what it creates."""

from __future__ import annotations

from typing import Any

import pytest

from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.kinds import STUDIO_DOMAIN
from sm_guardrails.pulumi import (
    STUDIO_DOMAIN_COMPONENT_TYPE,
    SecureStudioDomain,
    SecureStudioDomainArgs,
    StudioDomainArgumentError,
)
from sm_guardrails.pulumi.engine import AnalyzerClient
from sm_guardrails.pulumi.harness import ProgramMocks, judge
from tests.pulumi.test_pulumi_component import (
    ENDPOINT,
    GET_REGION,
    GET_ROUTE_TABLE,
    GET_VPC,
    GROUP,
    KEY,
    ROLE,
    Built,
)

DOMAIN, _ = STUDIO_DOMAIN.pulumi_types
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
LOOKUPS = {
    GET_VPC: {"cidrBlock": "10.9.0.0/16"},
    GET_REGION: {"region": "eu-west-1"},
    GET_ROUTE_TABLE: {"id": "rtb-private"},
}
REQUIRED = {"vpc_id": "vpc-1", "subnet_ids": ["subnet-1", "subnet-2"]}


class BuiltDomain(Built):
    """A program with one SecureStudioDomain called studio, the required arguments given."""

    def __init__(self, preview: bool = False, **arguments: Any) -> None:
        super().__init__(
            SecureStudioDomainArgs(**{**REQUIRED, **arguments}),
            lambda args: SecureStudioDomain("studio", args),
            ProgramMocks(preview=preview, lookups=LOOKUPS),
        )


def test_defaults_create_group_role_and_key_and_a_vpc_only_domain() -> None:
    built = BuiltDomain()
    assert sorted(r.resource_type for r in built.resources) == sorted(
        [STUDIO_DOMAIN_COMPONENT_TYPE, GROUP, ROLE, KEY, DOMAIN]
    )
    component_urn = built.resources[0].urn
    assert built.resources[0].resource_type == STUDIO_DOMAIN_COMPONENT_TYPE
    assert all(r.parent == component_urn for r in built.resources[1:])
    user = {"executionRole": "arn:aws:mock:::studio-role", "securityGroups": ["studio-sg-id"]}
    assert built.one(DOMAIN) == {
        "domainName": "studio",
        "authMode": "IAM",
        "appNetworkAccessType": "VpcOnly",
        "vpcId": "vpc-1",
        "subnetIds": ["subnet-1", "subnet-2"],
        "kmsKeyId": "arn:aws:mock:::studio-key",
        "defaultUserSettings": user,
        "defaultSpaceSettings": user,
        "tags": {},
    }
    assert built.one(KEY)["enableKeyRotation"] is True


def test_default_group_admits_only_the_apps_and_sends_https_and_nfs_to_the_vpc() -> None:
    built = BuiltDomain()
    assert built.calls[GET_VPC]["id"] == "vpc-1"
    group = built.one(GROUP)
    assert group["vpcId"] == "vpc-1"
    [ingress] = group["ingress"]
    assert (ingress["protocol"], ingress["fromPort"], ingress["toPort"]) == ("tcp", 8192, 65535)
    assert ingress["self"] is True and "cidrBlocks" not in ingress
    rules = {(e["fromPort"], e["toPort"]): e for e in group["egress"]}
    assert set(rules) == {(8192, 65535), (443, 443), (2049, 2049)}
    assert rules[(8192, 65535)]["self"] is True
    assert rules[(443, 443)]["cidrBlocks"] == rules[(2049, 2049)]["cidrBlocks"] == ["10.9.0.0/16"]
    assert all("0.0.0.0/0" not in e.get("cidrBlocks", []) for e in group["egress"])


def test_all_outbound_and_prefix_lists_are_explicit() -> None:
    egress = BuiltDomain(allow_all_outbound=True).one(GROUP)["egress"]
    assert [(e["protocol"], e["cidrBlocks"]) for e in egress] == [("-1", ["0.0.0.0/0"])]
    https = BuiltDomain(https_prefix_list_ids=["pl-s3"]).one(GROUP)["egress"]
    assert [e.get("prefixListIds") for e in https if e["fromPort"] == 443] == [["pl-s3"]]


def test_given_groups_role_and_key_create_nothing_else() -> None:
    built = BuiltDomain(
        security_group_ids=["sg-a", "sg-b"],
        execution_role_arn="arn:aws:iam::1:role/given",
        kms_key_id="arn:aws:kms:eu-west-1:1:key/given",
        auth_mode="SSO",
        domain_name="team-studio",
        tags={"team": "ml"},
    )
    assert sorted(r.resource_type for r in built.resources) == sorted(
        [STUDIO_DOMAIN_COMPONENT_TYPE, DOMAIN]
    )
    domain = built.one(DOMAIN)
    settings = {"executionRole": "arn:aws:iam::1:role/given", "securityGroups": ["sg-a", "sg-b"]}
    assert domain["defaultUserSettings"] == domain["defaultSpaceSettings"] == settings
    assert (domain["authMode"], domain["domainName"], domain["tags"]) == (
        "SSO",
        "team-studio",
        {"team": "ml"},
    )
    assert domain["kmsKeyId"] == "arn:aws:kms:eu-west-1:1:key/given"


def test_aws_managed_key_is_an_explicit_opt_out() -> None:
    built = BuiltDomain(use_aws_managed_key=True)
    assert built.of_type(KEY) == []
    assert "kmsKeyId" not in built.one(DOMAIN)


def test_endpoints_studio_needs_without_internet_admit_the_domains_groups_only() -> None:
    built = BuiltDomain(
        vpc_endpoints=True, endpoint_client_security_group_ids=["sg-ci"], tags={"t": "1"}
    )
    endpoints = {e["serviceName"]: e for e in (r.inputs for r in built.of_type(ENDPOINT))}
    assert set(endpoints) == {
        "com.amazonaws.eu-west-1.sagemaker.api",
        "com.amazonaws.eu-west-1.sagemaker.runtime",
        "aws.sagemaker.eu-west-1.studio",
        "com.amazonaws.eu-west-1.sts",
        "com.amazonaws.eu-west-1.s3",
    }
    s3 = endpoints.pop("com.amazonaws.eu-west-1.s3")
    # Both subnets' route tables are the same one: it is named once.
    assert (s3["vpcEndpointType"], s3["routeTableIds"]) == ("Gateway", ["rtb-private"])
    assert all(
        e["vpcEndpointType"] == "Interface"
        and e["subnetIds"] == ["subnet-1", "subnet-2"]
        and e["privateDnsEnabled"] is True
        and e["securityGroupIds"] == ["studio-endpoints-sg-id"]
        and e["tags"] == {"t": "1"}
        for e in endpoints.values()
    )
    endpoint_group = next(r.inputs for r in built.of_type(GROUP) if r.name == "studio-endpoints-sg")
    [ingress] = endpoint_group["ingress"]
    assert (ingress["fromPort"], ingress["toPort"]) == (443, 443)
    assert ingress["securityGroups"] == ["studio-sg-id", "sg-ci"]
    assert endpoint_group["egress"] == []


def test_no_endpoints_unless_asked() -> None:
    assert BuiltDomain().of_type(ENDPOINT) == []


def test_outputs_are_registered_on_the_component() -> None:
    built = BuiltDomain()
    assert built.output("security_group_ids") == ["studio-sg-id"]
    assert built.output("execution_role_arn") == "arn:aws:mock:::studio-role"
    assert built.output("domain_id") == "studio-id"
    [component] = built.of_type(STUDIO_DOMAIN_COMPONENT_TYPE)
    # The mocks compute no url, and an output that resolves to nothing is not recorded.
    assert set(component.outputs) == {"domainId", "arn", "executionRoleArn", "securityGroupIds"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"vpc_id": " "}, "vpc_id is ' ': give the id of the VPC of the subnets"),
        ({"subnet_ids": []}, "subnet_ids is empty: give at least one private subnet id"),
        ({"subnet_ids": "subnet-1"}, "subnet_ids is 'subnet-1', a string: give a list of"),
        ({"subnet_ids": None}, "subnet_ids is None: give a list of private subnet ids"),
        ({"subnet_ids": ["subnet-1", ""]}, "subnet_ids[1] is '': give private subnet id"),
        ({"security_group_ids": []}, "security_group_ids is empty: give at least one"),
        ({"security_group_ids": [None]}, "security_group_ids[0] is None"),
        (
            {"security_group_ids": ["sg-1"], "allow_all_outbound": True},
            "allow_all_outbound applies only to the security group the component creates",
        ),
        (
            {"allow_all_outbound": True, "https_prefix_list_ids": ["pl-1"]},
            "https_prefix_list_ids adds to the HTTPS-only egress",
        ),
        (
            {"endpoint_client_security_group_ids": ["sg-ci"]},
            "endpoint_client_security_group_ids applies only to the endpoints",
        ),
        ({"kms_key_id": "k", "use_aws_managed_key": True}, "kms_key_id and use_aws_managed_key"),
        ({"auth_mode": "iam"}, "auth_mode is 'iam': use 'IAM' or 'SSO' (values are exact)"),
    ],
)
def test_wrong_arguments_say_how_to_fix_them(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(StudioDomainArgumentError) as error:
        SecureStudioDomainArgs(**{**REQUIRED, **arguments})
    assert str(error.value).startswith(message), str(error.value)


def test_no_argument_can_open_the_domain_to_the_internet() -> None:
    """SMG-6 and SMG-7 hold by construction: none of the args names their properties."""
    fields = set(SecureStudioDomainArgs.__dataclass_fields__)
    assert not {"app_network_access_type", "default_user_settings"} & fields
    with pytest.raises(TypeError):
        SecureStudioDomainArgs(**REQUIRED, app_network_access_type="PublicInternetOnly")  # type: ignore[call-arg]


@pytest.mark.parametrize("preview", [True, False])
@pytest.mark.parametrize(
    "arguments",
    [{}, {"vpc_endpoints": True}, {"security_group_ids": ["sg-1"], "use_aws_managed_key": True}],
)
def test_what_the_component_creates_passes_the_pack(
    analyzer: AnalyzerClient, preview: bool, arguments: dict[str, Any]
) -> None:
    built = BuiltDomain(preview=preview, **arguments)
    domain = built.one(DOMAIN)
    if preview and "security_group_ids" not in arguments:
        # The created group's id is unknown at preview, and still counts as a group.
        assert domain["defaultUserSettings"]["securityGroups"] == [UNKNOWN]
    assert judge(built.resources, analyzer) == []


def test_the_pack_judges_the_components_domain_by_every_domain_rule(
    analyzer: AnalyzerClient,
) -> None:
    """Turning each domain rule's property off in what the component built is caught."""
    domain = BuiltDomain().one(DOMAIN)
    expected = {rule.rule_id for rule in RULES_BY_KIND[STUDIO_DOMAIN]}
    broken = {
        **domain,
        "appNetworkAccessType": "PublicInternetOnly",
        "defaultUserSettings": {"executionRole": "r"},
    }
    diagnostics = analyzer.analyze(DOMAIN, broken, "urn:pulumi:dev::p::x::studio", "studio")
    assert {d.message.splitlines()[1][1:6] for d in diagnostics if d.mandatory} == expected
