"""Build the CDK app the synth benchmark times: ordinary resources across stacks, and notebooks.

The app has about ``constructs`` constructs in ``stacks`` stacks: SQS queues, SNS
topics and IAM roles (L1s) and S3 buckets with a bucket policy (L2s), and one raw
``CfnNotebookInstance`` per 80 constructs (50 in a 4,000-construct app). Half of
the notebooks break SMG-1 and SMG-2 and are exempted with :func:`exempt`, so
``enforce(app)`` passes and the synth completes for every variant.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from sm_guardrails.cdk import exempt

NOTEBOOK_EVERY = 80
"""One notebook per this many constructs: 50 notebooks in a 4,000-construct app."""

STACKS = 10


def _bucket(scope: Construct, name: str) -> None:
    """An L2 bucket with a policy: five constructs."""
    bucket = s3.Bucket(scope, name, enforce_ssl=True, versioned=True)
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            actions=["s3:GetObject"],
            resources=[bucket.arn_for_objects("*")],
            principals=[iam.AccountRootPrincipal()],
        )
    )


def _queue(scope: Construct, name: str) -> None:
    sqs.CfnQueue(scope, name, visibility_timeout=60, tags=[cdk.CfnTag(key="team", value="ml")])


def _topic(scope: Construct, name: str) -> None:
    sns.CfnTopic(scope, name, display_name=name)


def _role(scope: Construct, name: str) -> None:
    iam.CfnRole(
        scope,
        name,
        assume_role_policy_document={
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ]
        },
    )


ORDINARY: tuple[Callable[[Construct, str], None], ...] = (_queue, _topic, _role, _bucket)


def _notebook(scope: Construct, name: str, violating: bool) -> None:
    common = {
        "instance_type": "ml.t3.medium",
        "role_arn": "arn:aws:iam::123456789012:role/notebook",
        "root_access": "Disabled",
        "kms_key_id": "alias/notebooks",
        "instance_metadata_service_configuration": (
            sagemaker.CfnNotebookInstance.InstanceMetadataServiceConfigurationProperty(
                minimum_instance_metadata_service_version="2"
            )
        ),
    }
    if violating:
        notebook = sagemaker.CfnNotebookInstance(scope, name, **common)
        exempt(notebook, "SMG-1", "benchmark: a deliberately exempted notebook")
        exempt(notebook, "SMG-2", "benchmark: a deliberately exempted notebook")
        return
    sagemaker.CfnNotebookInstance(
        scope,
        name,
        direct_internet_access="Disabled",
        subnet_id="subnet-0123456789abcdef0",
        security_group_ids=["sg-0123456789abcdef0"],
        **common,
    )


def build_app(outdir: str, constructs: int, stacks: int = STACKS) -> cdk.App:
    """A new App of about ``constructs`` constructs (stacks included) writing into ``outdir``."""
    app = cdk.App(outdir=outdir)
    scopes = [cdk.Stack(app, f"Stack{index}") for index in range(stacks)]
    count = 1 + stacks
    slot = 0
    notebooks = 0
    while count < constructs:
        scope = scopes[slot % stacks]
        if notebooks * NOTEBOOK_EVERY < count - NOTEBOOK_EVERY // 2:
            _notebook(scope, f"Notebook{slot}", violating=notebooks % 2 == 1)
            notebooks += 1
            count += 1
        else:
            factory = ORDINARY[(slot // stacks) % len(ORDINARY)]
            factory(scope, f"{factory.__name__.strip('_').title()}{slot}")
            count += 4 if factory is _bucket else 1
        slot += 1
    return app
