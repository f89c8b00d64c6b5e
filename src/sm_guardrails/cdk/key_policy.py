"""The customer managed policy that lets an execution role use a volume key."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from sm_guardrails.volume_key import volume_key_statements


def volume_key_policy(scope: Construct, key: kms.IKey, description: str) -> iam.ManagedPolicy:
    """A customer managed policy allowing what a volume needs on ``key`` and nothing else
    (:mod:`sm_guardrails.volume_key`)."""
    return iam.ManagedPolicy(
        scope,
        "VolumeKeyPolicy",
        description=description,
        document=iam.PolicyDocument.from_json(
            {"Version": "2012-10-17", "Statement": volume_key_statements(key.key_arn)}
        ),
    )
