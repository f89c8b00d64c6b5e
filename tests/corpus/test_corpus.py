"""Every corpus case through every adapter: the expected verdicts, and agreement between them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess
from tests.corpus.cases import ADAPTERS, GUARD_RUNNER, Case, load_cases
from tests.corpus.outcomes import Outcome
from tests.corpus.runner import run_case

PACK_DIR = Path(__file__).resolve().parents[2] / "policypack"
CASES = load_cases()


@pytest.fixture(scope="module")
def analyzer() -> Iterator[AnalyzerClient]:
    """The policy pack, started once per module as the engine starts it."""
    if shutil.which("node") is None:
        pytest.fail("the corpus needs Node.js on PATH for its CDK forms; run `make test`")
    with PolicyPackProcess(PACK_DIR) as pack:
        client = AnalyzerClient(pack.port)
        yield client
        client.close()


def test_corpus_size_and_coverage() -> None:
    assert len(CASES) >= 60
    for adapter in ADAPTERS:
        assert sum(adapter in case.adapters for case in CASES) >= 60, adapter
    verdicts = {verdict for case in CASES for verdict in case.expected.verdicts.values()}
    assert verdicts == {"pass", "fail", "unknown"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, tmp_path: Path, analyzer: AnalyzerClient) -> None:
    """Each adapter reports the expected verdicts, and all adapters report the same."""
    expected = Outcome.of(case.expected)
    runs = run_case(case, tmp_path, analyzer)
    known_bugs = {name: bug for name, bug in case.known_bugs.items() if name != GUARD_RUNNER}
    wrong = [
        f"{run.adapter} ({run.form}): {run.mismatch(expected)}: {run.outcome.describe()}"
        for run in runs
        if run.mismatch(expected) and run.adapter not in known_bugs
    ]
    assert not wrong, f"expected {expected.describe()}\n" + "\n".join(wrong)
    fixed = [
        adapter
        for adapter in known_bugs
        if all(run.mismatch(expected) is None for run in runs if run.adapter == adapter)
    ]
    assert not fixed, f"known bug(s) of {fixed} no longer show: remove them from known_bugs"
    agreeing = {run.outcome for run in runs if run.adapter not in known_bugs}
    assert len(agreeing) <= 1, f"adapters disagree: {runs}"
    if known_bugs:
        pytest.xfail("; ".join(f"{name}: {bug}" for name, bug in known_bugs.items()))
