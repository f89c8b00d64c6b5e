"""The CDK form of a case: build it into an App, synthesize it under ``enforce``, read the report.

``derived`` turns the case's template form into what a CDK user writes: the kind's L1
(``CfnNotebookInstance``, ``CfnDomain``) with keyword properties, ``CfnParameter``/``CfnCondition``/
``CfnMapping`` for the template's sections, and CDK tokens (``value_as_string``,
``Fn.condition_if``, ``Fn.import_value``, ``Aws.NO_VALUE``) for intrinsics. The other
builders wrap that resource (nested stack, stage, construct, Service Catalog product stack,
template assets; under the synthesizer a form names) or change how it is
written (overrides, raw ``CfnResource``, ``CfnInclude``, mutation, ``exempt``).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_servicecatalog as servicecatalog
from aws_cdk import cloudformation_include as cfn_include
from aws_cdk import custom_resources as cr
from constructs import Construct

from sm_guardrails.cdk import NotebookGuardrailAspect, enforce, exempt
from sm_guardrails.cdk._findings import acknowledgement_id
from sm_guardrails.cdk.nag import PACK_NAME, SmGuardrailsChecks
from sm_guardrails.kinds import ResourceKind, camel_path
from tests.cdk.assembly_app import SYNTHESIZERS
from tests.cdk.helpers import synth
from tests.corpus.cases import (
    CUSTOM_NOTEBOOK_NAME,
    MAKER_CODE,
    MAKER_ID,
    Case,
    apply_changes,
)
from tests.corpus.l1_shapes import fits, is_intrinsic
from tests.corpus.outcomes import EXEMPTED_MARK, Outcome

STACK_ID = "Corpus"
_WORD_START = re.compile(r"(?<!^)(?=[A-Z][a-z])")


class _Tokens:
    """Turns template values into CDK values, using the stack's parameters and conditions."""

    def __init__(self, stack: cdk.Stack, case: Case) -> None:
        template = case.template()
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
            if name not in (case.logical_id, MAKER_ID):
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

    def value(self, value: object, shape: object) -> Any:
        """A value for a property shaped like ``shape`` (see ``l1_shapes``), in CloudFormation
        names; a value of another shape as it is."""
        if isinstance(shape, list):
            return self.string_list(value)
        if isinstance(shape, Mapping) and isinstance(value, Mapping) and not is_intrinsic(value):
            return {name: self.value(item, shape.get(name, "")) for name, item in value.items()}
        if isinstance(shape, Mapping):
            return cdk.Token.as_any(value)
        return self.string(value) if isinstance(value, (str, Mapping)) else value

    def _condition_if(self, argument: list[Any], convert: Callable[[object], Any]) -> Any:
        condition, when_true, when_false = argument
        logical_id = self.conditions[condition].logical_id
        return cdk.Fn.condition_if(logical_id, convert(when_true), convert(when_false))


def _snake(name: str) -> str:
    """``AppNetworkAccessType`` as its L1 keyword ``app_network_access_type``."""
    return _WORD_START.sub("_", name).lower()


def _struct(value: object) -> Any:
    """A converted value with the keys of its mappings as jsii reads a struct's fields
    (``MinimumInstanceMetadataServiceVersion`` as ``minimumInstanceMetadataServiceVersion``)."""
    if isinstance(value, dict):
        return {camel_path(name): _struct(item) for name, item in value.items()}
    return value


def l1_class(kind: ResourceKind) -> Any:
    """The L1 class of ``kind``: ``AWS::SageMaker::Domain`` is ``aws_sagemaker.CfnDomain``."""
    _, service, resource = kind.cloudformation_type.split("::")
    return getattr(importlib.import_module(f"aws_cdk.aws_{service.lower()}"), f"Cfn{resource}")


def _required(l1: Any) -> set[str]:
    """The keywords the L1 class ``l1`` requires (those CloudFormation requires)."""
    parameters = inspect.signature(l1.__init__).parameters.values()
    return {item.name for item in parameters if item.default is inspect.Parameter.empty}


