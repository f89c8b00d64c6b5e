"""Optional extras: a clear install hint when an adapter's dependencies are missing."""

from __future__ import annotations

import importlib.util


class MissingExtraError(ModuleNotFoundError):
    """An optional adapter was imported without the extra that brings its dependencies."""


def require_extra(extra: str, module: str, *imports: str) -> None:
    """Raise :class:`MissingExtraError` unless every top-level module of ``imports`` is installed.

    ``module`` is the adapter that needs them (for the message). Call it at the top of
    the adapter's ``__init__``, before the imports it guards: it only looks the modules
    up, so it costs no import time.
    """
    missing = [name for name in imports if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtraError(
            f"{module} needs the '{extra}' extra ({', '.join(missing)} is not installed); "
            f"install it with: pip install 'sm-guardrails[{extra}]'",
            name=missing[0],
        )
