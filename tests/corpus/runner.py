"""Run one case through one runner, in every form that runner has for it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sm_guardrails.pulumi.engine import AnalyzerClient
from tests.corpus.adapters import (
    CFN_FORMS,
    HELD_FORMS,
    PULUMI_FORMS,
    run_aws,
    run_cloudformation,
    run_cloudformation_held,
    run_pulumi,
    run_pulumi_held,
)
from tests.corpus.cases import AWS_RUNNER, GUARD_RUNNER, RUNNERS, Case
from tests.corpus.l1_shapes import nag_applies
from tests.corpus.outcomes import Outcome, classify


@dataclass(frozen=True)
class Run:
    """What one adapter reported about one form of a case (JSON or short-form YAML templates,
    ``aws`` or ``native`` Pulumi resource types, the template as the body of a StackSet
    or stack resource, or the resource as AWS describes it)."""

    adapter: str
    form: str
    outcome: Outcome

    def mismatch(self, expected: Outcome) -> str | None:
        """How this run differs from ``expected`` (see :func:`classify`), or None."""
        return classify(expected, self.outcome)


CASE_RUNNERS = tuple(runner for runner in RUNNERS if runner != GUARD_RUNNER)
"""The runners of :func:`run_case` (Guard, with its own expectation: tests/corpus/guard.py)."""


def runners_of(case: Case) -> tuple[str, ...]:
    """The runners of :data:`CASE_RUNNERS` that have a form for ``case``."""
    has_form = {
        "cloudformation": case.cfn is not None,
        "cdk": case.cdk is not None,
        "cdk-aspect": case.cdk is not None,
        "cdk-nag": nag_applies(case),
        "pulumi": case.cfn is not None or case.pulumi is not None,
        AWS_RUNNER: case.aws is not None,
    }
    return tuple(runner for runner in CASE_RUNNERS if has_form[runner])


def run_case(case: Case, workdir: Path, client: AnalyzerClient, runner: str) -> list[Run]:
    """``runner``'s outcome for each of its forms of ``case``; ``workdir`` holds the files.

    The ``pulumi`` runner also sends the template as the body of stack resources.
    """
    # aws_cdk starts Node.js: import it on use
    from tests.corpus.cdk_forms import run_cdk, run_cdk_aspect, run_cdk_nag

    if runner == "cloudformation":
        runs = [Run(runner, form, run_cloudformation(case, workdir, form)) for form in CFN_FORMS]
        return [*runs, Run(runner, "stack-set-body", run_cloudformation_held(case, workdir))]
    if runner == "pulumi":
        held = [] if case.cfn is None else list(HELD_FORMS)
        runs = [Run(runner, form, run_pulumi_held(case, client, form)) for form in held]
        forms = [] if case.pulumi is None else list(PULUMI_FORMS)
        return runs + [Run(runner, form, run_pulumi(case, client, form)) for form in forms]
    if runner == AWS_RUNNER:
        return [Run(runner, "describe", run_aws(case))]
    assert case.cdk is not None
    build = {"cdk": run_cdk, "cdk-aspect": run_cdk_aspect, "cdk-nag": run_cdk_nag}[runner]
    return [Run(runner, str(case.cdk["builder"]), build(case, workdir))]
