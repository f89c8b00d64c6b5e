"""The importable policies in-process: a team's defaults, the config schema and cache, proxies."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)
from pulumi_policy.proxy import unknown_checking_proxy

import sm_guardrails.pulumi.policies as policies_module
from sm_guardrails import GuardrailConfig, Level, UnknownPolicy, UnseenPolicy
from sm_guardrails.catalog import RULES
from sm_guardrails.config import LEVEL_WORDS
from sm_guardrails.config_reader import CONFIG_KEYS
from sm_guardrails.model import Exemption
from sm_guardrails.pulumi import ADVISORY_POLICY, MAIN_POLICY, notebook_policies
from sm_guardrails.pulumi.pack_config import read_pack_settings
from sm_guardrails.pulumi.properties import resource_spec
from sm_guardrails.values import ABSENT, Known, Unknown

AWS = "aws:sagemaker/notebookInstance:NotebookInstance"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
INSECURE = {"directInternetAccess": "Enabled", "subnetId": "s", "securityGroups": ["g"]}
"""Fails SMG-1 (mandatory by default) and SMG-3 to SMG-5 (advisory by default)."""


def run_policies(
    policies: list[ResourceValidationPolicy],
    props: dict[str, Any],
    name: str = "nb",
    config: Mapping[str, Any] | None = None,
    resource_type: str = AWS,
) -> list[tuple[str, str]]:
    """(policy name, message) of each violation, in order, the SDK's proxy around the props.

    ``config`` is the main policy's config, as the SDK hands it (the advisory has none).
    """
    reported: list[tuple[str, str]] = []
    for policy in policies:
        args = ResourceValidationArgs(
            resource_type,
            unknown_checking_proxy(props),
            f"urn:pulumi:dev::p::{resource_type}::{name}",
            name,
            None,  # type: ignore[arg-type]
            None,
            dict(config or {}) if policy.name == MAIN_POLICY else None,
        )
        policy.validate(args, lambda message, _urn, p=policy.name: reported.append((p, message)))
    return reported


def by_rule(reported: list[tuple[str, str]]) -> dict[str, str]:
    """The policy that reported each rule (``SMG-1: sm-guardrails``), by the message's rule id."""
    found: dict[str, str] = {}
    for policy, message in reported:
        rule_id = message[1 : message.index("]")]
        assert rule_id not in found, reported
        found[rule_id] = policy
    return found


def test_two_policies_main_first() -> None:
    main, advisory = notebook_policies()
    assert (main.name, main.enforcement_level, main.severity) == (
        MAIN_POLICY,
        EnforcementLevel.MANDATORY,
        Severity.HIGH,
    )
    assert (advisory.name, advisory.enforcement_level) == (
        ADVISORY_POLICY,
        EnforcementLevel.ADVISORY,
    )
    assert advisory.severity in (Severity.MEDIUM, Severity.LOW)
    assert advisory.config_schema is None
    assert "directInternetAccess" in (main.remediation_steps or "")


def test_config_schema_describes_what_the_reader_accepts() -> None:
    [main, _] = notebook_policies()
    assert main.config_schema is not None
    schema = main.config_schema.properties
    assert set(schema) == set(CONFIG_KEYS)
    assert schema["tag_exemptions"]["type"] == "boolean"
    assert schema["unseen"]["enum"] == ["notice", "error"]
    levels = schema["levels"]
    assert levels["additionalProperties"] is False
    assert set(levels["properties"]) == {rule.rule_id for rule in RULES}
    words = {word for rule in levels["properties"].values() for word in rule["enum"]}
    assert words == {"error", "warning", "off", "mandatory", "advisory", "disabled"}
    assert schema["unknown"]["enum"] == ["fail", "warn"]
    item = schema["exemptions"]["items"]
    assert item["required"] == ["rule", "resource", "reason"]
    assert item["additionalProperties"] is False
    assert item["properties"]["resource"]["minLength"] == 1
    assert item["properties"]["reason"]["minLength"] == 1
    # Every value the schema allows, the reader takes without a problem.
    for rule_id in item["properties"]["rule"]["enum"]:
        for word in levels["properties"][rule_id]["enum"]:
            raw = {
                "levels": {rule_id: word},
                "unknown": "warn",
                "exemptions": [{"rule": rule_id, "resource": "nb", "reason": "r"}],
            }
            settings = read_pack_settings(raw, "config")
            assert settings.problems == ()
            assert settings.levels == {rule_id: LEVEL_WORDS[word]}
            assert settings.exemptions == (Exemption(rule_id, "r", resource="nb"),)


def test_the_documented_pack_config_is_read_without_a_problem() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "pulumi.md").read_text()
    [example] = [
        json.loads(block)
        for block in re.findall(r"```json\n(.*?)```", docs, re.DOTALL)
        if MAIN_POLICY in json.loads(block)
    ]
    settings = read_pack_settings(example[MAIN_POLICY], "docs")
    assert settings.problems == ()
    assert settings.levels == {"SMG-3": Level.ERROR, "SMG-5": Level.OFF}
    assert settings.unseen is UnseenPolicy.NOTICE
    assert [e.rule_id for e in settings.exemptions] == ["SMG-1"]


