"""``enforce(app)`` on notebooks that custom resources create, as ``cdk synth`` renders them."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr

from sm_guardrails.cdk import enforce
from tests.cdk.helpers import synth

MAKER_CODE = (
    "import boto3\n"
    "def handler(event, context):\n"
    "    boto3.client('sagemaker').create_notebook_instance(NotebookInstanceName='lab',\n"
    "        InstanceType='ml.t3.medium', RoleArn=event['ResourceProperties']['Role'])\n"
)


def test_code_that_creates_a_notebook_without_its_settings_fails_synth(app: cdk.App) -> None:
    """A Provider's user function (inline code) calls the API; no setting is passed."""
    enforce(app)
    stack = cdk.Stack(app, "Lab")
    maker = lambda_.Function(
        stack,
        "Maker",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline(MAKER_CODE),
    )
    provider = cr.Provider(stack, "Provider", on_event_handler=maker)
    cdk.CustomResource(
        stack, "Notebook", service_token=provider.service_token, properties={"Role": "r"}
    )
    result = synth(app)
    (violation,) = result.violations
    assert (violation.rule, violation.severity, violation.path) == (
        "SMG-U",
        "error",
        "Lab/Notebook/Default",
    )
    assert "creates the notebook through code the checker cannot read" in violation.description
    assert result.error is not None


def test_an_sdk_call_of_another_sagemaker_api_passes(app: cdk.App) -> None:
    enforce(app)
    stack = cdk.Stack(app, "Lab")
    call = cr.AwsSdkCall(
        service="SageMaker",
        action="describeNotebookInstance",
        parameters={"NotebookInstanceName": "lab"},
        physical_resource_id=cr.PhysicalResourceId.of("lab"),
    )
    policy = cr.AwsCustomResourcePolicy.from_sdk_calls(
        resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
    )
    cr.AwsCustomResource(stack, "Describe", on_create=call, policy=policy)
    result = synth(app)
    assert (result.error, result.violations) == (None, [])
