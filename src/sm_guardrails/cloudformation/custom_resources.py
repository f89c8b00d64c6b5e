"""Notebooks that custom resources create, through code the checker cannot read.

A custom resource (``Custom::*``, ``AWS::CloudFormation::CustomResource``; what CDK's
``CustomResource`` and ``AwsCustomResource`` render) runs code when it is deployed.
It evidently creates a notebook instance when

- its properties hold, at any depth, a mapping with a setting that only a notebook
  instance takes (:data:`NOTEBOOK_SETTINGS`): those are the notebook's settings;
- it is an ``AwsCustomResource`` whose ``Create`` or ``Update`` call is SageMaker's
  ``CreateNotebookInstance``: the call's ``parameters`` are the settings; or
- the inline code (``Code.ZipFile``) of a Lambda function its ``ServiceToken`` leads
  to (directly, or through a provider framework's function) calls that API.

Every layer that reads templates (the CLI, ``enforce`` and the aspect, the policy
pack's stack bodies) finds them here, through :mod:`sm_guardrails.cloudformation.judge`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sm_guardrails.cloudformation.intrinsics import MAX_DEPTH, TemplateContext
from sm_guardrails.kinds import NOTEBOOK_INSTANCE
from sm_guardrails.values import Known

CUSTOM_RESOURCE_TYPE = "AWS::CloudFormation::CustomResource"
CUSTOM_PREFIX = "Custom::"
LAMBDA_TYPES = {"AWS::Lambda::Function": "ZipFile", "AWS::Serverless::Function": "InlineCode"}
"""Function resources, with the property that holds their inline code."""

NOTEBOOK_SETTINGS = frozenset(
    {
        "NotebookInstanceName",
        "DirectInternetAccess",
        "RootAccess",
        "LifecycleConfigName",
        "AcceleratorTypes",
        "DefaultCodeRepository",
        "AdditionalCodeRepositories",
        "PlatformIdentifier",
        "InstanceMetadataServiceConfiguration",
    }
)
"""Request members of CreateNotebookInstance that no SageMaker API but the notebook
instance ones takes (the tests check this against botocore's service model)."""
_RULE_SETTINGS = {
    part for item in NOTEBOOK_INSTANCE.properties for part in item.cloudformation.split(".")
}
"""The settings the rules read, by their CloudFormation (and API) names."""

_CREATE_CALL = re.compile(r"create[_-]?notebook[_-]?instance(?![_-]?lifecycle)", re.IGNORECASE)
"""The API call, as boto3, the SDKs and the API name it (not its lifecycle config's)."""
_SDK_CALL_KEYS = ("Create", "Update")
_PART = "@@sm-guardrails-part-{}@@"
_PARTS = re.compile(r"@@sm-guardrails-part-(\d+)@@")


@dataclass(frozen=True)
class CodeMadeNotebook:
    """A custom resource that creates a notebook instance.

    ``settings`` are the notebook's settings as its properties pass them, each a
    mapping of CloudFormation property names to template nodes (several when the
    properties hold several candidates); empty when only the code shows the notebook.
    """

    logical_id: str
    resource: Mapping[str, object]
    maker: str
    """What creates the notebook, for messages (the Lambda function, the SDK call)."""
    settings: tuple[Mapping[str, object], ...]
    unseen: str = "its properties pass none of the notebook's settings"
    """Why there are no settings to judge, when there are none."""


def is_custom_resource(kind: object) -> bool:
    """True for a custom resource's type."""
    return kind == CUSTOM_RESOURCE_TYPE or (
        isinstance(kind, str) and kind.startswith(CUSTOM_PREFIX)
    )


def code_made_notebooks(
    resources: Mapping[str, object], context: TemplateContext
) -> Iterator[CodeMadeNotebook]:
    """The custom resources of ``resources`` (a template's) that evidently create a notebook."""
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or not is_custom_resource(resource.get("Type")):
            continue
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        found = _from_sdk_call(str(logical_id), resource, properties, context)
        yield from (found or _from_properties(str(logical_id), resource, properties, resources))


def _from_sdk_call(
    logical_id: str,
    resource: Mapping[str, object],
    properties: Mapping[str, object],
    context: TemplateContext,
) -> list[CodeMadeNotebook]:
    """The notebook an ``AwsCustomResource`` call of CreateNotebookInstance creates, if any."""
    for key in _SDK_CALL_KEYS:
        node = properties.get(key)
        if node is None or not _CREATE_CALL.search(json.dumps(node, default=str)):
            continue
        call = _json_call(node, context)
        action = call.get("action") if call is not None else None
        if call is not None and not _CREATE_CALL.fullmatch(str(action).removesuffix("Command")):
            continue  # another call that only mentions the API (a tag, a description)
        maker = f"its `{key}` property calls SageMaker CreateNotebookInstance"
        parameters = call.get("parameters") if call is not None else None
        if not isinstance(parameters, Mapping):
            unseen = "the call's parameters are decided at deployment"
            return [CodeMadeNotebook(logical_id, resource, maker, (), unseen)]
        return [CodeMadeNotebook(logical_id, resource, maker, (_canonical(parameters),))]
    return []


def _json_call(node: object, context: TemplateContext) -> Mapping[str, object] | None:
    """The SDK call a ``Create``/``Update`` property gives as JSON text, or None.

    The text may be a literal, or an ``Fn::Join`` of literal text and values decided at
    deployment (how CDK renders a call holding tokens): each such value stands in the
    parsed call where the text places it. A call written as a mapping is taken as it is.
    """
    if isinstance(node, Mapping) and "action" in node:
        return node
    pieces: list[object] = [node]
    if isinstance(node, Mapping) and set(node) == {"Fn::Join"}:
        argument = node["Fn::Join"]
        if isinstance(argument, list) and len(argument) == 2 and argument[0] == "":
            pieces = argument[1] if isinstance(argument[1], list) else [argument[1]]
    text = ""
    parts: list[object] = []
    for piece in pieces:
        value = context.resolve(piece) if not isinstance(piece, str) else Known(piece)
        if isinstance(value, Known) and isinstance(value.value, str):
            text += value.value
        else:
            part = _PART.format(len(parts))
            text += part if _in_string(text) else f'"{part}"'
            parts.append(piece)
    try:
        call = json.loads(text)
    except json.JSONDecodeError:
        return None
    restored = _restored(call, parts, 0) if isinstance(call, Mapping) else None
    return restored if isinstance(restored, Mapping) else None


def _in_string(text: str) -> bool:
    """True when JSON ``text`` ends inside a string (a value spliced in there is text)."""
    inside, escaped = False, False
    for character in text:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = inside
        elif character == '"':
            inside = not inside
    return inside


def _restored(node: object, parts: list[object], depth: int) -> object:
    """``node`` with each placeholder for a deploy-time value replaced by its template node."""
    if depth > MAX_DEPTH:
        return node
    if isinstance(node, Mapping):
        return {key: _restored(value, parts, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [_restored(item, parts, depth + 1) for item in node]
    if not isinstance(node, str) or not _PARTS.search(node):
        return node
    whole = _PARTS.fullmatch(node)
    if whole:
        return parts[int(whole.group(1))]
    pieces: list[object] = []
    for index, text in enumerate(_PARTS.split(node)):
        pieces.append(parts[int(text)] if index % 2 else text)
    return {"Fn::Join": ["", [piece for piece in pieces if piece != ""]]}


def _from_properties(
    logical_id: str,
    resource: Mapping[str, object],
    properties: Mapping[str, object],
    resources: Mapping[str, object],
) -> list[CodeMadeNotebook]:
    """The notebook the properties' settings or the inline code show, if any."""
    passed = {key: value for key, value in properties.items() if key != "ServiceToken"}
    holders = [node for node in _mappings(passed) if _holds_settings(node)]
    functions = list(_functions(properties.get("ServiceToken"), resources))
    calling = [name for name, code in functions if code and _CREATE_CALL.search(code)]
    if not holders and not calling:
        return []
    if calling:
        maker = f"the inline code of Lambda function `{calling[0]}` calls CreateNotebookInstance"
    elif functions:
        maker = f"Lambda function `{functions[0][0]}` runs it"
    else:
        maker = "the code behind its ServiceToken runs it"
    settings = tuple(_canonical(holder) for holder in holders)
    return [CodeMadeNotebook(logical_id, resource, maker, settings)]


def _mappings(node: object, depth: int = 0) -> Iterator[Mapping[str, object]]:
    """Every mapping in ``node`` (itself included), outermost first."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, Mapping):
        yield node
    items = node.values() if isinstance(node, Mapping) else node if isinstance(node, list) else ()
    for item in items:
        yield from _mappings(item, depth + 1)


def _holds_settings(node: Mapping[str, object]) -> bool:
    """True for a mapping with a setting that only a notebook instance takes."""
    return any(_normal(key) in _NORMAL_SETTINGS for key in node)


def _functions(token: object, resources: Mapping[str, object]) -> Iterator[tuple[str, str | None]]:
    """The Lambda functions ``token`` leads to, each with its inline code (None if not inline).

    A function's own properties are followed too: a provider framework's function names
    the user's function in its environment.
    """
    pending, seen = list(_referenced(token)), set()
    while pending:
        name = pending.pop(0)
        resource = resources.get(name)
        if name in seen or not isinstance(resource, Mapping):
            continue
        seen.add(name)
        code_key = LAMBDA_TYPES.get(str(resource.get("Type")))
        if code_key is None:
            continue
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        code = properties.get("Code") if code_key == "ZipFile" else properties
        inline = code.get(code_key) if isinstance(code, Mapping) else None
        yield name, None if inline is None else json.dumps(inline, default=str)
        pending.extend(_referenced(properties))


_SUB_NAMES = re.compile(r"\$\{([^!}.][^}.]*)(?:\.[^}]*)?\}")


def _referenced(node: object) -> Iterator[str]:
    """The logical ids ``node`` refers to (``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` names)."""
    for mapping in _mappings(node):
        target = mapping.get("Ref")
        if isinstance(target, str):
            yield target
        target = mapping.get("Fn::GetAtt")
        if target is not None:
            target = target[0] if isinstance(target, list) and target else target
            yield str(target).split(".", 1)[0]
        text = mapping.get("Fn::Sub")
        if text is not None:
            yield from _SUB_NAMES.findall(str(text[0] if isinstance(text, list) else text))


def _normal(key: object) -> str:
    """A setting's name as it is matched: any case, with or without ``_`` and ``-``."""
    return str(key).replace("_", "").replace("-", "").lower()


_NORMAL_SETTINGS = {_normal(name) for name in NOTEBOOK_SETTINGS}
_CANONICAL = {_normal(name): name for name in _RULE_SETTINGS}


def _canonical(settings: Mapping[str, object]) -> dict[str, object]:
    """``settings`` with the names the rules read spelled as CloudFormation spells them."""
    renamed: dict[str, object] = {}
    for key, value in settings.items():
        name = _CANONICAL.get(_normal(key), str(key))
        if name == "InstanceMetadataServiceConfiguration" and isinstance(value, Mapping):
            value = _canonical(value)  # an intrinsic function's key is left as it is
        renamed[name] = value
    return renamed