def test_a_team_config_sets_the_defaults() -> None:
    config = GuardrailConfig(
        levels={"SMG-3": Level.ERROR, "SMG-1": Level.WARNING, "SMG-5": Level.OFF}
    )
    reported = run_policies(notebook_policies(config), INSECURE)
    assert by_rule(reported) == {
        "SMG-1": ADVISORY_POLICY,
        "SMG-3": MAIN_POLICY,
        "SMG-4": ADVISORY_POLICY,
    }
    # The policies keep their levels: which rule blocks is decided per finding.
    assert [p.enforcement_level for p in notebook_policies(config)] == [
        EnforcementLevel.MANDATORY,
        EnforcementLevel.ADVISORY,
    ]


def test_team_config_exemptions_and_unknown_policy_apply() -> None:
    config = GuardrailConfig(
        unknown=UnknownPolicy.WARN,
        exemptions=(Exemption("SMG-2", "lab account", resource="nb"),),
    )
    props = {"directInternetAccess": UNKNOWN, "rootAccess": "Disabled", "kmsKeyId": "k"}
    reported = run_policies(notebook_policies(config), props)
    assert by_rule(reported) == {
        "SMG-1": ADVISORY_POLICY,
        "SMG-2": ADVISORY_POLICY,
        "SMG-5": ADVISORY_POLICY,
    }
    messages = " | ".join(message for _, message in reported)
    assert "[SMG-1] nb: directInternetAccess cannot be decided" in messages
    assert "[SMG-2] nb: subnetId is not set" in messages and "Exempted: lab account." in messages


def test_the_pack_config_overrides_the_team_config() -> None:
    team = GuardrailConfig(
        levels={"SMG-3": Level.ERROR, "SMG-4": Level.OFF},
        unknown=UnknownPolicy.WARN,
        exemptions=(Exemption("SMG-1", "team-wide", resource="nb"),),
    )
    pack = {
        "levels": {"SMG-3": "advisory", "SMG-5": "off"},
        "unknown": "fail",
        "exemptions": [{"rule": "SMG-2", "resource": "nb", "reason": "pack"}],
    }
    props = {"directInternetAccess": "Enabled", "rootAccess": UNKNOWN}
    reported = run_policies(notebook_policies(team), props, config=pack)
    assert by_rule(reported) == {
        "SMG-1": ADVISORY_POLICY,  # the team's exemption still applies
        "SMG-2": ADVISORY_POLICY,  # the pack's exemption is added
        "SMG-3": ADVISORY_POLICY,  # the pack's level wins
    }  # SMG-4: the team's 'off' stays; SMG-5: the pack's 'off'
    [smg3] = [message for _, message in reported if message.startswith("[SMG-3]")]
    assert "cannot be decided" in smg3 and "fail closed" not in smg3
    # The pack's unknown: fail wins over the team's warn (no exemption applies to "other").
    other = run_policies(notebook_policies(team), {"directInternetAccess": UNKNOWN}, "other", pack)
    assert by_rule(other)["SMG-1"] == MAIN_POLICY


def test_unknown_from_the_team_config_applies_when_the_pack_config_does_not_say() -> None:
    team = GuardrailConfig(levels={"SMG-3": Level.ERROR}, unknown=UnknownPolicy.WARN)
    reported = run_policies(notebook_policies(team), {"rootAccess": UNKNOWN}, config={"levels": {}})
    assert by_rule(reported)["SMG-3"] == ADVISORY_POLICY


def test_what_is_handed_over_stays_with_its_resource() -> None:
    main, advisory = notebook_policies(
        GuardrailConfig(exemptions=(Exemption("SMG-1", "why", "a"),))
    )
    assert by_rule(run_policies([main, advisory], INSECURE, "b"))["SMG-1"] == MAIN_POLICY
    assert by_rule(run_policies([main, advisory], INSECURE, "a"))["SMG-1"] == ADVISORY_POLICY
    # Judged as "a", then the advisory asked about "b": nothing of a's is shown for b.
    run_policies([main], INSECURE, "a")
    assert run_policies([advisory], INSECURE, "b") == []
    # And what was not taken does not show up later.
    assert run_policies([advisory], INSECURE, "a") == []


def test_non_notebooks_are_not_judged_and_get_no_config_problem() -> None:
    reported = run_policies(
        notebook_policies(),
        {"bucket": "b"},
        config={"nonsense": 1},
        resource_type="aws:s3/bucket:Bucket",
    )
    assert reported == []


