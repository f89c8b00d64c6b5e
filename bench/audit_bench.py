"""``sm-guardrails audit`` against a bare list + describe loop, on a moto server on loopback.

Both variants use the same boto3 clients and thread pool size against a moto server in
its own process, and the same calls (ListNotebookInstances and ListDomains pages, then
DescribeNotebookInstance or DescribeDomain, and ListTags, per resource); the audit also
judges every notebook and domain and streams a JSON report to /dev/null. Repetitions
are interleaved and the ratio is the median of per-repetition ratios. Peak memory is
Python's traced peak (tracemalloc) during one audit, at a quarter of the resources and
at all of them: streamed reports keep it flat, which the row states as bytes of growth
per extra resource (the absolute peak is under a MiB, so its ratio is mostly noise).
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
FLAT_BYTES_PER_RESOURCE = 512
"""The most peak memory may grow per extra resource and count as flat: one resource's
findings, kept instead of streamed, take several KiB (its JSON records alone ~1 KiB each)."""
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")
WORKERS = 8
AUDIT, BARE = "audit", "bare list+describe"


@dataclass(frozen=True)
class AuditSizes:
    """How many notebooks and domains in all, and how many repetitions."""

    notebooks: int
    domains: int
    repetitions: int

    @property
    def resources(self) -> int:
        """Notebooks and domains."""
        return self.notebooks + self.domains


FULL = AuditSizes(2000, 200, 3)
SMOKE = AuditSizes(8, 4, 1)


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
    _create(clients, 0, sizes.notebooks // 4, 0, sizes.domains // 4)
    _audit(clients)  # warm up: botocore loads its service models on the first calls
    peak_quarter, quarter = _peak(lambda: _audit(clients))
    _create(clients, sizes.notebooks // 4, sizes.notebooks, sizes.domains // 4, sizes.domains)
    peak_all, resources = _peak(lambda: _audit(clients))
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
            assert counted == sizes.resources, f"{name} read {counted} resources"
    ratio = paired_ratio(samples, AUDIT, BARE)
    growth = peak_all / peak_quarter
    per_resource = max(0, peak_all - peak_quarter) / (resources - quarter)
    rows = [
        ["audit / bare loop (wall)", f"{ratio:.2f}x", f"<= {TARGET}x", verdict(ratio <= TARGET)],
        [
            f"peak memory {quarter} -> {resources} resources",
            f"{peak_quarter / 2**20:.2f} -> {peak_all / 2**20:.2f} MiB ({growth:.2f}x), "
            f"{per_resource:.0f} bytes per extra resource",
            f"<= {FLAT_BYTES_PER_RESOURCE} bytes per resource",
            verdict(per_resource <= FLAT_BYTES_PER_RESOURCE),
        ],
    ]
    times = [
        [name, f"{median(values):.2f}", ", ".join(f"{v:.2f}" for v in values)]
        for name, values in samples.items()
    ]
    return "\n".join(
        [
            f"### Audit, {sizes.notebooks} notebooks and {sizes.domains} Studio domains in "
            f"{len(REGIONS)} regions "
            f"(moto server, {WORKERS} workers)",
            "",
            str(__doc__).strip().split("\n\n")[1].replace("\n", " "),
            "",
            table(("measure", "result", "target", "verdict"), rows),
            "",
            table(("variant", "median wall s", "runs (s)"), times),
        ]
    )


def _create(clients: dict[str, Any], start: int, stop: int, first: int, last: int) -> None:
    """Notebooks ``start`` to ``stop`` - 1 and domains ``first`` to ``last`` - 1, spread over
    the regions, half of each exposed (tagged: moto fails ListTags on an untagged domain)."""
    role = "arn:aws:iam::123456789012:role/bench"
    tags = [{"Key": "team", "Value": "bench"}]
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [
            pool.submit(
                clients[REGIONS[index % len(REGIONS)]].create_notebook_instance,
                NotebookInstanceName=f"nb-{index:05d}",
                InstanceType="ml.t3.medium",
                RoleArn=role,
                DirectInternetAccess="Enabled" if index % 2 else "Disabled",
                Tags=tags,
            )
            for index in range(start, stop)
        ]
        futures += [
            pool.submit(
                clients[REGIONS[index % len(REGIONS)]].create_domain,
                DomainName=f"studio-{index:05d}",
                AuthMode="IAM",
                DefaultUserSettings={"ExecutionRole": role, "SecurityGroups": ["sg-0bench"]},
                SubnetIds=["subnet-0bench"],
                VpcId="vpc-0bench",
                AppNetworkAccessType="PublicInternetOnly" if index % 2 else "VpcOnly",
                Tags=tags,
            )
            for index in range(first, last)
        ]
        for future in futures:
            future.result()


def _audit(clients: dict[str, Any]) -> int:
    with open(os.devnull, "w", encoding="utf-8") as sink:
        reporter = JsonReporter(sink)
        report = audit_regions(clients, GuardrailConfig(), reporter.finding, workers=WORKERS)
        reporter.finish(report)
    return sum(report.resources.values())


def _bare(clients: dict[str, Any]) -> int:
    """List every region, then describe each notebook and domain and read its tags on the
    same pool."""

    def notebook(client: Any, name: str) -> None:
        arn = client.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceArn"]
        client.list_tags(ResourceArn=arn)

    def domain(client: Any, domain_id: str) -> None:
        client.list_tags(ResourceArn=client.describe_domain(DomainId=domain_id)["DomainArn"])

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = []
        for client in clients.values():
            for page in client.get_paginator("list_notebook_instances").paginate():
                for summary in page["NotebookInstances"]:
                    futures.append(pool.submit(notebook, client, summary["NotebookInstanceName"]))
            for page in client.get_paginator("list_domains").paginate():
                for item in page["Domains"]:
                    futures.append(pool.submit(domain, client, item["DomainId"]))
        wait(futures)
        for future in futures:
            future.result()
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
