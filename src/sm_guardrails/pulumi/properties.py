"""Translate a Pulumi notebook resource's properties into a :class:`NotebookSpec`.

The properties come from the policy SDK's props proxy or as plain data the way the
engine sends them: an unknown value is the engine's unknown sentinel, a secret is
wrapped in the secret signature. Nothing here judges a value; the rules do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from pulumi_policy.proxy import UnknownValueError

from sm_guardrails.model import NotebookSpec
from sm_guardrails.values import ABSENT, Known, Unknown, Value

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


@dataclass(frozen=True)
class NotebookSchema:
    """Where one Pulumi resource type keeps the properties the rules read."""

    resource_type: str
    security_groups: str

    @cached_property
    def property_names(self) -> dict[str, str]:
        """The rules' property names (CloudFormation keys) spelled as in this schema."""
        return {
            "DirectInternetAccess": "directInternetAccess",
            "SubnetId": "subnetId",
            "SecurityGroupIds": self.security_groups,
            "RootAccess": "rootAccess",
            "KmsKeyId": "kmsKeyId",
            "MinimumInstanceMetadataServiceVersion": (
                "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion"
            ),
        }


SCHEMAS: dict[str, NotebookSchema] = {
    schema.resource_type: schema
    for schema in (
        NotebookSchema("aws:sagemaker/notebookInstance:NotebookInstance", "securityGroups"),
        NotebookSchema("aws-native:sagemaker:NotebookInstance", "securityGroupIds"),
    )
}
"""The notebook resource types the policies judge, by Pulumi type token."""


class _UnknownMarker:
    """Stands for an unknown value inside plain data."""


UNKNOWN_VALUE = _UnknownMarker()


def plain(value: object) -> object:
    """Copy ``value`` into dicts, lists and scalars, secrets unwrapped, unknowns marked.

    Reads the policy SDK's proxies key by key, so an unknown value (on which the SDK's
    proxy raises) becomes :data:`UNKNOWN_VALUE` instead of an error.
    """
    if isinstance(value, str):
        return UNKNOWN_VALUE if value in UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        keys = list(iter(value))  # iterating the SDK's proxy never raises; `in` and .get may
        if _is_secret(value, keys):
            return plain(_read(value, "value"))
        return _plain_mapping(value, keys)
    if isinstance(value, Sequence):
        return [plain(_read(value, index)) for index in range(len(value))]
    return value


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


def _member(props: Mapping[str, object], key: str) -> object:
    """The property ``key`` of a resource as plain data; None when the resource has none.

    Only the properties the rules read are copied; the resource's properties are a
    mapping of property names, never a wrapped (secret) value.
    """
    try:
        return plain(props[key])
    except KeyError:
        return None
    except UnknownValueError:
        return UNKNOWN_VALUE


def to_value(item: object) -> Value:
    """A tri-state value from plain data: ``None`` is absent, a list is judged item by item."""
    if item is None:
        return ABSENT
    if item is UNKNOWN_VALUE:
        return Unknown(UNKNOWN_REASON)
    if isinstance(item, list):
        return Known(tuple(to_value(element) for element in item))
    return Known(item)


def notebook_spec(
    resource_type: str, props: Mapping[str, object], names: tuple[str, ...]
) -> NotebookSpec:
    """The :class:`NotebookSpec` of a notebook resource of ``resource_type`` (a key of SCHEMAS)."""
    schema = SCHEMAS[resource_type]
    imds = _member(props, "instanceMetadataServiceConfiguration")
    if imds is UNKNOWN_VALUE:
        minimum_imds: Value = Unknown(UNKNOWN_REASON)
    else:
        minimum_imds = to_value(
            imds.get("minimumInstanceMetadataServiceVersion") if isinstance(imds, dict) else None
        )
    return NotebookSpec(
        names=names,
        direct_internet_access=to_value(_member(props, "directInternetAccess")),
        subnet_id=to_value(_member(props, "subnetId")),
        security_group_ids=to_value(_member(props, schema.security_groups)),
        root_access=to_value(_member(props, "rootAccess")),
        kms_key_id=to_value(_member(props, "kmsKeyId")),
        minimum_imds_version=minimum_imds,
        property_names=schema.property_names,
    )
