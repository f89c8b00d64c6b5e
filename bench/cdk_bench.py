"""CDK synth overhead: plain synth vs the floor aspect, our aspect and plugin, enforce, cdk-nag."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.process import python_module, run_measured
from bench.stats import median, paired_ratio, table, verdict
from sm_guardrails.extras import installed_release

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
CDK_NAG_NOTE = (
    "cdk-nag 3 runs as a validation plugin, "
    "`Validations.of(app).add_plugins(AwsSolutionsChecks(app))`; its errors on the "
    "generated app make `app.synth()` raise ValidationFailed after it has validated, "
    "and the time to that exception is what is counted."
)


@dataclass(frozen=True)
class CdkSizes:
    """How big the apps are and how often each is synthesized."""

    constructs: int
    scaling: tuple[int, ...]
    repetitions: int
    scaling_repetitions: int


FULL = CdkSizes(constructs=4000, scaling=(500, 1000, 2000), repetitions=12, scaling_repetitions=3)
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


Samples = Mapping[str, Sequence[float]]


def _samples(result: Mapping[str, object], measure: str) -> Samples:
    """The per-variant samples of ``measure``: "samples" (wall seconds) or "cpu"."""
    samples: Samples = result[measure]  # type: ignore[assignment]
    return samples


def _headline(result: Mapping[str, object], variants: Sequence[str], release: str) -> list[str]:
    wall, cpu = _samples(result, "samples"), _samples(result, "cpu")
    rows = []
    for variant in variants:
        ratio = paired_ratio(cpu, variant, BASELINE)
        rows.append(
            [
                variant,
                f"{median(wall[variant]):.2f}",
                f"{median(cpu[variant]):.2f}",
                f"{ratio:.2f}x",
                f"{(ratio - 1) * 100:+.0f}%",
                f"{paired_ratio(wall, variant, BASELINE):.2f}x",
            ]
        )
    headers = ["variant", "wall s", "CPU s", "CPU ratio to nothing", "added", "wall ratio"]
    return [
        f"### CDK synth, {result['constructs']} constructs, aws-cdk-lib {release} "
        f"({len(wall[BASELINE])} interleaved repetitions, medians)",
        "",
        "CPU is the synth's CPU time in Python and in jsii's Node.js processes; ratios are "
        "medians of the ratios within each repetition.",
        "",
        table(headers, rows),
        "",
        _targets(cpu, wall, variants),
    ]


def _added(samples: Samples, variant: str) -> float:
    return median(samples[variant]) - median(samples[BASELINE])


def _targets(cpu: Samples, wall: Samples, variants: Sequence[str]) -> str:
    enforce = paired_ratio(cpu, ENFORCE, BASELINE)
    aspect_to_floor = paired_ratio(cpu, ASPECT, FLOOR)
    rows = [
        [
            "enforce(app) adds at most 10%",
            f"{enforce:.2f}x CPU ({paired_ratio(wall, ENFORCE, BASELINE):.2f}x wall)",
            verdict(enforce <= 1.1),
        ],
        [
            "NotebookGuardrailAspect within 1.2x of the no-op aspect",
            f"{aspect_to_floor:.2f}x CPU ({paired_ratio(wall, ASPECT, FLOOR):.2f}x wall)",
            verdict(aspect_to_floor <= 1.2),
        ],
        [
            "(stricter) CPU the aspect adds / CPU the no-op aspect adds",
            f"{_added(cpu, ASPECT) / _added(cpu, FLOOR):.2f}x" if _added(cpu, FLOOR) > 0 else "n/a",
            "",
        ],
    ]
    if CDK_NAG in variants:
        ours, theirs = _added(cpu, ENFORCE), _added(cpu, CDK_NAG)
        rows.insert(
            1,
            [
                "enforce(app) adds less than cdk-nag",
                f"{ours:+.2f} CPU s vs {theirs:+.2f} CPU s",
                verdict(ours < theirs),
            ],
        )
    return table(["target", "measured", ""], rows)


def _scaling(results: Sequence[Mapping[str, object]]) -> list[str]:
    rows = []
    for result in results:
        cpu = _samples(result, "cpu")
        constructs = int(result["constructs"])  # type: ignore[call-overload]
        base = median(cpu[BASELINE])
        cells = [str(constructs), f"{base:.2f}", f"{base / constructs * 1e6:.0f}"]
        cells += [f"{paired_ratio(cpu, name, BASELINE):.2f}x" for name in SCALING_VARIANTS[1:]]
        cells += [f"{_added(cpu, name) / constructs * 1e6:.0f}" for name in (FLOOR, ASPECT)]
        rows.append(cells)
    headers = [
        "constructs", "nothing CPU s", "µs/construct", *SCALING_VARIANTS[1:],
        "no-op aspect adds µs/construct", "our aspect adds µs/construct",
    ]  # fmt: skip
    return [
        "### CDK synth scaling (CPU time, ratios to plain synth at each size)",
        "",
        table(headers, rows),
    ]


def _available(smoke: bool) -> list[str]:
    """The variants the installed releases offer (a plugin needs aws-cdk-lib 2.254, and the
    cdk-nag variant cdk-nag 3: on the aws-cdk-lib floor, 2.80, neither is run)."""
    cdk_release = installed_release("aws-cdk-lib") or (0,)
    variants = [name for name in VARIANTS if name != CDK_NAG]
    if cdk_release < (2, 254):
        variants.remove(VALIDATION)
    if not smoke and (installed_release("cdk-nag") or (0,)) >= (3,):
        variants.append(CDK_NAG)
    return variants


def run(smoke: bool) -> str:
    """Measure, and return the Markdown section."""
    sizes = SMOKE if smoke else FULL
    variants = _available(smoke)
    headline = _measure(variants, [sizes.constructs], sizes.repetitions)[0]
    release = ".".join(map(str, installed_release("aws-cdk-lib") or ()))
    scaling = (
        _measure(SCALING_VARIANTS, sizes.scaling, sizes.scaling_repetitions)
        if sizes.scaling
        else []
    )
    lines = _headline(headline, variants, release)
    if CDK_NAG in variants:
        lines += ["", CDK_NAG_NOTE]
    else:
        lines += ["", "cdk-nag was not run (smoke mode, or `cdk_nag` is not installed)."]
    lines += ["", *_scaling([*scaling, headline])]
    return "\n".join(lines)


def run_release(repetitions: int) -> str:
    """enforce(app) against plain synth only, on the installed aws-cdk-lib: the Markdown row.

    For the releases of the supported range where enforce() works differently (on 2.80 it
    judges the written assembly after synth), in that release's virtualenv.
    """
    result = _measure([BASELINE, ENFORCE], [FULL.constructs], repetitions)[0]
    wall, cpu = _samples(result, "samples"), _samples(result, "cpu")
    ratio = paired_ratio(cpu, ENFORCE, BASELINE)
    release = ".".join(map(str, installed_release("aws-cdk-lib") or ()))
    row = [
        release,
        str(result["constructs"]),
        str(len(cpu[BASELINE])),
        f"{median(cpu[BASELINE]):.2f}",
        f"{median(cpu[ENFORCE]):.2f}",
        f"{ratio:.2f}x",
        f"{paired_ratio(wall, ENFORCE, BASELINE):.2f}x",
        verdict(ratio <= 1.1),
    ]
    headers = [
        "aws-cdk-lib", "constructs", "repetitions", "nothing CPU s", "enforce(app) CPU s",
        "CPU ratio", "wall ratio", "within 1.10x",
    ]  # fmt: skip
    return table(headers, [row])


if __name__ == "__main__":  # `python -m bench.cdk_bench [repetitions]` in a release's venv
    print(run_release(int(sys.argv[1]) if len(sys.argv) > 1 else FULL.repetitions))