def _resource(
    scope: Construct, stack: cdk.Stack, case: Case, properties: Mapping[str, Any]
) -> cdk.CfnResource:
    """The case's resource as its kind's L1 in ``scope`` with ``properties``.

    A value the L1's types reject (a number for a string) is set the one way CDK lets a
    user write it, an escape-hatch override (over the compliant value where the L1
    requires one); the L1 would fail synth on it otherwise.
    """
    assert case.cfn is not None
    tokens = _Tokens(stack, case)
    base = case.base()
    l1 = l1_class(case.kind)
    required = _required(l1)
    missing = required - {_snake(name) for name in properties} - {"self", "scope", "id"}
    if missing:
        raise ValueError(
            f"case {case.id}: the L1 requires {sorted(missing)}; remove it with an override "
            "(cdk: {builder: override, delete: [...]})"
        )
    overrides = {
        name: value for name, value in properties.items() if not fits(value, base.get(name, ""))
    }
    keywords = {
        _snake(name): _struct(tokens.value(value, base.get(name, "")))
        for name, value in properties.items()
        if name not in overrides
    }
    keywords.update(
        {_snake(name): _struct(base[name]) for name in overrides if _snake(name) in required}
    )
    resource: cdk.CfnResource = l1(scope, case.logical_id, **keywords)
    for name, value in overrides.items():
        resource.add_property_override(name, value)
    if "metadata" in case.cfn:
        resource.add_metadata("sm-guardrails", case.cfn["metadata"])
    return resource


def _stack(app: cdk.App) -> cdk.Stack:
    return cdk.Stack(app, STACK_ID)


def _derived(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    _resource(stack, stack, case, case.properties())


def _override(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    constructed = apply_changes(case.base(), {"set": form.get("construct", {})})
    notebook = _resource(stack, stack, case, constructed)
    for path, value in form.get("set", {}).items():
        notebook.add_property_override(path, value)
    for path in form.get("delete", []):
        notebook.add_property_deletion_override(path)


def _mutate(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    constructed = apply_changes(case.base(), {"set": form.get("construct", {})})
    notebook = _resource(stack, stack, case, constructed)
    for attribute, value in form["set"].items():
        setattr(notebook, attribute, value)


def _raw_resource(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    cdk.CfnResource(
        _stack(app),
        case.logical_id,
        type=case.kind.cloudformation_type,
        properties=case.properties(),
    )


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
    _resource(scope, scope, case, case.properties())


def _stage(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    scope: cdk.Stage = app
    for level in range(form.get("depth", 1)):
        scope = cdk.Stage(scope, f"Stage{level}")
    stack = cdk.Stack(scope, STACK_ID)
    _resource(stack, stack, case, case.properties())


def _inside_construct(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    stack = _stack(app)
    _resource(Construct(Construct(stack, "Team"), "Research"), stack, case, case.properties())


def _exempt_call(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    assert case.cfn is not None
    stack = _stack(app)
    metadata = case.cfn["metadata"]
    without_metadata = replace(case, cfn={k: v for k, v in case.cfn.items() if k != "metadata"})
    notebook = _resource(stack, stack, without_metadata, case.properties())
    scope = stack if form.get("scope") == "stack" else notebook
    for entry in metadata["exemptions"]:
        exempt(scope, entry["rule"], entry["reason"])


def _acknowledge(app: cdk.App, case: Case, form: Mapping[str, Any], workdir: Path) -> None:
    assert case.cfn is not None
    stack = _stack(app)
    metadata = case.cfn["metadata"]
    without_metadata = replace(case, cfn={k: v for k, v in case.cfn.items() if k != "metadata"})
    _resource(stack, stack, without_metadata, case.properties())
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
    _resource(stack, stack, case_without_resources, properties)


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
    tokens = _Tokens(stack, case)
    settings: dict[str, Any] = {"NotebookInstanceName": CUSTOM_NOTEBOOK_NAME}
    for name, value in case.properties().items():
        settings[name] = tokens.value(value, case.base().get(name, ""))
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
        case.logical_id,
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
    made = cr.AwsCustomResource(stack, case.logical_id, on_create=call, policy=policy)
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
    _resource(product_stack, product_stack, case, case.properties())
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
    return Outcome.from_messages(messages, case.rule_ids)


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
    messages = [
        (violation["ruleName"].removeprefix(f"{PACK_NAME}-"), violation["description"])
        for plugin in plugins
        if plugin["pluginName"] == PACK_NAME
        for violation in plugin.get("violations", [])
    ]
    return Outcome.from_messages(messages, case.rule_ids)
