"""One process that times ``app.synth()`` for several variants, interleaved, and writes JSON.

``python -m bench.cdk_worker --constructs N... --repetitions R --out FILE VARIANT...``
Each repetition builds a new app per variant and size (building is not timed).
Untimed warm-up synths first load what a first synth loads (schemas, rule packs).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from bench.cdk_app import build_app
from bench.cdk_bench import VARIANTS
from bench.cdk_variants import FAILS_SYNTH, SETUPS
from bench.stats import rotations

WARM_UP_CONSTRUCTS = 200
"""The size of the warm-up app of each variant (the first variant warms up at full size)."""


def time_synth(variant: str, constructs: int, workdir: Path) -> tuple[float, int]:
    """Seconds ``app.synth()`` takes with ``variant``, and the app's construct count."""
    outdir = tempfile.mkdtemp(dir=workdir)
    try:
        app = build_app(outdir, constructs)
        count = len(app.node.find_all())
        SETUPS[variant](app)
        began = time.perf_counter()
        try:
            app.synth()
        except Exception as error:  # jsii surfaces ValidationFailed as a RuntimeError
            if variant not in FAILS_SYNTH:
                raise
            del error
        return time.perf_counter() - began, count
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def main() -> None:
    """Parse the arguments, warm up, time every variant, write the samples."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--constructs", type=int, nargs="+", required=True)
    parser.add_argument("--repetitions", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="smg-bench-cdk-") as workdir:
        largest = max(args.constructs)
        for index, variant in enumerate(args.variants):
            time_synth(variant, largest if index == 0 else WARM_UP_CONSTRUCTS, Path(workdir))
        for size in args.constructs:
            samples: dict[str, list[float]] = {variant: [] for variant in args.variants}
            count = 0
            for order in rotations(args.variants, args.repetitions):
                for variant in order:
                    seconds, count = time_synth(variant, size, Path(workdir))
                    samples[variant].append(seconds)
            results.append({"size": size, "constructs": count, "samples": samples})
    args.out.write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main()
