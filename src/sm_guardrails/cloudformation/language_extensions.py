"""Expand ``Fn::ForEach`` (the ``AWS::LanguageExtensions`` transform) as CloudFormation does.

Before it deploys, CloudFormation copies each loop's body once per item of its
collection, with the identifier substituted: ``${Id}`` by the item and ``&{Id}`` by
the item without its non-alphanumeric characters, in keys and in strings, and
``{"Ref": "Id"}`` by the item. Loops nest, and may stand in Conditions, Resources
(resource properties included) and Outputs.

What the template fixes is expanded exactly. A collection decided at deploy time
still yields its body (once, or once per item of a list parameter's Default), with
the identifier's value unknown and the reason: a notebook in such a loop is judged
as written where it does not use the identifier, and fails closed where it does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from sm_guardrails.cloudformation.intrinsics import PresetValue, TemplateContext
from sm_guardrails.values import Choice, Known, Unknown, Value, flatten

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
FOR_EACH = "Fn::ForEach::"
LOOP_SECTIONS = ("Conditions", "Resources", "Outputs")
"""The sections where CloudFormation accepts ``Fn::ForEach``."""
MAX_GENERATED = 10_000
"""More loop iterations than this in one template are refused (CloudFormation allows 500
resources in a template)."""

_NON_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]+")
_LIST_TYPES = ("CommaDelimitedList", "List<")


class ExpandedTemplate(dict[str, object]):
    """A template whose loops are expanded.

    ``loops`` names, for each resource a loop generated, the loops that did (outermost
    first); ``problems`` says what keeps a loop from being expanded as CloudFormation would.
    """

    def __init__(
        self,
        data: Mapping[str, object],
        loops: Mapping[str, tuple[str, ...]],
        problems: tuple[str, ...],
    ) -> None:
        super().__init__(data)
        self.loops = loops
        self.problems = problems


def expand_template(template: Mapping[str, object]) -> Mapping[str, object]:
    """``template`` with every ``Fn::ForEach`` expanded; itself when it has none to expand."""
    if isinstance(template, ExpandedTemplate) or not _may_loop(template):
        return template
    return _Expander(template).run()


def declares_language_extensions(template: Mapping[str, object]) -> bool:
    """True when the template's Transform is, or lists, ``AWS::LanguageExtensions``."""
    transform = template.get("Transform")
    if isinstance(transform, list):
        return LANGUAGE_EXTENSIONS in transform
    return transform == LANGUAGE_EXTENSIONS


def _may_loop(template: Mapping[str, object]) -> bool:
    """True when the template declares the transform or a section starts a loop (a cheap look)."""
    if declares_language_extensions(template):
        return True
    for section in LOOP_SECTIONS:
        keys = template.get(section)
        if isinstance(keys, Mapping) and any(str(key).startswith(FOR_EACH) for key in keys):
            return True
    return False


@dataclass(frozen=True)
class _Binding:
    """What a loop identifier stands for in one iteration.

    ``text`` is the item as logical ids get it (None where the template does not name
    it), ``value`` what property values get.
    """

    text: str | None
    value: Value


Bindings = Mapping[str, _Binding]


class _TooManyIterations(Exception):
    """The loops of a template generate more than :data:`MAX_GENERATED` copies."""


