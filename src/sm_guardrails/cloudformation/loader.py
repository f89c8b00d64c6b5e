"""Load CloudFormation templates from JSON or YAML, YAML short-form intrinsics included."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TemplateError(Exception):
    """A template cannot be read; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class LoadedTemplate:
    """A parsed template with the text it came from (for line numbers in reports)."""

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
        pattern = re.compile(rf"""^[ \t]*(["']?)({names})\1[ \t]*:""", re.MULTILINE)
        lines: dict[str, int] = {}
        line, position = 1, 0
        for match in pattern.finditer(self.text):
            line += self.text.count("\n", position, match.start())
            position = match.start()
            lines.setdefault(match.group(2), line)
        return lines


class _TemplateYamlLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that turns ``!Ref X`` into ``{"Ref": "X"}`` and ``!Sub`` into ``Fn::Sub``."""


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
        if text.lstrip().startswith("{"):
            data: object = json.loads(text)
        else:
            _refuse_aliases(text)
            data = yaml.load(text, Loader=_TemplateYamlLoader)
    except json.JSONDecodeError as error:
        raise TemplateError(
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
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
    return LoadedTemplate(path=path, data=parse_template(text), text=text)


def looks_like_template(data: Mapping[str, object]) -> bool:
    """True for a mapping with the sections a CloudFormation template has."""
    return "Resources" in data or "AWSTemplateFormatVersion" in data
