"""A notebook's role, its trust policy rendered by ``aws.iam.get_policy_document``.

The pure invokes (the caller's account, the partition, the region and its zones)
shape the rest, as they do in many public programs.
"""

import pulumi_aws as aws

account = aws.get_caller_identity()
partition = aws.get_partition()
zones = aws.get_availability_zones(state="available")

trust = aws.iam.get_policy_document(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            actions=["sts:AssumeRole"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                    type="Service", identifiers=[f"sagemaker.{partition.dns_suffix}"]
                )
            ],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringEquals", variable="aws:SourceAccount", values=[account.account_id]
                )
            ],
        )
    ]
)
role = aws.iam.Role("notebook", assume_role_policy=trust.json)
subnet = aws.ec2.Subnet(
    "private", vpc_id="vpc-0123456789abcdef0", cidr_block="10.0.1.0/24",
    availability_zone=zones.names[0],
)  # fmt: skip
aws.sagemaker.NotebookInstance(
    "lab",
    instance_type="ml.t3.medium",
    role_arn=role.arn,
    subnet_id=subnet.id,
    security_groups=["sg-0123456789abcdef0"],
    direct_internet_access="Disabled",
)
