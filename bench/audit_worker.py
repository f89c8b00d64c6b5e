"""One process that times ``sm-guardrails audit`` against a running moto server, and writes JSON.

``python -m bench.audit_worker ENDPOINT REPETITIONS OUT``: the notebooks must exist
already (:mod:`bench.old_new` creates them). A short warm-up first makes botocore load
its models; then each audit is timed (wall seconds) and the notebook counts written.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.audit_bench import REGIONS, WORKERS, _audit
from sm_guardrails.aws import AwsSettings, make_session, sagemaker_client


def main(argv: list[str]) -> None:
    """Warm up, time the audits, write ``{"seconds": [...], "notebooks": [...]}``."""
    endpoint, repetitions, out = argv[0], int(argv[1]), Path(argv[2])
    settings = AwsSettings(endpoint_url=endpoint, max_pool_connections=WORKERS * 2)
    session = make_session(settings)
    clients = {region: sagemaker_client(session, region, settings) for region in REGIONS}
    for client in clients.values():
        listed = client.list_notebook_instances(MaxResults=1)["NotebookInstances"]
        for summary in listed:
            client.describe_notebook_instance(NotebookInstanceName=summary["NotebookInstanceName"])
    seconds, counts = [], []
    for _ in range(repetitions):
        began = time.perf_counter()
        counts.append(_audit(clients))
        seconds.append(time.perf_counter() - began)
    out.write_text(json.dumps({"seconds": seconds, "notebooks": counts}), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
