"""Notebooks that custom resources create: judged by the settings they pass, or unseen."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import botocore
import pytest

from sm_guardrails import GuardrailConfig, UnknownPolicy, Verdict
from sm_guardrails.catalog import Level
from sm_guardrails.cloudformation.judge import judge_template
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, ResourceKind
from tests.cloudformation.test_held_templates import NOTEBOOK, check, rules, stack_set, template

COMPLIANT = dict(NOTEBOOK["Properties"])
MAKER_CODE = """\
import boto3, cfnresponse
def handler(event, context):
    settings = event["ResourceProperties"]["Notebook"]
    boto3.client("sagemaker").create_notebook_instance(**settings)
    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})
"""


def function(code: object) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Handler": "index.handler",
            "Runtime": "python3.12",
            "Role": "arn:aws:iam::123456789012:role/maker",
            "Code": code,
        },
    }


def custom(kind: str = "Custom::Notebook", **properties: Any) -> dict[str, Any]:
    token = {"Fn::GetAtt": ["Maker", "Arn"]}
    return {"Type": kind, "Properties": {"ServiceToken": token, **properties}}


def sdk_call(create: object) -> dict[str, Any]:
    """What CDK's AwsCustomResource renders, with ``create`` as its ``Create`` property."""
    return {
        "Type": "Custom::AWS",
        "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["AWS679f53fac002430cb0da5b7982bd2287", "Arn"]},
            "Create": create,
            "InstallLatestAwsSdk": False,
        },
    }


def call_json(action: str, parameters: dict[str, Any]) -> str:
    return json.dumps({"service": "SageMaker", "action": action, "parameters": parameters})


def verdicts(data: dict[str, Any], config: GuardrailConfig | None = None) -> set[tuple[str, str]]:
    judgement = judge_template(data, config or GuardrailConfig())
    return {(item.finding.rule_id, item.finding.verdict.value) for item in judgement.findings}


def test_the_service_catalog_form_fails_on_its_parameter(tmp_path: Path) -> None:
    """A Custom:: resource passes DirectInternetAccess from a parameter to a Lambda."""
    data = template(
        {
            "Maker": function({"ZipFile": MAKER_CODE}),
            "Research": custom(
                NotebookInstanceName="research",
                DirectInternetAccess={"Ref": "Access"},
                RoleArn="arn:aws:iam::123456789012:role/nb",
            ),
        },
        Parameters={"Access": {"Type": "String", "AllowedValues": ["Enabled", "Disabled"]}},
    )
    report = check(tmp_path, data, GuardrailConfig())
    assert report.notebooks == 1
    assert ("Research", None, "SMG-1", "fail") in rules(report)
    message = next(i.finding.message for i in report.findings if i.finding.rule_id == "SMG-1")
    assert "through parameter `Access`" in message
    assert (
        "custom resource `Research` creates the notebook through code the checker cannot read "
        "(the inline code of Lambda function `Maker` calls CreateNotebookInstance)"
    ) in message


@pytest.mark.parametrize(
    "kind", ["Custom::Notebook", "AWS::CloudFormation::CustomResource", "Custom::AnythingElse"]
)
def test_settings_at_any_depth_and_in_any_spelling_are_judged(kind: str) -> None:
    nested = {"Config": [{"Notebook": {**COMPLIANT, "DirectInternetAccess": "Enabled"}}]}
    data = template({"Made": custom(kind, **nested)})
    assert verdicts(data) == {("SMG-1", "fail")}
    snake = {"direct_internet_access": "Disabled", "subnet_id": "subnet-1", "kms_key_id": "k"}
    snake |= {"security_group_ids": ["sg-1"], "root_access": "Disabled"}
    snake["instance_metadata_service_configuration"] = {
        "minimum_instance_metadata_service_version": "2"
    }
    assert verdicts(template({"Made": custom(kind, Settings=snake)})) == set()
    assert (
        judge_template(
            template({"Made": custom(kind, Settings=snake)}), GuardrailConfig()
        ).resources[NOTEBOOK_INSTANCE]
        == 1
    )


def test_a_compliant_custom_resource_counts_as_a_notebook_and_passes() -> None:
    data = template(
        {"Maker": function({"ZipFile": MAKER_CODE}), "Made": custom(Notebook=COMPLIANT)}
    )
    judgement = judge_template(data, GuardrailConfig())
    assert (judgement.resources[NOTEBOOK_INSTANCE], judgement.findings) == (1, [])


