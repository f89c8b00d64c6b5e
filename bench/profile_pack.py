"""Profile the policy pack's Analyze in-process, without gRPC: CPU µs per call, and where it goes.

``python -m bench.profile_pack [--kind notebook|other] [--calls N] [--top N]``

Builds the policy SDK's analyzer servicer (a private class of pulumi-policy, fine for a
profile) around ``notebook_policies()``, around one no-op policy (the target's reference)
and around two (as many SDK policies as ours), times ``Analyze`` on the same requests,
then prints a cProfile of ours sorted by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable, Sequence

from google.protobuf import struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from bench.pack_bench import requests
from sm_guardrails.pulumi.policies import notebook_policies


def _servicer(policies: Sequence[ResourceValidationPolicy]) -> _PolicyAnalyzerServicer:
    return _PolicyAnalyzerServicer(
        "bench", "0.0.1", list(policies), EnforcementLevel.ADVISORY,
        None, None, None, None, None, None, None,
    )  # fmt: skip


def _no_op(count: int) -> list[ResourceValidationPolicy]:
    return [
        ResourceValidationPolicy(name=f"no-op-{index}", description="-", validate=lambda *_: None)
        for index in range(count)
    ]


def _requests(kind: str, count: int) -> list[analyzer_pb2.AnalyzeRequest]:
    built = []
    for resource_type, properties, urn, name in requests(kind, count):
        struct = struct_pb2.Struct()
        struct.update(properties)
        built.append(
            analyzer_pb2.AnalyzeRequest(type=resource_type, properties=struct, urn=urn, name=name)
        )
    return built


def _cpu_per_call(analyze: Callable[[analyzer_pb2.AnalyzeRequest], object], calls: list) -> float:
    for request in calls[:50]:
        analyze(request)
    began = time.process_time()
    for request in calls:
        analyze(request)
    return (time.process_time() - began) / len(calls) * 1e6


def main() -> None:
    """Print CPU µs per Analyze for each pack (3 interleaved rounds), then the profile."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=["notebook", "other"], default="notebook")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    calls = _requests(args.kind, args.calls)
    packs = {
        "sm-guardrails": _servicer(notebook_policies()),
        "1 no-op policy": _servicer(_no_op(1)),
        "2 no-op policies": _servicer(_no_op(2)),
    }
    rounds: dict[str, list[float]] = {name: [] for name in packs}
    for _ in range(3):
        for name, servicer in packs.items():
            rounds[name].append(_cpu_per_call(lambda r, s=servicer: s.Analyze(r, None), calls))
    for name, values in rounds.items():
        print(f"{name}: {sorted(values)[1]:.0f} CPU µs per Analyze ({args.kind}, in-process)")
    profile = cProfile.Profile()
    profile.enable()
    for request in calls:
        packs["sm-guardrails"].Analyze(request, None)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
