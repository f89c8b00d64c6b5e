"""Count, per adapter, the corpus cases run, false negatives and false positives.

Run with ``python -m tests.corpus.report`` (Node.js on PATH, as for ``make test``).
A case counts once per adapter; for Pulumi it is run as both resource types and
counts as a mismatch if either type differs from the expectation. The ``guard`` row is
the generated cfn-guard rules (tests/corpus/guard.py); its documented limits
(tests/corpus/guard_limits.py) are marked and do not make the report fail.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

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
from tests.corpus.runner import run_case
from tests.corpus.test_corpus import PACK_DIR

KINDS = ("false negative", "false positive", "other mismatch")


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
        got = outcome_of(failed)
        kind = classify(guard_expectation(Outcome.of(case.expected), form), got)
        if kind:
            worst = worst or kind
            coarse = kind.startswith("false positive") and coarse_blocks(failed)
            limit = " [documented limit]" if case.id in GUARD_LIMITS or coarse else ""
            limit = " [known bug]" if GUARD_RUNNER in case.known_bugs else limit
            mismatches.append(f"{case.id} guard ({form}) {kind}{limit}: {got.describe()}")
    if worst:
        counts[worst] += 1


def main() -> int:
    """Print the table and every mismatch; exit 1 when there is any."""
    cases = load_cases()
    counts: dict[str, Counter[str]] = {runner: Counter() for runner in RUNNERS}
    mismatches: list[str] = []
    with PolicyPackProcess(PACK_DIR) as pack, tempfile.TemporaryDirectory() as workdir:
        client = AnalyzerClient(pack.port)
        rules = write_rules(Path(workdir))
        for case in cases:
            expected = Outcome.of(case.expected)
            directory = Path(workdir) / case.id
            directory.mkdir()
            worst: dict[str, str] = {}
            runs = run_case(case, directory, client)
            for run in runs:
                kind = run.mismatch(expected)
                if kind:
                    worst.setdefault(run.adapter, kind)
                    known = " [known bug]" if run.adapter in case.known_bugs else ""
                    mismatches.append(
                        f"{case.id} {run.adapter} ({run.form}) {kind}{known}: "
                        f"{run.outcome.describe()}"
                    )
            for adapter in {run.adapter for run in runs}:
                counts[adapter]["cases run"] += 1
                if adapter in worst:
                    counts[adapter][worst[adapter]] += 1
            _count_guard(case, directory, rules, counts[GUARD_RUNNER], mismatches)
        client.close()
    columns = ("cases run", *KINDS)
    print(f"{len(cases)} cases")
    print(f"{'adapter':<16}" + "".join(f"{column:>16}" for column in columns))
    for adapter in RUNNERS:
        print(f"{adapter:<16}" + "".join(f"{counts[adapter][column]:>16}" for column in columns))
    for line in mismatches:
        print(line)
    return 1 if any("[documented limit]" not in line for line in mismatches) else 0


if __name__ == "__main__":
    sys.exit(main())
