"""The CDK form of a case: build it into an App, synthesize it under ``enforce``, read the report.

``derived`` turns the case's template form into what a CDK user writes: a
``CfnNotebookInstance`` with keyword properties, ``CfnParameter``/``CfnCondition``/
``CfnMapping`` for the template's sections, and CDK tokens (``value_as_string``,
``Fn.condition_if``, ``Fn.import_value``, ``Aws.NO_VALUE``) for intrinsics. The other
builders wrap that notebook (nested stack, stage, construct, Service Catalog product stack,
template assets; under the synthesizer a form names) or change how it is
written (overrides, raw ``CfnResource``, ``CfnInclude``, mutation, ``exempt``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_servicecatalog as servicecatalog
from aws_cdk import cloudformation_include as cfn_include
from aws_cdk import custom_resources as cr
from constructs import Construct

from sm_guardrails.cdk import NotebookGuardrailAspect, enforce, exempt
from sm_guardrails.cdk._findings import acknowledgement_id
from sm_guardrails.cdk.nag import PACK_NAME, SmGuardrailsChecks
from tests.cdk.assembly_app import SYNTHESIZERS
from tests.cdk.helpers import synth
from tests.corpus.cases import (
    BASE_PROPERTIES,
    CUSTOM_NOTEBOOK_NAME,
    MAKER_CODE,
    MAKER_ID,
    NOTEBOOK_ID,
    NOTEBOOK_TYPE,
    Case,
    apply_changes,
    is_literal,
)
from tests.corpus.outcomes import EXEMPTED_MARK, Outcome

STACK_ID = "Corpus"
_KEYWORDS = {
    "InstanceType": "instance_type",
    "RoleArn": "role_arn",
    "DirectInternetAccess": "direct_internet_access",
    "SubnetId": "subnet_id",
    "SecurityGroupIds": "security_group_ids",
    "RootAccess": "root_access",
    "KmsKeyId": "kms_key_id",
}
_LIST_PROPERTIES = {"SecurityGroupIds"}
_IMDS = "InstanceMetadataServiceConfiguration"


class _Tokens:
    """Turns template values into CDK values, using the stack's parameters and conditions."""

    def __init__(self, stack: cdk.Stack, template: Mapping[str, Any]) -> None:
        self.parameters = {
            name: cdk.CfnParameter(
                stack,
                name,
                type=declaration.get("Type", "String"),
                allowed_values=declaration.get("AllowedValues"),
                default=declaration.get("Default"),
            )
            for name, declaration in template.get("Parameters", {}).items()
        }
        self.conditions = {
            name: cdk.CfnCondition(
                stack, name, expression=cdk.Fn.condition_equals(*body["Fn::Equals"])
            )
            for name, body in template.get("Conditions", {}).items()
        }
        for name, mapping in template.get("Mappings", {}).items():
            cdk.CfnMapping(stack, name, mapping=mapping)
        for name, resource in template["Resources"].items():
            if name not in (NOTEBOOK_ID, MAKER_ID):
                cdk.CfnResource(
                    stack, name, type=resource["Type"], properties=resource.get("Properties")
                )

    def string(self, value: object) -> Any:
        """A value for a string property."""
        if isinstance(value, str) or value is None:
            return value
        if isinstance(value, Mapping) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" and argument == "AWS::NoValue":
                return cdk.Aws.NO_VALUE
            if key == "Ref" and argument in self.parameters:
                return self.parameters[argument].value_as_string
            if key == "Fn::ImportValue":
                return cdk.Fn.import_value(argument)
            if key == "Fn::If":
                return cdk.Token.as_string(self._condition_if(argument, self.string))
        return cdk.Token.as_string(value)

    def string_list(self, value: object) -> Any:
        """A value for a list-of-strings property."""
        if isinstance(value, list):
            return [self.string(item) for item in value]
        if isinstance(value, Mapping) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" and argument in self.parameters:
                return self.parameters[argument].value_as_list
            if key == "Fn::If":
                return cdk.Token.as_list(self._condition_if(argument, self.string_list))
        return cdk.Token.as_list(value)

    def _condition_if(self, argument: list[Any], convert: Callable[[object], Any]) -> Any:
        condition, when_true, when_false = argument
        logical_id = self.conditions[condition].logical_id
        return cdk.Fn.condition_if(logical_id, convert(when_true), convert(when_false))


def _is_intrinsic(value: object) -> bool:
    return isinstance(value, Mapping) and len(value) == 1 and is_literal(value) is False


def _fits(name: str, value: object) -> bool:
    """True when the L1 accepts ``value`` for ``name``; it rejects e.g. a number for a string."""
    if _is_intrinsic(value) or value is None:
        return True
    if name in _LIST_PROPERTIES:
        return isinstance(value, list) and all(
            isinstance(item, str) or _is_intrinsic(item) for item in value
        )
    if name == _IMDS:
        return isinstance(value, Mapping) and _fits(
            "", value.get("MinimumInstanceMetadataServiceVersion", "")
        )
    return isinstance(value, str)


