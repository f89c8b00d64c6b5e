"""A real AWS-like HTTP endpoint for the tests: moto's server on 127.0.0.1.

``moto_endpoint`` starts one server per test session on a free loopback port;
``aws_env`` gives boto3 (in this process, and in CLI subprocesses through
``aws_env.environ``) dummy credentials and no shared config; ``moto_state`` empties
the server before a test. ``make_notebook`` creates a notebook instance through boto3.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import pytest

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

ROLE_ARN = "arn:aws:iam::123456789012:role/notebook-role"
ACCOUNT_ID = "123456789012"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto server started for this test session, stopped after it."""
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@dataclass(frozen=True)
class AwsEnv:
    """The environment a boto3 client or a CLI subprocess gets: dummy credentials only."""

    environ: dict[str, str]
    endpoint: str

    def client(self, service: str, region: str) -> Any:
        """A boto3 client of ``service`` in ``region`` talking to the moto server."""
        return boto3.session.Session().client(
            service, region_name=region, endpoint_url=self.endpoint
        )


AWS_VARIABLES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN")


@pytest.fixture
def aws_env(
    moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> AwsEnv:
    """Dummy credentials in this process's environment, and the same for subprocesses."""
    empty: Path = tmp_path_factory.mktemp("aws-config") / "none"
    values = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    environ = {key: value for key, value in os.environ.items() if key not in AWS_VARIABLES}
    return AwsEnv(environ=environ, endpoint=moto_endpoint)


@pytest.fixture
def moto_state(aws_env: AwsEnv) -> AwsEnv:
    """``aws_env`` with the moto server emptied first (moto's own reset API)."""
    request = Request(f"{aws_env.endpoint}/moto-api/reset", method="POST")
    with urlopen(request, timeout=30) as response:
        assert response.status == 200
    return aws_env


def make_notebook(client: Any, name: str, **settings: Any) -> str:
    """Create notebook ``name`` (ml.t3.medium, the test role, ``settings``); its ARN."""
    response = client.create_notebook_instance(
        NotebookInstanceName=name,
        InstanceType="ml.t3.medium",
        RoleArn=ROLE_ARN,
        **settings,
    )
    return str(response["NotebookInstanceArn"])


COMPLIANT = {
    "SubnetId": "subnet-0123456789abcdef0",
    "SecurityGroupIds": ["sg-0123456789abcdef0"],
    "DirectInternetAccess": "Disabled",
    "RootAccess": "Disabled",
    "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
}
"""Settings of a notebook that passes SMG-1 to SMG-4 (moto keeps no IMDS setting)."""
