"""The VPC endpoints a notebook without internet access needs to reach SageMaker and S3."""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

HTTPS = ec2.Port.tcp(443)

INTERFACE_SERVICES = {
    "SageMakerApi": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API,
    "SageMakerRuntime": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
    "SageMakerNotebook": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_NOTEBOOK,
}
"""Interface endpoints by construct id: the SageMaker API, runtime and notebook UI."""


@jsii.implements(ec2.IConnectable)
class NotebookVpcEndpoints(Construct):
    """SageMaker API, runtime and notebook interface endpoints and an S3 gateway endpoint.

    AWS documents that a notebook without direct internet access reaches AWS services
    through such endpoints or through a NAT gateway. The interface endpoints share one
    security group that accepts HTTPS only from ``clients`` (the notebook's security
    groups and any the caller names), never from a CIDR range, and sends nothing.
    ``connections.allow_default_port_from(other)`` admits more clients later.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        clients: Sequence[ec2.IConnectable],
    ) -> None:
        super().__init__(scope, id)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            allow_all_outbound=False,
            description="SageMaker VPC endpoints: HTTPS in from the notebook security groups only",
        )
        self._connections = ec2.Connections(
            security_groups=[self.security_group], default_port=HTTPS
        )
        for client in clients:
            self._connections.allow_default_port_from(client, "HTTPS from a notebook client")
        self.interface_endpoints: list[ec2.InterfaceVpcEndpoint] = [
            ec2.InterfaceVpcEndpoint(
                self,
                name,
                vpc=vpc,
                service=service,
                subnets=subnets,
                private_dns_enabled=True,
                open=False,
                security_groups=[self.security_group],
            )
            for name, service in INTERFACE_SERVICES.items()
        ]
        self.s3_endpoint = ec2.GatewayVpcEndpoint(
            self, "S3", vpc=vpc, service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[subnets]
        )

    @property
    def connections(self) -> ec2.Connections:
        """The interface endpoints' security group, to admit more HTTPS clients."""
        return self._connections
