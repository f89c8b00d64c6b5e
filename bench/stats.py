"""Medians, percentiles, paired ratios and Markdown tables."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (``fraction`` 0.99 for p99)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def paired_ratio(samples: Mapping[str, Sequence[float]], variant: str, baseline: str) -> float:
    """The median over repetitions of ``variant / baseline`` measured in the same repetition.

    Pairing cancels the slow drifts of a shared machine that would bias a ratio of medians.
    """
    return median([a / b for a, b in zip(samples[variant], samples[baseline], strict=True)])


def rotations(variants: Sequence[str], repetitions: int) -> list[list[str]]:
    """One order of ``variants`` per repetition, rotated so that none always runs first."""
    count = len(variants)
    return [
        [variants[(start + offset) % count] for offset in range(count)]
        for start in range(repetitions)
    ]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(met: bool) -> str:
    """How a target row reads."""
    return "met" if met else "**missed**"
