"""A deployed resource of a declared kind, as its Describe call and ``ListTags`` show it.

The API spells some properties differently from CloudFormation (a notebook's
``SecurityGroups``, not ``SecurityGroupIds``; the kinds declare it) and leaves a property
out where the resource has none, which means AWS's default, exactly as an absent
template property does: no ``DirectInternetAccess`` is Enabled, no
``AppNetworkAccessType`` is PublicInternetOnly. Nothing here judges a value; the rules do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sm_guardrails.kinds import ResourceKind, Spelling
from sm_guardrails.model import Exemption, ResourceSpec
from sm_guardrails.values import ABSENT, Known, Value

EXEMPTION_TAG_PREFIX = "sm-guardrails:exempt:"
"""A tag ``sm-guardrails:exempt:SMG-1`` exempts the resource from SMG-1; its value is the reason."""


@dataclass(frozen=True)
class DeployedResource:
    """One resource of an account: where it is, and its spec.

    ``ignored_exemption_tags`` are exemption tags (``key=value``) that were not honoured
    because tag exemptions are turned off; the caller reports them.
    """

    region: str
    name: str
    arn: str
    spec: ResourceSpec
    ignored_exemption_tags: tuple[str, ...] = ()


def deployed_resource(
    kind: ResourceKind,
    description: Mapping[str, object],
    tags: Iterable[Mapping[str, str]],
    region: str,
    *,
    honour_exemption_tags: bool = True,
) -> DeployedResource:
    """The resource of ``kind`` that ``description`` (a Describe response) shows, with ``tags``.

    The spec's names are the resource's name, then its ARN, so a config exemption may
    name either. Exemption tags become exemptions unless ``honour_exemption_tags`` is
    False; a blank reason or an unknown rule id is the core's SMG-0, as everywhere else.
    """
    name = str(description.get(kind.api.name_field, ""))
    arn = str(description.get(kind.api.arn_field, ""))
    exemptions, exemption_tags = _exemption_tags(tags)
    values = {
        item.name: _field(description, item.spelled(Spelling.API)) for item in kind.properties
    }
    return DeployedResource(
        region=region,
        name=name,
        arn=arn,
        spec=ResourceSpec(
            kind=kind,
            names=(name, arn),
            values=values,
            exemptions=exemptions if honour_exemption_tags else (),
            spelling=Spelling.API,
        ),
        ignored_exemption_tags=() if honour_exemption_tags else exemption_tags,
    )


def _field(description: Mapping[str, object], path: str) -> Value:
    """The response field at the dotted ``path``; missing (at any level) is absent."""
    item: object = description
    for key in path.split("."):
        item = item.get(key) if isinstance(item, Mapping) else None
    return _value(item)


def _value(item: object) -> Value:
    """A response field as a tri-state value: a missing field is absent, a list item by item."""
    if item is None:
        return ABSENT
    if isinstance(item, list):
        return Known(tuple(_value(element) for element in item))
    return Known(item)


def _exemption_tags(
    tags: Iterable[Mapping[str, str]],
) -> tuple[tuple[Exemption, ...], tuple[str, ...]]:
    """The exemptions the tags ask for, and those tags as ``key=value`` for messages."""
    exemptions, rendered = [], []
    for tag in tags:
        key = tag.get("Key", "")
        if key.startswith(EXEMPTION_TAG_PREFIX):
            reason = tag.get("Value", "")
            exemptions.append(Exemption(key[len(EXEMPTION_TAG_PREFIX) :], reason))
            rendered.append(f"{key}={reason}")
    return tuple(exemptions), tuple(rendered)
