"""Optional extras: a clear install hint when an adapter's dependencies are missing or too old."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re


class MissingExtraError(ModuleNotFoundError):
    """An optional adapter was imported without the extra that brings its dependencies."""


class UnsupportedReleaseError(ImportError):
    """An optional adapter was imported with a release of its library it does not support."""


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


def installed_release(distribution: str) -> tuple[int, ...] | None:
    """The release of ``distribution`` that is installed (``(2, 80, 0)``), or None if unknown.

    Read from the package's metadata, so the package itself is not imported.
    """
    try:
        version = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    numbers = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in numbers.group().split(".")) if numbers else None


def require_release(
    module: str, distribution: str, floor: tuple[int, ...], below: tuple[int, ...], fallback: str
) -> tuple[int, ...]:
    """The installed release of ``distribution``; :class:`UnsupportedReleaseError` if outside
    ``floor`` (included) to ``below`` (excluded).

    The error is one line: the range ``module`` supports, what was found, how to upgrade,
    and ``fallback``, what works without the adapter.
    """
    found = installed_release(distribution)
    if found is not None and floor <= found < below:
        return found
    shown = "an unknown release" if found is None else _dotted(found)
    raise UnsupportedReleaseError(
        f"{module} supports {distribution} {_dotted(floor)} and newer (below {_dotted(below)}), "
        f"found {shown}: upgrade it (pip install '{distribution}>={_dotted(floor)},"
        f"<{_dotted(below)}'), or without upgrading, {fallback}",
        name=module,
    )


def _dotted(release: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in release)
