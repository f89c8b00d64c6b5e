"""Read a notebook's L1 object from the construct tree as a template entry (for cdk-nag).

cdk-nag hands its packs L1 objects, not the rendered template, so this reads what the
L1 holds: escape-hatch overrides (``add_property_override``) are not visible here, and
``enforce`` (which reads the rendered template) remains the guardrail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_sagemaker as sagemaker

from sm_guardrails.cdk._resources import logical_id
from sm_guardrails.cloudformation import METADATA_KEY, TemplateContext
from sm_guardrails.kinds import NOTEBOOK_INSTANCE

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


def notebook_entry(resource: cdk.CfnResource, stack: cdk.Stack) -> dict[str, object]:
    """The template entry of the notebook ``resource``, from its resolved L1 properties.

    Its ``sm-guardrails`` metadata (exemptions) comes along.
    """
    properties = stack.resolve(resource._cfn_properties)
    found = properties if isinstance(properties, Mapping) else {}
    if isinstance(resource, sagemaker.CfnNotebookInstance):
        found = _cloudformation_names(found)
    exemptions = resource.get_metadata(METADATA_KEY)
    metadata = {} if exemptions is None else {METADATA_KEY: exemptions}
    return {
        "Type": NOTEBOOK_INSTANCE.cloudformation_type,
        "Properties": found,
        "Metadata": metadata,
    }


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
