"""The VPC endpoints a SageMaker resource without internet access needs to reach AWS."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

HTTPS = ec2.Port.tcp(443)

EndpointService = Callable[[cdk.Stack], ec2.IInterfaceVpcEndpointService]
"""The interface endpoint service of a stack's region."""


def _aws_service(name: str) -> EndpointService:
    return lambda _stack: getattr(ec2.InterfaceVpcEndpointAwsService, name)


def _studio(stack: cdk.Stack) -> ec2.IInterfaceVpcEndpointService:
    # aws-cdk-lib names it SAGEMAKER_STUDIO only in recent releases; the name is AWS's.
    return ec2.InterfaceVpcEndpointService(f"aws.sagemaker.{stack.region}.studio", 443)


NOTEBOOK_SERVICES: Mapping[str, EndpointService] = {
    "SageMakerApi": _aws_service("SAGEMAKER_API"),
    "SageMakerRuntime": _aws_service("SAGEMAKER_RUNTIME"),
    "SageMakerNotebook": _aws_service("SAGEMAKER_NOTEBOOK"),
}
"""Interface endpoints by construct id: the SageMaker API, runtime and notebook UI."""

STUDIO_SERVICES: Mapping[str, EndpointService] = {
    "SageMakerApi": _aws_service("SAGEMAKER_API"),
    "SageMakerRuntime": _aws_service("SAGEMAKER_RUNTIME"),
    "SageMakerStudio": _studio,
    "Sts": _aws_service("STS"),
    "Logs": _aws_service("CLOUDWATCH_LOGS"),
}
"""Interface endpoints by construct id for a VpcOnly Studio domain (docs/cdk.md says why
each): the SageMaker API (which ``CreatePresignedDomainUrl`` goes through), runtime, the
Studio UI (``aws.sagemaker.<region>.studio``), STS and CloudWatch Logs."""


@jsii.implements(ec2.IConnectable)
class SageMakerVpcEndpoints(Construct):
    """Interface endpoints for ``services`` and an S3 gateway endpoint.

    AWS documents that a notebook instance without direct internet access, and a
    ``VpcOnly`` Studio domain, reach AWS services through such endpoints or through a NAT
    gateway. The interface endpoints share one security group that accepts HTTPS only
    from ``clients`` (the resource's security groups and any the caller names), never
    from a CIDR range, and sends nothing. ``connections.allow_default_port_from(other)``
    admits more clients later.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        clients: Sequence[ec2.IConnectable],
        services: Mapping[str, EndpointService],
    ) -> None:
        super().__init__(scope, id)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            allow_all_outbound=False,
            description="SageMaker VPC endpoints: HTTPS in from the SageMaker security groups only",
        )
        self._connections = ec2.Connections(
            security_groups=[self.security_group], default_port=HTTPS
        )
        for client in clients:
            self._connections.allow_default_port_from(client, "HTTPS from a SageMaker client")
        stack = cdk.Stack.of(self)
        self.interface_endpoints: list[ec2.InterfaceVpcEndpoint] = [
            ec2.InterfaceVpcEndpoint(
                self,
                name,
                vpc=vpc,
                service=service(stack),
                subnets=subnets,
                private_dns_enabled=True,
                open=False,
                security_groups=[self.security_group],
            )
            for name, service in services.items()
        ]
        self.s3_endpoint = ec2.GatewayVpcEndpoint(
            self, "S3", vpc=vpc, service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[subnets]
        )

    @property
    def connections(self) -> ec2.Connections:
        """The interface endpoints' security group, to admit more HTTPS clients."""
        return self._connections
