"""The ``sm-guardrails`` command line: one module per command, exit codes in :mod:`.exits`."""

from sm_guardrails.cli.main import main, run

__all__ = ["main", "run"]