def test_code_that_creates_a_notebook_without_settings_is_unseen_and_fails_closed() -> None:
    data = template({"Maker": function({"ZipFile": MAKER_CODE}), "Made": custom(Size="large")})
    judgement = judge_template(data, GuardrailConfig())
    (item,) = judgement.findings
    assert judgement.resources[NOTEBOOK_INSTANCE] == 1
    assert (item.logical_id, item.finding.rule_id) == ("Made", "SMG-U")
    assert (item.finding.verdict, item.finding.level) == (Verdict.UNKNOWN, Level.ERROR)
    assert "its properties pass none of the notebook's settings" in item.finding.message
    assert "sm-guardrails policy scp" in item.finding.fix
    relaxed = GuardrailConfig(unknown=UnknownPolicy.WARN)
    assert judge_template(data, relaxed).findings[0].finding.level is Level.WARNING


def test_the_code_is_found_through_a_provider_framework() -> None:
    """CDK's Provider: the token names the framework, whose environment names the user's code."""
    framework = function({"S3Bucket": "assets", "S3Key": "framework.zip"})
    framework["Properties"]["Environment"] = {
        "Variables": {"USER_ON_EVENT_FUNCTION_ARN": {"Fn::GetAtt": ["User", "Arn"]}}
    }
    code = {"Fn::Join": ["\n", ["import boto3", "sm.createNotebookInstance(params)"]]}
    resources = {"Framework": framework, "User": function({"ZipFile": code})}
    made = {
        "Type": "AWS::CloudFormation::CustomResource",
        "Properties": {"ServiceToken": {"Fn::GetAtt": ["Framework", "Arn"]}},
    }
    assert verdicts(template({**resources, "Made": made})) == {("SMG-U", "unknown")}
    made["Properties"]["ServiceToken"] = {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
        "${Framework}"
    }
    assert verdicts(template({**resources, "Made": made})) == {("SMG-U", "unknown")}


def test_an_aws_custom_resource_call_is_judged_by_its_parameters() -> None:
    compliant = call_json("createNotebookInstance", COMPLIANT)
    assert verdicts(template({"Call": sdk_call(compliant)})) == set()
    open_call = call_json(
        "CreateNotebookInstanceCommand", {**COMPLIANT, "DirectInternetAccess": "Enabled"}
    )
    assert verdicts(template({"Call": sdk_call(open_call)})) == {("SMG-1", "fail")}
    bare = call_json("createNotebookInstance", {"NotebookInstanceName": "x"})
    assert ("SMG-1", "fail") in verdicts(template({"Call": sdk_call(bare)}))
    as_mapping = json.loads(open_call)  # how the call was written before it was a string
    assert verdicts(template({"Call": sdk_call(as_mapping)})) == {("SMG-1", "fail")}


def test_an_aws_custom_resource_call_with_deploy_time_values_as_cdk_renders_it() -> None:
    """CDK splices tokens into the JSON: in a string, or as a whole value (a list)."""
    head = call_json("createNotebookInstance", {**COMPLIANT, "DirectInternetAccess": "@"})
    before, after = head.split('"@"')
    groups = {"Fn::GetAtt": ["CdkJsonStringifyGroups", "Value"]}
    before_groups, after_groups = after.split('["sg-1"]')
    create = {
        "Fn::Join": [
            "",
            [before + '"', {"Ref": "Access"}, '"' + before_groups, groups, after_groups],
        ]
    }
    parameters = {"Access": {"Type": "String", "AllowedValues": ["Disabled", "Enabled"]}}
    assert verdicts(template({"Call": sdk_call(create)}, Parameters=parameters)) == {
        ("SMG-1", "fail")
    }
    parameters["Access"]["AllowedValues"] = ["Disabled"]
    assert verdicts(template({"Call": sdk_call(create)}, Parameters=parameters)) == set()


def test_an_aws_custom_resource_call_decided_at_deployment_is_unseen() -> None:
    create = {
        "Fn::Sub": ['{"action":"createNotebookInstance","parameters":${P}}', {"P": {"Ref": "P"}}]
    }
    judgement = judge_template(template({"Call": sdk_call(create)}), GuardrailConfig())
    (item,) = judgement.findings
    assert (item.finding.rule_id, item.finding.verdict) == ("SMG-U", Verdict.UNKNOWN)
    assert "the call's parameters are decided at deployment" in item.finding.message


