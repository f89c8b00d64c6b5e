"""Profile ``app.synth()`` of the benchmark app with one variant, from the Python side.

``python -m bench.profile_synth VARIANT [--constructs N] [--top N] [--sort KEY]``

A warm-up synth first, then a cProfile of one synth of a new app. Calls into Node.js
through jsii are synchronous, so their time shows up under the Python function that
made them (``jsii ... invoke``/``get``), and the callbacks Node.js makes into Python
(an aspect's ``visit``, a plugin's ``validate``) show up under the kernel's callback
handling.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from pathlib import Path

from bench.cdk_app import build_app
from bench.cdk_bench import VARIANTS
from bench.cdk_variants import SETUPS
from bench.cdk_worker import time_synth


def main() -> None:
    """Warm up, then profile one synth."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--constructs", type=int, default=4000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smg-bench-profile-") as workdir:
        time_synth(args.variant, args.constructs, Path(workdir))
        app = build_app(tempfile.mkdtemp(dir=workdir), args.constructs)
        SETUPS[args.variant](app)
        profile = cProfile.Profile()
        profile.enable()
        app.synth()
        profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
