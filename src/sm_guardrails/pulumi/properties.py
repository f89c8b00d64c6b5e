"""Translate a Pulumi resource's properties into the :class:`ResourceSpec` of its kind.

The properties come from the policy SDK's props proxy or as plain data the way the
engine sends them: an unknown value is the engine's unknown sentinel, a secret is
wrapped in the secret signature. Nothing here judges a value; the rules do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from pulumi_policy.proxy import UnknownValueError

from sm_guardrails.kinds import KINDS_BY_PULUMI_TYPE, ResourceKind, Spelling
from sm_guardrails.model import ResourceSpec
from sm_guardrails.values import ABSENT, Known, NotAMapping, Unknown, Value

UNKNOWN_SENTINELS = frozenset(
    {
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (the one the engine sends)
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)
"""The sentinels that stand for a value not known until the update runs."""

SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"

UNKNOWN_REASON = "known only after the resources it depends on are created (unknown at preview)"


class _UnknownMarker:
    """Stands for an unknown value inside plain data."""


UNKNOWN_VALUE = _UnknownMarker()


def plain(value: object) -> object:
    """Copy ``value`` into dicts, lists and scalars, secrets unwrapped, unknowns marked.

    The policy SDK's proxies are read through the data they wrap (see :func:`_target`);
    any other mapping or sequence key by key, so an unknown value on which it raises
    becomes :data:`UNKNOWN_VALUE` instead of an error.
    """
    if isinstance(value, str):
        return UNKNOWN_VALUE if value in UNKNOWN_SENTINELS else value
    if not isinstance(value, (dict, list)) and isinstance(value, (Mapping, Sequence)):
        value = _target(value)
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == SECRET_SIGNATURE and "value" in value:
            return plain(value["value"])
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        keys = list(iter(value))  # iterating a proxy never raises; `in` and .get may
        if _is_secret(value, keys):
            return plain(_read(value, "value"))
        return _plain_mapping(value, keys)
    if isinstance(value, Sequence):
        return [plain(_read(value, index)) for index in range(len(value))]
    return value


def _target(container: object) -> object:
    """The dict or list behind one of the policy SDK's proxies, else ``container``.

    The SDK's proxies hand out what they wrap under the key ``__target``. Reading it
    skips the proxy's per-item unknown checks; :func:`plain` marks unknowns itself.
    Plain data is never unwrapped, whatever its keys.
    """
    if isinstance(container, (dict, list)):
        return container
    try:
        target = container["__target"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError, UnknownValueError):
        return container
    return target if isinstance(target, (dict, list)) else container


def _is_secret(mapping: Mapping[str, object], keys: list[str]) -> bool:
    return (
        SIGNATURE_KEY in keys
        and "value" in keys
        and _read(mapping, SIGNATURE_KEY) == SECRET_SIGNATURE
    )


def _plain_mapping(mapping: Mapping[str, object], keys: list[str]) -> dict[str, object]:
    return {key: plain(_read(mapping, key)) for key in keys}


def _read(container: Mapping[str, object] | Sequence[object], key: str | int) -> object:
    """``container[key]``, or :data:`UNKNOWN_VALUE` where the SDK's proxy raises on an unknown."""
    try:
        return container[key]  # type: ignore[index]
    except UnknownValueError:
        return UNKNOWN_VALUE


_UNKNOWN = Unknown(UNKNOWN_REASON)


def _property(props: Mapping[str, object], key: str) -> Value:
    """The property ``key`` of a resource (a dict, or a mapping) as a tri-state value.

    Only the properties the rules read are copied; the resource's properties are a
    mapping of property names, never a wrapped (secret) value.
    """
    try:
        item = props.get(key)
    except UnknownValueError:
        return _UNKNOWN
    if type(item) is str:
        return _UNKNOWN if item in UNKNOWN_SENTINELS else Known(item)
    return to_value(plain(item))


def to_value(item: object) -> Value:
    """A tri-state value from plain data: ``None`` is absent, a list is judged item by item."""
    if item is None:
        return ABSENT
    if item is UNKNOWN_VALUE:
        return _UNKNOWN
    if isinstance(item, list):
        return Known(tuple(to_value(element) for element in item))
    return Known(item)


def resource_spec(
    resource_type: str, props: Mapping[str, object], names: tuple[str, ...]
) -> ResourceSpec:
    """The spec of a resource of ``resource_type`` (a key of KINDS_BY_PULUMI_TYPE)."""
    kind, spelling, paths = _reading(resource_type)
    top = _target(props)
    props = top if isinstance(top, dict) else props
    return ResourceSpec(
        kind=kind,
        names=names,
        values={name: _path(props, first, rest) for name, first, rest in paths},
        spelling=spelling,
    )


_Paths = tuple[tuple[str, str, tuple[str, ...]], ...]


@cache
def _reading(resource_type: str) -> tuple[ResourceKind, Spelling, _Paths]:
    """How to read a Pulumi type: its kind, its provider's spelling, and each property's
    name with its path as that provider spells it (the first key, then the keys inside),
    split once per type rather than once per resource."""
    kind = KINDS_BY_PULUMI_TYPE[resource_type]
    spelling = kind.pulumi_types[resource_type]
    paths = []
    for item in kind.properties:
        first, *rest = item.spelled(spelling).split(".")
        paths.append((item.name, first, tuple(rest)))
    return kind, spelling, tuple(paths)


def _path(props: Mapping[str, object], first: str, rest: tuple[str, ...]) -> Value:
    """The value at the path ``first``, then ``rest``, of a resource's properties.

    A setting on the way that is unknown leaves even whether the property is set
    undecided (the rules fail closed instead of passing it); one that is not a mapping
    is a known wrong shape, which every rule fails.
    """
    value = _property(props, first)
    for depth, key in enumerate(rest):
        if isinstance(value, Unknown):
            walked = ".".join((first, *rest[:depth]))
            return Unknown(f"{walked} is {value.reason}, so it may not set {key}", True)
        if not isinstance(value, Known):
            return value
        settings = value.value
        if not isinstance(settings, dict):
            return Known(NotAMapping(settings))  # a known wrong shape, as check reads it
        value = to_value(settings.get(key))
    return value
