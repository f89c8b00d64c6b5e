"""Policy pack: start-up to the printed port, and Analyze latency over gRPC, against an empty pack.

Both packs are started the way the Pulumi engine starts them
(:class:`sm_guardrails.pulumi.engine.PolicyPackProcess`) and configured with an empty
pack config; their start-ups alternate, and their Analyze calls alternate one by one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.process import ROOT
from bench.stats import median, percentile, rotations, table, verdict
from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess

PACKS = {"sm-guardrails": ROOT / "policypack", "empty pack": Path(__file__).parent / "empty_pack"}
OURS, EMPTY = "sm-guardrails", "empty pack"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
BUCKET = "aws:s3/bucketV2:BucketV2"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class PackSizes:
    """How often to start the packs, how many calls to time, and the preview sizes."""

    startups: int
    calls: int
    previews: tuple[int, ...]


FULL = PackSizes(startups=5, calls=1000, previews=(250, 500, 1000, 2000))
SMOKE = PackSizes(startups=1, calls=20, previews=(10,))


def _notebook(index: int) -> dict[str, Any]:
    """Notebook inputs in the engine's wire format: compliant, violating, or unknown subnet."""
    properties: dict[str, Any] = {
        "instanceType": "ml.t3.medium",
        "roleArn": "arn:aws:iam::123456789012:role/notebook",
        "rootAccess": "Disabled",
        "kmsKeyId": "alias/notebooks",
        "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
        "directInternetAccess": "Disabled",
        "subnetId": "subnet-0123456789abcdef0",
        "securityGroups": ["sg-0123456789abcdef0"],
    }
    if index % 3 == 1:
        properties["directInternetAccess"] = "Enabled"
        del properties["subnetId"]
    elif index % 3 == 2:
        properties["subnetId"] = UNKNOWN
    return properties


def _bucket(index: int) -> dict[str, Any]:
    return {"bucket": f"data-{index}", "tags": {"team": "ml"}, "forceDestroy": False}


def _requests(kind: str, count: int) -> Iterator[tuple[str, dict[str, Any], str, str]]:
    """``count`` Analyze requests: ``notebook``, ``other``, or ``preview`` (1 in 20 a notebook)."""
    for index in range(count):
        notebook = kind == "notebook" or (kind == "preview" and index % 20 == 0)
        resource_type, properties = (
            (NOTEBOOK, _notebook(index)) if notebook else (BUCKET, _bucket(index))
        )
        name = f"resource{index}"
        yield resource_type, properties, f"urn:pulumi:bench::bench::{resource_type}::{name}", name


def _startups(count: int) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {name: [] for name in PACKS}
    for order in rotations(list(PACKS), count):
        for name in order:
            with PolicyPackProcess(PACKS[name]) as process:
                seconds[name].append(process.startup_seconds)
    return seconds


def _latencies(clients: dict[str, AnalyzerClient], kind: str, count: int) -> dict[str, list[float]]:
    """Each pack's seconds per Analyze call, calls alternating between the packs."""
    seconds: dict[str, list[float]] = {name: [] for name in clients}
    for index, request in enumerate(_requests(kind, count)):
        order = list(clients) if index % 2 == 0 else list(reversed(clients))
        for name in order:
            began = time.perf_counter()
            clients[name].analyze(*request)
            seconds[name].append(time.perf_counter() - began)
    return seconds


def _ms(value: float) -> str:
    return f"{value * 1000:.2f}"


def run(smoke: bool) -> str:
    """Measure, and return the Markdown section."""
    sizes = SMOKE if smoke else FULL
    startups = _startups(sizes.startups)
    rows = [
        ["start-up to printed port (median ms)"]
        + [_ms(median(startups[name])) for name in PACKS]
        + [f"{median(startups[OURS]) / median(startups[EMPTY]):.2f}x"]
    ]
    targets = []
    with PolicyPackProcess(PACKS[OURS]) as ours, PolicyPackProcess(PACKS[EMPTY]) as empty:
        clients = {OURS: AnalyzerClient(ours.port), EMPTY: AnalyzerClient(empty.port)}
        try:
            for client in clients.values():
                client.configure({})
            _latencies(clients, "other", min(50, sizes.calls))  # warm-up, not recorded
            for kind in ("notebook", "other"):
                seconds = _latencies(clients, kind, sizes.calls)
                for label, fraction in (("p50", 0.5), ("p99", 0.99)):
                    values = {name: percentile(seconds[name], fraction) for name in PACKS}
                    ratio = values[OURS] / values[EMPTY]
                    rows.append(
                        [f"Analyze {kind} resource, {label} ms"]
                        + [_ms(values[name]) for name in PACKS]
                        + [f"{ratio:.2f}x"]
                    )
                    targets.append(
                        [
                            f"Analyze {kind} {label} within 1.2x",
                            f"{ratio:.2f}x",
                            verdict(ratio <= 1.2),
                        ]
                    )
            previews = [_preview_row(clients, count) for count in sizes.previews]
        finally:
            for client in clients.values():
                client.close()
    startup_ratio = median(startups[OURS]) / median(startups[EMPTY])
    targets.insert(
        0, ["start-up within 1.2x", f"{startup_ratio:.2f}x", verdict(startup_ratio <= 1.2)]
    )
    return "\n".join(
        [
            f"### Policy pack ({sizes.startups} start-ups each, {sizes.calls} Analyze calls "
            "per kind, alternating)",
            "",
            table(["measure", *PACKS, "ratio"], rows),
            "",
            table(["target", "measured", ""], targets),
            "",
            "### Policy pack scaling (a preview of N resources, 1 in 20 a notebook)",
            "",
            table(
                ["resources", f"{OURS} s", f"{EMPTY} s", "ratio", f"{OURS} µs per resource"],
                previews,
            ),
        ]
    )


def _preview_row(clients: dict[str, AnalyzerClient], count: int) -> list[str]:
    seconds = _latencies(clients, "preview", count)
    total = {name: sum(values) for name, values in seconds.items()}
    return [
        str(count),
        f"{total[OURS]:.3f}",
        f"{total[EMPTY]:.3f}",
        f"{total[OURS] / total[EMPTY]:.2f}x",
        f"{total[OURS] / count * 1e6:.0f}",
    ]
