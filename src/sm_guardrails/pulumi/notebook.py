"""``SecureNotebookInstance``: a SageMaker notebook that is always in a VPC and off the internet."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
from sm_guardrails.volume_key import volume_key_statements

COMPONENT_TYPE = "sm-guardrails:sagemaker:SecureNotebookInstance"

INTERFACE_ENDPOINT_SERVICES = {
    "sagemaker-api": "com.amazonaws.{region}.sagemaker.api",
    "sagemaker-runtime": "com.amazonaws.{region}.sagemaker.runtime",
    "sagemaker-notebook": "aws.sagemaker.{region}.notebook",
}
"""Interface endpoints by resource-name suffix: the SageMaker API, runtime and notebook UI."""


class NotebookArgumentError(ComponentArgumentError):
    """A :class:`SecureNotebookInstanceArgs` value is wrong; the message says how to fix it."""


@dataclass(frozen=True, kw_only=True)
class SecureNotebookInstanceArgs:
    """Settings of a :class:`SecureNotebookInstance`.

    The notebook always has ``directInternetAccess="Disabled"``, a subnet and at least
    one security group. Every other default is the secure one; relaxing it takes an
    explicit argument.
    """

    subnet_id: pulumi.Input[str]
    """The (private) subnet the notebook's network interface is placed in. Required."""
    instance_type: pulumi.Input[str] = "ml.t3.medium"
    security_group_ids: Sequence[pulumi.Input[str]] | None = None
    """Security groups for the notebook; when None, one is created (see ``vpc_id``)."""
    vpc_id: pulumi.Input[str] | None = None
    """The VPC of the created security group; when None, the subnet's VPC is looked up."""
    allow_all_outbound: bool = False
    """Opt in to all outbound traffic from the created group; by default only HTTPS to the
    VPC's CIDR (VPC endpoints) is allowed, and there are never inbound rules."""
    https_prefix_list_ids: Sequence[pulumi.Input[str]] = ()
    """Prefix lists the created group may also reach over HTTPS, e.g. the S3 gateway
    endpoint's (``com.amazonaws.<region>.s3``), which the VPC's CIDR does not cover."""
    role_arn: pulumi.Input[str] | None = None
    """The execution role; when None, a role SageMaker can assume is created, with one customer
    managed policy: the two actions the volume needs on its key (``sm_guardrails.volume_key``)."""
    kms_key_id: pulumi.Input[str] | None = None
    """The KMS key of the storage volume; when None, a key with rotation is created."""
    use_aws_managed_key: bool = False
    """Opt out of a customer managed key: the volume uses the AWS managed key (SMG-4)."""
    root_access: str = "Disabled"
    """'Disabled' (default) or, explicitly, 'Enabled' (SMG-3)."""
    minimum_imds_version: str = "2"
    """'2' (IMDSv2 only, default) or, explicitly, '1' (SMG-5)."""
    volume_size: pulumi.Input[int] | None = None
    lifecycle_config_name: pulumi.Input[str] | None = None
    default_code_repository: pulumi.Input[str] | None = None
    additional_code_repositories: Sequence[pulumi.Input[str]] | None = None
    platform_identifier: pulumi.Input[str] | None = None
    notebook_name: pulumi.Input[str] | None = None
    """The notebook instance's name; when None, Pulumi names it after the component."""
    vpc_endpoints: bool = False
    """Also create SageMaker API, runtime and notebook interface endpoints in the subnet, whose
    security group accepts HTTPS only from the notebook's groups, and an S3 gateway endpoint
    on the subnet's (explicitly associated) route table."""
    endpoint_client_security_group_ids: Sequence[pulumi.Input[str]] = ()
    """More security groups whose HTTPS the interface endpoints accept (with ``vpc_endpoints``)."""
    tags: Mapping[str, pulumi.Input[str]] | None = None
    """Tags for the notebook and every resource the component creates."""

    def __post_init__(self) -> None:
        require_id(self.subnet_id, "subnet_id", "the id of a private subnet", _ERROR)
        require_ids(
            self.security_group_ids,
            "security_group_ids",
            "security group id",
            _ERROR,
            "give at least one security group id, or leave it unset so the component "
            "creates a group with no inbound rules",
        )
        # vpc_id also places the endpoints the component creates.
        vpc_id_for_group_only = ("vpc_id",) if not self.vpc_endpoints else ()
        require_consistent(
            self, _ERROR, (*vpc_id_for_group_only, "allow_all_outbound", "https_prefix_list_ids")
        )
        require_choice(self.root_access, "root_access", ("Disabled", "Enabled"), _ERROR)
        require_choice(self.minimum_imds_version, "minimum_imds_version", ("2", "1"), _ERROR)


_ERROR = NotebookArgumentError


