"""Recognise notebook resources in a construct tree, and name them as their templates do.

Every construct of an app passes through :func:`notebook_resource`, so it answers
from Python (``isinstance``, a per-class cache) and crosses into Node.js only for
raw ``CfnResource`` objects, whose type is not known from their class.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_sagemaker as sagemaker
from constructs import IConstruct

from sm_guardrails.kinds import NOTEBOOK_INSTANCE

_type_of_class: dict[type, str | None] = {}


def notebook_resource(node: IConstruct) -> cdk.CfnResource | None:
    """``node`` if it is an ``AWS::SageMaker::NotebookInstance`` resource, else None."""
    if not isinstance(node, cdk.CfnResource):
        return None
    if isinstance(node, sagemaker.CfnNotebookInstance):
        return node
    kind = type(node)
    if kind is cdk.CfnResource:
        return node if node.cfn_resource_type == NOTEBOOK_INSTANCE.cloudformation_type else None
    if kind not in _type_of_class:
        # A generated L1 class names its resource type once for all its instances.
        _type_of_class[kind] = getattr(kind, "CFN_RESOURCE_TYPE_NAME", None)
    resource_type = _type_of_class[kind]
    if resource_type is None:
        resource_type = node.cfn_resource_type
    return node if resource_type == NOTEBOOK_INSTANCE.cloudformation_type else None


def logical_id(element: cdk.CfnElement, stack: cdk.Stack) -> str:
    """The logical id ``element`` has in the template of ``stack`` (its stack).

    Resolved from the element's token, which honours ``override_logical_id``.
    """
    return str(stack.resolve(element.logical_id))
