"""``sm-guardrails audit`` against a bare list + describe loop, on a moto server on loopback.

Both variants use the same boto3 clients and thread pool size against a moto server in
its own process, and the same calls (ListNotebookInstances pages, then
DescribeNotebookInstance and ListTags per notebook);
the audit also judges every notebook and streams a JSON report to /dev/null. Repetitions
are interleaved and the ratio is the median of per-repetition ratios. Peak memory is
Python's traced peak (tracemalloc) during one audit, at a quarter of the notebooks and
at all of them: streamed reports keep it flat, which the row states as bytes of growth
per extra notebook (the absolute peak is under a MiB, so its ratio is mostly noise).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.process import environ
from bench.stats import median, paired_ratio, rotations, table, verdict
from sm_guardrails.aws import AwsSettings, make_session, sagemaker_client
from sm_guardrails.aws.audit import audit_regions
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.reporting import JsonReporter

TARGET = 1.1
"""The most the audit may take over the bare loop."""
FLAT_BYTES_PER_NOTEBOOK = 512
"""The most peak memory may grow per extra notebook and count as flat: one notebook's
findings, kept instead of streamed, take several KiB (its JSON records alone ~1 KiB each)."""
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")
WORKERS = 8
AUDIT, BARE = "audit", "bare list+describe"


@dataclass(frozen=True)
class AuditSizes:
    """How many notebooks in all, and how many repetitions."""

    notebooks: int
    repetitions: int


FULL = AuditSizes(2000, 3)
SMOKE = AuditSizes(8, 1)


def run(smoke: bool) -> str:
    """Measure and return the Markdown section."""
    with moto_server() as endpoint:
        return _measure(endpoint, SMOKE if smoke else FULL)


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server in its own process on loopback, with dummy credentials; its endpoint."""
    port = _free_port()
    with environ(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench"):
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)


def _measure(endpoint: str, sizes: AuditSizes) -> str:
    settings = AwsSettings(endpoint_url=endpoint, max_pool_connections=WORKERS * 2)
    session = make_session(settings)
    clients = {region: sagemaker_client(session, region, settings) for region in REGIONS}
    quarter = sizes.notebooks // 4
    _create(clients, 0, quarter)
    _audit(clients)  # warm up: botocore loads its service models on the first calls
    peak_quarter, _ = _peak(lambda: _audit(clients))
    _create(clients, quarter, sizes.notebooks)
    peak_all, notebooks = _peak(lambda: _audit(clients))
    variants: dict[str, Callable[[], int]] = {
        AUDIT: lambda: _audit(clients),
        BARE: lambda: _bare(clients),
    }
    samples: dict[str, list[float]] = {AUDIT: [], BARE: []}
    for order in rotations(list(variants), sizes.repetitions):
        for name in order:
            began = time.perf_counter()
            counted = variants[name]()
            samples[name].append(time.perf_counter() - began)
            assert counted == sizes.notebooks, f"{name} read {counted} notebooks"
    ratio = paired_ratio(samples, AUDIT, BARE)
    growth = peak_all / peak_quarter
    per_notebook = max(0, peak_all - peak_quarter) / (notebooks - quarter)
    rows = [
        ["audit / bare loop (wall)", f"{ratio:.2f}x", f"<= {TARGET}x", verdict(ratio <= TARGET)],
        [
            f"peak memory {quarter} -> {notebooks} notebooks",
            f"{peak_quarter / 2**20:.2f} -> {peak_all / 2**20:.2f} MiB ({growth:.2f}x), "
            f"{per_notebook:.0f} bytes per extra notebook",
            f"<= {FLAT_BYTES_PER_NOTEBOOK} bytes per notebook",
            verdict(per_notebook <= FLAT_BYTES_PER_NOTEBOOK),
        ],
    ]
    times = [
        [name, f"{median(values):.2f}", ", ".join(f"{v:.2f}" for v in values)]
        for name, values in samples.items()
    ]
    return "\n".join(
        [
            f"### Audit, {sizes.notebooks} notebooks in {len(REGIONS)} regions "
            f"(moto server, {WORKERS} workers)",
            "",
            str(__doc__).strip().split("\n\n")[1].replace("\n", " "),
            "",
            table(("measure", "result", "target", "verdict"), rows),
            "",
            table(("variant", "median wall s", "runs (s)"), times),
        ]
    )


def _create(clients: dict[str, Any], start: int, stop: int) -> None:
    """Notebooks ``start`` to ``stop`` - 1, spread over the regions, half of them exposed."""
    role = "arn:aws:iam::123456789012:role/bench"
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [
            pool.submit(
                clients[REGIONS[index % len(REGIONS)]].create_notebook_instance,
                NotebookInstanceName=f"nb-{index:05d}",
                InstanceType="ml.t3.medium",
                RoleArn=role,
                DirectInternetAccess="Enabled" if index % 2 else "Disabled",
                Tags=[{"Key": "team", "Value": "bench"}],
            )
            for index in range(start, stop)
        ]
        for future in futures:
            future.result()


def _audit(clients: dict[str, Any]) -> int:
    with open(os.devnull, "w", encoding="utf-8") as sink:
        reporter = JsonReporter(sink)
        report = audit_regions(clients, GuardrailConfig(), reporter.finding, workers=WORKERS)
        reporter.finish(report)
    return report.notebooks


def _bare(clients: dict[str, Any]) -> int:
    """List every region, then describe each notebook and read its tags on the same pool."""

    def read(client: Any, name: str) -> None:
        arn = client.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceArn"]
        client.list_tags(ResourceArn=arn)

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [
            pool.submit(read, client, summary["NotebookInstanceName"])
            for client in clients.values()
            for page in client.get_paginator("list_notebook_instances").paginate()
            for summary in page["NotebookInstances"]
        ]
        wait(futures)
    return len(futures)


def _peak(action: Callable[[], int]) -> tuple[int, int]:
    """Python's peak traced memory while ``action`` runs, and what it returned."""
    tracemalloc.start()
    try:
        result = action()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def _wait_for(port: int, seconds: float = 60) -> None:
    """Return once the server accepts connections on ``port``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
