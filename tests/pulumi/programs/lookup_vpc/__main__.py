"""A notebook in a new subnet of an existing VPC, which only an AWS account can look up."""

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.get_vpc(tags={"Name": "notebooks"})
pulumi.export("route_tables", aws.ec2.get_route_tables(vpc_id=vpc.id).ids)
subnet = aws.ec2.Subnet("private", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
aws.sagemaker.NotebookInstance(
    "lab",
    instance_type="ml.t3.medium",
    role_arn="arn:aws:iam::123456789012:role/notebook",
    subnet_id=subnet.id,
    security_groups=["sg-0123456789abcdef0"],
    direct_internet_access="Disabled",
)
