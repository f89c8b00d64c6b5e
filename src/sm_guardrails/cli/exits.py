"""The CLI's exit codes and its error line, for every command."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_FINDINGS = 1
"""At least one error-level finding."""
EXIT_USAGE = 2
"""Bad usage or input: the command said why in one error line."""
EXIT_BROKEN_PIPE = 141
"""What a shell reports for a program that SIGPIPE stopped (128 + 13)."""


def print_error(message: str) -> None:
    """Write ``sm-guardrails: error: MESSAGE`` to stderr."""
    print(f"sm-guardrails: error: {message}", file=sys.stderr)


def usage_error(message: str) -> int:
    """Say ``message`` on the error line; the exit code of bad usage or input."""
    print_error(message)
    return EXIT_USAGE
