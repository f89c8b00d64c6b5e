"""Run one case through every adapter that has a form for it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sm_guardrails.pulumi.engine import AnalyzerClient
from tests.corpus.adapters import (
    CFN_FORMS,
    HELD_FORMS,
    PULUMI_TYPES,
    run_cloudformation,
    run_cloudformation_held,
    run_pulumi,
    run_pulumi_held,
)
from tests.corpus.cases import Case
from tests.corpus.outcomes import Outcome, classify


@dataclass(frozen=True)
class Run:
    """What one adapter reported about one form of a case (JSON or short-form YAML templates,
    ``aws`` or ``native`` Pulumi resource types, or the template as the body of a StackSet
    or stack resource)."""

    adapter: str
    form: str
    outcome: Outcome

    def mismatch(self, expected: Outcome) -> str | None:
        """How this run differs from ``expected`` (see :func:`classify`), or None."""
        return classify(expected, self.outcome)


def run_case(case: Case, workdir: Path, client: AnalyzerClient) -> list[Run]:
    """Every adapter's outcome for ``case``; ``workdir`` holds the files they read."""
    # aws_cdk starts Node.js: import it on use
    from tests.corpus.cdk_forms import nag_applies, run_cdk, run_cdk_aspect, run_cdk_nag

    runs: list[Run] = []
    if case.cfn is not None:
        runs.extend(
            Run("cloudformation", form, run_cloudformation(case, workdir, form))
            for form in CFN_FORMS
        )
        runs.append(Run("cloudformation", "stack-set-body", run_cloudformation_held(case, workdir)))
        runs.extend(Run("pulumi", form, run_pulumi_held(case, client, form)) for form in HELD_FORMS)
    if case.cdk is not None:
        runs.append(Run("cdk", str(case.cdk["builder"]), run_cdk(case, workdir)))
        runs.append(Run("cdk-aspect", str(case.cdk["builder"]), run_cdk_aspect(case, workdir)))
    if nag_applies(case):
        runs.append(Run("cdk-nag", str(case.cdk["builder"]), run_cdk_nag(case, workdir)))
    if case.pulumi is not None:
        runs.extend(Run("pulumi", kind, run_pulumi(case, client, kind)) for kind in PULUMI_TYPES)
    return runs