@pytest.mark.parametrize(
    "config",
    [
        {"levels": {1: "error", "SMG-9": "off"}},  # keys of two types: no canonical JSON key
        {"exemptions": {"nb"}},  # a set: not JSON at all
        {"levels": None, "unknown": ["warn"], "exemptions": [None, 3, [], {"rule": []}]},
        {"exemptions": [{"rule": "SMG-1", "resource": 5, "reason": {"why": "x"}}]},
        {"levels": {"SMG-1": ["error"]}, "extra": "mandatory"},
    ],
)
def test_any_config_is_reported_never_raised(config: dict[str, Any]) -> None:
    reported = run_policies(notebook_policies(), INSECURE, config=config)
    problems = [m for p, m in reported if p == MAIN_POLICY and m.startswith("[SMG-0] ")]
    assert problems and all('policy pack config "sm-guardrails"' in m for m in problems)
    # The rest is judged under the defaults.
    assert by_rule([item for item in reported if not item[1].startswith("[SMG-0]")]) == {
        "SMG-1": MAIN_POLICY,
        "SMG-3": ADVISORY_POLICY,
        "SMG-4": ADVISORY_POLICY,
        "SMG-5": ADVISORY_POLICY,
    }


def test_the_config_is_read_once_per_distinct_config(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Mapping[str, Any]] = []

    def counting(raw: Mapping[str, Any], where: str) -> Any:
        reads.append(raw)
        return read_pack_settings(raw, where)

    monkeypatch.setattr(policies_module, "read_pack_settings", counting)
    policies = notebook_policies()
    first = {"levels": {"SMG-3": "error"}, "unknown": "warn"}
    for name in ("a", "b", "c"):
        run_policies(policies, INSECURE, name, config=first)
    # An equal config in another object (the SDK hands a copy each call), keys reordered.
    run_policies(policies, INSECURE, config={"unknown": "warn", "levels": {"SMG-3": "error"}})
    assert len(reads) == 1
    second = run_policies(policies, INSECURE, config={"levels": {"SMG-3": "off"}})
    assert len(reads) == 2 and "SMG-3" not in by_rule(second)
    # 1 and True are equal in Python but not the same config.
    run_policies(policies, INSECURE, config={"unknown": 1})
    reported = run_policies(policies, INSECURE, config={"unknown": True})
    assert len(reads) == 4
    assert any("unknown: True is not" in message for _, message in reported)
    # No config at all is the defaults, never read.
    run_policies(policies, INSECURE, config={})
    assert len(reads) == 4


def _without_target(item: Any) -> Any:
    if isinstance(item, Mapping):
        return _WithoutTarget(item)
    if isinstance(item, Sequence) and not isinstance(item, str):
        return _ListWithoutTarget(item)
    return item


class _WithoutTarget(Mapping[str, Any]):
    """A proxy like the SDK's (raising on unknowns) that does not hand out ``__target``."""

    def __init__(self, proxy: Mapping[str, Any]) -> None:
        self._proxy = proxy

    def __getitem__(self, key: str) -> Any:
        if key == "__target":
            raise KeyError(key)
        return _without_target(self._proxy[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._proxy)

    def __len__(self) -> int:
        return len(self._proxy)


class _ListWithoutTarget(Sequence[Any]):
    """The list counterpart of :class:`_WithoutTarget`."""

    def __init__(self, proxy: Sequence[Any]) -> None:
        self._proxy = proxy

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, int):
            raise TypeError(index)
        return _without_target(self._proxy[index])

    def __len__(self) -> int:
        return len(self._proxy)


@pytest.mark.parametrize("wrap", [lambda proxy: proxy, _WithoutTarget], ids=["sdk", "no-target"])
def test_spec_reads_through_the_sdk_proxy_without_raising_on_unknowns(
    wrap: Callable[[Mapping[str, Any]], Mapping[str, Any]],
) -> None:
    """The SDK's proxy is read through the data it wraps, any other mapping key by key."""
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    props = wrap(
        unknown_checking_proxy(
            {
                "directInternetAccess": UNKNOWN,
                "subnetId": "subnet-1",
                "securityGroups": [UNKNOWN, "sg-1"],
                "instanceMetadataServiceConfiguration": {
                    "minimumInstanceMetadataServiceVersion": UNKNOWN
                },
                "rootAccess": None,
                "kmsKeyId": {**secret, "value": "alias/k"},
            }
        )
    )
    spec = resource_spec(AWS, props, ("nb",))
    assert isinstance(spec.value("DirectInternetAccess"), Unknown)
    assert spec.value("SubnetId") == Known("subnet-1")
    assert isinstance(spec.value("SecurityGroupIds"), Known)
    first, second = spec.value("SecurityGroupIds").value  # type: ignore[misc]
    assert isinstance(first, Unknown) and second == Known("sg-1")
    assert isinstance(spec.value("MinimumInstanceMetadataServiceVersion"), Unknown)
    assert spec.value("RootAccess") is ABSENT and spec.value("KmsKeyId") == Known("alias/k")
    assert spec.spelled("SecurityGroupIds") == "securityGroups"


def test_plain_props_are_read_as_they_are_whatever_their_keys() -> None:
    props = {"__target": {"directInternetAccess": "Disabled"}, "directInternetAccess": "Enabled"}
    spec = resource_spec(AWS, props, ("nb",))
    assert spec.value("DirectInternetAccess") == Known("Enabled")


def test_importing_the_core_does_not_import_pulumi() -> None:
    code = "import sys, sm_guardrails; print(sorted(m for m in sys.modules if 'pulumi' in m))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
