"""``SecureNotebookInstance``: a SageMaker notebook instance that stays off the internet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from sm_guardrails.cdk.endpoints import NOTEBOOK_SERVICES
from sm_guardrails.cdk.network import (
    check_security_group_options,
    private_subnets,
    vpc_security_group,
)
from sm_guardrails.cdk.secure import SecureSageMakerResource


class NotebookConfigurationError(ValueError):
    """A SecureNotebookInstance was given settings that cannot be combined or honoured."""


class SecureNotebookInstance(SecureSageMakerResource):
    """A notebook instance that is always in a VPC subnet, behind security groups,
    with ``DirectInternetAccess: Disabled``; nothing here turns that off.

    Secure defaults for the other rules (root access disabled, IMDSv2 only, the
    volume encrypted with a KMS key) can be relaxed only by an explicit argument
    (``root_access``, ``allow_imdsv1``, ``aws_managed_volume_key``); the guardrails
    then report the relaxed rule as a warning.

    :param vpc: the VPC the notebook runs in.
    :param instance_type: the ML instance type. Default: ``ml.t3.medium``.
    :param vpc_subnets: where to place the notebook; the first non-public subnet of
        the selection is used. Default: the VPC's private subnets (CDK's default
        selection). A selection of public subnets only is an error.
    :param security_groups: the notebook's security groups. Default: one new group
        with no inbound rules whose only outbound rule is HTTPS to the VPC's CIDR
        (for VPC endpoints).
    :param allow_all_outbound: let the new security group send anything anywhere
        (still through the VPC's routes; there is no direct internet path). Default: False.
        Only without ``security_groups``.
    :param https_prefix_list_ids: managed prefix lists the new security group may also
        reach over HTTPS, e.g. the S3 gateway endpoint's (``com.amazonaws.<region>.s3``),
        which the VPC's CIDR does not cover. Default: none. Only without
        ``security_groups`` and ``allow_all_outbound``.
    :param role: the execution role. Default: a new role that SageMaker can assume,
        with no AWS managed policies; grant it what the notebook needs.
    :param encryption_key: the KMS key for the storage volume. Default: a new key with
        rotation enabled. A customer managed policy attached to the role allows the two
        actions the volume needs on it (:mod:`sm_guardrails.volume_key`).
    :param aws_managed_volume_key: relax SMG-4: no customer managed key. Default: False.
    :param root_access: relax SMG-3: give notebook users root. Default: False.
    :param allow_imdsv1: relax SMG-5: accept IMDSv1 as well. Default: False.
    :param vpc_endpoints: also create the SageMaker API, runtime and notebook interface
        endpoints and an S3 gateway endpoint in the notebook's subnets. The interface
        endpoints accept HTTPS only from the notebook's security groups. Default: False.
    :param endpoint_clients: more security groups (or other connectables) whose HTTPS
        the interface endpoints accept, e.g. other workloads in the VPC. Default: none.
        Only with ``vpc_endpoints``.
    :param volume_size_in_gb, lifecycle_config_name, default_code_repository,
        additional_code_repositories, platform_identifier, notebook_instance_name,
        tags: passed to ``AWS::SageMaker::NotebookInstance`` unchanged.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        instance_type: str = "ml.t3.medium",
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        allow_all_outbound: bool = False,
        https_prefix_list_ids: Sequence[str] = (),
        role: iam.IRole | None = None,
        encryption_key: kms.IKey | None = None,
        aws_managed_volume_key: bool = False,
        root_access: bool = False,
        allow_imdsv1: bool = False,
        vpc_endpoints: bool = False,
        endpoint_clients: Sequence[ec2.IConnectable] = (),
        volume_size_in_gb: int | None = None,
        lifecycle_config_name: str | None = None,
        default_code_repository: str | None = None,
        additional_code_repositories: Sequence[str] | None = None,
        platform_identifier: str | None = None,
        notebook_instance_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, what="SageMaker notebook")
        _check_combinations(
            self.node.path,
            security_groups,
            allow_all_outbound,
            https_prefix_list_ids,
            encryption_key,
            aws_managed_volume_key,
        )
        if endpoint_clients and not vpc_endpoints:
            raise NotebookConfigurationError(
                f"{self.node.path}: endpoint_clients applies only to the endpoints this "
                "construct creates; pass vpc_endpoints=True as well, or drop endpoint_clients"
            )
        subnets = private_subnets(
            self.node.path, vpc, vpc_subnets, NotebookConfigurationError, "a notebook"
        )
        group_ids = self._use_security_groups(
            security_groups
            or [
                vpc_security_group(
                    self,
                    vpc,
                    allow_all_outbound,
                    https_prefix_list_ids,
                    "SageMaker notebook: no inbound; outbound HTTPS to the VPC",
                )
            ]
        )
        self._use_role(role)
        self.encryption_key: kms.IKey | None = None
        if not aws_managed_volume_key:
            self.encryption_key = self._use_key(encryption_key, "Storage volume", "volume")

        self.notebook_instance = sagemaker.CfnNotebookInstance(
            self,
            "Resource",
            instance_type=instance_type,
            role_arn=self.role.role_arn,
            direct_internet_access="Disabled",
            subnet_id=subnets[0].subnet_id,
            security_group_ids=group_ids,
            root_access="Enabled" if root_access else "Disabled",
            kms_key_id=self.encryption_key.key_arn if self.encryption_key else None,
            instance_metadata_service_configuration=(
                sagemaker.CfnNotebookInstance.InstanceMetadataServiceConfigurationProperty(
                    minimum_instance_metadata_service_version="1" if allow_imdsv1 else "2"
                )
            ),
            volume_size_in_gb=volume_size_in_gb,
            lifecycle_config_name=lifecycle_config_name,
            default_code_repository=default_code_repository,
            additional_code_repositories=(
                list(additional_code_repositories) if additional_code_repositories else None
            ),
            platform_identifier=platform_identifier,
            notebook_instance_name=notebook_instance_name,
            tags=[cdk.CfnTag(key=key, value=value) for key, value in (tags or {}).items()] or None,
        )
        self.notebook_instance_name: str = self.notebook_instance.attr_notebook_instance_name
        if vpc_endpoints:
            self._add_endpoints(vpc, subnets, endpoint_clients, NOTEBOOK_SERVICES)


def _check_combinations(
    path: str,
    security_groups: Sequence[ec2.ISecurityGroup] | None,
    allow_all_outbound: bool,
    https_prefix_list_ids: Sequence[str],
    encryption_key: kms.IKey | None,
    aws_managed_volume_key: bool,
) -> None:
    check_security_group_options(
        path,
        security_groups,
        allow_all_outbound,
        https_prefix_list_ids,
        NotebookConfigurationError,
    )
    if encryption_key is not None and aws_managed_volume_key:
        raise NotebookConfigurationError(
            f"{path}: encryption_key and aws_managed_volume_key=True contradict each other; "
            "pass only one"
        )
