"""The config options every generating command shares (`export guard`, `policy scp|boundary`)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from sm_guardrails.cli.options import add_rule_options


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """--config, --level and --strict, as `sm-guardrails check` takes them, and --output."""
    add_rule_options(parser)
    parser.add_argument("--output", "-o", type=Path, help="write to this file, not stdout")


def write_output(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` whole (a temporary file renamed into place)."""
    if output is None:
        sys.stdout.write(text)
        return
    directory = output.resolve().parent
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
