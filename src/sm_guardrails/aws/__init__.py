"""sm-guardrails for live AWS accounts (``pip install 'sm-guardrails[aws]'``).

- :func:`sagemaker_client` (and :class:`AwsSettings`): a boto3 SageMaker client for one
  region whose retries back off on throttling instead of failing.
- :func:`deployed_notebook`: ``DescribeNotebookInstance`` output plus ``ListTags`` tags
  as the :class:`~sm_guardrails.model.NotebookSpec` every rule judges.
"""

from sm_guardrails.extras import require_extra

require_extra("aws", __name__, "boto3", "botocore")

from sm_guardrails.aws.clients import AwsSettings, ec2_client, make_session, sagemaker_client
from sm_guardrails.aws.notebooks import (
    API_PROPERTY_NAMES,
    EXEMPTION_TAG_PREFIX,
    DeployedNotebook,
    deployed_notebook,
)

__all__ = [
    "API_PROPERTY_NAMES",
    "EXEMPTION_TAG_PREFIX",
    "AwsSettings",
    "DeployedNotebook",
    "deployed_notebook",
    "ec2_client",
    "make_session",
    "sagemaker_client",
]
