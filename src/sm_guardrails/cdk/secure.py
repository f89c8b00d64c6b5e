"""What the secure constructs (a notebook instance, a Studio domain) share: security
groups, an execution role, a customer managed key and the VPC endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from sm_guardrails.cdk.endpoints import EndpointService, SageMakerVpcEndpoints
from sm_guardrails.cdk.key_policy import volume_key_policy


@jsii.implements(iam.IGrantable, ec2.IConnectable)
class SecureSageMakerResource(Construct):
    """A SageMaker resource behind security groups, run by an execution role.

    ``what`` names it in the descriptions of what it creates (``SageMaker notebook``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        what: str,
    ) -> None:
        super().__init__(scope, id)
        self._what = f"{what} {self.node.path}"
        self.role: iam.IRole
        self.security_groups: list[ec2.ISecurityGroup] = []
        self._connections = ec2.Connections()
        self.volume_key_policy: iam.ManagedPolicy | None = None
        self.endpoints: SageMakerVpcEndpoints | None = None

    def _use_role(self, role: iam.IRole | None) -> iam.IRole:
        """``role``, or a new role SageMaker can assume, with no AWS managed policies."""
        self.role = role or iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description=f"Execution role of the {self._what}",
        )
        return self.role

    def _use_security_groups(self, groups: Sequence[ec2.ISecurityGroup]) -> list[str]:
        """Put the resource behind ``groups``; their ids."""
        self.security_groups = list(groups)
        self._connections = ec2.Connections(security_groups=self.security_groups)
        return [group.security_group_id for group in self.security_groups]

    def _use_key(self, key: kms.IKey | None, stored: str, policy_key: str) -> kms.IKey:
        """``key`` (a new one with rotation if None), and a customer managed policy of the
        role that allows what a volume needs on it (:mod:`sm_guardrails.volume_key`)."""
        key = key or kms.Key(
            self, "Key", enable_key_rotation=True, description=f"{stored} of the {self._what}"
        )
        self.volume_key_policy = volume_key_policy(
            self, key, f"Use of the {policy_key} key of the {self._what}"
        )
        # Role: ManagedPolicyArns; imported role: the policy's Roles; immutable: untouched.
        self.role.add_managed_policy(self.volume_key_policy)
        return key

    def _add_endpoints(
        self,
        vpc: ec2.IVpc,
        subnets: Sequence[ec2.ISubnet],
        clients: Sequence[ec2.IConnectable],
        services: Mapping[str, EndpointService],
    ) -> None:
        """Interface endpoints of ``services`` and an S3 gateway endpoint in ``subnets``,
        accepting HTTPS from the resource's groups and ``clients``."""
        self.endpoints = SageMakerVpcEndpoints(
            self,
            "Endpoints",
            vpc=vpc,
            services=services,
            subnets=ec2.SubnetSelection(subnets=list(subnets), one_per_az=True),
            clients=[self, *clients],
        )

    @property
    def connections(self) -> ec2.Connections:
        """The resource's security groups, to allow traffic to and from it."""
        return self._connections

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The execution role, for ``bucket.grant_read(resource)`` and the like."""
        return self.role
