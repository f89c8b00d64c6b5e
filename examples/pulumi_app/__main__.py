"""A VPC with a private subnet and a SecureNotebookInstance in it.

With ``pulumi config set insecure true`` it also creates a raw notebook with direct
internet access, which ``pulumi preview --policy-pack ../../policypack`` rejects (SMG-1).
"""

import pulumi
import pulumi_aws as aws

from sm_guardrails.pulumi import SecureNotebookInstance, SecureNotebookInstanceArgs

config = pulumi.Config()

vpc = aws.ec2.Vpc("notebooks", cidr_block="10.20.0.0/16", enable_dns_hostnames=True)
private_subnet = aws.ec2.Subnet(
    "notebooks-private",
    vpc_id=vpc.id,
    cidr_block="10.20.1.0/24",
    map_public_ip_on_launch=False,
)

notebook = SecureNotebookInstance(
    "analysis",
    SecureNotebookInstanceArgs(
        subnet_id=private_subnet.id,
        vpc_id=vpc.id,
        tags={"team": "data-science"},
    ),
)
pulumi.export("notebook_name", notebook.notebook_name)
pulumi.export("notebook_url", notebook.url)

if config.get_bool("insecure"):
    aws.sagemaker.NotebookInstance(
        "insecure",
        instance_type="ml.t3.medium",
        role_arn=notebook.role_arn,
        direct_internet_access="Enabled",
    )
