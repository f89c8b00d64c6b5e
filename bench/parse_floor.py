"""The template-scanning floor: find and parse every template with the checker's loader, no rules.

``python -m bench.parse_floor PATH...`` walks directories as ``sm-guardrails check``
does (template suffixes, sorted, hidden entries skipped) and parses each file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from sm_guardrails.cloudformation import load_template
from sm_guardrails.cloudformation.checker import TEMPLATE_SUFFIXES


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


def main(arguments: list[str]) -> int:
    """Parse every template; return 0."""
    for argument in arguments:
        for path in template_files(Path(argument)):
            load_template(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