def _notebook(
    scope: Construct, stack: cdk.Stack, case: Case, properties: Mapping[str, Any]
) -> sagemaker.CfnNotebookInstance:
    """The case's notebook as a ``CfnNotebookInstance`` in ``scope`` with ``properties``.

    A value the L1's types reject (a number for a string) is set the one way CDK lets a
    user write it, an escape-hatch override; the L1 would fail synth on it otherwise.
    """
    assert case.cfn is not None
    tokens = _Tokens(stack, case.template())
    keywords: dict[str, Any] = {}
    overrides = {name: value for name, value in properties.items() if not _fits(name, value)}
    for name, value in properties.items():
        if name in overrides:
            continue
        if name in _LIST_PROPERTIES:
            keywords[_KEYWORDS[name]] = tokens.string_list(value)
        elif name in _KEYWORDS:
            keywords[_KEYWORDS[name]] = tokens.string(value)
        elif name == _IMDS and _is_intrinsic(value):
            keywords["instance_metadata_service_configuration"] = cdk.Token.as_any(value)
        elif name == _IMDS:
            keywords["instance_metadata_service_configuration"] = (
                sagemaker.CfnNotebookInstance.InstanceMetadataServiceConfigurationProperty(
                    minimum_instance_metadata_service_version=tokens.string(
                        value["MinimumInstanceMetadataServiceVersion"]
                    )
                )
            )
        else:
            raise ValueError(f"case {case.id}: no CDK keyword for property {name}")
    notebook = sagemaker.CfnNotebookInstance(scope, NOTEBOOK_ID, **keywords)
    for name, value in overrides.items():
        notebook.add_property_override(name, value)
    if "metadata" in case.cfn:
        notebook.add_metadata("sm-guardrails", case.cfn["metadata"])
    return notebook


def _stack(app: cdk.App) -> cdk.Stack:
    return cdk.Stack(app, STACK_ID)


