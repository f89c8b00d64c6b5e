"""The importable policies in-process: a team's config, the SDK's proxies, the import boundary."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, ResourceValidationPolicy
from pulumi_policy.proxy import unknown_checking_proxy

from sm_guardrails import GuardrailConfig, Level, UnknownPolicy
from sm_guardrails.model import Exemption
from sm_guardrails.pulumi import CONFIG_POLICY, NOTICES_POLICY, notebook_policies
from sm_guardrails.pulumi.properties import notebook_spec
from sm_guardrails.values import ABSENT, Known, Unknown

AWS = "aws:sagemaker/notebookInstance:NotebookInstance"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def run_policies(
    policies: list[ResourceValidationPolicy], props: dict[str, Any], name: str = "nb"
) -> list[tuple[str, str]]:
    """(policy name, message) of each violation, the SDK's proxy around the props."""
    reported: list[tuple[str, str]] = []
    for policy in policies:
        args = ResourceValidationArgs(
            AWS,
            unknown_checking_proxy(props),
            f"urn:pulumi:dev::p::{AWS}::{name}",
            name,
            None,
            None,  # type: ignore[arg-type]
        )
        policy.validate(args, lambda message, _urn, p=policy.name: reported.append((p, message)))
    return reported


def test_levels_of_a_team_config_become_enforcement_levels() -> None:
    config = GuardrailConfig(
        levels={"SMG-3": Level.ERROR, "SMG-1": Level.WARNING, "SMG-5": Level.OFF}
    )
    levels = {policy.name: policy.enforcement_level for policy in notebook_policies(config)}
    assert levels == {
        "smg-1-no-direct-internet-access": EnforcementLevel.ADVISORY,
        "smg-2-in-vpc": EnforcementLevel.MANDATORY,
        "smg-3-no-root-access": EnforcementLevel.MANDATORY,
        "smg-4-volume-kms-key": EnforcementLevel.ADVISORY,
        "smg-5-imdsv2-only": EnforcementLevel.DISABLED,
        CONFIG_POLICY: EnforcementLevel.MANDATORY,
        NOTICES_POLICY: EnforcementLevel.ADVISORY,
    }


def test_team_config_exemptions_and_unknown_policy_apply() -> None:
    config = GuardrailConfig(
        unknown=UnknownPolicy.WARN,
        exemptions=(Exemption("SMG-2", "lab account", resource="nb"),),
    )
    props = {"directInternetAccess": UNKNOWN, "rootAccess": "Disabled", "kmsKeyId": "k"}
    reported = run_policies(notebook_policies(config), props)
    assert [policy for policy, _ in reported] == [
        "smg-5-imdsv2-only",
        NOTICES_POLICY,
        NOTICES_POLICY,
    ]
    messages = " | ".join(message for _, message in reported)
    assert "[SMG-1] nb: directInternetAccess cannot be decided" in messages
    assert "[SMG-2] nb: subnetId is not set" in messages and "Exempted: lab account." in messages
    assert "[SMG-5] nb: instanceMetadataServiceConfiguration" in messages


def test_notices_are_per_resource() -> None:
    config = GuardrailConfig(exemptions=(Exemption("SMG-1", "why", resource="a"),))
    policies = notebook_policies(config)
    insecure = {"directInternetAccess": "Enabled", "subnetId": "s", "securityGroups": ["g"]}
    assert "smg-1-no-direct-internet-access" in {
        p for p, _ in run_policies(policies, insecure, "b")
    }
    assert not any(p == NOTICES_POLICY for p, _ in run_policies(policies, insecure, "b"))
    assert any(p == NOTICES_POLICY for p, _ in run_policies(policies, insecure, "a"))


def test_spec_reads_through_the_sdk_proxy_without_raising_on_unknowns() -> None:
    props = unknown_checking_proxy(
        {
            "directInternetAccess": UNKNOWN,
            "subnetId": "subnet-1",
            "securityGroups": [UNKNOWN, "sg-1"],
            "instanceMetadataServiceConfiguration": {
                "minimumInstanceMetadataServiceVersion": UNKNOWN
            },
            "rootAccess": None,
        }
    )
    spec = notebook_spec(AWS, props, ("nb",))
    assert isinstance(spec.direct_internet_access, Unknown)
    assert spec.subnet_id == Known("subnet-1")
    assert isinstance(spec.security_group_ids, Known)
    first, second = spec.security_group_ids.value  # type: ignore[misc]
    assert isinstance(first, Unknown) and second == Known("sg-1")
    assert isinstance(spec.minimum_imds_version, Unknown)
    assert spec.root_access is ABSENT and spec.kms_key_id is ABSENT
    assert spec.property_names["SecurityGroupIds"] == "securityGroups"


def test_importing_the_core_does_not_import_pulumi() -> None:
    code = "import sys, sm_guardrails; print(sorted(m for m in sys.modules if 'pulumi' in m))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
