"""``AWS::SageMaker::Domain``: the properties SMG-6 and SMG-7 read.

Spellings and condition keys are from botocore's sagemaker model (CreateDomain,
UpdateDomain, DescribeDomain), cfn-lint's CloudFormation schema, pulumi-aws's ``Domain``
and parliament's IAM definitions (tests/kinds checks each against them). The VPC id has
no condition key, so no IAM policy can require it; the SCP requires the subnets instead,
which AWS accepts only together with a VPC id.
"""

from __future__ import annotations

from sm_guardrails.kinds.declaration import (
    ApiReader,
    ConditionKey,
    Property,
    ResourceKind,
    Spelling,
)

STUDIO_DOMAIN = ResourceKind(
    noun="Studio domain",
    short_noun="domain",
    cloudformation_type="AWS::SageMaker::Domain",
    config_type="AWS::SageMaker::Domain",
    pulumi_types={
        "aws:sagemaker/domain:Domain": Spelling.PULUMI_AWS,
        "aws-native:sagemaker:Domain": Spelling.PULUMI_AWS_NATIVE,
    },
    iam_create="sagemaker:CreateDomain",
    iam_update="sagemaker:UpdateDomain",
    api=ApiReader(
        list_operation="list_domains",
        list_key="Domains",
        id_field="DomainId",
        describe_operation="describe_domain",
        name_field="DomainName",
        arn_field="DomainArn",
        arn_pattern="arn:aws:sagemaker:*:*:domain/*",
        create_operation="create_domain",
        create_operation_shared=True,
    ),
    properties=(
        Property(
            "AppNetworkAccessType",
            condition_key=ConditionKey("sagemaker:AppNetworkAccessType", "String", on_update=True),
        ),
        Property("VpcId"),
        Property(
            "SubnetIds",
            condition_key=ConditionKey(
                "sagemaker:VpcSubnets", "ArrayOfString", on_update=True, id_pattern="subnet-*"
            ),
        ),
        Property(
            "SecurityGroups",
            cloudformation="DefaultUserSettings.SecurityGroups",
            condition_key=ConditionKey(
                "sagemaker:VpcSecurityGroupIds", "ArrayOfString", on_update=True, id_pattern="sg-*"
            ),
        ),
    ),
    distinctive_settings=frozenset(
        {
            "AppNetworkAccessType",
            "DefaultUserSettings",
            "DefaultSpaceSettings",
            "AppSecurityGroupManagement",
            "HomeEfsFileSystemKmsKeyId",
            "HomeEfsFileSystemCreation",
        }
    ),
)
