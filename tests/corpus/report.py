"""Count, per kind and runner, the corpus cases run, false negatives and false positives.

Run with ``python -m tests.corpus.report`` (Node.js on PATH, as for ``make test``).
A case counts once per runner; for Pulumi it is run as both resource types and
counts as a mismatch if either type differs from the expectation. The ``guard`` row is
the generated cfn-guard rules (tests/corpus/guard.py); its documented limits
(tests/corpus/guard_limits.py) are marked and do not make the report fail.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

from sm_guardrails.kinds import KINDS, ResourceKind
from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess
from tests.corpus.cases import GUARD_RUNNER, RUNNERS, Case, load_cases
from tests.corpus.guard import (
    coarse_blocks,
    guard_expectation,
    guard_failures,
    guard_forms,
    outcome_of,
    write_rules,
)
from tests.corpus.guard_limits import GUARD_LIMITS
from tests.corpus.outcomes import Outcome, classify
from tests.corpus.runner import run_case, runners_of
from tests.corpus.test_corpus import PACK_DIR

KINDS_OF_MISMATCH = ("false negative", "false positive", "other mismatch")


def _count_guard(
    case: Case, directory: Path, rules: Path, counts: Counter[str], mismatches: list[str]
) -> None:
    """Run ``case`` through the Guard rules; a listed limit is marked, not counted as a bug."""
    forms = guard_forms(case)
    if not forms:
        return
    counts["cases run"] += 1
    worst = None
    for form in forms:
        failed = guard_failures(case, directory, form, rules)
        got = outcome_of(failed, case)
        kind = classify(guard_expectation(Outcome.of(case.expected), form), got)
        if kind:
            worst = worst or kind
            coarse = kind.startswith("false positive") and coarse_blocks(failed)
            limit = " [documented limit]" if case.id in GUARD_LIMITS or coarse else ""
            limit = " [known bug]" if GUARD_RUNNER in case.known_bugs else limit
            mismatches.append(f"{case.id} guard ({form}) {kind}{limit}: {got.describe()}")
    if worst:
        counts[worst] += 1


def _count_runner(
    case: Case,
    runner: str,
    directory: Path,
    client: AnalyzerClient,
    counts: Counter[str],
    mismatches: list[str],
) -> None:
    """Run ``case`` through ``runner``; count it once, by its worst mismatch."""
    counts["cases run"] += 1
    expected = Outcome.of(case.expected)
    worst = None
    for run in run_case(case, directory, client, runner):
        kind = run.mismatch(expected)
        if kind:
            worst = worst or kind
            known = " [known bug]" if runner in case.known_bugs else ""
            mismatches.append(
                f"{case.id} {runner} ({run.form}) {kind}{known}: {run.outcome.describe()}"
            )
    if worst:
        counts[worst] += 1


def _table(kind: ResourceKind, counts: dict[str, Counter[str]], cases: int) -> None:
    columns = ("cases run", *KINDS_OF_MISMATCH)
    print(f"{kind.cloudformation_type}: {cases} cases")
    print(f"{'runner':<16}" + "".join(f"{column:>16}" for column in columns))
    for runner in RUNNERS:
        print(f"{runner:<16}" + "".join(f"{counts[runner][column]:>16}" for column in columns))


def main() -> int:
    """Print a table per kind and every mismatch; exit 1 when there is any."""
    cases = load_cases()
    counts = {kind: {runner: Counter[str]() for runner in RUNNERS} for kind in KINDS}
    mismatches: list[str] = []
    with PolicyPackProcess(PACK_DIR) as pack, tempfile.TemporaryDirectory() as workdir:
        client = AnalyzerClient(pack.port)
        rules = write_rules(Path(workdir))
        for case in cases:
            directory = Path(workdir) / case.id
            directory.mkdir()
            for runner in runners_of(case):
                by_runner = counts[case.kind][runner]
                _count_runner(case, runner, directory, client, by_runner, mismatches)
            by_guard = counts[case.kind][GUARD_RUNNER]
            _count_guard(case, directory, rules, by_guard, mismatches)
        client.close()
    print(f"{len(cases)} cases")
    for kind in KINDS:
        _table(kind, counts[kind], sum(case.kind is kind for case in cases))
    for line in mismatches:
        print(line)
    return 1 if any("[documented limit]" not in line for line in mismatches) else 0


if __name__ == "__main__":
    sys.exit(main())
