"""Run the benchmarks and print (or write) the results as Markdown.

``python -m bench [--smoke] [--only cdk|templates|pack ...] [--results FILE]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from bench import audit_bench, cdk_bench, machine, pack_bench, templates_bench

SUITES: dict[str, Callable[[bool], str]] = {
    "templates": templates_bench.run,
    "pack": pack_bench.run,
    "cdk": cdk_bench.run,
    "audit": audit_bench.run,
}

NOISE = (
    "Every ratio pairs runs made side by side in this run (repetitions interleaved, "
    "medians of per-repetition ratios where paired). The machine is shared: other work "
    "runs at the same time, so absolute seconds vary between runs by tens of percent; "
    "compare the ratios, and rerun before trusting a difference of a few percent."
)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen suites; print each section as it is measured."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no checkov/cdk-nag")
    parser.add_argument("--only", nargs="+", choices=sorted(SUITES), help="run only these")
    parser.add_argument("--results", type=Path, help="also write the Markdown to this file")
    args = parser.parse_args(argv)
    began = time.monotonic()
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    sections = [
        "# sm-guardrails benchmark results",
        "",
        f"Measured {started} with `make bench` (`{command.strip()}`).",
        "",
        *machine.describe(),
        f"- load average at start (1/5/15 min): {machine.load()}",
        "",
        NOISE,
    ]
    print("\n".join(sections), flush=True)
    for name in args.only or list(SUITES):
        section = SUITES[name](args.smoke)
        print("\n" + section, flush=True)
        sections += ["", section]
    closing = f"Total {time.monotonic() - began:.0f} s; load average at the end: {machine.load()}."
    print("\n" + closing)
    sections += ["", closing, ""]
    if args.results:
        args.results.write_text("\n".join(sections), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
