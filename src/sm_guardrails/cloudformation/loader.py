"""Load CloudFormation templates from JSON or YAML, YAML short-form intrinsics included."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from sm_guardrails.cloudformation.language_extensions import expand_template

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TemplateError(Exception):
    """A template cannot be read; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class LoadedTemplate:
    """A parsed template, its ``Fn::ForEach`` loops expanded, with the text it came from.

    The text gives line numbers in reports.
    """

    path: Path
    data: Mapping[str, object]
    text: str

    def lines_of(self, keys: Collection[str]) -> dict[str, int]:
        """The 1-based line where each of ``keys`` is first declared as a key, where found.

        One scan of the text for all of them, in C: reports of a large template with
        many notebooks stay linear in its size.
        """
        if not keys:
            return {}
        names = "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
        pattern = re.compile(rf"""^[ \t]*(?:-[ \t]+)?(["']?)({names})\1[ \t]*:""", re.MULTILINE)
        lines: dict[str, int] = {}
        line, position = 1, 0
        for match in pattern.finditer(self.text):
            line += self.text.count("\n", position, match.start())
            position = match.start()
            lines.setdefault(match.group(2), line)
        return lines


class _TemplateYamlLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that turns ``!Ref X`` into ``{"Ref": "X"}`` and ``!Sub`` into ``Fn::Sub``.

    It also records every key that a mapping repeats (``duplicates``), which a plain
    loader would let the last one win silently, and refuses merge keys (``<<``), which
    CloudFormation does not accept and PyYAML releases merge differently.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        """The mapping of ``node``; a repeated key is recorded (one length check otherwise)."""
        mapping: dict[object, object] = super().construct_mapping(node, deep=deep)
        if len(mapping) < len(node.value):
            self.duplicates.extend(_repeated_yaml_keys(self, node.value))
        return mapping

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Refuse a merge key (``<<``): CloudFormation rejects it."""
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise yaml.constructor.ConstructorError(
                    problem="a YAML merge key (<<), which CloudFormation does not accept; "
                    "write the merged keys out",
                    problem_mark=key_node.start_mark,
                )
        super().flatten_mapping(node)


_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class DuplicateKey:
    """A key that one mapping declares twice, with the 1-based lines of both."""

    key: str
    first_line: int
    second_line: int


def _repeated_yaml_keys(
    loader: yaml.SafeLoader, pairs: list[tuple[yaml.Node, yaml.Node]]
) -> Iterator[DuplicateKey]:
    first_lines: dict[object, int] = {}
    for key_node, _ in pairs:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if key in first_lines:
            yield DuplicateKey(str(key), first_lines[key], line)
        else:
            first_lines[key] = line


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        value: object = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{suffix}": value}


_TemplateYamlLoader.add_multi_constructor("!", _construct_intrinsic)


def parse_template(text: str) -> Mapping[str, object]:
    """Parse ``text`` as a JSON or YAML template, or raise :class:`TemplateError`."""
    if not text.strip():
        raise TemplateError("the file is empty; expected a CloudFormation template")
    try:
        data = _load_json_or_yaml(text) if text.lstrip().startswith("{") else _load_yaml(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise TemplateError(f"invalid YAML{at}: {problem}") from None
    except RecursionError:
        raise TemplateError("the document is nested too deeply to be a template") from None
    if not isinstance(data, Mapping):
        kind = "null" if data is None else type(data).__name__
        raise TemplateError(f"the top level is a {kind}, not a mapping; expected a template")
    return data


def _load_json_or_yaml(text: str) -> object:
    """JSON, or else YAML in flow style (``{Resources: {...}}``), as CloudFormation reads it.

    Text that is neither is reported as the JSON it most likely meant to be.
    """
    try:
        return _load_json(text)
    except json.JSONDecodeError as error:
        json_error = TemplateError(
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        )
    try:
        return _load_yaml(text)
    except yaml.YAMLError:
        raise json_error from None


def _load_yaml(text: str) -> object:
    _refuse_aliases(text)
    loader = _TemplateYamlLoader(text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    _refuse_duplicates(loader.duplicates)
    return data


class _RepeatedKey(Exception):
    """Raised by the JSON object hook: some object repeats a key (where is found afterwards)."""


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    mapping = dict(pairs)
    if len(mapping) < len(pairs):
        raise _RepeatedKey
    return mapping


def _load_json(text: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except _RepeatedKey:
        _refuse_duplicates(list(_repeated_json_keys(text)))
    raise TemplateError("repeats a key in one JSON object; remove one of them")


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:]')


def _repeated_json_keys(text: str) -> Iterator[DuplicateKey]:
    """Each key that a JSON object repeats; only run on text that has one."""
    stack: list[dict[str, int] | None] = []  # per open object its keys' lines; None for arrays
    line, position, pending = 1, 0, None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "{":
            stack.append({})
        elif token == "[":
            stack.append(None)
        elif token in "]}":
            if stack:
                stack.pop()
        elif token == ":":
            keys = stack[-1] if stack else None
            if pending is not None and keys is not None:
                key, key_line = pending
                if key in keys:
                    yield DuplicateKey(key, keys[key], key_line)
                else:
                    keys[key] = key_line
        else:
            line += text.count("\n", position, match.start())
            position = match.start()
            pending = (json.loads(token), line)
            continue
        pending = None


def _refuse_duplicates(duplicates: list[DuplicateKey]) -> None:
    """Raise :class:`TemplateError` naming the first repeated key, if there is one."""
    if not duplicates:
        return
    first = min(duplicates, key=lambda item: (item.second_line, item.first_line))
    more = len(duplicates) - 1
    others = f" (and {more} more repeated key{'s' if more > 1 else ''})" if more else ""
    raise TemplateError(
        f"declares the key {first.key!r} twice in one mapping, at lines {first.first_line} "
        f"and {first.second_line}{others}; a parser keeps only the last, which hides the "
        "first value: remove one of them"
    )


_MAYBE_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s\[\]{},]", re.MULTILINE)


def _refuse_aliases(text: str) -> None:
    """Refuse YAML aliases (``*name``), as CloudFormation does.

    An alias shares a node, so a few lines can stand for billions of list items;
    CloudFormation rejects them ("YAML aliases are not allowed"), and so do we,
    before anything is expanded. Only text that may hold one is parsed for events.
    """
    if not _MAYBE_ALIAS.search(text):
        return
    for event in yaml.parse(text, Loader=_TemplateYamlLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else "?"
            raise TemplateError(
                f"uses a YAML alias (*{event.anchor}) at line {line}, which CloudFormation "
                "does not accept; check the template `aws cloudformation package` writes"
            )


STDIN = Path("-")
"""The path that stands for standard input, as in ``sm-guardrails check -``."""


def load_template(path: Path) -> LoadedTemplate:
    """Read and parse the template at ``path`` (:data:`STDIN`: standard input).

    Every failure is a :class:`TemplateError`.
    """
    try:
        raw = sys.stdin.buffer.read() if path == STDIN else path.read_bytes()
    except FileNotFoundError:
        raise TemplateError("no such file") from None
    except IsADirectoryError:
        raise TemplateError("is a directory, not a file") from None
    except OSError as error:
        raise TemplateError(f"cannot be read: {error.strerror}") from None
    if b"\x00" in raw:
        raise TemplateError("is a binary file, not a CloudFormation template")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TemplateError(
            f"is not UTF-8 text (byte {error.start}); save the template as UTF-8"
        ) from None
    return LoadedTemplate(path=path, data=expand_template(parse_template(text)), text=text)


def looks_like_template(data: Mapping[str, object]) -> bool:
    """True for a mapping with the sections a CloudFormation template has."""
    return "Resources" in data or "AWSTemplateFormatVersion" in data
