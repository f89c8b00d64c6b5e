"""Studio domains that custom resources create: judged by the settings they pass, or
unseen (SMG-U), never passed silently; other services' ``CreateDomain`` is no domain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sm_guardrails import GuardrailConfig
from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.cloudformation.judge import judge_template
from sm_guardrails.kinds import STUDIO_DOMAIN
from tests.cloudformation.test_custom_resources import custom, function, sdk_call
from tests.cloudformation.test_held_templates import template
from tests.cloudformation.test_studio_domains import DOMAIN, write
from tests.support import run_cli

SMG_6, SMG_7 = (rule.rule_id for rule in RULES_BY_KIND[STUDIO_DOMAIN])
COMPLIANT = {key: value for key, value in DOMAIN["Properties"].items()}
OPEN = {**COMPLIANT, "AppNetworkAccessType": "PublicInternetOnly"}
PYTHON_MAKER = """\
import boto3, cfnresponse
def handler(event, context):
    boto3.client("sagemaker").create_domain(**event["ResourceProperties"]["Studio"])
    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})
"""
OPENSEARCH_MAKER = """\
import boto3
def handler(event, context):
    boto3.client("opensearch").create_domain(DomainName=event["ResourceProperties"]["Name"])
"""


def call(action: str, parameters: object, service: str = "SageMaker") -> str:
    return json.dumps({"service": service, "action": action, "parameters": parameters})


def judged(resources: dict[str, Any]) -> tuple[int, set[tuple[str, str, str]]]:
    """How many domains the template holds, and (logical id, rule, verdict) of each finding."""
    judgement = judge_template(template(resources), GuardrailConfig())
    found = {
        (item.logical_id, item.finding.rule_id, item.finding.verdict.value)
        for item in judgement.findings
    }
    return judgement.resources[STUDIO_DOMAIN], found


@pytest.mark.parametrize("action", ["createDomain", "CreateDomainCommand", "CreateDomain"])
def test_an_aws_custom_resource_creating_an_open_domain_fails_smg_6(action: str) -> None:
    assert judged({"Call": sdk_call(call(action, OPEN))}) == (1, {("Call", SMG_6, "fail")})


def test_an_aws_custom_resource_creating_a_compliant_domain_passes_and_is_counted() -> None:
    assert judged({"Call": sdk_call(call("createDomain", COMPLIANT))}) == (1, set())


def test_the_finding_says_code_creates_the_domain_and_check_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, template({"Call": sdk_call(call("createDomain", OPEN))}))
    done = run_cli("check", path)
    assert (done.returncode, done.stderr) == (1, "")
    assert f"Call: error [{SMG_6}] AppNetworkAccessType is 'PublicInternetOnly'" in done.stdout
    assert (
        "custom resource `Call` creates the domain through code the checker cannot read "
        "(its `Create` property calls SageMaker CreateDomain)"
    ) in done.stdout
    assert "0 notebook(s), 1 domain(s), 1 error(s)" in done.stdout


def test_a_call_whose_parameters_are_decided_at_deployment_fails_closed() -> None:
    parameters = {"Ref": "Settings"}
    create = {
        "Fn::Join": [
            "",
            ['{"service":"SageMaker","action":"createDomain","parameters":', parameters, "}"],
        ]
    }
    judgement = judge_template(template({"Call": sdk_call(create)}), GuardrailConfig())
    found = {(item.finding.rule_id, item.finding.verdict.value) for item in judgement.findings}
    # Nothing is known: not the access type, not even whether security groups are given.
    assert found == {(SMG_6, "unknown"), (SMG_7, "unknown")}
    assert all(item.finding.blocking for item in judgement.findings)


def test_inline_code_calling_create_domain_without_settings_is_unseen_and_fails_closed() -> None:
    resources = {"Maker": function({"ZipFile": PYTHON_MAKER}), "Made": custom(Size="large")}
    judgement = judge_template(template(resources), GuardrailConfig())
    (item,) = judgement.findings
    assert (item.logical_id, item.finding.rule_id, item.finding.blocking) == ("Made", "SMG-U", True)
    assert "the inline code of Lambda function `Maker` calls CreateDomain" in item.finding.message
    assert "its properties pass none of the domain's settings" in item.finding.message
    assert "DefaultUserSettings.SecurityGroups" in item.finding.fix
    assert STUDIO_DOMAIN.cloudformation_type in item.finding.fix


def test_settings_a_custom_resource_passes_are_judged_in_any_spelling() -> None:
    snake = {
        "app_network_access_type": "VpcOnly",
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-1"],
        "default_user_settings": {"security_groups": "sg-1"},
    }
    resources = {"Maker": function({"ZipFile": PYTHON_MAKER}), "Made": custom(Studio=snake)}
    assert judged(resources) == (1, {("Made", SMG_7, "fail")})  # groups not a list


@pytest.mark.parametrize(
    "resource",
    [
        sdk_call(call("createDomain", {"DomainName": "logs"}, service="OpenSearch")),
        sdk_call(call("createDomain", {"domain": "pkgs"}, service="@aws-sdk/client-codeartifact")),
        sdk_call(call("createDomainName", {"domainName": "api.example.com"}, "APIGateway")),
        sdk_call(call("describeDomain", {"DomainId": "d-1"})),
        custom(DomainName="logs", SubnetIds=["subnet-1"], VpcId="vpc-1"),
    ],
    ids=["opensearch-call", "codeartifact-call", "apigateway-call", "describe", "shared-names"],
)
def test_other_services_domains_are_no_studio_domain(resource: dict[str, Any]) -> None:
    assert judged({"R": resource}) == (0, set())


def test_inline_code_creating_another_services_domain_is_no_studio_domain() -> None:
    resources = {"Maker": function({"ZipFile": OPENSEARCH_MAKER}), "Made": custom(Name="logs")}
    assert judged(resources) == (0, set())
