"""Policy pack: start-up to the printed port, and Analyze latency over gRPC, against empty packs.

Every pack is started the way the Pulumi engine starts it
(:class:`sm_guardrails.pulumi.engine.PolicyPackProcess`) and configured with an empty
pack config; start-ups alternate between the packs, and so do the Analyze calls, one by
one. Latency is measured in rounds of 1,000 calls; each round gives every pack a p50
and a p99, and a ratio is the median of the rounds' ratios (a p99 of one round rests
on its ten slowest calls, so one round alone moves by several percent). The baseline
is the empty pack (one policy that does nothing); a pack of two do-nothing policies,
as many as sm-guardrails has, shows what the policy SDK itself costs for a pack of
that size.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.process import ROOT, environ
from bench.stats import median, paired_ratio, percentile, rotations, table, verdict
from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess, analyze_request

OURS, EMPTY, TWO = "sm-guardrails", "empty pack (1 no-op policy)", "2 no-op policies"
EMPTY_PACK = Path(__file__).parent / "empty_pack"
PACKS: dict[str, tuple[Path, int]] = {
    OURS: (ROOT / "policypack", 0),
    EMPTY: (EMPTY_PACK, 1),
    TWO: (EMPTY_PACK, 2),
}
"""Each pack's folder and, for the empty pack, how many no-op policies it has."""

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
BUCKET = "aws:s3/bucketV2:BucketV2"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class PackSizes:
    """How often to start the packs, how many calls to time per round, and the preview sizes."""

    startups: int
    calls: int
    rounds: int
    previews: tuple[int, ...]


FULL = PackSizes(startups=7, calls=1000, rounds=5, previews=(250, 500, 1000, 2000))
SMOKE = PackSizes(startups=1, calls=20, rounds=1, previews=(10,))


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


NOTEBOOK_KINDS = ("compliant", "violating (SMG-1 and SMG-2 reported)", "subnet unknown at preview")
"""What ``_notebook(index)`` sends, by ``index % 3``."""


def _bucket(index: int) -> dict[str, Any]:
    return {"bucket": f"data-{index}", "tags": {"team": "ml"}, "forceDestroy": False}


def requests(kind: str, count: int) -> Iterator[tuple[str, dict[str, Any], str, str]]:
    """``count`` Analyze requests: ``notebook``, ``other``, or ``preview`` (1 in 20 a notebook)."""
    for index in range(count):
        notebook = kind == "notebook" or (kind == "preview" and index % 20 == 0)
        resource_type, properties = (
            (NOTEBOOK, _notebook(index)) if notebook else (BUCKET, _bucket(index))
        )
        name = f"resource{index}"
        yield resource_type, properties, f"urn:pulumi:bench::bench::{resource_type}::{name}", name


@contextmanager
def _started(name: str) -> Iterator[PolicyPackProcess]:
    """Pack ``name``, started (with its no-op policy count in its environment) and killed."""
    directory, policies = PACKS[name]
    with environ(SMG_BENCH_NOOP_POLICIES=str(policies)):
        process = PolicyPackProcess(directory)
        process.start()
    try:
        yield process
    finally:
        process.stop()


def _startups(count: int) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {name: [] for name in PACKS}
    for order in rotations(list(PACKS), count):
        for name in order:
            with _started(name) as process:
                seconds[name].append(process.startup_seconds)
    return seconds


def _latencies(clients: dict[str, AnalyzerClient], kind: str, count: int) -> dict[str, list[float]]:
    """Each pack's seconds per Analyze call, the packs taking turns in a rotating order.

    The clock runs for the RPC alone: the request is built before it starts (the same
    one for every pack), and the response is not read into Python objects after it.
    """
    seconds: dict[str, list[float]] = {name: [] for name in clients}
    orders = rotations(list(clients), len(clients))
    for index, resource in enumerate(requests(kind, count)):
        request = analyze_request(*resource)
        for name in orders[index % len(orders)]:
            began = time.perf_counter()
            clients[name].send(request)
            seconds[name].append(time.perf_counter() - began)
    return seconds


