"""A VPC with a private subnet, VPC endpoints, a SecureNotebookInstance and a
SecureStudioDomain in it.

The subnet has no route to the internet: the notebook and the Studio apps reach SageMaker
and STS through interface endpoints and S3 through a gateway endpoint. With
``pulumi config set insecure true`` the program also creates a raw notebook with direct
internet access and a raw Studio domain whose apps use the public internet, which
``pulumi preview --policy-pack ../../policypack`` rejects (SMG-1, SMG-2, SMG-6).
"""

import pulumi
import pulumi_aws as aws

from sm_guardrails.pulumi import (
    SecureNotebookInstance,
    SecureNotebookInstanceArgs,
    SecureStudioDomain,
    SecureStudioDomainArgs,
)

config = pulumi.Config()
region = aws.get_region_output().region

vpc = aws.ec2.Vpc(
    "notebooks", cidr_block="10.20.0.0/16", enable_dns_hostnames=True, enable_dns_support=True
)
private_subnet = aws.ec2.Subnet(
    "notebooks-private", vpc_id=vpc.id, cidr_block="10.20.1.0/24", map_public_ip_on_launch=False
)
private_routes = aws.ec2.RouteTable("notebooks-private", vpc_id=vpc.id)
aws.ec2.RouteTableAssociation(
    "notebooks-private", subnet_id=private_subnet.id, route_table_id=private_routes.id
)

endpoints_group = aws.ec2.SecurityGroup(
    "vpc-endpoints",
    description="HTTPS from the VPC to its interface endpoints",
    vpc_id=vpc.id,
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp", from_port=443, to_port=443, cidr_blocks=[vpc.cidr_block]
        )
    ],
    egress=[],
)
for service in ("sagemaker.api", "sagemaker.runtime", "sts"):
    aws.ec2.VpcEndpoint(
        service.replace(".", "-"),
        vpc_id=vpc.id,
        service_name=region.apply(lambda name, service=service: f"com.amazonaws.{name}.{service}"),
        vpc_endpoint_type="Interface",
        subnet_ids=[private_subnet.id],
        security_group_ids=[endpoints_group.id],
        private_dns_enabled=True,
    )
s3 = aws.ec2.VpcEndpoint(
    "s3",
    vpc_id=vpc.id,
    service_name=region.apply(lambda name: f"com.amazonaws.{name}.s3"),
    vpc_endpoint_type="Gateway",
    route_table_ids=[private_routes.id],
)

notebook = SecureNotebookInstance(
    "analysis",
    SecureNotebookInstanceArgs(
        subnet_id=private_subnet.id,
        vpc_id=vpc.id,
        https_prefix_list_ids=[s3.prefix_list_id],
        tags={"team": "data-science"},
    ),
)
pulumi.export("notebook_name", notebook.notebook_name)
pulumi.export("notebook_url", notebook.url)

studio = SecureStudioDomain(
    "studio",
    SecureStudioDomainArgs(
        vpc_id=vpc.id,
        subnet_ids=[private_subnet.id],
        https_prefix_list_ids=[s3.prefix_list_id],
        tags={"team": "data-science"},
    ),
)
pulumi.export("studio_domain_id", studio.domain_id)
pulumi.export("studio_url", studio.url)

if config.get_bool("insecure"):
    aws.sagemaker.NotebookInstance(
        "insecure",
        instance_type="ml.t3.medium",
        role_arn=notebook.role_arn,
        direct_internet_access="Enabled",
    )
    aws.sagemaker.Domain(
        "insecure-studio",
        domain_name="insecure-studio",
        auth_mode="IAM",
        app_network_access_type="PublicInternetOnly",
        vpc_id=vpc.id,
        subnet_ids=[private_subnet.id],
        default_user_settings=aws.sagemaker.DomainDefaultUserSettingsArgs(
            execution_role=studio.execution_role_arn, security_groups=studio.security_group_ids
        ),
    )
