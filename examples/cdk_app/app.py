"""An example CDK app with sm-guardrails.

``cdk synth`` passes: the only notebook is a SecureNotebookInstance in a new VPC.
``cdk synth -c insecure=true`` adds a stack with a raw CfnNotebookInstance that has
direct internet access, and fails with SMG-1 and that notebook's construct path.
``cdk synth -c compliance=true`` also runs cdk-nag's AwsSolutions, HIPAA.Security,
NIST.800-53.R5 and PCI.DSS.321 packs: they find nothing on the notebook's resources, only
on this bare example VPC (no flow logs), which is the app's to fix.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from sm_guardrails.cdk import SecureNotebookInstance, enforce


class SecureNotebookStack(cdk.Stack):
    """A notebook in the isolated subnets of a new VPC, reaching AWS through VPC endpoints."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Notebooks", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED
                )
            ],
        )
        # The S3 gateway endpoint is reached through the region's S3 prefix list, whose id
        # differs by region: `aws ec2 describe-managed-prefix-lists` prints it.
        s3_prefix_list = cdk.CfnParameter(
            self,
            "S3PrefixListId",
            description="The id of the managed prefix list com.amazonaws.<region>.s3",
            allowed_pattern="pl-[0-9a-f]+",
        )
        SecureNotebookInstance(
            self,
            "Notebook",
            vpc=vpc,
            vpc_endpoints=True,
            https_prefix_list_ids=[s3_prefix_list.value_as_string],
        )


class InsecureNotebookStack(cdk.Stack):
    """What the guardrails are for: a raw notebook with direct internet access."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
        sagemaker.CfnNotebookInstance(
            self,
            "Notebook",
            instance_type="ml.t3.medium",
            role_arn=role.role_arn,
            direct_internet_access="Enabled",
        )


app = cdk.App()
enforce(app)
if str(app.node.try_get_context("compliance")).lower() == "true":
    from cdk_nag import (  # pip install cdk-nag
        AwsSolutionsChecks,
        HIPAASecurityChecks,
        NIST80053R5Checks,
        PCIDSS321Checks,
    )

    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        HIPAASecurityChecks(app),
        NIST80053R5Checks(app),
        PCIDSS321Checks(app),
    )
SecureNotebookStack(app, "SecureNotebookStack")
if str(app.node.try_get_context("insecure")).lower() == "true":
    InsecureNotebookStack(app, "InsecureNotebookStack")
app.synth()
