"""Fixtures for the Pulumi layer: the policy pack started as the engine starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess

ROOT = Path(__file__).resolve().parents[2]

PACK_DIR = ROOT / "policypack"


@pytest.fixture(scope="session")
def running_pack() -> Iterator[PolicyPackProcess]:
    """One pack process per test worker, killed when the session ends."""
    with PolicyPackProcess(PACK_DIR) as pack:
        yield pack


@pytest.fixture
def analyzer(running_pack: PolicyPackProcess) -> Iterator[AnalyzerClient]:
    """A client of the running pack, configured with the defaults before each test."""
    client = AnalyzerClient(running_pack.port)
    client.configure({})
    yield client
    client.close()
