"""Recognise notebook resources in a construct tree and read them as CloudFormation.

Every construct of an app passes through :func:`notebook_resource`, so it answers
from Python (``isinstance``, a per-class cache) and crosses into Node.js only for
raw ``CfnResource`` objects, whose type is not known from their class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_sagemaker as sagemaker
from constructs import IConstruct

from sm_guardrails.cloudformation import METADATA_KEY, NOTEBOOK_TYPE, TemplateContext

_L1_PROPERTY_NAMES = {
    "directInternetAccess": "DirectInternetAccess",
    "subnetId": "SubnetId",
    "securityGroupIds": "SecurityGroupIds",
    "rootAccess": "RootAccess",
    "kmsKeyId": "KmsKeyId",
    "instanceMetadataServiceConfiguration": "InstanceMetadataServiceConfiguration",
}
"""The L1's (camelCase) properties the rules read, with their CloudFormation names."""

_IMDS_NAMES = {"minimumInstanceMetadataServiceVersion": "MinimumInstanceMetadataServiceVersion"}

_type_of_class: dict[type, str | None] = {}


def notebook_resource(node: IConstruct) -> cdk.CfnResource | None:
    """``node`` if it is an ``AWS::SageMaker::NotebookInstance`` resource, else None."""
    if not isinstance(node, cdk.CfnResource):
        return None
    if isinstance(node, sagemaker.CfnNotebookInstance):
        return node
    kind = type(node)
    if kind is cdk.CfnResource:
        return node if node.cfn_resource_type == NOTEBOOK_TYPE else None
    if kind not in _type_of_class:
        # A generated L1 class names its resource type once for all its instances.
        _type_of_class[kind] = getattr(kind, "CFN_RESOURCE_TYPE_NAME", None)
    resource_type = _type_of_class[kind]
    if resource_type is None:
        resource_type = node.cfn_resource_type
    return node if resource_type == NOTEBOOK_TYPE else None


def l1_properties(resource: cdk.CfnResource) -> object:
    """The L1 properties of ``resource`` as given, tokens not yet resolved (one call to Node.js)."""
    return resource._cfn_properties


def contains_tokens(value: object) -> bool:
    """True when ``value`` holds anything that ``Stack.resolve`` would change.

    That is a token string (``${Token[...]}``, a list token ``#{Token[...]}``), a
    float (numbers are encoded as tokens in that form) or an object of Node.js (an
    ``IResolvable``). Plain strings, integers, booleans, lists and dicts stay as
    they are, so a notebook written with literals needs no resolve at all.
    """
    if isinstance(value, str):
        return "{Token[" in value
    if value is None or isinstance(value, int):
        return False
    if isinstance(value, dict):
        return any(contains_tokens(key) or contains_tokens(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_tokens(item) for item in value)
    return True


def notebook_entry(
    resource: cdk.CfnResource, properties: object, exemptions: object
) -> dict[str, object]:
    """The template entry of the notebook ``resource`` from its resolved L1 ``properties``.

    ``exemptions`` is the resource's ``sm-guardrails`` metadata (None when it has
    none). Escape-hatch overrides (``add_property_override``) are not visible in L1
    properties: only the rendered template has them.
    """
    found = properties if isinstance(properties, Mapping) else {}
    if isinstance(resource, sagemaker.CfnNotebookInstance):
        found = _cloudformation_names(found)
    metadata = {} if exemptions is None else {METADATA_KEY: exemptions}
    return {"Type": NOTEBOOK_TYPE, "Properties": found, "Metadata": metadata}


def logical_id(element: cdk.CfnElement, stack: cdk.Stack) -> str:
    """The logical id ``element`` has in the template of ``stack`` (its stack).

    Resolved from the element's token, which honours ``override_logical_id``.
    """
    return str(stack.resolve(element.logical_id))


def _cloudformation_names(properties: Mapping[str, Any]) -> dict[str, object]:
    renamed: dict[str, object] = {}
    for name, value in properties.items():
        if name not in _L1_PROPERTY_NAMES or value is None:
            continue
        if name == "instanceMetadataServiceConfiguration" and isinstance(value, Mapping):
            value = {_IMDS_NAMES.get(key, key): item for key, item in value.items()}
        renamed[_L1_PROPERTY_NAMES[name]] = value
    return renamed


def stack_context(stack: cdk.Stack) -> TemplateContext:
    """What the stack's notebooks can refer to: its parameters, with their AllowedValues."""
    parameters: dict[str, object] = {}
    for construct in stack.node.find_all():
        if isinstance(construct, cdk.CfnParameter) and cdk.Stack.of(construct) is stack:
            declaration: dict[str, object] = {"Type": construct.type}
            if construct.allowed_values:
                declaration["AllowedValues"] = list(construct.allowed_values)
            if construct.default is not None:
                declaration["Default"] = construct.default
            parameters[logical_id(construct, stack)] = declaration
    return TemplateContext(parameters=parameters)
