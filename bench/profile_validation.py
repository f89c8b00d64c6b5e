"""Profile ``GuardrailValidationPlugin.validate`` on the benchmark app's cloud assembly.

``python -m bench.profile_validation [--constructs N] [--top N]``

Synthesizes the benchmark app once (plain synth), then calls the plugin's ``validate``
directly with the assembly's stack templates, the way CDK does, and prints its CPU time
per call and a cProfile sorted by cumulative time. Only the Python side is measured:
what CDK does with the report in Node.js is not.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cdk_app import build_app
from sm_guardrails.cdk import GuardrailValidationPlugin


@dataclass(frozen=True)
class _Context:
    """What the plugin reads of CDK's ``IPolicyValidationContext``."""

    template_paths: list[str]


def main() -> None:
    """Synthesize, time ``validate`` (best of 5), then profile one call."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--constructs", type=int, default=4000)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smg-bench-profile-") as outdir:
        build_app(outdir, args.constructs).synth()
        context = _Context(sorted(str(path) for path in Path(outdir).glob("*.template.json")))
        plugin = GuardrailValidationPlugin()
        plugin.validate(context)  # type: ignore[arg-type]
        best = float("inf")
        for _ in range(5):
            began = time.process_time()
            report = plugin.validate(context)  # type: ignore[arg-type]
            best = min(best, time.process_time() - began)
        print(
            f"validate: {best * 1000:.1f} CPU ms for {len(context.template_paths)} templates, "
            f"{len(report.violations)} violations (best of 5, Python side only)"
        )
        profile = cProfile.Profile()
        profile.enable()
        plugin.validate(context)  # type: ignore[arg-type]
        profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
