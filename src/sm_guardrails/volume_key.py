"""What a notebook's execution role needs on the KMS key of its storage volume.

SageMaker's API permissions reference lists ``kms:CreateGrant`` and ``kms:DescribeKey``
as the permissions CreateNotebookInstance and StartNotebookInstance need when a
``KmsKeyId`` is given; the volume is then encrypted through the grant, so the role needs
no ``kms:Encrypt``, ``Decrypt``, ``GenerateDataKey*`` or ``ReEncrypt*``. As AWS advises
for volume encryption, ``kms:CreateGrant`` is allowed only for grants an AWS service
creates on the role's behalf. Both builders (CDK, Pulumi) render this one policy.
"""

from __future__ import annotations

from typing import Any

CREATE_GRANT = "kms:CreateGrant"
DESCRIBE_KEY = "kms:DescribeKey"
VOLUME_KEY_ACTIONS = (CREATE_GRANT, DESCRIBE_KEY)
GRANT_FOR_AWS_RESOURCE = {"Bool": {"kms:GrantIsForAWSResource": True}}
"""The condition on ``kms:CreateGrant``: only grants for an AWS resource (the volume)."""


def volume_key_statements(key_arn: Any) -> list[dict[str, Any]]:
    """The IAM policy statements allowing :data:`VOLUME_KEY_ACTIONS` on ``key_arn`` only."""
    return [
        {
            "Effect": "Allow",
            "Action": CREATE_GRANT,
            "Resource": key_arn,
            "Condition": GRANT_FOR_AWS_RESOURCE,
        },
        {"Effect": "Allow", "Action": DESCRIBE_KEY, "Resource": key_arn},
    ]
