"""Count, per adapter, the corpus cases run, false negatives and false positives.

Run with ``python -m tests.corpus.report`` (Node.js on PATH, as for ``make test``).
A case counts once per adapter; for Pulumi it is run as both resource types and
counts as a mismatch if either type differs from the expectation.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess
from tests.corpus.cases import RUNNERS, load_cases
from tests.corpus.outcomes import Outcome
from tests.corpus.runner import run_case
from tests.corpus.test_corpus import PACK_DIR

KINDS = ("false negative", "false positive", "other mismatch")


def main() -> int:
    """Print the table and every mismatch; exit 1 when there is any."""
    cases = load_cases()
    counts: dict[str, Counter[str]] = {runner: Counter() for runner in RUNNERS}
    mismatches: list[str] = []
    with PolicyPackProcess(PACK_DIR) as pack, tempfile.TemporaryDirectory() as workdir:
        client = AnalyzerClient(pack.port)
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
        client.close()
    columns = ("cases run", *KINDS)
    print(f"{len(cases)} cases")
    print(f"{'adapter':<16}" + "".join(f"{column:>16}" for column in columns))
    for adapter in RUNNERS:
        print(f"{adapter:<16}" + "".join(f"{counts[adapter][column]:>16}" for column in columns))
    for line in mismatches:
        print(line)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
