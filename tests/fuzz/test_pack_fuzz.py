"""The policy pack over gRPC with random property structs: it answers, agrees with the core, lives.

Each example is sent the way the engine sends it (a protobuf Struct, unknowns as the
engine's sentinel, secrets wrapped in the secret signature). Every response must be a
list of diagnostics, each naming its rule with a fix, with exactly the rules the rule
core judges non-passing on the same struct as received; the pack must stay up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc  # type: ignore[import-untyped]
import pytest
from google.protobuf import json_format, struct_pb2  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sm_guardrails.evaluation import evaluate
from sm_guardrails.kinds import KINDS_BY_PULUMI_TYPE
from sm_guardrails.pulumi.engine import AnalyzerClient, PolicyPackProcess
from sm_guardrails.pulumi.properties import resource_spec
from sm_guardrails.rules import Verdict

PACK_DIR = Path(__file__).resolve().parents[2] / "policypack"
EXAMPLES = 2000
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_TYPES = [*KINDS_BY_PULUMI_TYPE, "aws:s3/bucket:Bucket"]
KEYS = [
    "directInternetAccess",
    "subnetId",
    "securityGroups",
    "securityGroupIds",
    "rootAccess",
    "kmsKeyId",
    "instanceMetadataServiceConfiguration",
    "minimumInstanceMetadataServiceVersion",
    "__defaults",
    SECRET_KEY,
    "value",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        ["Disabled", "Enabled", "disabled", " Disabled", "", " ", "2", "sg-1", "subnet-1", UNKNOWN]
    ),
    st.just(SECRET_SIGNATURE),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5
        ),
        children.map(lambda secret: {SECRET_KEY: SECRET_SIGNATURE, "value": secret}),
    ),
    max_leaves=30,
)
props = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), values, max_size=8)
MALFORMED_WIRE_VALUE = "when unmarshaling resource property"
"""How the policy SDK rejects a value the engine never sends (a secret without its value)."""


@pytest.fixture(scope="module")
def pack() -> Iterator[tuple[PolicyPackProcess, AnalyzerClient]]:
    """The policy pack, started once as the engine starts it, configured with defaults."""
    with PolicyPackProcess(PACK_DIR) as process:
        client = AnalyzerClient(process.port)
        client.configure({})
        yield process, client
        client.close()


def _as_received(properties: dict[str, Any]) -> dict[str, Any]:
    """``properties`` after the trip through a protobuf Struct (numbers become doubles)."""
    struct = struct_pb2.Struct()
    struct.update(properties)
    received: dict[str, Any] = json_format.MessageToDict(struct)
    return received


def _core_rules(resource_type: str, properties: dict[str, Any]) -> set[str]:
    """The rules the core judges non-passing on ``properties``."""
    if resource_type not in KINDS_BY_PULUMI_TYPE:
        return set()
    spec = resource_spec(resource_type, properties, ("fuzz",))
    return {f.rule_id for f in evaluate(spec) if f.verdict is not Verdict.PASS}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(resource_type=st.sampled_from(RESOURCE_TYPES), properties=props)
def test_random_structs_get_diagnostics_that_match_the_core(
    pack: tuple[PolicyPackProcess, AnalyzerClient], resource_type: str, properties: dict[str, Any]
) -> None:
    _, client = pack
    urn = f"urn:pulumi:fuzz::notebooks::{resource_type}::fuzz"
    try:
        diagnostics = client.analyze(resource_type, properties, urn, "fuzz")
    except grpc.RpcError as error:
        assert MALFORMED_WIRE_VALUE in error.details(), error.details()
        return
    for diagnostic in diagnostics:
        assert diagnostic.message.count("[SMG-") >= 1 and "Fix:" in diagnostic.message
        assert "Traceback" not in diagnostic.message
    reported = {d.message.split("[", 1)[1][:5] for d in diagnostics}
    assert reported == _core_rules(resource_type, _as_received(properties))


def test_pack_is_alive_after_fuzzing(pack: tuple[PolicyPackProcess, AnalyzerClient]) -> None:
    process, client = pack
    assert process._process is not None and process._process.poll() is None
    assert client.info().name == "sm-guardrails"


@pytest.mark.parametrize(
    "properties",
    [
        {"directInternetAccess": [[[[[[[[[[[[[[[["Disabled"]]]]]]]]]]]]]]]]},
        {"securityGroups": ["sg-1"] * 50_000},
        {"subnetId": "s" * 1_000_000},
        {"instanceMetadataServiceConfiguration": {SECRET_KEY: SECRET_SIGNATURE, "value": UNKNOWN}},
    ],
    ids=["deep-list", "many-groups", "megabyte-subnet", "secret-unknown"],
)
def test_extreme_structs_are_answered(
    pack: tuple[PolicyPackProcess, AnalyzerClient], properties: dict[str, Any]
) -> None:
    resource_type = "aws:sagemaker/notebookInstance:NotebookInstance"
    urn = f"urn:pulumi:fuzz::notebooks::{resource_type}::big"
    diagnostics = pack[1].analyze(resource_type, properties, urn, "big")
    reported = {d.message.split("[", 1)[1][:5] for d in diagnostics}
    assert reported == _core_rules(resource_type, _as_received(properties))


@pytest.mark.parametrize("with_value", [False, True])
def test_top_level_secret_signature_is_answered(
    pack: tuple[PolicyPackProcess, AnalyzerClient], with_value: bool
) -> None:
    """Top-level keys are property names, even the secret signature (a fuzz finding, fixed)."""
    resource_type = "aws:sagemaker/notebookInstance:NotebookInstance"
    properties: dict[str, Any] = {SECRET_KEY: SECRET_SIGNATURE}
    if with_value:
        properties["value"] = "Disabled"
    urn = f"urn:pulumi:fuzz::notebooks::{resource_type}::top"
    diagnostics = pack[1].analyze(resource_type, properties, urn, "top")
    assert {d.message.split("[", 1)[1][:5] for d in diagnostics} >= {"SMG-1", "SMG-2"}
