"""Recognise the resources of a declared kind in a construct tree, and name them as their
templates do.

Every construct of an app passes through :func:`guarded_resource`, so it answers from
Python (``isinstance``, a per-class cache) and crosses into Node.js only for raw
``CfnResource`` objects, whose type is not known from their class.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

from sm_guardrails.kinds import KINDS_BY_CLOUDFORMATION_TYPE, ResourceKind

_type_of_class: dict[type, str | None] = {}


def guarded_resource(node: IConstruct) -> tuple[cdk.CfnResource, ResourceKind] | None:
    """``node`` and its kind if it is a resource of a kind the registry declares, else None.

    Generated L1 classes (``CfnNotebookInstance``, ``CfnDomain``) and raw ``CfnResource``
    objects of those types alike.
    """
    if not isinstance(node, cdk.CfnResource):
        return None
    cls = type(node)
    if cls is cdk.CfnResource:
        resource_type: str | None = node.cfn_resource_type
    else:
        if cls not in _type_of_class:
            # A generated L1 class names its resource type once for all its instances.
            _type_of_class[cls] = getattr(cls, "CFN_RESOURCE_TYPE_NAME", None)
        resource_type = _type_of_class[cls] or node.cfn_resource_type
    kind = KINDS_BY_CLOUDFORMATION_TYPE.get(resource_type or "")
    return None if kind is None else (node, kind)


def logical_id(element: cdk.CfnElement, stack: cdk.Stack) -> str:
    """The logical id ``element`` has in the template of ``stack`` (its stack).

    Resolved from the element's token, which honours ``override_logical_id``.
    """
    return str(stack.resolve(element.logical_id))
