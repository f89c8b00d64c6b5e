"""An example CDK app with a SageMaker Studio domain under sm-guardrails.

``cdk synth`` passes: the only domain is a SecureStudioDomain (VpcOnly) in a new VPC,
with the endpoints Studio needs. ``cdk synth -c insecure=true`` adds a stack with a raw
CfnDomain that leaves AppNetworkAccessType to AWS's default (PublicInternetOnly), and
fails with SMG-6 and that domain's construct path.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from sm_guardrails.cdk import SecureStudioDomain, enforce


class SecureStudioStack(cdk.Stack):
    """A VpcOnly Studio domain in the isolated subnets of a new VPC."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="Studio", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
            ],
        )
        SecureStudioDomain(self, "Studio", vpc=vpc, domain_name="research")


class InsecureStudioStack(cdk.Stack):
    """What the guardrails are for: a domain whose apps get AWS's internet access."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
        sagemaker.CfnDomain(
            self,
            "Domain",
            domain_name="open",
            auth_mode="IAM",
            default_user_settings=sagemaker.CfnDomain.UserSettingsProperty(
                execution_role=role.role_arn
            ),
        )


app = cdk.App()
enforce(app)
SecureStudioStack(app, "SecureStudioStack")
if str(app.node.try_get_context("insecure")).lower() == "true":
    InsecureStudioStack(app, "InsecureStudioStack")
app.synth()