class SecureNotebookInstance(pulumi.ComponentResource):
    """A SageMaker notebook instance in a VPC subnet, with no direct internet access.

    Creates, unless given: a security group with no inbound rules, an execution role
    (with a customer managed policy for the volume key, never an inline one) and a KMS key
    with rotation; on request, VPC endpoints that accept HTTPS from the notebook's groups
    only. Children are parented to the component.
    """

    notebook: aws.sagemaker.NotebookInstance
    security_group: aws.ec2.SecurityGroup | None
    role: aws.iam.Role | None
    kms_key: aws.kms.Key | None
    volume_key_policy: aws.iam.Policy | None
    endpoint_security_group: aws.ec2.SecurityGroup | None
    endpoints: list[aws.ec2.VpcEndpoint]
    notebook_name: pulumi.Output[str]
    arn: pulumi.Output[str]
    url: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    security_group_ids: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        args: SecureNotebookInstanceArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags or {})

        self.security_group = None
        if args.security_group_ids is None:
            self.security_group = self._security_group(name, args, tags)
            group_ids: Sequence[pulumi.Input[str]] = [self.security_group.id]
        else:
            group_ids = args.security_group_ids

        self.role, role_arn = execution_role(
            name,
            args.role_arn,
            "Execution role of a SageMaker notebook instance (no managed policies)",
            tags,
            self,
        )
        self.kms_key, kms_key_id = customer_managed_key(
            name, args, "Encrypts the storage volume of a SageMaker notebook instance", tags, self
        )

        self.volume_key_policy = None
        if self.role is not None and kms_key_id is not None:
            self.volume_key_policy = self._volume_key_policy(name, self.role, kms_key_id, tags)

        self.endpoint_security_group = None
        self.endpoints = []
        if args.vpc_endpoints:
            self._vpc_endpoints(name, args, group_ids, tags)

        self.notebook = aws.sagemaker.NotebookInstance(
            name,
            name=args.notebook_name,
            instance_type=args.instance_type,
            role_arn=role_arn,
            subnet_id=args.subnet_id,
            security_groups=group_ids,
            direct_internet_access="Disabled",
            root_access=args.root_access,
            kms_key_id=kms_key_id,
            instance_metadata_service_configuration=(
                aws.sagemaker.NotebookInstanceInstanceMetadataServiceConfigurationArgs(
                    minimum_instance_metadata_service_version=args.minimum_imds_version
                )
            ),
            volume_size=args.volume_size,
            lifecycle_config_name=args.lifecycle_config_name,
            default_code_repository=args.default_code_repository,
            additional_code_repositories=args.additional_code_repositories,
            platform_identifier=args.platform_identifier,
            tags=tags,
            opts=child,
        )
        self.notebook_name = self.notebook.name
        self.arn = self.notebook.arn
        self.url = self.notebook.url
        self.role_arn = self.notebook.role_arn
        self.security_group_ids = self.notebook.security_groups.apply(lambda ids: list(ids or []))
        self.register_outputs(
            {
                "notebookName": self.notebook_name,
                "arn": self.arn,
                "url": self.url,
                "roleArn": self.role_arn,
                "securityGroupIds": self.security_group_ids,
            }
        )

    def _vpc_id(self, args: SecureNotebookInstanceArgs) -> pulumi.Input[str]:
        """``vpc_id``, or the VPC of the subnet, looked up."""
        if args.vpc_id is not None:
            return args.vpc_id
        lookup = pulumi.InvokeOutputOptions(parent=self)
        return aws.ec2.get_subnet_output(id=args.subnet_id, opts=lookup).vpc_id

    def _volume_key_policy(
        self,
        name: str,
        role: aws.iam.Role,
        key_arn: pulumi.Input[str],
        tags: dict[str, pulumi.Input[str]],
    ) -> aws.iam.Policy:
        """A customer managed policy with exactly the volume's key actions, on the role."""
        child = pulumi.ResourceOptions(parent=self)
        policy = aws.iam.Policy(
            f"{name}-volume-key",
            description="Use of the volume key of a SageMaker notebook instance",
            policy=pulumi.Output.from_input(key_arn).apply(
                lambda arn: json.dumps(
                    {"Version": "2012-10-17", "Statement": volume_key_statements(arn)}
                )
            ),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-volume-key", role=role.name, policy_arn=policy.arn, opts=child
        )
        return policy

    def _vpc_endpoints(
        self,
        name: str,
        args: SecureNotebookInstanceArgs,
        notebook_group_ids: Sequence[pulumi.Input[str]],
        tags: dict[str, pulumi.Input[str]],
    ) -> None:
        """Interface endpoints behind a group that admits HTTPS from the notebook's groups
        (and the named clients) only, and an S3 gateway endpoint on the subnet's routes."""
        created = vpc_endpoints(
            name,
            vpc_id=self._vpc_id(args),
            subnet_ids=[args.subnet_id],
            services=INTERFACE_ENDPOINT_SERVICES,
            client_group_ids=[*notebook_group_ids, *args.endpoint_client_security_group_ids],
            clients="notebook",
            tags=tags,
            parent=self,
        )
        self.endpoint_security_group = created.security_group
        self.endpoints = created.endpoints

    def _security_group(
        self, name: str, args: SecureNotebookInstanceArgs, tags: dict[str, pulumi.Input[str]]
    ) -> aws.ec2.SecurityGroup:
        """A group with no inbound rules and, unless opted out, HTTPS out to the VPC only."""
        lookup = pulumi.InvokeOutputOptions(parent=self)
        vpc_id = self._vpc_id(args)
        if args.allow_all_outbound:
            egress = aws.ec2.SecurityGroupEgressArgs(
                description="All outbound traffic (allow_all_outbound=True)",
                protocol="-1",
                from_port=0,
                to_port=0,
                cidr_blocks=["0.0.0.0/0"],
            )
        else:
            egress = aws.ec2.SecurityGroupEgressArgs(
                description="HTTPS to the VPC (VPC endpoints) only",
                protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_blocks=[aws.ec2.get_vpc_output(id=vpc_id, opts=lookup).cidr_block],
                prefix_list_ids=list(args.https_prefix_list_ids) or None,
            )
        return aws.ec2.SecurityGroup(
            f"{name}-sg",
            description="SageMaker notebook instance: no inbound traffic",
            vpc_id=vpc_id,
            ingress=[],
            egress=[egress],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
