"""``SecureStudioDomain``: a SageMaker Studio domain whose apps stay off the internet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from sm_guardrails.cdk.endpoints import STUDIO_SERVICES
from sm_guardrails.cdk.network import (
    check_security_group_options,
    private_subnets,
    vpc_security_group,
)
from sm_guardrails.cdk.secure import SecureSageMakerResource

AUTH_MODES = ("IAM", "SSO")
"""``AuthMode``'s values (botocore's ``AuthMode`` enum, cfn-lint's schema)."""
MAX_SECURITY_GROUPS = 4
"""botocore's ``SecurityGroupIds`` takes 5, and SageMaker adds one for NFS to the domain's
EFS volume (``UserSettings.SecurityGroups``' documentation), which leaves 4."""
MAX_SUBNETS = 16
"""botocore's ``Subnets`` (CreateDomain's ``SubnetIds``) takes at most 16."""
APP_PORTS = ec2.Port.tcp_range(8192, 65535)
"""The ports AWS's VpcOnly requirements open between a domain's apps, within its group."""


class StudioConfigurationError(ValueError):
    """A SecureStudioDomain was given settings that cannot be combined or honoured."""


class SecureStudioDomain(SecureSageMakerResource):
    """A Studio domain with ``AppNetworkAccessType: VpcOnly``, in private subnets of a
    VPC, whose user profiles and shared spaces get its security groups; nothing here
    turns that off.

    :param vpc: the VPC the domain's apps run in.
    :param domain_name: the domain's name.
    :param auth_mode: ``IAM`` or ``SSO`` (IAM Identity Center). Default: ``IAM``.
    :param vpc_subnets: the domain's subnets: the non-public subnets of the selection
        (at most 16). Default: the VPC's private subnets. A selection of public subnets
        only is an error.
    :param security_groups: the security groups of the domain's user profiles and
        shared spaces (at most 4). Default: one new group with no inbound rules from
        outside it; outbound, HTTPS to the VPC's CIDR (for the endpoints), and TCP
        8192-65535 within the group, between the domain's apps (AWS's VpcOnly
        requirements).
    :param allow_all_outbound: let the new security group send anything anywhere
        (through the VPC's routes: a NAT gateway, if the VPC has one). Default: False.
        Only without ``security_groups``.
    :param https_prefix_list_ids: managed prefix lists the new security group may also
        reach over HTTPS, e.g. the S3 gateway endpoint's. Default: none. Only without
        ``security_groups`` and ``allow_all_outbound``.
    :param role: the default execution role of user profiles and spaces. Default: a new
        role that SageMaker can assume, with no AWS managed policies.
    :param encryption_key: the KMS key for the domain's EFS and space storage
        (``KmsKeyId``). Default: a new key with rotation enabled. A customer managed
        policy attached to the role allows ``kms:CreateGrant`` (for AWS resources only)
        and ``kms:DescribeKey`` on it (:mod:`sm_guardrails.volume_key`).
    :param vpc_endpoints: create the interface endpoints a VpcOnly domain needs without
        a NAT gateway (SageMaker API, runtime, Studio, STS, CloudWatch Logs) and an S3
        gateway endpoint in the domain's subnets; their security group accepts HTTPS
        only from the domain's groups. Default: True. Pass False where the VPC has them.
    :param endpoint_clients: more security groups (or other connectables) whose HTTPS
        the interface endpoints accept. Default: none. Only with ``vpc_endpoints``.
    :param tags: passed to ``AWS::SageMaker::Domain``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        domain_name: str,
        auth_mode: str = "IAM",
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        allow_all_outbound: bool = False,
        https_prefix_list_ids: Sequence[str] = (),
        role: iam.IRole | None = None,
        encryption_key: kms.IKey | None = None,
        vpc_endpoints: bool = True,
        endpoint_clients: Sequence[ec2.IConnectable] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, what="SageMaker Studio domain")
        path = self.node.path
        _check_options(path, auth_mode, security_groups, vpc_endpoints, endpoint_clients)
        check_security_group_options(
            path,
            security_groups,
            allow_all_outbound,
            https_prefix_list_ids,
            StudioConfigurationError,
        )
        self.subnets = private_subnets(
            path, vpc, vpc_subnets, StudioConfigurationError, "a VpcOnly Studio domain"
        )
        if len(self.subnets) > MAX_SUBNETS:
            raise StudioConfigurationError(
                f"{path}: vpc_subnets selects {len(self.subnets)} private subnets and a "
                f"domain takes at most {MAX_SUBNETS}; select fewer (e.g. one_per_az=True)"
            )
        group_ids = self._use_security_groups(
            security_groups
            or [_default_security_group(self, vpc, allow_all_outbound, https_prefix_list_ids)]
        )
        self._use_role(role)
        self.encryption_key: kms.IKey = self._use_key(
            encryption_key, "EFS and space storage", "storage"
        )
        self.domain = sagemaker.CfnDomain(
            self,
            "Resource",
            domain_name=domain_name,
            auth_mode=auth_mode,
            app_network_access_type="VpcOnly",
            vpc_id=vpc.vpc_id,
            subnet_ids=[subnet.subnet_id for subnet in self.subnets],
            kms_key_id=self.encryption_key.key_arn,
            default_user_settings=sagemaker.CfnDomain.UserSettingsProperty(
                execution_role=self.role.role_arn, security_groups=group_ids
            ),
            default_space_settings=sagemaker.CfnDomain.DefaultSpaceSettingsProperty(
                execution_role=self.role.role_arn, security_groups=group_ids
            ),
            tags=[cdk.CfnTag(key=key, value=value) for key, value in (tags or {}).items()] or None,
        )
        self.domain_id: str = self.domain.attr_domain_id
        self.domain_arn: str = self.domain.attr_domain_arn
        if vpc_endpoints:
            self._add_endpoints(vpc, self.subnets, endpoint_clients, STUDIO_SERVICES)


def _check_options(
    path: str,
    auth_mode: str,
    security_groups: Sequence[ec2.ISecurityGroup] | None,
    vpc_endpoints: bool,
    endpoint_clients: Sequence[ec2.IConnectable],
) -> None:
    if auth_mode not in AUTH_MODES:
        raise StudioConfigurationError(
            f"{path}: auth_mode is {auth_mode!r}; pass one of {', '.join(AUTH_MODES)}"
        )
    if security_groups is not None and len(security_groups) > MAX_SECURITY_GROUPS:
        raise StudioConfigurationError(
            f"{path}: security_groups has {len(security_groups)} groups and a domain takes "
            f"at most {MAX_SECURITY_GROUPS} (SageMaker adds one for NFS); pass fewer"
        )
    if endpoint_clients and not vpc_endpoints:
        raise StudioConfigurationError(
            f"{path}: endpoint_clients applies only to the endpoints this construct "
            "creates; leave vpc_endpoints on, or drop endpoint_clients"
        )


def _default_security_group(
    scope: Construct, vpc: ec2.IVpc, allow_all_outbound: bool, https_prefix_list_ids: Sequence[str]
) -> ec2.SecurityGroup:
    group = vpc_security_group(
        scope,
        vpc,
        allow_all_outbound,
        https_prefix_list_ids,
        "SageMaker Studio domain: inbound from its own apps only; outbound HTTPS to the VPC",
    )
    group.connections.allow_internally(APP_PORTS, "Between the Studio domain's apps")
    return group
