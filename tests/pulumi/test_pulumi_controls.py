"""The control components under Pulumi's mocks: resources, parents, outputs, levels."""

from __future__ import annotations

import json

import pytest

from sm_guardrails.catalog import Level
from sm_guardrails.config import ConfigError, GuardrailConfig
from sm_guardrails.controls.iam import notebook_policy
from sm_guardrails.model import Exemption
from sm_guardrails.pulumi import (
    NotebookConfigRules,
    NotebookPermissionsBoundary,
    NotebookServiceControlPolicy,
)
from sm_guardrails.pulumi.controls import (
    BOUNDARY_COMPONENT_TYPE,
    CONFIG_RULES_COMPONENT_TYPE,
    SCP_COMPONENT_TYPE,
)
from sm_guardrails.pulumi.harness import ProgramMocks, RegisteredResource, run_with_mocks


def _run(program: object) -> list[RegisteredResource]:
    return run_with_mocks(program, mocks=ProgramMocks(preview=False))  # type: ignore[arg-type]


def _component(resources: list[RegisteredResource], token: str) -> RegisteredResource:
    (component,) = [r for r in resources if r.resource_type == token]
    return component


def test_the_scp_is_attached_to_each_target() -> None:
    resources = _run(lambda: NotebookServiceControlPolicy("scp", target_ids=["r-abcd", "ou-1"]))
    component = _component(resources, SCP_COMPONENT_TYPE)
    (policy,) = [r for r in resources if r.resource_type == "aws:organizations/policy:Policy"]
    assert policy.parent == component.urn
    assert json.loads(policy.inputs["content"]) == notebook_policy(GuardrailConfig(), "scp")
    assert policy.inputs["type"] == "SERVICE_CONTROL_POLICY"
    attachments = [
        r
        for r in resources
        if r.resource_type == "aws:organizations/policyAttachment:PolicyAttachment"
    ]
    assert {a.inputs["targetId"] for a in attachments} == {"r-abcd", "ou-1"}
    assert {a.parent for a in attachments} == {component.urn}
    assert "policy_id" in component.outputs


def test_the_boundary_is_an_iam_policy() -> None:
    resources = _run(lambda: NotebookPermissionsBoundary("boundary"))
    component = _component(resources, BOUNDARY_COMPONENT_TYPE)
    (policy,) = [r for r in resources if r.resource_type == "aws:iam/policy:Policy"]
    assert policy.parent == component.urn
    assert json.loads(policy.inputs["policy"]) == notebook_policy(GuardrailConfig(), "boundary")
    assert "arn" in component.outputs


def test_config_rules_follow_the_levels() -> None:
    config = GuardrailConfig(levels={"SMG-2": Level.OFF})
    resources = _run(lambda: NotebookConfigRules("config", config=config))
    component = _component(resources, CONFIG_RULES_COMPONENT_TYPE)
    rules = [r for r in resources if r.resource_type == "aws:cfg/rule:Rule"]
    assert {r.inputs["source"]["sourceIdentifier"] for r in rules} == {
        "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS",
        "SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK",
        "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED",
        "SAGEMAKER_DOMAIN_IN_VPC",
    }
    (domain,) = [r for r in rules if r.inputs["name"] == "sagemaker-domain-in-vpc"]
    assert domain.inputs["scope"]["complianceResourceTypes"] == ["AWS::SageMaker::Domain"]
    assert {r.parent for r in rules} == {component.urn}
    assert all(r.inputs["source"]["owner"] == "AWS" for r in rules)


def test_an_scp_exemption_by_urn_is_an_error() -> None:
    urn = "urn:pulumi:dev::app::aws:sagemaker/notebookInstance:NotebookInstance::nb"
    config = GuardrailConfig(exemptions=(Exemption("SMG-1", "TICKET-1", urn),))
    with pytest.raises(ConfigError, match=f"exemption SMG-1 for {urn}"):
        NotebookServiceControlPolicy("scp", target_ids=["r-abcd"], config=config)


def test_tag_admins_alone_may_set_a_tag_exemption_key() -> None:
    config = GuardrailConfig(exemptions=(Exemption("SMG-1", "TICKET-2", "principal-tag:team=ml"),))
    admins = ["arn:aws:iam::*:role/platform-admin/*"]
    resources = _run(
        lambda: NotebookServiceControlPolicy(
            "scp", target_ids=["r-abcd"], config=config, tag_admins=admins
        )
    )
    (policy,) = [r for r in resources if r.resource_type == "aws:organizations/policy:Policy"]
    content = json.loads(policy.inputs["content"])
    assert content == notebook_policy(config, "scp", admins)
    assert content["Statement"][-1]["Sid"] == "ProtectExemptionTags"