class _Expander:
    """One template's expansion, with the problems and loop origins it finds on the way."""

    def __init__(self, template: Mapping[str, object]) -> None:
        self.template = template
        self.context = TemplateContext.from_template(template)
        self.problems: list[str] = []
        self.loops: dict[str, tuple[str, ...]] = {}
        self.iterations = 0
        self.has_loops = False

    def run(self) -> ExpandedTemplate:
        data = dict(self.template)
        try:
            for section in LOOP_SECTIONS:
                content = data.get(section)
                if isinstance(content, Mapping):
                    data[section], origins = self._mapping(content, {}, (), section)
                    if section == "Resources":
                        self.loops = {key: chain for key, chain in origins.items() if chain}
        except _TooManyIterations as error:
            self.problems.append(
                f"its Fn::ForEach loops make more than {MAX_GENERATED} copies ({error}); "
                "CloudFormation allows 500 resources in a template"
            )
        except RecursionError:
            self.problems.append("is nested too deeply to expand its Fn::ForEach loops")
        for section, content in self.template.items():
            if section not in LOOP_SECTIONS and isinstance(content, Mapping):
                self.problems.extend(
                    f"{section} holds {key}, but CloudFormation expands Fn::ForEach only in "
                    "Conditions, Resources and Outputs"
                    for key in content
                    if str(key).startswith(FOR_EACH)
                )
        if self.has_loops and not declares_language_extensions(self.template):
            self.problems.append(
                f"uses Fn::ForEach without `Transform: {LANGUAGE_EXTENSIONS}`, which "
                "CloudFormation needs to expand it; add the transform"
            )
        return ExpandedTemplate(data, self.loops, tuple(self.problems))

    def _mapping(
        self, node: Mapping[str, object], bindings: Bindings, chain: tuple[str, ...], where: str
    ) -> tuple[dict[str, object], dict[str, tuple[str, ...]]]:
        """``node`` expanded, and the loops behind each of its keys (``chain`` for plain ones)."""
        result: dict[str, object] = {}
        origins: dict[str, tuple[str, ...]] = {}
        for key, value in node.items():
            if isinstance(key, str) and key.startswith(FOR_EACH):
                for out_key, out_value, out_chain in self._loop(key, value, bindings, chain, where):
                    self._put(result, out_key, out_value, where)
                    origins.setdefault(out_key, out_chain)
            else:
                out_key = (
                    _substitute_key(key, bindings) if bindings and isinstance(key, str) else key
                )
                self._put(result, out_key, self._node(value, bindings, where), where)
                origins.setdefault(out_key, chain)
        return result, origins

    def _put(self, result: dict[str, object], key: str, value: object, where: str) -> None:
        if key in result:
            self.problems.append(
                f"{where}: Fn::ForEach makes the key {key} more than once; CloudFormation "
                "rejects the template (make each generated key unique)"
            )
        else:
            result[key] = value

    def _node(self, node: object, bindings: Bindings, where: str) -> object:
        if isinstance(node, Mapping):
            if bindings and len(node) == 1:
                ((key, argument),) = node.items()
                if key == "Ref" and isinstance(argument, str) and argument in bindings:
                    return _value_node(bindings[argument])
                if key == "Fn::Sub":
                    return self._sub(argument, bindings, where)
            return self._mapping(node, bindings, (), where)[0]
        if isinstance(node, list):
            return [self._node(item, bindings, where) for item in node]
        if isinstance(node, str) and bindings:
            return _substitute_string(node, bindings)
        return node

    def _sub(self, argument: object, bindings: Bindings, where: str) -> object:
        text, variables = argument, {}
        if isinstance(argument, list) and len(argument) == 2:
            text = argument[0]
            expanded = self._node(argument[1], bindings, where)
            variables = dict(expanded) if isinstance(expanded, Mapping) else {}
        if not isinstance(text, str):
            return {"Fn::Sub": self._node(argument, bindings, where)}
        return _sub_node(_replace_known(text, bindings), bindings, variables)

    def _loop(
        self, name: str, argument: object, bindings: Bindings, chain: tuple[str, ...], where: str
    ) -> Iterator[tuple[str, object, tuple[str, ...]]]:
        """The keys and values loop ``name`` generates, each with the loops behind it."""
        self.has_loops = True
        if not (
            isinstance(argument, list)
            and len(argument) == 3
            and isinstance(argument[0], str)
            and isinstance(argument[2], Mapping)
        ):
            self.problems.append(
                f"{where}: {name} must be [identifier, collection, {{key: value}}]; "
                "its body is not checked"
            )
            return
        identifier, collection, body = argument
        for binding in self._collection(name, identifier, collection, bindings):
            self.iterations += 1
            if self.iterations > MAX_GENERATED:
                raise _TooManyIterations(name)
            inner = {**bindings, identifier: binding}
            expanded, origins = self._mapping(body, inner, (*chain, name), where)
            for key, value in expanded.items():
                yield key, value, origins[key]

    def _collection(
        self, name: str, identifier: str, collection: object, bindings: Bindings
    ) -> list[_Binding]:
        """One binding per item the loop may iterate over, or one standing for them all."""
        about = f"loop identifier `{identifier}` of {name}"
        if isinstance(collection, Mapping) and set(collection) == {"Ref"}:
            parameter = collection["Ref"]
            declaration = (
                self.context.parameters.get(parameter) if isinstance(parameter, str) else None
            )
            if isinstance(declaration, Mapping) and parameter not in bindings:
                kind = str(declaration.get("Type", "String"))
                if kind.startswith(_LIST_TYPES):
                    return _parameter_items(about, str(parameter), declaration)
        resolved = self.context.resolve(self._node(collection, bindings, name))
        items = _list_items(resolved)
        if items is None:
            reason = resolved.reason if isinstance(resolved, Unknown) else "a value not a list"
            return [_Binding(None, Unknown(f"{about} iterates over {reason}"))]
        literal = [_Binding(_text(item), item) for item in items if _text(item) is not None]
        others = [item for item in items if _text(item) is None]
        if others:
            value = others[0] if len(others) == 1 else Choice(tuple(others), about)
            literal.append(_Binding(None, value))
        return literal


