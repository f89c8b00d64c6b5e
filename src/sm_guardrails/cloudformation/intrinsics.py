"""Resolve CloudFormation property values statically into tri-state values.

What a template fixes (literals, parameters' AllowedValues, ``Fn::If`` branches,
``Fn::FindInMap`` over literal maps, ``Fn::Sub``/``Fn::Join`` of those) becomes
known or a choice; what only deployment decides becomes unknown, with the reason.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sm_guardrails.values import (
    ABSENT,
    Absent,
    Choice,
    Known,
    NotAMapping,
    Unknown,
    Value,
    flatten,
    path_phrase,
)

MAX_DEPTH = 64
"""Deeper nesting than this is not resolved (it is reported as unknown)."""
MAX_COMBINATIONS = 64
"""A ``Fn::Sub``/``Fn::Join`` with more combinations of choices than this is unknown."""

_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")
_LIST_PARAMETER_PREFIXES = ("List<", "CommaDelimitedList", "AWS::SSM::Parameter::Value<List<")


@dataclass(frozen=True)
class PresetValue:
    """A template node whose value the reader has already decided.

    Expanding ``Fn::ForEach`` puts one where a loop identifier stands and its value is
    not a literal (e.g. a collection known only at deploy time).
    """

    value: Value


@dataclass(frozen=True)
class TemplateContext:
    """The parts of a template that property values can refer to.

    ``passed`` holds the values a resource that deploys the template (a StackSet, a
    nested stack) passes to its parameters, as the deploying template decides them.
    """

    parameters: Mapping[str, object] = field(default_factory=dict)
    mappings: Mapping[str, object] = field(default_factory=dict)
    resource_types: Mapping[str, str] = field(default_factory=dict)
    passed: Mapping[str, Value] = field(default_factory=dict)

    @classmethod
    def from_template(
        cls, template: Mapping[str, object], passed: Mapping[str, Value] | None = None
    ) -> TemplateContext:
        """The context of ``template``; malformed sections are treated as empty."""
        resources = _mapping(template.get("Resources"))
        return cls(
            passed=passed or {},
            parameters=_mapping(template.get("Parameters")),
            mappings=_mapping(template.get("Mappings")),
            resource_types={
                name: str(_mapping(resource).get("Type", "a resource"))
                for name, resource in resources.items()
            },
        )

    def resolve(self, node: object, depth: int = 0) -> Value:
        """The tri-state value of a property's template ``node``."""
        if depth > MAX_DEPTH:
            return Unknown(f"nested deeper than {MAX_DEPTH} levels")
        if node is None:
            return ABSENT
        if isinstance(node, str):
            if "{{resolve:" in node:
                return Unknown(f"dynamic reference {node!r}, resolved at deploy time")
            return Known(node)
        if isinstance(node, list):
            return Known(tuple(self.resolve(item, depth + 1) for item in node))
        if isinstance(node, Mapping) and TRANSFORM in node:
            return _transformed(node[TRANSFORM])
        if isinstance(node, Mapping) and len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref":
                return self._ref(argument)
            if isinstance(key, str) and key.startswith("Fn::"):
                return self._function(key, argument, depth + 1)
        if isinstance(node, Mapping):
            return Known(node)
        if isinstance(node, (int, float, bool)):
            return Known(node)
        if isinstance(node, PresetValue):
            return node.value
        return Known(str(node))

    def member(self, value: Value, key: str, depth: int = 0) -> Value:
        """The value of ``key`` inside a mapping ``value`` (e.g. a property of Properties).

        Inside a known literal that is not a mapping it is a known wrong shape
        (:class:`NotAMapping`), which the rules fail, not a value decided later.
        """
        if isinstance(value, Choice):
            options = tuple(self.member(option, key, depth) for option in value.options)
            return replace(value, options=options)
        if isinstance(value, (Absent, Unknown)):
            return value
        if isinstance(value.value, Mapping):
            return self.resolve(value.value.get(key), depth + 1) if key in value.value else ABSENT
        if isinstance(value.value, NotAMapping):
            return value
        return Known(NotAMapping(value.value))

    def _ref(self, name: object) -> Value:
        if not isinstance(name, str):
            return Unknown(f"Ref to {name!r}, which is not a name")
        if name == "AWS::NoValue":
            return ABSENT
        if name.startswith("AWS::"):
            return Unknown(f"pseudo parameter {name}, known at deploy time")
        if name in self.parameters:
            return self._parameter(name)
        if name in self.resource_types:
            return Unknown(f"the id of {self.resource_types[name]} `{name}`")
        return Unknown(f"Ref to `{name}`, which the template does not define")

    def _parameter(self, name: str) -> Value:
        declaration = _mapping(self.parameters[name])
        kind = str(declaration.get("Type", "String"))
        allowed = declaration.get("AllowedValues")
        passed = self.passed.get(name)
        if passed is not None and not kind.startswith("AWS::SSM::Parameter::Value"):
            undecided = any(isinstance(leaf, Unknown) for leaf, _ in flatten(passed))
            if not (undecided and isinstance(allowed, list) and allowed):
                return _as_list(passed) if kind.startswith(_LIST_PARAMETER_PREFIXES) else passed
        if kind.startswith(_LIST_PARAMETER_PREFIXES):
            return Unknown(f"list parameter `{name}`, set at deploy time")
        if kind.startswith("AWS::SSM::Parameter::Value"):
            return Unknown(f"parameter `{name}` read from SSM Parameter Store at deploy time")
        if isinstance(allowed, list) and allowed:
            options = tuple(self.resolve(option) for option in allowed)
            return Choice(options, f"parameter `{name}`, whose AllowedValues include it")
        default = declaration.get("Default")
        overridable = f" (its Default {default!r} can be overridden)" if default is not None else ""
        return Unknown(f"can be set at deploy time through parameter `{name}`{overridable}")

    def _function(self, name: str, argument: object, depth: int) -> Value:
        if name == "Fn::If":
            return self._if(argument, depth)
        if name == "Fn::FindInMap":
            return self._find_in_map(argument, depth)
        if name == "Fn::Sub":
            return self._sub(argument, depth)
        if name == "Fn::Join":
            return self._join(argument, depth)
        if name == "Fn::Select":
            return self._select(argument, depth)
        if name == "Fn::GetAtt":
            target = ".".join(map(str, argument)) if isinstance(argument, list) else str(argument)
            return Unknown(f"attribute {target}, known after deployment")
        if name == "Fn::ImportValue":
            return Unknown(f"imported from another stack by Fn::ImportValue {argument!r}")
        if name == "Fn::Length":
            return self._length(argument, depth)
        if name == "Fn::ToJsonString" and _is_plain(argument, depth):
            return Known(json.dumps(argument, separators=(",", ":")))
        return Unknown(f"computed by {name} at deploy time")

    def _if(self, argument: object, depth: int) -> Value:
        if not (isinstance(argument, list) and len(argument) == 3):
            return Unknown("a malformed Fn::If (expected [condition, if-true, if-false])")
        condition, when_true, when_false = argument
        return Choice(
            (self.resolve(when_true, depth), self.resolve(when_false, depth)),
            f"condition `{condition}`",
            (f"when condition `{condition}` is true", f"when condition `{condition}` is false"),
        )

    def _find_in_map(self, argument: object, depth: int) -> Value:
        if not (isinstance(argument, list) and len(argument) in (3, 4)):
            return Unknown("a malformed Fn::FindInMap (expected [map, top key, second key])")
        map_name, *keys = argument[:3]
        candidates = _lookup(self.mappings, Known(map_name)) if isinstance(map_name, str) else []
        if not candidates:
            return Unknown(f"Fn::FindInMap over mapping {map_name!r}, which is not in the template")
        for key in keys:
            key_value = self.resolve(key, depth)
            candidates = [
                found for level in candidates for found in _lookup(_mapping(level), key_value)
            ]
        options = tuple(self.resolve(candidate, depth) for candidate in candidates)
        if len(argument) == 4:
            fallback = _mapping(argument[3]).get("DefaultValue")
            options += (self.resolve(fallback, depth),)
        if not options:
            return Unknown(f"Fn::FindInMap over `{map_name}` finds no value for these keys")
        return options[0] if len(options) == 1 else Choice(options, f"mapping `{map_name}`")

    def _sub(self, argument: object, depth: int) -> Value:
        text: object = argument
        variables: Mapping[str, object] = {}
        if isinstance(argument, list) and len(argument) == 2:
            text, variables = argument[0], _mapping(argument[1])
        if not isinstance(text, str):
            return Unknown("a malformed Fn::Sub (expected a string)")
        parts: list[Value] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(Known(text[position : match.start()]))
            variable = match.group(1).strip()
            if variable in variables:
                parts.append(self.resolve(variables[variable], depth))
            elif "." in variable:
                parts.append(Unknown(f"attribute {variable}, known after deployment"))
            else:
                parts.append(self._ref(variable))
            position = match.end()
        parts.append(Known(text[position:].replace("${!", "${")))
        return _concatenate(parts, "Fn::Sub")

    def _join(self, argument: object, depth: int) -> Value:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("a malformed Fn::Join (expected [delimiter, list])")
        delimiter, items = self.resolve(argument[0], depth), self.resolve(argument[1], depth)
        if not (isinstance(delimiter, Known) and isinstance(delimiter.value, str)):
            return Unknown("Fn::Join with a delimiter known only at deploy time")
        if not (isinstance(items, Known) and isinstance(items.value, tuple)):
            return Unknown("Fn::Join over a list known only at deploy time")
        parts: list[Value] = []
        for index, item in enumerate(items.value):
            if index:
                parts.append(delimiter)
            parts.append(item)
        return _concatenate(parts, "Fn::Join")

    def _select(self, argument: object, depth: int) -> Value:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("a malformed Fn::Select (expected [index, list])")
        index, items = self.resolve(argument[0], depth), self.resolve(argument[1], depth)
        if (
            isinstance(index, Known)
            and str(index.value).isdigit()
            and isinstance(items, Known)
            and isinstance(items.value, tuple)
            and int(str(index.value)) < len(items.value)
        ):
            selected: Value = items.value[int(str(index.value))]
            return selected
        return Unknown("Fn::Select over values known only at deploy time")

    def _length(self, argument: object, depth: int) -> Value:
        items = self.resolve(argument, depth)
        if isinstance(items, Known) and isinstance(items.value, tuple):
            return Known(len(items.value))
        return Unknown("Fn::Length of a list known only at deploy time")


