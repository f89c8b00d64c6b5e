"""A deployed notebook instance, as ``DescribeNotebookInstance`` and ``ListTags`` show it.

The API spells some properties differently from CloudFormation (``SecurityGroups``,
not ``SecurityGroupIds``) and leaves a property out where the notebook has none, which
means AWS's default, exactly as an absent template property does: no
``DirectInternetAccess`` or ``RootAccess`` is Enabled, no IMDS setting is version 1.
Nothing here judges a value; the rules do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sm_guardrails.model import Exemption, NotebookSpec
from sm_guardrails.values import ABSENT, Known, Value

EXEMPTION_TAG_PREFIX = "sm-guardrails:exempt:"
"""A tag ``sm-guardrails:exempt:SMG-1`` exempts the notebook from SMG-1; its value is the reason."""

API_PROPERTY_NAMES: dict[str, str] = {
    "DirectInternetAccess": "DirectInternetAccess",
    "SubnetId": "SubnetId",
    "SecurityGroupIds": "SecurityGroups",
    "RootAccess": "RootAccess",
    "KmsKeyId": "KmsKeyId",
    "MinimumInstanceMetadataServiceVersion": (
        "InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion"
    ),
}
"""The rules' property names as DescribeNotebookInstance spells them, for messages."""


@dataclass(frozen=True)
class DeployedNotebook:
    """One notebook instance of an account: where it is, and its spec.

    ``ignored_exemption_tags`` are exemption tags (``key=value``) that were not honoured
    because tag exemptions are turned off; the caller reports them.
    """

    region: str
    name: str
    arn: str
    spec: NotebookSpec
    ignored_exemption_tags: tuple[str, ...] = ()


def deployed_notebook(
    description: Mapping[str, object],
    tags: Iterable[Mapping[str, str]],
    region: str,
    *,
    honour_exemption_tags: bool = True,
) -> DeployedNotebook:
    """The notebook ``description`` (a DescribeNotebookInstance response) with its ``tags``.

    The spec's names are the notebook's name, then its ARN, so a config exemption may
    name either. Exemption tags become exemptions unless ``honour_exemption_tags`` is
    False; a blank reason or an unknown rule id is the core's SMG-0, as everywhere else.
    """
    name = str(description.get("NotebookInstanceName", ""))
    arn = str(description.get("NotebookInstanceArn", ""))
    imds = description.get("InstanceMetadataServiceConfiguration")
    exemptions, exemption_tags = _exemption_tags(tags)
    return DeployedNotebook(
        region=region,
        name=name,
        arn=arn,
        spec=NotebookSpec(
            names=(name, arn),
            direct_internet_access=_value(description.get("DirectInternetAccess")),
            subnet_id=_value(description.get("SubnetId")),
            security_group_ids=_value(description.get("SecurityGroups")),
            root_access=_value(description.get("RootAccess")),
            kms_key_id=_value(description.get("KmsKeyId")),
            minimum_imds_version=_value(
                imds.get("MinimumInstanceMetadataServiceVersion")
                if isinstance(imds, Mapping)
                else None
            ),
            exemptions=exemptions if honour_exemption_tags else (),
            property_names=API_PROPERTY_NAMES,
        ),
        ignored_exemption_tags=() if honour_exemption_tags else exemption_tags,
    )


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
