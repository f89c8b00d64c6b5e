"""The control constructs, synthesized for real: SCP, permissions boundary, Config rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from parliament import analyze_policy_string

from sm_guardrails.catalog import Level
from sm_guardrails.cdk import (
    NotebookConfigRules,
    NotebookPermissionsBoundary,
    NotebookServiceControlPolicy,
)
from sm_guardrails.config import ConfigError, GuardrailConfig
from sm_guardrails.controls.config_rules import config_rule_specs
from sm_guardrails.controls.iam import notebook_policy
from sm_guardrails.model import Exemption

ROOT_ID = "r-abcd"
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"


def _synth(app: cdk.App, build: Any) -> dict[str, Any]:
    stack = cdk.Stack(app, "Controls")
    build(stack)
    assembly = app.synth()
    template = Path(assembly.directory) / "Controls.template.json"
    return json.loads(template.read_text(encoding="utf-8"))["Resources"]  # type: ignore[no-any-return]


def _of_type(resources: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in resources.values() if r["Type"] == resource_type]


def test_the_scp_is_attached_and_passes_parliament(app: cdk.App) -> None:
    config = GuardrailConfig(exemptions=(Exemption("SMG-1", "TICKET-1: demo", ADMIN),))
    resources = _synth(
        app,
        lambda stack: NotebookServiceControlPolicy(
            stack, "Scp", target_ids=[ROOT_ID], config=config
        ),
    )
    (policy,) = _of_type(resources, "AWS::Organizations::Policy")
    assert policy["Type"] == "SERVICE_CONTROL_POLICY"
    assert policy["TargetIds"] == [ROOT_ID]
    assert policy["Content"] == notebook_policy(config, "scp")
    assert analyze_policy_string(json.dumps(policy["Content"])).findings == []


def test_the_boundary_is_a_managed_policy(app: cdk.App) -> None:
    resources = _synth(app, lambda stack: NotebookPermissionsBoundary(stack, "Boundary"))
    (policy,) = _of_type(resources, "AWS::IAM::ManagedPolicy")
    assert policy["PolicyDocument"] == notebook_policy(GuardrailConfig(), "boundary")


def test_config_rules_follow_levels_and_everywhere_exemptions(app: cdk.App) -> None:
    config = GuardrailConfig(
        levels={"SMG-3": Level.OFF},
        exemptions=(Exemption("SMG-4", "TICKET-3: AWS-owned key accepted"),),
    )
    resources = _synth(app, lambda stack: NotebookConfigRules(stack, "Config", config=config))
    rules = _of_type(resources, "AWS::Config::ConfigRule")
    assert {
        rule["Source"]["SourceIdentifier"]: rule["Scope"]["ComplianceResourceTypes"]
        for rule in rules
    } == {
        "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS": ["AWS::SageMaker::NotebookInstance"],
        "SAGEMAKER_NOTEBOOK_INSTANCE_INSIDE_VPC": ["AWS::SageMaker::NotebookInstance"],
        "SAGEMAKER_DOMAIN_IN_VPC": ["AWS::SageMaker::Domain"],
    }
    assert all(rule["Source"]["Owner"] == "AWS" for rule in rules)


def test_every_config_rule_of_the_catalog_by_default(app: cdk.App) -> None:
    resources = _synth(app, lambda stack: NotebookConfigRules(stack, "Config"))
    assert len(_of_type(resources, "AWS::Config::ConfigRule")) == len(
        config_rule_specs(GuardrailConfig())
    )


def test_an_scp_exemption_by_construct_path_is_an_error(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Controls")
    config = GuardrailConfig(exemptions=(Exemption("SMG-1", "r", "Stack/Notebook/Resource"),))
    with pytest.raises(ConfigError, match="exemption SMG-1 for Stack/Notebook/Resource"):
        NotebookServiceControlPolicy(stack, "Scp", target_ids=[ROOT_ID], config=config)


def test_an_scp_without_targets_is_an_error(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Controls")
    with pytest.raises(ValueError, match="target_ids is empty"):
        NotebookServiceControlPolicy(stack, "Scp", target_ids=[])


def test_tag_admins_alone_may_set_a_tag_exemption_key(app: cdk.App) -> None:
    config = GuardrailConfig(exemptions=(Exemption("SMG-1", "TICKET-2", "principal-tag:team=ml"),))
    admins = ["arn:aws:iam::*:role/platform-admin/*"]
    resources = _synth(
        app,
        lambda stack: NotebookServiceControlPolicy(
            stack, "Scp", target_ids=[ROOT_ID], config=config, tag_admins=admins
        ),
    )
    (policy,) = _of_type(resources, "AWS::Organizations::Policy")
    assert policy["Content"] == notebook_policy(config, "scp", admins)
    assert policy["Content"]["Statement"][-1]["Sid"] == "ProtectExemptionTags"