Samples = dict[str, list[float]]
"""Per pack, one value per repetition (a start-up, or a round of calls), in the same order."""


def _row(label: str, samples: Samples, scale: float = 1000) -> list[str]:
    cells = [f"{median(samples[name]) * scale:.2f}" for name in PACKS]
    ratios = sorted(a / b for a, b in zip(samples[OURS], samples[EMPTY], strict=True))
    spread = f"{ratios[0]:.2f}-{ratios[-1]:.2f}x" if len(ratios) > 1 else "-"
    return [label, *cells, f"{paired_ratio(samples, OURS, EMPTY):.2f}x", spread]


def _target(label: str, samples: Samples) -> list[str]:
    ratio = paired_ratio(samples, OURS, EMPTY)
    return [f"{label} within 1.2x of the empty pack", f"{ratio:.2f}x", verdict(ratio <= 1.2)]


def _percentiles(rounds: list[Samples], fraction: float) -> Samples:
    """Each pack's percentile ``fraction`` of every round."""
    return {name: [percentile(seconds[name], fraction) for seconds in rounds] for name in PACKS}


def run(smoke: bool) -> str:
    """Measure, and return the Markdown section."""
    sizes = SMOKE if smoke else FULL
    startups = _startups(sizes.startups)
    rows = [_row("start-up to printed port, median ms", startups)]
    targets = [_target("start-up", startups)]
    with ExitStack() as stack:
        processes = {name: stack.enter_context(_started(name)) for name in PACKS}
        clients = {name: AnalyzerClient(process.port) for name, process in processes.items()}
        for client in clients.values():
            stack.callback(client.close)
            client.configure({})
        _latencies(clients, "other", min(50, sizes.calls))  # warm-up, not recorded
        for kind in ("notebook", "other"):
            rounds = [_latencies(clients, kind, sizes.calls) for _ in range(sizes.rounds)]
            for label, fraction in (("p50", 0.5), ("p99", 0.99)):
                samples = _percentiles(rounds, fraction)
                rows.append(_row(f"Analyze, {kind} resource, {label} ms", samples))
                targets.append(_target(f"Analyze {kind} {label}", samples))
            if kind == "notebook":
                rows.extend(_notebook_kind_rows(rounds))
        previews = [_preview_row(clients, count) for count in sizes.previews]
    return "\n".join(
        [
            f"### Policy pack ({sizes.startups} start-ups each; {sizes.rounds} rounds of "
            f"{sizes.calls} Analyze calls per resource kind; packs taking turns)",
            "",
            "Each cell is the median over start-ups or rounds; a ratio is the median of the "
            "ratios within each start-up rotation or round, and the range shows them all.",
            "",
            table(["measure", *PACKS, "ours / empty", "range"], rows),
            "",
            table(["target", "measured", ""], targets),
            "",
            "### Policy pack scaling (a preview of N resources, 1 in 20 a notebook; "
            "total Analyze time)",
            "",
            table(
                [
                    "resources",
                    *(f"{name} s" for name in PACKS),
                    "ours / empty",
                    "ours µs per resource",
                ],
                previews,
            ),
        ]
    )


def _notebook_kind_rows(rounds: list[Samples]) -> list[list[str]]:
    """The notebook calls split by what was sent (not targets: the mix is the measure)."""
    rows = []
    step = len(NOTEBOOK_KINDS)
    for offset, kind in enumerate(NOTEBOOK_KINDS):
        kind_rounds = [
            {name: values[offset::step] for name, values in seconds.items()} for seconds in rounds
        ]
        for label, fraction in (("p50", 0.5), ("p99", 0.99)):
            samples = _percentiles(kind_rounds, fraction)
            rows.append(_row(f"Analyze, notebook {kind}, {label} ms", samples))
    return rows


def _preview_row(clients: dict[str, AnalyzerClient], count: int) -> list[str]:
    total = {name: sum(values) for name, values in _latencies(clients, "preview", count).items()}
    return [
        str(count),
        *(f"{total[name]:.3f}" for name in PACKS),
        f"{total[OURS] / total[EMPTY]:.2f}x",
        f"{total[OURS] / count * 1e6:.0f}",
    ]
