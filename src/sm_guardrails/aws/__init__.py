"""sm-guardrails for live AWS accounts (``pip install 'sm-guardrails[aws]'``).

- :func:`sagemaker_client` (and :class:`AwsSettings`): a boto3 SageMaker client for one
  region whose retries back off on throttling instead of failing.
- :func:`deployed_notebook`: ``DescribeNotebookInstance`` output plus ``ListTags`` tags
  as the :class:`~sm_guardrails.model.NotebookSpec` every rule judges.
"""

try:
    import boto3 as _boto3  # noqa: F401  (only to fail early with the extra's name)
except ImportError:  # pragma: no cover - exercised in a subprocess without boto3
    raise ImportError("sm_guardrails.aws needs boto3: pip install 'sm-guardrails[aws]'") from None

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
