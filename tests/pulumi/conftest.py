"""Fixtures for the Pulumi layer: the policy pack started as the engine starts it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess

ROOT = Path(__file__).resolve().parents[2]

PACK_DIR = ROOT / "policypack"

PROGRAMS = Path(__file__).resolve().parent / "programs"

Harness = Callable[..., "subprocess.CompletedProcess[str]"]


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


@pytest.fixture
def harness_command() -> Harness:
    """Runs ``python -m sm_guardrails.pulumi.harness`` on a program of ``programs/`` with
    the repository's pack and more arguments, and returns the finished process."""

    def run(program: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
        command = ["-m", "sm_guardrails.pulumi.harness", str(PROGRAMS / program)]
        return subprocess.run(
            [sys.executable, *command, "--policy-pack", str(PACK_DIR), *map(str, args)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )

    return run
