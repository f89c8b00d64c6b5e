"""Tri-state property values: known, absent or unknown, plus a choice between values.

Adapters translate whatever their world holds (a template literal, a parameter, a
CDK token, a Pulumi output) into one of these, and the rules judge only these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True)
class Known:
    """A literal decided now.

    ``value`` is a JSON-like scalar (str, int, float, bool), a mapping, or a
    tuple of :data:`Value` for a list whose items are judged one by one.
    """

    value: object


@dataclass(frozen=True)
class Absent:
    """The property is not set, so AWS applies its default."""


@dataclass(frozen=True)
class Unknown:
    """A value decided later (at deploy time, or by another resource); ``reason`` says why.

    ``may_be_unset`` says that even whether the property is set is unknown (the setting
    that encloses it is unknown), so a presence check cannot pass it either.
    """

    reason: str
    may_be_unset: bool = False


@dataclass(frozen=True)
class Choice:
    """One of several values, e.g. the branches of ``Fn::If`` or a parameter's AllowedValues.

    ``branches``, when given, says for each option what leads to it (``when condition
    `C` is false``), in place of ``reason``.
    """

    options: tuple[Value, ...]
    reason: str
    branches: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotAMapping:
    """What a setting inside a known literal that is not a mapping holds (``Known`` of it).

    ``DefaultUserSettings: "oops"`` sets no ``DefaultUserSettings.SecurityGroups``: that is
    a known wrong shape, which every check fails (it is no id, list or expected string),
    not a value decided at deployment.
    """

    literal: object
    """The literal that should have been a mapping."""


Value = Known | Absent | Unknown | Choice

ABSENT = Absent()


def describe(value: Value) -> str:
    """A short human rendering of ``value`` for messages."""
    if isinstance(value, Absent):
        return "not set"
    if isinstance(value, Unknown):
        return f"unknown ({value.reason})"
    if isinstance(value, Choice):
        return "one of " + ", ".join(describe(option) for option in value.options)
    return render_literal(value.value)


def render_literal(literal: object) -> str:
    """Render a literal the way a user wrote it: strings quoted, lists in brackets."""
    if isinstance(literal, tuple):
        return "[" + ", ".join(describe(item) for item in literal) + "]"
    if isinstance(literal, NotAMapping):
        return f"unreadable (what holds it, {render_literal(literal.literal)}, is not a mapping)"
    if isinstance(literal, str):
        return repr(literal)
    if literal is None:
        return "null"
    if isinstance(literal, bool):
        return "true" if literal else "false"
    return repr(literal)


def flatten(value: Value) -> Iterator[tuple[Value, tuple[str, ...]]]:
    """Every concrete (non-choice) value ``value`` can take, with the choices that lead to it."""
    if isinstance(value, Choice):
        for index, option in enumerate(value.options):
            reason = value.branches[index] if value.branches else value.reason
            for leaf, path in flatten(option):
                yield leaf, (reason, *path)
    else:
        yield value, ()


_PHRASES = ("when ", "through ")
"""How a choice's reason starts when it is already a phrase (a branch)."""


def path_phrase(via: tuple[str, ...]) -> str:
    """The choices ``via`` (from :func:`flatten`) as words: ``through parameter `P`, when
    condition `C` is false``."""
    words: list[str] = []
    for is_phrase, group in groupby(via, key=lambda reason: reason.startswith(_PHRASES)):
        reasons = list(group)
        if is_phrase:
            words.extend(reasons)
        else:
            words.append("through " + ", ".join(reasons))
    return ", ".join(words)


def listed_parameters(
    raw: object, names: tuple[str, str], value: Callable[[object], Value]
) -> dict[str, Value] | None:
    """A list of ``{key: ..., value: ...}`` entries (``names``) as a mapping, each value
    read by ``value``; ``{}`` for no list, None when it is something else."""
    key_name, value_name = names
    if raw is None:
        return {}
    if not isinstance(raw, list):
        return None
    found: dict[str, Value] = {}
    for entry in raw:
        if not isinstance(entry, Mapping) or not isinstance(entry.get(key_name), str):
            return None
        found[str(entry[key_name])] = value(entry.get(value_name))
    return found
