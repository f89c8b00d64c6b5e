"""The template-scanning floor: find and parse every template with plain json/yaml, no checks.

``python -m bench.parse_floor PATH...`` walks directories as ``sm-guardrails check``
does (template suffixes, sorted, hidden entries skipped) and parses each file with
``json.loads`` or PyYAML's C loader, taking CloudFormation's short-form tags as plain
values. It does none of the reader's own work (refusing aliases, finding duplicate
keys, expanding ``Fn::ForEach``), so that work counts against the checker, not the floor.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

from sm_guardrails.cloudformation.checker import TEMPLATE_SUFFIXES


class _FloorLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The C safe loader, with any ``!Tag`` read as the plain value it tags."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


_FloorLoader.add_multi_constructor("!", _untagged)


def template_files(path: Path) -> Iterator[Path]:
    """The template files under ``path``, in the checker's order."""
    if not path.is_dir():
        yield path
        return
    for entry in sorted(path.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from template_files(entry)
        elif entry.suffix.lower() in TEMPLATE_SUFFIXES:
            yield entry


def parse(path: Path) -> object:
    """The parsed content of one template file."""
    text = path.read_bytes().decode("utf-8-sig")
    if text.lstrip().startswith("{"):
        return json.loads(text)
    return yaml.load(text, Loader=_FloorLoader)


def main(arguments: list[str]) -> int:
    """Parse every template; return 0."""
    for argument in arguments:
        for path in template_files(Path(argument)):
            parse(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
