"""boto3 sessions and clients set up for auditing many notebooks in many regions.

Retries use botocore's ``adaptive`` mode by default: a throttled call is retried with
backoff and the client slows its own request rate, so throttling makes a run slower
instead of failing it. ``standard`` mode retries the same errors without the client-side
rate limiter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_sagemaker import SageMakerClient

RetryMode = Literal["adaptive", "standard"]


@dataclass(frozen=True)
class AwsSettings:
    """How to reach AWS: the profile, an endpoint override, retries and connection pool size.

    ``endpoint_url`` points every client at one endpoint (a LocalStack-style or moto
    server); ``max_attempts`` counts the first call too.
    """

    profile: str | None = None
    endpoint_url: str | None = None
    retry_mode: RetryMode = "adaptive"
    max_attempts: int = 10
    max_pool_connections: int = 16

    def botocore_config(self) -> Config:
        """The botocore client config: retry mode and attempts, connection pool size."""
        return Config(
            retries={"mode": self.retry_mode, "max_attempts": self.max_attempts},
            max_pool_connections=self.max_pool_connections,
        )


def make_session(settings: AwsSettings) -> boto3.Session:
    """A boto3 session for ``settings.profile`` (the default credential chain without one).

    Create clients from one thread: sessions are not thread-safe, the clients are.
    """
    return boto3.Session(profile_name=settings.profile)


def sagemaker_client(session: boto3.Session, region: str, settings: AwsSettings) -> SageMakerClient:
    """A SageMaker client for ``region``."""
    return session.client(
        "sagemaker",
        region_name=region,
        endpoint_url=settings.endpoint_url,
        config=settings.botocore_config(),
    )


def ec2_client(session: boto3.Session, region: str, settings: AwsSettings) -> EC2Client:
    """An EC2 client for ``region`` (region discovery with DescribeRegions)."""
    return session.client(
        "ec2",
        region_name=region,
        endpoint_url=settings.endpoint_url,
        config=settings.botocore_config(),
    )
