"""``AWS::SageMaker::NotebookInstance``: the properties SMG-1 to SMG-5 read.

Spellings and condition keys are from botocore's sagemaker model, cfn-lint's
CloudFormation schema, pulumi-aws's ``NotebookInstance`` and parliament's IAM
definitions (tests/kinds checks each against them).
"""

from __future__ import annotations

from sm_guardrails.kinds.declaration import (
    ApiReader,
    ConditionKey,
    Property,
    ResourceKind,
    Spelling,
)

NOTEBOOK_INSTANCE = ResourceKind(
    noun="notebook instance",
    short_noun="notebook",
    cloudformation_type="AWS::SageMaker::NotebookInstance",
    config_type="AWS::SageMaker::NotebookInstance",
    pulumi_types={
        "aws:sagemaker/notebookInstance:NotebookInstance": Spelling.PULUMI_AWS,
        "aws-native:sagemaker:NotebookInstance": Spelling.PULUMI_AWS_NATIVE,
    },
    iam_create="sagemaker:CreateNotebookInstance",
    iam_update="sagemaker:UpdateNotebookInstance",
    api=ApiReader(
        list_operation="list_notebook_instances",
        list_key="NotebookInstances",
        id_field="NotebookInstanceName",
        describe_operation="describe_notebook_instance",
        name_field="NotebookInstanceName",
        arn_field="NotebookInstanceArn",
    ),
    properties=(
        Property(
            "DirectInternetAccess",
            condition_key=ConditionKey("sagemaker:DirectInternetAccess", "String"),
        ),
        Property(
            "SubnetId",
            condition_key=ConditionKey(
                "sagemaker:VpcSubnets", "ArrayOfString", id_pattern="subnet-*"
            ),
        ),
        Property(
            "SecurityGroupIds",
            api="SecurityGroups",
            pulumi_aws="securityGroups",
            condition_key=ConditionKey(
                "sagemaker:VpcSecurityGroupIds", "ArrayOfString", id_pattern="sg-*"
            ),
        ),
        Property(
            "RootAccess",
            condition_key=ConditionKey("sagemaker:RootAccess", "String", on_update=True),
        ),
        Property(
            "KmsKeyId",
            condition_key=ConditionKey(
                "sagemaker:VolumeKmsKey", "ARN", successor="sagemaker:VolumeKmsKeyArn"
            ),
        ),
        Property(
            "MinimumInstanceMetadataServiceVersion",
            cloudformation=(
                "InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion"
            ),
            condition_key=ConditionKey(
                "sagemaker:MinimumInstanceMetadataServiceVersion", "String", on_update=True
            ),
        ),
    ),
)
