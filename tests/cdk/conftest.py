"""Fixtures of the CDK tests, which need Node.js for jsii: they fail, never skip, without it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

NODE_MISSING = (
    "the CDK tests need Node.js on PATH (jsii runs aws-cdk-lib in it); run them with "
    "`make test`, which installs Node.js 22 and the CDK CLI into .tools/"
)


@pytest.fixture(autouse=True)
def _require_node() -> None:
    if shutil.which("node") is None:
        pytest.fail(NODE_MISSING, pytrace=False)


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An App that writes its cloud assembly into a temporary directory."""
    import aws_cdk as cdk

    return cdk.App(outdir=str(tmp_path / "cdk.out"))
