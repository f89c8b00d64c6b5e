"""``SecureStudioDomain``: a SageMaker Studio domain whose apps reach nothing but its VPC."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from sm_guardrails.pulumi.building import (
    ComponentArgumentError,
    customer_managed_key,
    execution_role,
    require_choice,
    require_consistent,
    require_id,
    require_ids,
    vpc_endpoints,
)

STUDIO_DOMAIN_COMPONENT_TYPE = "sm-guardrails:sagemaker:SecureStudioDomain"

STUDIO_ENDPOINT_SERVICES = {
    "sagemaker-api": "com.amazonaws.{region}.sagemaker.api",
    "sagemaker-runtime": "com.amazonaws.{region}.sagemaker.runtime",
    "sagemaker-studio": "aws.sagemaker.{region}.studio",
    "sts": "com.amazonaws.{region}.sts",
}
"""Interface endpoints by resource-name suffix. VpcOnly apps reach AWS only through the
VPC: the SageMaker API and runtime (without them, or a NAT gateway, Studio does not run),
Studio's own endpoint (opening Studio from inside the VPC), and STS (the SDKs in a space
take credentials for other roles through it)."""

APP_PORTS = (8192, 65535)
"""The TCP ports Studio's apps (JupyterServer and KernelGateway) talk to each other on,
inside the domain's security group."""
NFS_PORT = 2049
"""The domain's EFS home directories, mounted over NFS from the VPC."""


_TO_ITSELF: dict[str, Any] = {"self": True}
"""A security group rule's ``self`` argument (a keyword Python cannot spell directly)."""


class StudioDomainArgumentError(ComponentArgumentError):
    """A :class:`SecureStudioDomainArgs` value is wrong; the message says how to fix it."""


_ERROR = StudioDomainArgumentError


@dataclass(frozen=True, kw_only=True)
class SecureStudioDomainArgs:
    """Settings of a :class:`SecureStudioDomain`.

    The domain always has ``appNetworkAccessType="VpcOnly"``, its VPC, at least one
    subnet and at least one security group in its default user and space settings; no
    argument turns that off. Every other default is the secure one.
    """

    vpc_id: pulumi.Input[str]
    """The VPC the domain's apps and its EFS volume live in. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets for the apps (VpcOnly refuses public ones). Required, non-empty."""
    execution_role_arn: pulumi.Input[str] | None = None
    """The default execution role of users and spaces; when None, a role SageMaker can
    assume is created with no policies (grant it what your users need)."""
    security_group_ids: Sequence[pulumi.Input[str]] | None = None
    """Security groups of every user's and space's apps; when None, one is created that
    admits only the apps' own traffic and sends HTTPS and NFS to the VPC only."""
    allow_all_outbound: bool = False
    """Opt in to all outbound traffic from the created group (through the VPC's routes)."""
    https_prefix_list_ids: Sequence[pulumi.Input[str]] = ()
    """Prefix lists the created group may also reach over HTTPS, e.g. the S3 gateway
    endpoint's (``com.amazonaws.<region>.s3``), which the VPC's CIDR does not cover."""
    kms_key_id: pulumi.Input[str] | None = None
    """The KMS key of the domain's EFS volume; when None, a key with rotation is created."""
    use_aws_managed_key: bool = False
    """Opt out of a customer managed key: EFS uses the AWS managed key."""
    vpc_endpoints: bool = False
    """Also create the interface endpoints of :data:`STUDIO_ENDPOINT_SERVICES` in the
    subnets, behind a group that admits HTTPS from the domain's groups only, and an S3
    gateway endpoint on the subnets' route tables. Leave False where the VPC has them."""
    endpoint_client_security_group_ids: Sequence[pulumi.Input[str]] = ()
    """More security groups whose HTTPS the interface endpoints accept (with ``vpc_endpoints``)."""
    auth_mode: str = "IAM"
    """'IAM' (default) or 'SSO' (IAM Identity Center)."""
    domain_name: pulumi.Input[str] | None = None
    """The domain's name; when None, the component's name."""
    tags: Mapping[str, pulumi.Input[str]] | None = None
    """Tags for the domain and every resource the component creates."""

    def __post_init__(self) -> None:
        require_id(self.vpc_id, "vpc_id", "the id of the VPC of the subnets", _ERROR)
        if self.subnet_ids is None:
            raise _ERROR("subnet_ids is None: give a list of private subnet ids")
        require_ids(
            self.subnet_ids,
            "subnet_ids",
            "private subnet id",
            _ERROR,
            "give at least one private subnet id (VpcOnly apps run in these subnets)",
        )
        require_ids(
            self.security_group_ids,
            "security_group_ids",
            "security group id",
            _ERROR,
            "give at least one security group id, or leave it unset so the component creates one",
        )
        require_ids(
            self.endpoint_client_security_group_ids,
            "endpoint_client_security_group_ids",
            "security group id",
            _ERROR,
        )
        require_consistent(self, _ERROR)
        require_choice(self.auth_mode, "auth_mode", ("IAM", "SSO"), _ERROR)