def _parameter_items(
    about: str, parameter: str, declaration: Mapping[str, object]
) -> list[_Binding]:
    """The iterations over list parameter ``parameter``: its AllowedValues, else its Default."""
    allowed = declaration.get("AllowedValues")
    if isinstance(allowed, list) and allowed:
        items = dict.fromkeys(part.strip() for value in allowed for part in str(value).split(","))
        return [_Binding(item, Known(item)) for item in items]
    reason = f"{about} takes its values from list parameter `{parameter}` at deploy time"
    default = declaration.get("Default")
    if isinstance(default, str) and default.strip():
        unknown = Unknown(f"{reason} (its Default {default!r} can be overridden)")
        return [_Binding(item.strip(), unknown) for item in default.split(",")]
    return [_Binding(None, Unknown(reason))]


def _list_items(value: Value) -> list[Value] | None:
    """The items ``value`` may hold when every value it can take is a list, else None."""
    items: list[Value] = []
    for leaf, _ in flatten(value):
        if not (isinstance(leaf, Known) and isinstance(leaf.value, tuple)):
            return None
        items.extend(item for item in leaf.value if item not in items)
    return items


def _text(item: Value) -> str | None:
    """The literal text of a collection item, if it is a scalar the template fixes."""
    if not isinstance(item, Known) or not isinstance(item.value, (str, int, float, bool)):
        return None
    if isinstance(item.value, bool):
        return "true" if item.value else "false"
    return str(item.value)


def _alphanumeric(text: str) -> str:
    return _NON_ALPHANUMERIC.sub("", text)


def _substitute_key(key: str, bindings: Bindings) -> str:
    """A key with every identifier whose item the template names substituted."""
    for identifier, binding in bindings.items():
        if binding.text is not None and "{" + identifier + "}" in key:
            key = key.replace("${" + identifier + "}", binding.text)
            key = key.replace("&{" + identifier + "}", _alphanumeric(binding.text))
    return key


def _literal(binding: _Binding) -> str | None:
    value = binding.value
    return _text(value) if isinstance(value, Known) else None


def _replace_known(text: str, bindings: Bindings) -> str:
    """``text`` with every identifier whose value is a literal substituted."""
    for identifier, binding in bindings.items():
        literal = _literal(binding)
        if literal is not None and "{" + identifier + "}" in text:
            text = text.replace("${" + identifier + "}", literal)
            text = text.replace("&{" + identifier + "}", _alphanumeric(literal))
    return text


def _pending(text: str, bindings: Bindings) -> list[str]:
    """The identifiers ``text`` still holds whose value is not a literal."""
    return [
        identifier
        for identifier in bindings
        if "${" + identifier + "}" in text or "&{" + identifier + "}" in text
    ]


def _substitute_string(text: str, bindings: Bindings) -> object:
    """A string value after substitution: text, or a node whose value is decided later."""
    if "{" not in text:
        return text
    replaced = _replace_known(text, bindings)
    pending = _pending(replaced, bindings)
    if not pending:
        return replaced
    (identifier, *_) = pending
    if replaced == "${" + identifier + "}":
        return _value_node(bindings[identifier])
    if replaced == "&{" + identifier + "}":
        return PresetValue(_stripped(bindings[identifier].value))
    escaped = replaced.replace("${", "${!")  # in a plain string only the identifiers change
    for identifier in pending:
        escaped = escaped.replace("${!" + identifier + "}", "${" + identifier + "}")
    return _sub_node(escaped, bindings, {})


def _sub_node(text: str, bindings: Bindings, variables: dict[str, object]) -> object:
    """``Fn::Sub`` of ``text`` with each identifier whose value is not a literal as a variable."""
    for identifier in _pending(text, bindings):
        value = bindings[identifier].value
        text = text.replace("&{" + identifier + "}", "${&" + identifier + "}")
        variables.setdefault(identifier, PresetValue(value))
        variables.setdefault("&" + identifier, PresetValue(_stripped(value)))
    return {"Fn::Sub": [text, variables] if variables else text}


def _value_node(binding: _Binding) -> object:
    literal = _literal(binding)
    return literal if literal is not None else PresetValue(binding.value)


def _stripped(value: Value) -> Value:
    """``value`` as ``&{Id}`` gives it: literal strings without non-alphanumeric characters."""
    if isinstance(value, Choice):
        return replace(value, options=tuple(_stripped(option) for option in value.options))
    if isinstance(value, Known) and isinstance(value.value, str):
        return Known(_alphanumeric(value.value))
    return value
