"""Every corpus case through every runner that has a form for it: the expected verdicts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, ResourceKind
from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess
from tests.corpus.cases import (
    ADAPTERS,
    BASE_PROPERTIES_BY_KIND,
    Case,
    load_cases,
)
from tests.corpus.outcomes import Outcome
from tests.corpus.runner import run_case, runners_of

PACK_DIR = Path(__file__).resolve().parents[2] / "policypack"
CASES = load_cases()
RUNS = [(case, runner) for case in CASES for runner in runners_of(case)]


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
    notebooks = [case for case in CASES if case.kind is NOTEBOOK_INSTANCE]
    assert len(notebooks) >= 60
    for adapter in ADAPTERS:
        assert sum(adapter in case.adapters for case in notebooks) >= 60, adapter


@pytest.mark.parametrize("kind", KINDS, ids=[kind.cloudformation_type for kind in KINDS])
def test_every_kind_and_rule_is_covered(kind: ResourceKind) -> None:
    """Each kind has a compliant base, cases where each of its rules passes and fails, one
    that cannot be decided, and cases in every adapter's form."""
    assert kind in BASE_PROPERTIES_BY_KIND
    cases = [case for case in CASES if case.kind is kind]
    for rule in RULES_BY_KIND[kind]:
        seen = {case.expected.verdicts[rule.rule_id] for case in cases}
        assert {"pass", "fail"} <= seen, rule.rule_id
    verdicts = {verdict for case in cases for verdict in case.expected.verdicts.values()}
    assert "unknown" in verdicts
    for adapter in ADAPTERS:
        assert sum(adapter in case.adapters for case in cases) >= 10, adapter


@pytest.mark.parametrize(
    ("case", "runner"), RUNS, ids=[f"{case.id}[{runner}]" for case, runner in RUNS]
)
def test_case(case: Case, runner: str, tmp_path: Path, analyzer: AnalyzerClient) -> None:
    """The runner reports the expected verdicts for each of its forms of the case."""
    expected = Outcome.of(case.expected)
    runs = run_case(case, tmp_path, analyzer, runner)
    wrong = [
        f"{run.form}: {run.mismatch(expected)}: {run.outcome.describe()}"
        for run in runs
        if run.mismatch(expected)
    ]
    if runner in case.known_bugs:
        assert wrong, f"the known bug of {runner} no longer shows: remove it from known_bugs"
        pytest.xfail(f"{runner}: {case.known_bugs[runner]}")
    assert not wrong, f"expected {expected.describe()}\n" + "\n".join(wrong)