class SecureStudioDomain(pulumi.ComponentResource):
    """A SageMaker Studio domain in VpcOnly mode, in private subnets behind security groups.

    Creates, unless given: a security group (the apps' own traffic in; HTTPS and NFS to the
    VPC out), an execution role and a KMS key with rotation for the EFS volume; on
    request, the VPC endpoints Studio needs without internet. The same security groups
    and role are the default of every user profile and space. Children are parented to
    the component.
    """

    domain: aws.sagemaker.Domain
    security_group: aws.ec2.SecurityGroup | None
    role: aws.iam.Role | None
    kms_key: aws.kms.Key | None
    endpoint_security_group: aws.ec2.SecurityGroup | None
    endpoints: list[aws.ec2.VpcEndpoint]
    domain_id: pulumi.Output[str]
    arn: pulumi.Output[str]
    url: pulumi.Output[str]
    security_group_ids: pulumi.Output[list[str]]
    execution_role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: SecureStudioDomainArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(STUDIO_DOMAIN_COMPONENT_TYPE, name, None, opts)
        tags = dict(args.tags or {})

        self.security_group = None
        group_ids: Sequence[pulumi.Input[str]]
        if args.security_group_ids is None:
            self.security_group = self._security_group(name, args, tags)
            group_ids = [self.security_group.id]
        else:
            group_ids = list(args.security_group_ids)

        self.role, role_arn = execution_role(
            name,
            args.execution_role_arn,
            "Default execution role of a SageMaker Studio domain",
            tags,
            self,
        )
        self.kms_key, kms_key_id = customer_managed_key(
            name, args, "Encrypts the EFS volume of a SageMaker Studio domain", tags, self
        )

        self.endpoint_security_group = None
        self.endpoints = []
        if args.vpc_endpoints:
            created = vpc_endpoints(
                name,
                vpc_id=args.vpc_id,
                subnet_ids=args.subnet_ids,
                services=STUDIO_ENDPOINT_SERVICES,
                client_group_ids=[*group_ids, *args.endpoint_client_security_group_ids],
                clients="Studio domain",
                tags=tags,
                parent=self,
            )
            self.endpoint_security_group = created.security_group
            self.endpoints = created.endpoints

        self.domain = aws.sagemaker.Domain(
            name,
            domain_name=args.domain_name if args.domain_name is not None else name,
            auth_mode=args.auth_mode,
            app_network_access_type="VpcOnly",
            vpc_id=args.vpc_id,
            subnet_ids=list(args.subnet_ids),
            kms_key_id=kms_key_id,
            default_user_settings=aws.sagemaker.DomainDefaultUserSettingsArgs(
                execution_role=role_arn, security_groups=group_ids
            ),
            default_space_settings=aws.sagemaker.DomainDefaultSpaceSettingsArgs(
                execution_role=role_arn, security_groups=group_ids
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.domain_id = self.domain.id
        self.arn = self.domain.arn
        self.url = self.domain.url
        self.execution_role_arn = pulumi.Output.from_input(role_arn)
        self.security_group_ids = pulumi.Output.all(*group_ids).apply(list)
        self.register_outputs(
            {
                "domainId": self.domain_id,
                "arn": self.arn,
                "url": self.url,
                "executionRoleArn": self.execution_role_arn,
                "securityGroupIds": self.security_group_ids,
            }
        )

    def _security_group(
        self, name: str, args: SecureStudioDomainArgs, tags: dict[str, pulumi.Input[str]]
    ) -> aws.ec2.SecurityGroup:
        """The apps' own traffic in; out, the apps' traffic, and HTTPS (VPC endpoints) and
        NFS (the EFS volume) to the VPC only, unless all outbound is opted in."""
        lookup = pulumi.InvokeOutputOptions(parent=self)
        low, high = APP_PORTS
        egress = [
            aws.ec2.SecurityGroupEgressArgs(
                description="Studio apps to each other",
                protocol="tcp",
                from_port=low,
                to_port=high,
                **_TO_ITSELF,
            )
        ]
        if args.allow_all_outbound:
            egress = [
                aws.ec2.SecurityGroupEgressArgs(
                    description="All outbound traffic (allow_all_outbound=True)",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    cidr_blocks=["0.0.0.0/0"],
                )
            ]
        else:
            vpc_cidr = aws.ec2.get_vpc_output(id=args.vpc_id, opts=lookup).cidr_block
            egress += [
                aws.ec2.SecurityGroupEgressArgs(
                    description="HTTPS to the VPC (VPC endpoints)",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=[vpc_cidr],
                    prefix_list_ids=list(args.https_prefix_list_ids) or None,
                ),
                aws.ec2.SecurityGroupEgressArgs(
                    description="NFS to the domain's EFS volume",
                    protocol="tcp",
                    from_port=NFS_PORT,
                    to_port=NFS_PORT,
                    cidr_blocks=[vpc_cidr],
                ),
            ]
        return aws.ec2.SecurityGroup(
            f"{name}-sg",
            description="SageMaker Studio domain: inbound from its own apps only",
            vpc_id=args.vpc_id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description="Studio apps from each other",
                    protocol="tcp",
                    from_port=low,
                    to_port=high,
                    **_TO_ITSELF,
                )
            ],
            egress=egress,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
