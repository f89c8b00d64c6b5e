"""Read a resource's L1 object from the construct tree as a template entry (for cdk-nag).

cdk-nag hands its packs L1 objects, not the rendered template, so this reads what the
L1 holds: escape-hatch overrides (``add_property_override``) are not visible here, and
``enforce`` (which reads the rendered template) remains the guardrail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk

from sm_guardrails.cdk._resources import logical_id
from sm_guardrails.cloudformation import METADATA_KEY, TemplateContext
from sm_guardrails.kinds import ResourceKind, Spelling

_NameTree = dict[str, tuple[str, "_NameTree"]]
"""An L1 (camelCase) key, or its CloudFormation name, with the CloudFormation name and
the names of its members."""
_trees: dict[ResourceKind, _NameTree] = {}


def resource_entry(
    resource: cdk.CfnResource, kind: ResourceKind, stack: cdk.Stack
) -> dict[str, object]:
    """The template entry of ``resource`` (of ``kind``), from its resolved L1 properties.

    A generated L1 class holds camelCase keys, nested ones included: the properties the
    kind declares are renamed to their CloudFormation paths (``defaultUserSettings.
    securityGroups`` to ``DefaultUserSettings.SecurityGroups``); a raw ``CfnResource``
    holds CloudFormation names already. Its ``sm-guardrails`` metadata (exemptions) comes
    along.
    """
    properties = stack.resolve(resource._cfn_properties)
    found = properties if isinstance(properties, Mapping) else {}
    if type(resource) is not cdk.CfnResource:
        found = _renamed(found, _name_tree(kind))
    exemptions = resource.get_metadata(METADATA_KEY)
    metadata = {} if exemptions is None else {METADATA_KEY: exemptions}
    return {"Type": kind.cloudformation_type, "Properties": found, "Metadata": metadata}


def _name_tree(kind: ResourceKind) -> _NameTree:
    """The L1 spelling of each declared property's path, with its CloudFormation names."""
    if kind not in _trees:
        tree: _NameTree = {}
        for item in kind.properties:
            level = tree
            l1_path = item.spelled(Spelling.CDK_L1).split(".")
            for l1_name, name in zip(l1_path, item.cloudformation.split("."), strict=True):
                # Inside an intrinsic (Fn::If of two structs) keys may be either spelling.
                entry = level.get(l1_name) or (name, {})
                level[l1_name] = level[name] = entry
                level = entry[1]
        _trees[kind] = tree
    return _trees[kind]


def _renamed(value: Mapping[str, Any], tree: _NameTree) -> dict[str, object]:
    """``value``'s keys that ``tree`` names, in CloudFormation spelling, at every level.

    An intrinsic in place of a mapping (``Fn::If`` of two structs) keeps its name, and
    the mappings among its arguments are renamed the same way.
    """
    renamed: dict[str, object] = {}
    for key, item in value.items():
        if item is None:
            continue
        if key in tree:
            name, members = tree[key]
            renamed[name] = _in_intrinsic(item, members)
        elif key == "Ref" or key.startswith("Fn::"):
            renamed[key] = _in_intrinsic(item, tree)
    return renamed


def _in_intrinsic(item: object, tree: _NameTree) -> object:
    """``item`` with the mappings in it (itself, an intrinsic's arguments) renamed by ``tree``.

    A leaf property's value (``tree`` empty) is kept as it is.
    """
    if not tree:
        return item
    if isinstance(item, Mapping):
        return _renamed(item, tree)
    if isinstance(item, list):
        return [_in_intrinsic(element, tree) for element in item]
    return item


def stack_context(stack: cdk.Stack) -> TemplateContext:
    """What the stack's resources can refer to: its parameters, with their AllowedValues."""
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
