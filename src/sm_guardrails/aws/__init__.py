"""sm-guardrails for live AWS accounts (``pip install 'sm-guardrails[aws]'``).

- :func:`sagemaker_client` (and :class:`AwsSettings`): a boto3 SageMaker client for one
  region whose retries back off on throttling instead of failing.
- :func:`deployed_resource`: a Describe call's output plus ``ListTags`` tags as the
  :class:`~sm_guardrails.model.ResourceSpec` every rule of its kind judges.
"""

from sm_guardrails.extras import require_extra

require_extra("aws", __name__, "boto3", "botocore")

from sm_guardrails.aws.clients import AwsSettings, ec2_client, make_session, sagemaker_client
from sm_guardrails.aws.resources import (
    EXEMPTION_TAG_PREFIX,
    DeployedResource,
    deployed_resource,
)

__all__ = [
    "EXEMPTION_TAG_PREFIX",
    "AwsSettings",
    "DeployedResource",
    "deployed_resource",
    "ec2_client",
    "make_session",
    "sagemaker_client",
]
