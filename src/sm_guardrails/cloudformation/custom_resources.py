"""Resources that custom resources create, through code the checker cannot read.

A custom resource (``Custom::*``, ``AWS::CloudFormation::CustomResource``; what CDK's
``CustomResource`` and ``AwsCustomResource`` render) runs code when it is deployed.
It evidently creates a resource of a declared kind (a notebook instance, a Studio
domain: every kind of :data:`sm_guardrails.kinds.KINDS` that names its create call) when

- its properties hold, at any depth, a mapping with a setting that only that kind
  takes (``ResourceKind.distinctive_settings``): those are the resource's settings;
- it is an ``AwsCustomResource`` whose ``Create`` or ``Update`` call is the kind's
  SageMaker create call (``CreateNotebookInstance``, ``CreateDomain``): the call's
  ``parameters`` are the settings; or
- the inline code (``Code.ZipFile``) of a Lambda function its ``ServiceToken`` leads
  to (directly, or through a provider framework's function) makes that call. Where
  other services have a call of the same name (OpenSearch's ``create_domain``), the
  code must name SageMaker too.

Every layer that reads templates (the CLI, ``enforce`` and the aspect, the policy
pack's stack bodies) finds them here, through :mod:`sm_guardrails.cloudformation.judge`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from sm_guardrails.cloudformation.intrinsics import MAX_DEPTH, TemplateContext
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, ResourceKind
from sm_guardrails.values import Known

CUSTOM_RESOURCE_TYPE = "AWS::CloudFormation::CustomResource"
CUSTOM_PREFIX = "Custom::"
LAMBDA_TYPES = {"AWS::Lambda::Function": "ZipFile", "AWS::Serverless::Function": "InlineCode"}
"""Function resources, with the property that holds their inline code."""

NOTEBOOK_SETTINGS = NOTEBOOK_INSTANCE.distinctive_settings
"""Request members of CreateNotebookInstance that no SageMaker API but the notebook
instance ones takes (the tests check this against botocore's service model)."""

_SDK_CALL_KEYS = ("Create", "Update")
_PART = "@@sm-guardrails-part-{}@@"
_PARTS = re.compile(r"@@sm-guardrails-part-(\d+)@@")
_SAGEMAKER = re.compile(r"sage[_-]?maker", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class _Maker:
    """How code that creates a resource of ``kind`` shows, compiled once per kind."""

    kind: ResourceKind

    @cached_property
    def operation(self) -> str:
        """The create call as the API names it: ``CreateDomain``."""
        return "".join(word.capitalize() for word in self.kind.api.create_operation.split("_"))

    @cached_property
    def call(self) -> re.Pattern[str]:
        """The call as boto3, the SDKs (``…Command`` too) and the API name it, and not a
        longer call it begins (``CreateNotebookInstanceLifecycleConfig``)."""
        words = "[_-]?".join(self.kind.api.create_operation.split("_"))
        return re.compile(words + "(?![_-]?(?!command)[a-z0-9])", re.IGNORECASE)

    def calls(self, text: str) -> bool:
        """True when ``text`` (code, or an SDK call's JSON) makes the call."""
        if not self.call.search(text):
            return False
        return not self.kind.api.create_operation_shared or bool(_SAGEMAKER.search(text))

    @cached_property
    def settings(self) -> frozenset[str]:
        return frozenset(_normal(name) for name in self.kind.distinctive_settings)

    @cached_property
    def canonical(self) -> dict[str, str]:
        """The settings the rules read, by their matched names: each part of a property's
        CloudFormation path (``DefaultUserSettings``, ``SecurityGroups``)."""
        parts = (part for item in self.kind.properties for part in item.cloudformation.split("."))
        return {_normal(part): part for part in parts}

    @cached_property
    def enclosing(self) -> frozenset[str]:
        """The settings that hold others the rules read (``DefaultUserSettings``)."""
        return frozenset(
            part for item in self.kind.properties for part in item.cloudformation.split(".")[:-1]
        )


_MAKERS = tuple(_Maker(kind) for kind in KINDS if kind.api.create_operation)


@dataclass(frozen=True)
class CodeMadeResource:
    """A custom resource that creates a resource of ``kind``.

    ``settings`` are the created resource's settings as the custom resource's properties
    pass them, each a mapping of CloudFormation property names to template nodes (several
    when the properties hold several candidates); empty when only the code shows it.
    """

    kind: ResourceKind
    logical_id: str
    resource: Mapping[str, object]
    maker: str
    """What creates it, for messages (the Lambda function, the SDK call)."""
    settings: tuple[Mapping[str, object], ...]
    unseen: str = ""
    """Why there are no settings to judge, when there are none."""

    @property
    def unseen_reason(self) -> str:
        """Why there are no settings to judge."""
        return self.unseen or f"its properties pass none of the {self.kind.short_noun}'s settings"


def is_custom_resource(kind: object) -> bool:
    """True for a custom resource's type."""
    return kind == CUSTOM_RESOURCE_TYPE or (
        isinstance(kind, str) and kind.startswith(CUSTOM_PREFIX)
    )


def code_made_resources(
    resources: Mapping[str, object], context: TemplateContext
) -> Iterator[CodeMadeResource]:
    """The resources that the custom resources of ``resources`` (a template's) evidently
    create, one for each kind a custom resource creates."""
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or not is_custom_resource(resource.get("Type")):
            continue
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        passed = list(_mappings({k: v for k, v in properties.items() if k != "ServiceToken"}))
        functions = list(_functions(properties.get("ServiceToken"), resources))
        for maker in _MAKERS:
            found = _from_sdk_call(maker, str(logical_id), resource, properties, context)
            yield from (
                found or _from_properties(maker, str(logical_id), resource, passed, functions)
            )


def code_fix(kind: ResourceKind) -> str:
    """How to make a resource of ``kind`` that code creates judged (an SMG-U's fix)."""
    settings = ", ".join(item.cloudformation for item in kind.properties)
    return (
        f"Pass the {kind.noun}'s settings ({settings}) as the custom resource's properties "
        f"so they are judged, or create the {kind.noun} as an {kind.cloudformation_type}. "
        f"Whatever code creates the {kind.noun}, the SCP (sm-guardrails policy scp) is the "
        "layer that holds it."
    )


def _from_sdk_call(
    maker: _Maker,
    logical_id: str,
    resource: Mapping[str, object],
    properties: Mapping[str, object],
    context: TemplateContext,
) -> list[CodeMadeResource]:
    """What an ``AwsCustomResource`` call of the kind's create call creates, if any."""
    for key in _SDK_CALL_KEYS:
        node = properties.get(key)
        if node is None or not maker.calls(json.dumps(node, default=str)):
            continue
        call = _json_call(node, context)
        if call is not None and not _makes(maker, call):
            continue  # another call that only mentions the API (a tag, a description)
        made = f"its `{key}` property calls SageMaker {maker.operation}"
        parameters = call.get("parameters") if call is not None else None
        if not isinstance(parameters, Mapping):
            unseen = "the call's parameters are decided at deployment"
            return [CodeMadeResource(maker.kind, logical_id, resource, made, (), unseen)]
        settings = (_canonical(maker, parameters),)
        return [CodeMadeResource(maker.kind, logical_id, resource, made, settings)]
    return []


def _makes(maker: _Maker, call: Mapping[str, object]) -> bool:
    """True when the parsed SDK ``call`` is the kind's create call, of SageMaker's client
    where it names one (``SageMaker``, ``@aws-sdk/client-sagemaker``)."""
    action = str(call.get("action")).removesuffix("Command")
    service = call.get("service")
    if isinstance(service, str) and not _SAGEMAKER.search(service):
        return False
    return bool(maker.call.fullmatch(action))


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
    maker: _Maker,
    logical_id: str,
    resource: Mapping[str, object],
    passed: list[Mapping[str, object]],
    functions: list[tuple[str, str | None]],
) -> list[CodeMadeResource]:
    """What the passed settings (every mapping in the properties) or the inline code of
    the ``functions`` behind the custom resource show it creates, if anything."""
    holders = [node for node in passed if any(_normal(key) in maker.settings for key in node)]
    calling = [name for name, code in functions if code and maker.calls(code)]
    if not holders and not calling:
        return []
    if calling:
        made = f"the inline code of Lambda function `{calling[0]}` calls {maker.operation}"
    elif functions:
        made = f"Lambda function `{functions[0][0]}` runs it"
    else:
        made = "the code behind its ServiceToken runs it"
    settings = tuple(_canonical(maker, holder) for holder in holders)
    return [CodeMadeResource(maker.kind, logical_id, resource, made, settings)]


def _mappings(node: object, depth: int = 0) -> Iterator[Mapping[str, object]]:
    """Every mapping in ``node`` (itself included), outermost first."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, Mapping):
        yield node
    items = node.values() if isinstance(node, Mapping) else node if isinstance(node, list) else ()
    for item in items:
        yield from _mappings(item, depth + 1)


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


def _canonical(maker: _Maker, settings: Mapping[str, object]) -> dict[str, object]:
    """``settings`` with the names the rules read spelled as CloudFormation spells them,
    inside the settings that hold them too (an intrinsic function's key is left as it is)."""
    renamed: dict[str, object] = {}
    for key, value in settings.items():
        name = maker.canonical.get(_normal(key), str(key))
        if name in maker.enclosing and isinstance(value, Mapping):
            value = _canonical(maker, value)
        renamed[name] = value
    return renamed