def _is_plain(node: object, depth: int) -> bool:
    """True for a JSON value with no intrinsic function in it (``Fn::ToJsonString`` prints it)."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(node, list):
        return all(_is_plain(item, depth + 1) for item in node)
    if isinstance(node, Mapping):
        if any(key in ("Ref", "Condition") or str(key).startswith("Fn::") for key in node):
            return False
        return all(_is_plain(item, depth + 1) for item in node.values())
    if isinstance(node, str):
        return "{{resolve:" not in node
    return node is None or isinstance(node, (int, float, bool))


TRANSFORM = "Fn::Transform"


def transform_names(argument: object) -> list[str]:
    """The macro names an ``Fn::Transform`` argument (one or a list of ``{Name: ...}``) gives."""
    items = argument if isinstance(argument, list) else [argument]
    return [str(_mapping(item).get("Name", "<no Name>")) for item in items]


def _transformed(argument: object) -> Unknown:
    """A value that ``Fn::Transform`` hands to a macro, which returns what is deployed."""
    names = ", ".join(f"`{name}`" for name in transform_names(argument))
    return Unknown(
        f"rewritten at deployment by Fn::Transform {names}, so the deployed template may "
        "differ; check the processed one (aws cloudformation get-template "
        "--template-stage Processed)"
    )


def _as_list(value: Value) -> Value:
    """A value passed to a list parameter: a literal string is its comma-separated items."""
    if isinstance(value, Choice):
        return replace(value, options=tuple(_as_list(option) for option in value.options))
    if isinstance(value, Known) and isinstance(value.value, str):
        items = value.value.split(",") if value.value else []
        return Known(tuple(Known(item.strip()) for item in items))
    return value


def _mapping(node: object) -> Mapping[str, object]:
    return node if isinstance(node, Mapping) else {}


def _lookup(level: Mapping[str, object], key: Value) -> list[object]:
    """The entries of ``level`` that ``key`` can select (all of them for an unknown key).

    Where an ``Fn::Transform`` (``AWS::Include``) beside the written entries supplies
    more, a key not written out may select one of those: the transform stands for it.
    """
    found: list[object] = []
    included = level.get(TRANSFORM)
    for leaf, _ in flatten(key):
        literal = leaf.value if isinstance(leaf, Known) else None
        name = str(literal) if isinstance(literal, (str, int)) else None
        if name is not None and name in level and name != TRANSFORM:
            found.append(level[name])
            continue
        if name is None:
            found.extend(value for entry, value in level.items() if entry != TRANSFORM)
        if included is not None:
            found.append({TRANSFORM: included})
    return found


def _concatenate(parts: Sequence[Value], function: str) -> Value:
    """Join string parts; choices multiply out (up to a limit), anything undecided is unknown."""
    alternatives: list[list[tuple[Value, tuple[str, ...]]]] = [
        list(flatten(part)) for part in parts
    ]
    combinations = 1
    for options in alternatives:
        combinations *= len(options)
    if combinations > MAX_COMBINATIONS:
        return Unknown(f"{function} with more than {MAX_COMBINATIONS} possible values")
    results: list[Value] = []
    paths: list[str] = []
    for combination in itertools.product(*alternatives):
        text = ""
        reasons: list[str] = []
        for leaf, via in combination:
            if isinstance(leaf, Unknown):
                return Unknown(f"{function} of {leaf.reason}")
            if not isinstance(leaf, Known) or not isinstance(leaf.value, (str, int, float)):
                return Unknown(f"{function} of a value that is not a string")
            text += str(leaf.value)
            reasons.extend(reason for reason in via if reason not in reasons)
        results.append(Known(text))
        paths.append(path_phrase(tuple(reasons)))
    if len(results) == 1:
        return results[0]
    return Choice(tuple(results), function, tuple(paths))
