"""The corpus through the generated Guard rules and the real cfn-guard (the fourth adapter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus.cases import GUARD_RUNNER, Case, load_cases
from tests.corpus.guard import (
    coarse_blocks,
    guard_expectation,
    guard_failures,
    guard_forms,
    outcome_of,
    run_guard_on_body,
    write_rules,
)
from tests.corpus.guard_limits import GUARD_LIMITS
from tests.corpus.outcomes import Outcome, classify

CASES = [case for case in load_cases() if guard_forms(case)]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_rules(tmp_path_factory.mktemp("guard"))


def test_limits_name_real_cases() -> None:
    assert set(GUARD_LIMITS) <= {case.id for case in CASES}
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, tmp_path: Path, rules: Path) -> None:
    """Guard agrees with the expectation, or errs on the blocking side where it is a limit."""
    mismatches = {}
    known_bug = case.known_bugs.get(GUARD_RUNNER)
    for form in guard_forms(case):
        expected = guard_expectation(Outcome.of(case.expected), form)
        failed = guard_failures(case, tmp_path, form, rules)
        got = outcome_of(failed, case)
        kind = classify(expected, got)
        assert kind != "false negative" or known_bug, (
            f"{form}: expected {expected.describe()}, got {got.describe()}"
        )
        if kind and not (kind.startswith("false positive") and coarse_blocks(failed)):
            mismatches[form] = f"{kind}: {got.describe()}"  # SMG-U blocks a whole construct
    if known_bug:
        assert mismatches, f"{case.id} passes Guard now: remove guard from its known_bugs"
        pytest.xfail(f"guard: {known_bug}")
    if case.id in GUARD_LIMITS:
        assert mismatches, f"{case.id} passes Guard now: remove it from GUARD_LIMITS"
        assert all(kind.startswith("false positive") for kind in mismatches.values()), mismatches
    else:
        assert not mismatches, mismatches


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_in_a_stack_set_body(case: Case, tmp_path: Path, rules: Path) -> None:
    """Guard cannot read a body, so it blocks every notebook in one, compliant or not
    (`check` judges each: the corpus's stack-set-body form)."""
    assert run_guard_on_body(case, tmp_path, rules) == {"SMG_U_template_bodies"}
