"""``python -m tests.aws.crashing_cli POINT ARGS...``: ``sm-guardrails ARGS...`` that crashes
(SIGKILL, no cleanup) at the remediation's crash point ``POINT``, as a real crash would."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

from sm_guardrails.aws.journal import install_crash_hook
from sm_guardrails.cli import run


def crash_at(wanted: str) -> Callable[[str, Callable[[], object]], None]:
    """A crash hook that kills this process at the point ``wanted``, after its last words."""

    def hook(point: str, last_words: Callable[[], object]) -> None:
        if point == wanted:
            last_words()
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


if __name__ == "__main__":
    install_crash_hook(crash_at(sys.argv[1]))
    sys.argv[1:2] = []
    run()
