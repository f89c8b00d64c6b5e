"""The VPC endpoints a notebook without internet access needs to reach SageMaker and S3."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

INTERFACE_SERVICES = {
    "SageMakerApi": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API,
    "SageMakerRuntime": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
    "SageMakerNotebook": ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_NOTEBOOK,
}
"""Interface endpoints by construct id: the SageMaker API, runtime and notebook UI."""


class NotebookVpcEndpoints(Construct):
    """SageMaker API, runtime and notebook interface endpoints and an S3 gateway endpoint.

    AWS documents that a notebook without direct internet access reaches AWS services
    through such endpoints or through a NAT gateway. The interface endpoints accept
    HTTPS from the VPC's CIDR (CDK's default for an open endpoint).
    """

    def __init__(
        self, scope: Construct, id: str, *, vpc: ec2.IVpc, subnets: ec2.SubnetSelection
    ) -> None:
        super().__init__(scope, id)
        self.interface_endpoints: list[ec2.InterfaceVpcEndpoint] = [
            ec2.InterfaceVpcEndpoint(
                self, name, vpc=vpc, service=service, subnets=subnets, private_dns_enabled=True
            )
            for name, service in INTERFACE_SERVICES.items()
        ]
        self.s3_endpoint = ec2.GatewayVpcEndpoint(
            self, "S3", vpc=vpc, service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[subnets]
        )
