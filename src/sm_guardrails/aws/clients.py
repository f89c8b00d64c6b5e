"""boto3 sessions and clients set up for auditing many notebooks in many regions.

Retries use botocore's ``adaptive`` mode by default: a throttled call is retried with
backoff and the client slows its own request rate, so throttling makes a run slower
instead of failing it. ``standard`` mode retries the same errors without the client-side
rate limiter.

Settings are checked before any call: a profile that does not exist or an endpoint URL
botocore cannot use stops the run (:class:`SettingsError`); a region name botocore
refuses concerns only that region (:class:`RegionNameError`), so the others still run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import InvalidRegionError, ProfileNotFound

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_sagemaker import SageMakerClient

RetryMode = Literal["adaptive", "standard"]


class SettingsError(Exception):
    """The profile or the endpoint URL cannot be used in any region; one line for the user."""


class RegionNameError(Exception):
    """No client can be made for one region (its name is not one); one line for the user."""


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
        """The botocore client config: retry mode and attempts, connection pool size.

        botocore's ``max_attempts`` counts retries only; ``total_max_attempts`` is ours.
        """
        return Config(
            retries={"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
            max_pool_connections=self.max_pool_connections,
        )


def make_session(settings: AwsSettings) -> boto3.Session:
    """A boto3 session for ``settings.profile`` (the default credential chain without one).

    :class:`SettingsError` when the profile does not exist or ``settings.endpoint_url``
    is not an http(s) URL with a host. Create clients from one thread: sessions are not
    thread-safe, the clients are.
    """
    if settings.endpoint_url is not None:
        _check_endpoint_url(settings.endpoint_url)
    try:
        return boto3.Session(profile_name=settings.profile)
    except ProfileNotFound as error:
        raise SettingsError(f"{error}: check --profile against ~/.aws/config") from None


def sagemaker_client(session: boto3.Session, region: str, settings: AwsSettings) -> SageMakerClient:
    """A SageMaker client for ``region``; :class:`RegionNameError` when it is no region name."""
    client: SageMakerClient = _client(session, "sagemaker", region, settings)
    return client


def ec2_client(session: boto3.Session, region: str, settings: AwsSettings) -> EC2Client:
    """An EC2 client for ``region`` (region discovery with DescribeRegions)."""
    client: EC2Client = _client(session, "ec2", region, settings)
    return client


def _client(session: boto3.Session, service: Any, region: str, settings: AwsSettings) -> Any:
    try:
        return session.client(
            service,
            region_name=region,
            endpoint_url=settings.endpoint_url,
            config=settings.botocore_config(),
        )
    except (InvalidRegionError, ValueError):  # the endpoint URL was checked: the region's fault
        raise RegionNameError(
            f"{region!r} is not a region name: check --region or the profile's region (regions "
            "look like eu-west-1)"
        ) from None


def _check_endpoint_url(url: str) -> None:
    """:class:`SettingsError` unless ``url`` is an http(s) URL with a host and a valid port."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError as error:  # a port that is no number, a broken IPv6 literal
        problem = str(error)
    else:
        problem = ""
        if parts.scheme not in ("http", "https"):
            problem = "not an http:// or https:// URL"
        elif not parts.hostname:
            problem = "no host name"
    if problem:
        raise SettingsError(
            f"--endpoint-url {url!r}: {problem}; give a URL like http://127.0.0.1:5000"
        )