@pytest.mark.parametrize(
    "resource",
    [
        sdk_call(call_json("createEndpoint", {"EndpointName": "e", "EndpointConfigName": "c"})),
        sdk_call(call_json("describeNotebookInstance", {"NotebookInstanceName": "x"})),
        sdk_call(
            json.dumps({"action": "tagResource", "parameters": {"Note": "CreateNotebookInstance"}})
        ),
        custom(EndpointName="e", InstanceType="ml.m5.large", KmsKeyId="k"),
        sdk_call(call_json("createNotebookInstanceLifecycleConfig", {"OnCreate": []})),
        custom(Script="#!/bin/sh"),
    ],
    ids=[
        "endpoint-call",
        "describe-call",
        "other-call-mentioning-it",
        "endpoint",
        "lifecycle-config-call",
        "lifecycle-config-code",
    ],
)
def test_custom_resources_that_only_mention_sagemaker_create_nothing_judged(
    resource: dict[str, Any],
) -> None:
    code = {
        "ZipFile": "import boto3\nsm = boto3.client('sagemaker')\nsm.create_endpoint(**p)\n"
        "sm.create_notebook_instance_lifecycle_config(**p)"
    }
    judgement = judge_template(
        template({"Maker": function(code), "R": resource}), GuardrailConfig()
    )
    assert (dict(judgement.resources), judgement.findings) == ({}, [])


def test_the_custom_resource_honours_its_exemptions() -> None:
    made = custom(Notebook={**COMPLIANT, "RootAccess": "Enabled"})
    made["Metadata"] = {"sm-guardrails": {"exemptions": [{"rule": "SMG-3", "reason": "T-1"}]}}
    (item,) = judge_template(template({"Made": made}), GuardrailConfig()).findings
    assert (item.finding.rule_id, item.finding.exemption) == ("SMG-3", "T-1")


def test_a_custom_resource_in_a_stack_set_body_is_judged(tmp_path: Path) -> None:
    body = template({"Made": custom(DirectInternetAccess="Enabled", **{"SubnetId": "s"})})
    report = check(tmp_path, template({"Rollout": stack_set(json.dumps(body))}))
    assert report.notebooks == 1
    assert ("Rollout", "Made", "SMG-1", "fail") in rules(report)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.short_noun)
def test_the_settings_that_show_a_kind_are_taken_only_by_its_apis(kind: ResourceKind) -> None:
    """Each setting that makes a custom resource's properties a kind's settings is a
    member of its create request that no other SageMaker operation (but the kind's own:
    ``CreateDomain``, ``UpdateDomain``) takes."""
    model_file = Path(botocore.__file__).parent / "data/sagemaker/2017-07-24/service-2.json.gz"
    model = json.loads(gzip.decompress(model_file.read_bytes()))
    shapes, takers = model["shapes"], {}
    for operation, spec in model["operations"].items():
        pending, seen = [spec["input"]["shape"]] if "input" in spec else [], set()
        while pending:
            shape = shapes[pending.pop()]
            for member, target in shape.get("members", {}).items():
                takers.setdefault(member, set()).add(operation)
                if target["shape"] not in seen:
                    seen.add(target["shape"])
                    pending.append(target["shape"])
            for key in ("member", "key", "value"):
                if key in shape and shape[key]["shape"] not in seen:
                    seen.add(shape[key]["shape"])
                    pending.append(shape[key]["shape"])
    create = "".join(word.capitalize() for word in kind.api.create_operation.split("_"))
    noun = create.removeprefix("Create")
    create_members = set(shapes[model["operations"][create]["input"]["shape"]]["members"])
    assert kind.distinctive_settings
    for setting in kind.distinctive_settings:
        assert setting in create_members
        assert all(noun in operation for operation in takers[setting]), setting


def test_custom_resources_a_loop_generates_are_each_judged_with_their_loop() -> None:
    loop = ["Team", ["Alpha", "Beta"], {"NB${Team}": custom(DirectInternetAccess="Enabled")}]
    data = template({"Fn::ForEach::Teams": loop}, Transform="AWS::LanguageExtensions")
    judgement = judge_template(data, GuardrailConfig())
    assert judgement.resources[NOTEBOOK_INSTANCE] == 2
    smg1 = {(i.logical_id, i.loops) for i in judgement.findings if i.finding.rule_id == "SMG-1"}
    assert smg1 == {("NBAlpha", ("Fn::ForEach::Teams",)), ("NBBeta", ("Fn::ForEach::Teams",))}