def _derived(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    _notebook(stack, stack, case, case.properties())


def _override(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    constructed = apply_changes(BASE_PROPERTIES, {"set": form.get("construct", {})})
    notebook = _notebook(stack, stack, case, constructed)
    for path, value in form.get("set", {}).items():
        notebook.add_property_override(path, value)
    for path in form.get("delete", []):
        notebook.add_property_deletion_override(path)


def _mutate(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    constructed = apply_changes(BASE_PROPERTIES, {"set": form.get("construct", {})})
    notebook = _notebook(stack, stack, case, constructed)
    for attribute, value in form["set"].items():
        setattr(notebook, attribute, value)


def _raw_resource(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    cdk.CfnResource(_stack(app), NOTEBOOK_ID, type=NOTEBOOK_TYPE, properties=case.properties())


def _cfn_include(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    template = workdir / f"{case.id}.template.json"
    template.write_text(json.dumps(case.template()), encoding="utf-8")
    cfn_include.CfnInclude(_stack(app), "Included", template_file=str(template))


def _synthesized_stack(app: cdk.App, form: Mapping[str, Any]) -> cdk.Stack:
    """The case's stack, under the synthesizer the form names (the default one if none;
    each records its assets differently: tests/cdk/assembly_app.py)."""
    synthesizer = SYNTHESIZERS[form.get("synthesizer", "default")]()
    return cdk.Stack(app, STACK_ID, synthesizer=synthesizer)


def _nested_stack(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    scope: cdk.Stack = _synthesized_stack(app, form)
    for level in range(form.get("depth", 1)):
        scope = cdk.NestedStack(scope, f"Nested{level}")
    _notebook(scope, scope, case, case.properties())


def _stage(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    scope: cdk.Stage = app
    for level in range(form.get("depth", 1)):
        scope = cdk.Stage(scope, f"Stage{level}")
    stack = cdk.Stack(scope, STACK_ID)
    _notebook(stack, stack, case, case.properties())


def _inside_construct(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    _notebook(Construct(Construct(stack, "Team"), "Research"), stack, case, case.properties())


def _exempt_call(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    assert case.cfn is not None
    stack = _stack(app)
    metadata = case.cfn["metadata"]
    without_metadata = replace(case, cfn={k: v for k, v in case.cfn.items() if k != "metadata"})
    notebook = _notebook(stack, stack, without_metadata, case.properties())
    scope = stack if form.get("scope") == "stack" else notebook
    for entry in metadata["exemptions"]:
        exempt(scope, entry["rule"], entry["reason"])


def _acknowledge(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    assert case.cfn is not None
    stack = _stack(app)
    metadata = case.cfn["metadata"]
    without_metadata = replace(case, cfn={k: v for k, v in case.cfn.items() if k != "metadata"})
    _notebook(stack, stack, without_metadata, case.properties())
    for entry in metadata["exemptions"]:
        acknowledgment = cdk.Acknowledgment(
            id=acknowledgement_id(entry["rule"]), reason=entry.get("reason", "")
        )
        cdk.Validations.of(stack).acknowledge(acknowledgment)


def _l1_references(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    vpc_id = "vpc-0123456789abcdef0"
    subnet = ec2.CfnSubnet(stack, "Subnet", vpc_id=vpc_id, cidr_block="10.0.0.0/24")
    group = ec2.CfnSecurityGroup(stack, "Group", group_description="notebook", vpc_id=vpc_id)
    properties = {
        **case.properties(),
        "SubnetId": subnet.ref,
        "SecurityGroupIds": [group.attr_group_id],
    }
    case_without_resources = replace(
        case, cfn={key: value for key, value in (case.cfn or {}).items() if key != "resources"}
    )
    _notebook(stack, stack, case_without_resources, properties)


def _stack_set_body(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    cdk.CfnStackSet(
        _stack(app),
        "Rollout",
        stack_set_name=case.id,
        permission_model="SELF_MANAGED",
        template_body=json.dumps(case.template()),
    )


def _settings(stack: cdk.Stack, case: Case) -> dict[str, Any]:
    """The case's notebook properties as CDK values, for a custom resource to pass on."""
    tokens = _Tokens(stack, case.template())
    settings: dict[str, Any] = {"NotebookInstanceName": CUSTOM_NOTEBOOK_NAME}
    for name, value in case.properties().items():
        if name in _LIST_PROPERTIES:
            settings[name] = tokens.string_list(value)
        elif name == _IMDS and isinstance(value, Mapping) and not _is_intrinsic(value):
            settings[name] = {key: tokens.string(item) for key, item in value.items()}
        elif isinstance(value, (str, Mapping)):
            settings[name] = tokens.string(value)
        else:
            settings[name] = value
    return settings


def _exemptions_on(resource: cdk.CfnResource, case: Case) -> None:
    assert case.cfn is not None
    if "metadata" in case.cfn:
        resource.add_metadata("sm-guardrails", case.cfn["metadata"])


def _custom_resource(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    """``CustomResource`` whose Lambda (inline code) creates the notebook from its properties."""
    assert case.cfn is not None
    stack = _stack(app)
    maker = lambda_.Function(
        stack,
        MAKER_ID,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline(MAKER_CODE),
    )
    settings = _settings(stack, case)
    under = case.cfn["custom"].get("under")
    resource = cdk.CustomResource(
        stack,
        NOTEBOOK_ID,
        service_token=maker.function_arn,
        resource_type="Custom::Notebook",
        properties={under: settings} if under else settings,
    )
    _exemptions_on(cast(cdk.CfnResource, resource.node.default_child), case)


def _aws_custom_resource(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    """``AwsCustomResource`` calling SageMaker CreateNotebookInstance with the settings."""
    stack = _stack(app)
    call = cr.AwsSdkCall(
        service="SageMaker",
        action="createNotebookInstance",
        parameters=_settings(stack, case),
        physical_resource_id=cr.PhysicalResourceId.of(CUSTOM_NOTEBOOK_NAME),
    )
    policy = cr.AwsCustomResourcePolicy.from_sdk_calls(
        resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
    )
    made = cr.AwsCustomResource(stack, NOTEBOOK_ID, on_create=call, policy=policy)
    inner = made.node.find_child("Resource").node.default_child
    _exemptions_on(cast(cdk.CfnResource, inner), case)


def _product(stack: cdk.Stack, template: servicecatalog.CloudFormationTemplate) -> None:
    version = servicecatalog.CloudFormationProductVersion(cloud_formation_template=template)
    servicecatalog.CloudFormationProduct(
        stack, "Product", product_name="notebooks", owner="ml", product_versions=[version]
    )


def _product_stack(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _synthesized_stack(app, form)
    product_stack = servicecatalog.ProductStack(stack, "Lab")
    _notebook(product_stack, product_stack, case, case.properties())
    _product(stack, servicecatalog.CloudFormationTemplate.from_product_stack(product_stack))


def _template_asset(case: Case, workdir: Path) -> str:
    path = workdir / f"{case.id}.asset.json"
    path.write_text(json.dumps(case.template()), encoding="utf-8")
    return str(path)


def _product_asset(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    template = servicecatalog.CloudFormationTemplate.from_asset(_template_asset(case, workdir))
    _product(_synthesized_stack(app, form), template)


def _stack_asset(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _synthesized_stack(app, form)
    asset = s3_assets.Asset(stack, "Template", path=_template_asset(case, workdir))
    cdk.CfnStack(stack, "Attached", template_url=asset.http_url)


Builder = Callable[[cdk.App, Case, Mapping[str, Any], Path], None]
BUILDERS: dict[str, Builder] = {
    "derived": _derived,
    "override": _override,
    "mutate": _mutate,
    "raw_resource": _raw_resource,
    "cfn_include": _cfn_include,
    "nested_stack": _nested_stack,
    "stage": _stage,
    "inside_construct": _inside_construct,
    "exempt_call": _exempt_call,
    "l1_references": _l1_references,
    "acknowledge": _acknowledge,
    "stack_set_body": _stack_set_body,
    "custom_resource": _custom_resource,
    "aws_custom_resource": _aws_custom_resource,
    "product_stack": _product_stack,
    "product_asset": _product_asset,
    "stack_asset": _stack_asset,
}


def run_cdk(case: Case, workdir: Path) -> Outcome:
    """Build the case's CDK form in a new App under ``enforce`` and read what synth reported."""
    return _run(case, workdir, "cdk", enforce)


def run_cdk_aspect(case: Case, workdir: Path) -> Outcome:
    """The same with ``Aspects.of(app).add(NotebookGuardrailAspect())`` instead of ``enforce``."""
    return _run(
        case, workdir, "aspect.cdk", lambda app: cdk.Aspects.of(app).add(NotebookGuardrailAspect())
    )


def _run(case: Case, workdir: Path, name: str, guard: Callable[[cdk.App], object]) -> Outcome:
    assert case.cdk is not None
    app = cdk.App(outdir=str(workdir / f"{case.id}.{name}.out"))
    guard(app)
    BUILDERS[case.cdk["builder"]](app, case, case.cdk, workdir)
    result = synth(app)
    blocking = any(violation.severity in ("error", "fatal") for violation in result.violations)
    if blocking != (result.error is not None):
        raise AssertionError(f"synth error {result.error!r} disagrees with the report")
    messages = [(violation.rule, violation.description) for violation in result.violations]
    # CDK files an acknowledged violation away even when its reason is blank; the plugin
    # then fails synth with a fatal SMG-0, so such a violation still counts as a failure.
    messages += [
        (violation.rule, f"{violation.description} {EXEMPTED_MARK} {violation.reason}")
        if (violation.reason or "").strip()
        else (violation.rule, violation.description)
        for violation in result.acknowledged
    ]
    return Outcome.from_messages(messages)


NAG_BLIND_BUILDERS = {
    "override",
    "acknowledge",
    "stack_set_body",
    "custom_resource",
    "aws_custom_resource",
    "product_asset",
    "stack_asset",
}
"""Builders cdk-nag cannot judge as ``enforce`` does: it reads L1 notebook properties, not
the rendered template (overrides, a notebook inside a StackSet's body or in a template file
that is an asset, a notebook that a custom resource creates), and its rule ids
(``SmGuardrails::SmGuardrails-SMG-1``) are not the ones ``Validations.acknowledge`` names
for ``enforce`` (``sm-guardrails::SMG-1``)."""


def nag_applies(case: Case) -> bool:
    """True when ``SmGuardrailsChecks`` (cdk-nag) can see the case's notebook.

    It reads the L1 from the construct tree, so the values an L1 cannot hold are out of
    its reach, and so is ``Fn::FindInMap``: a ``CfnMapping``'s contents cannot be read
    from Python through jsii (the pack fails closed on it; docs/cdk.md).
    """
    if case.cdk is None or case.cdk["builder"] in NAG_BLIND_BUILDERS:
        return False
    properties = case.properties()
    fits = case.cfn is None or all(_fits(k, v) for k, v in properties.items())
    return fits and "Fn::FindInMap" not in json.dumps(properties)


def run_cdk_nag(case: Case, workdir: Path) -> Outcome:
    """Build the case's CDK form in a new App with the cdk-nag pack and read its report."""
    assert case.cdk is not None
    outdir = workdir / f"{case.id}.nag.cdk.out"
    app = cdk.App(outdir=str(outdir))
    # verbose: each violation's description also holds the finding (undecidable, exempted)
    cdk.Validations.of(app).add_plugins(SmGuardrailsChecks(app, verbose=True))
    BUILDERS[case.cdk["builder"]](app, case, case.cdk, workdir)
    with contextlib.suppress(RuntimeError):  # an error fails synth; the report says which
        app.synth()
    report = outdir / "validation-report.json"  # written only when a plugin reports
    plugins = json.loads(report.read_text())["pluginReports"] if report.exists() else []
    return Outcome.from_messages(
        (violation["ruleName"].removeprefix(f"{PACK_NAME}-"), violation["description"])
        for plugin in plugins
        if plugin["pluginName"] == PACK_NAME
        for violation in plugin.get("violations", [])
    )
