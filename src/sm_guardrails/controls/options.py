"""The config options every generating command shares (`export guard`, `policy scp|boundary`)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from sm_guardrails.config import GuardrailConfig


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """--config, --level and --strict, as `sm-guardrails check` takes them."""
    parser.add_argument(
        "--config", type=Path, help="a YAML or JSON file with levels and exemptions"
    )
    parser.add_argument(
        "--level",
        action="append",
        default=[],
        metavar="RULE=LEVEL",
        help="set a rule's level: error, warning or off (repeatable), e.g. SMG-3=error",
    )
    parser.add_argument("--strict", action="store_true", help="treat every rule as error level")
    parser.add_argument("--output", "-o", type=Path, help="write to this file, not stdout")


def config_from(args: argparse.Namespace) -> GuardrailConfig:
    """The config the options describe (raises ConfigError with a one-line message)."""
    from sm_guardrails.cli import _config  # cli registers this module's commands

    args.unknown = None
    return _config(args)


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
