"""One process that times the core's share of judging a notebook, in-process, and writes JSON.

``python -m bench.core_worker OUT``: microseconds of CPU per notebook (the best of 9
passes over 3,000) for what the kinds change touched: the Pulumi reader, evaluation,
and the API reader with evaluation. It runs on the tree before the kinds change too
(:mod:`bench.old_new` compares the two), so it takes either tree's names.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.pack_bench import requests
from sm_guardrails import evaluation
from sm_guardrails.config import GuardrailConfig

NOTEBOOKS = 3000
ARN_PREFIX = "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance"


def _readers() -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """The Pulumi reader, the judge and the API reader, as each tree names them."""
    from sm_guardrails.pulumi import properties

    if hasattr(evaluation, "evaluate_notebook"):  # before the kinds change
        from sm_guardrails.aws.notebooks import deployed_notebook  # type: ignore[import-not-found]

        return properties.notebook_spec, evaluation.evaluate_notebook, deployed_notebook
    from sm_guardrails.aws.resources import deployed_resource
    from sm_guardrails.kinds import NOTEBOOK_INSTANCE

    def deployed(description: object, tags: object, region: str) -> Any:
        return deployed_resource(NOTEBOOK_INSTANCE, description, tags, region)  # type: ignore[arg-type]

    return properties.resource_spec, evaluation.evaluate, deployed


def _best(action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(9):
        began = time.process_time()
        action()
        best = min(best, time.process_time() - began)
    return best / NOTEBOOKS * 1e6


def main(out: Path) -> None:
    """Time each share and write ``{measure: microseconds per notebook}``."""
    read, judge, deployed = _readers()
    config = GuardrailConfig()
    calls = [
        (kind, props, (urn, name)) for kind, props, urn, name in requests("notebook", NOTEBOOKS)
    ]
    specs = [read(*call) for call in calls]
    descriptions = [
        {
            "NotebookInstanceName": f"nb-{index}",
            "NotebookInstanceArn": f"{ARN_PREFIX}/nb-{index}",
            "DirectInternetAccess": "Enabled" if index % 2 else "Disabled",
            "RootAccess": "Enabled",
        }
        for index in range(NOTEBOOKS)
    ]
    tags = [{"Key": "team", "Value": "bench"}]
    results = {
        "Pulumi reader": _best(lambda: [read(*call) for call in calls]),
        "evaluate": _best(lambda: [judge(spec, config, passes=False) for spec in specs]),
        "API reader + evaluate": _best(
            lambda: [
                judge(deployed(item, tags, "eu-west-1").spec, config, passes=False)
                for item in descriptions
            ]
        ),
    }
    out.write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
