"""``python -m sm_guardrails``: the same as the ``sm-guardrails`` command."""

from sm_guardrails.cli import run

run()
