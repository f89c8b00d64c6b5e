"""CDK synth overhead: plain synth vs the floor aspect, our aspect and plugin, enforce, cdk-nag."""

from __future__ import annotations

import importlib.util
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.process import python_module, run_measured
from bench.stats import median, paired_ratio, table, verdict

BASELINE = "nothing"
FLOOR = "no-op aspect (floor)"
ASPECT = "NotebookGuardrailAspect"
VALIDATION = "GuardrailValidationPlugin"
ENFORCE = "enforce(app)"
CDK_NAG = "cdk-nag AwsSolutionsChecks"
VARIANTS = (BASELINE, FLOOR, ASPECT, VALIDATION, ENFORCE, CDK_NAG)
"""The variants, in table order; :mod:`bench.cdk_variants` sets each up (it imports aws_cdk,
which starts Node.js, so only the worker process imports it)."""
SCALING_VARIANTS = (BASELINE, FLOOR, ASPECT, ENFORCE)


@dataclass(frozen=True)
class CdkSizes:
    """How big the apps are and how often each is synthesized."""

    constructs: int
    scaling: tuple[int, ...]
    repetitions: int
    scaling_repetitions: int


FULL = CdkSizes(constructs=4000, scaling=(500, 1000, 2000), repetitions=4, scaling_repetitions=3)
SMOKE = CdkSizes(constructs=60, scaling=(), repetitions=1, scaling_repetitions=1)


def _measure(
    variants: Sequence[str], sizes: Sequence[int], repetitions: int
) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="smg-bench-") as directory:
        out = Path(directory) / "samples.json"
        run_measured(
            python_module(
                "bench.cdk_worker",
                *variants,
                "--constructs",
                *map(str, sizes),
                "--repetitions",
                str(repetitions),
                "--out",
                str(out),
            )
        )
        results: list[dict[str, object]] = json.loads(out.read_text(encoding="utf-8"))
    return results


def _headline(result: Mapping[str, object], variants: Sequence[str]) -> list[str]:
    samples: dict[str, list[float]] = result["samples"]  # type: ignore[assignment]
    ratio = {variant: paired_ratio(samples, variant, BASELINE) for variant in variants}
    rows = [
        [
            variant,
            f"{median(samples[variant]):.2f}",
            f"{ratio[variant]:.2f}x",
            f"{(ratio[variant] - 1) * 100:+.0f}%",
        ]
        for variant in variants
    ]
    lines = [
        f"### CDK synth, {result['constructs']} constructs "
        f"({len(samples[BASELINE])} interleaved repetitions, medians)",
        "",
        table(["variant", "synth s", "ratio to nothing", "added"], rows),
        "",
        _targets(samples, ratio),
    ]
    return lines


def _targets(samples: Mapping[str, list[float]], ratio: Mapping[str, float]) -> str:
    aspect_to_floor = paired_ratio(samples, ASPECT, FLOOR)
    floor_added = median(samples[FLOOR]) - median(samples[BASELINE])
    aspect_added = median(samples[ASPECT]) - median(samples[BASELINE])
    rows = [
        ["enforce(app) adds at most 10%", f"{ratio[ENFORCE]:.2f}x", verdict(ratio[ENFORCE] <= 1.1)],
        [
            "NotebookGuardrailAspect within 1.2x of the floor aspect",
            f"{aspect_to_floor:.2f}x",
            verdict(aspect_to_floor <= 1.2),
        ],
        [
            "(stricter) time the aspect adds / time the floor adds",
            f"{aspect_added / floor_added:.2f}x" if floor_added > 0 else "n/a",
            "",
        ],
    ]
    if CDK_NAG in ratio:
        added = (ratio[ENFORCE] - 1, ratio[CDK_NAG] - 1)
        rows.insert(
            1,
            [
                "enforce(app) adds less than cdk-nag",
                f"{added[0] * 100:+.0f}% vs {added[1] * 100:+.0f}%",
                verdict(added[0] < added[1]),
            ],
        )
    return table(["target", "measured", ""], rows)


def _scaling(results: Sequence[Mapping[str, object]]) -> list[str]:
    rows = []
    for result in results:
        samples: dict[str, list[float]] = result["samples"]  # type: ignore[assignment]
        constructs = int(result["constructs"])  # type: ignore[call-overload]
        base = median(samples[BASELINE])
        cells = [str(constructs), f"{base:.2f}", f"{base / constructs * 1e6:.0f}"]
        cells += [f"{paired_ratio(samples, name, BASELINE):.2f}x" for name in SCALING_VARIANTS[1:]]
        aspect_cost = median(samples[ASPECT]) - base
        cells.append(f"{aspect_cost / constructs * 1e6:.0f}")
        rows.append(cells)
    headers = ["constructs", "nothing s", "µs/construct", *SCALING_VARIANTS[1:]]
    return [
        "### CDK synth scaling (ratios to plain synth at each size)",
        "",
        table([*headers, "aspect µs/construct"], rows),
    ]


def run(smoke: bool) -> str:
    """Measure, and return the Markdown section."""
    sizes = SMOKE if smoke else FULL
    variants = [name for name in VARIANTS if name != CDK_NAG]
    if not smoke and importlib.util.find_spec("cdk_nag") is not None:
        variants.append(CDK_NAG)
    headline = _measure(variants, [sizes.constructs], sizes.repetitions)[0]
    scaling = (
        _measure(SCALING_VARIANTS, sizes.scaling, sizes.scaling_repetitions)
        if sizes.scaling
        else []
    )
    lines = _headline(headline, variants)
    if CDK_NAG not in variants:
        lines += ["", "cdk-nag was not run (smoke mode, or `cdk_nag` is not installed)."]
    lines += ["", *_scaling([*scaling, headline])]
    return "\n".join(lines)
