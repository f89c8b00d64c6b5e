"""What a resource kind declares: its types in every tool, its API reader, its IAM actions,
and each property the rules read, once, with every spelling.

Adapters and generators read these declarations instead of spelling a type or a property
themselves, so a new kind is one declaration (plus its rules in the catalog).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal


class Spelling(str, Enum):
    """The ways a property's name is written, one per world the adapters read."""

    CLOUDFORMATION = "cloudformation"
    CDK_L1 = "cdk-l1"
    """The camelCase keys of a CDK L1's resolved properties."""
    API = "api"
    """The SageMaker API's (a Describe response's) field names."""
    PULUMI_AWS = "pulumi-aws"
    PULUMI_AWS_NATIVE = "pulumi-aws-native"


def camel_path(path: str) -> str:
    """``DefaultUserSettings.SecurityGroups`` as ``defaultUserSettings.securityGroups``."""
    return ".".join(part[:1].lower() + part[1:] for part in path.split("."))


@dataclass(frozen=True)
class ConditionKey:
    """The IAM condition key a create (and maybe update) request carries a property in."""

    name: str
    type: Literal["String", "ArrayOfString", "ARN"]
    on_update: bool = False
    """True when the kind's update action carries the key too (and may change the property)."""
    id_pattern: str | None = None
    successor: str | None = None
    """The key AWS's current reference lists instead (``name`` is deprecated there): a
    presence test needs both absent to deny, whichever of the two a request carries."""


@dataclass(frozen=True)
class Property:
    """One property a rule reads, spelled for every world.

    ``name`` is how rules, fixes (``{name}``) and exemptions refer to it. Every spelling
    defaults from the CloudFormation path: the API's is the same path, CDK L1s and
    Pulumi's aws-native provider use its camelCase, pulumi-aws too unless it says otherwise.
    """

    name: str
    cloudformation: str = ""
    api: str = ""
    pulumi_aws: str = ""
    condition_key: ConditionKey | None = None
    spellings: Mapping[Spelling, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cloudformation = self.cloudformation or self.name
        camel = camel_path(cloudformation)
        object.__setattr__(self, "cloudformation", cloudformation)
        spellings = {
            Spelling.CLOUDFORMATION: cloudformation,
            Spelling.CDK_L1: camel,
            Spelling.API: self.api or cloudformation,
            Spelling.PULUMI_AWS: self.pulumi_aws or camel,
            Spelling.PULUMI_AWS_NATIVE: camel,
        }
        object.__setattr__(self, "spellings", spellings)

    def spelled(self, spelling: Spelling) -> str:
        """The property's dotted path as ``spelling`` writes it."""
        return self.spellings[spelling]


@dataclass(frozen=True)
class ApiReader:
    """How the SageMaker API lists and describes resources of a kind (boto3 names)."""

    list_operation: str
    list_key: str
    id_field: str
    """The field of a listed item that the describe call takes (as ``id_field=...``)."""
    describe_operation: str
    name_field: str
    arn_field: str
    arn_pattern: str
    """The ARNs of the kind's resources in IAM policies, any region and account."""
    create_operation: str = ""
    """The call that creates one (``create_domain``): code that makes it creates one."""
    create_operation_shared: bool = False
    """True when other AWS services have a call of that name too (OpenSearch's
    ``create_domain``): code must then name SageMaker as well to be taken for one."""

    @property
    def list_action(self) -> str:
        """The IAM action of the list call: ``sagemaker:ListDomains``."""
        return _iam_action(self.list_operation)

    @property
    def describe_action(self) -> str:
        """The IAM action of the describe call: ``sagemaker:DescribeDomain``."""
        return _iam_action(self.describe_operation)


def _iam_action(operation: str) -> str:
    """boto3's ``list_domains`` as IAM's ``sagemaker:ListDomains``."""
    return "sagemaker:" + "".join(word.title() for word in operation.split("_"))


@dataclass(frozen=True, eq=False)
class ResourceKind:
    """A kind of resource the rules judge, declared once for every adapter and generator.

    Kinds compare by identity: each is declared once, in the registry.
    """

    noun: str
    """What one is called in messages: ``notebook instance``."""
    short_noun: str
    """What one is called in counts: ``notebook`` (``3 notebook(s)``)."""
    cloudformation_type: str
    config_type: str
    pulumi_types: Mapping[str, Spelling]
    """The Pulumi type tokens of the kind, with how each spells the properties."""
    iam_create: str
    iam_update: str
    api: ApiReader
    properties: tuple[Property, ...]
    distinctive_settings: frozenset[str] = frozenset()
    """Members of the create request that no other API takes (only this kind's SageMaker
    operations, and no other service's that sm-guardrails knows of): a mapping of
    settings that holds one describes a resource of this kind (a custom resource's)."""
    _by_name: Mapping[str, Property] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {item.name: item for item in self.properties})

    def property(self, name: str) -> Property:
        """The property called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.cloudformation_type} declares no property {name!r}") from None

    def spellings(self, spelling: Spelling) -> dict[str, str]:
        """Each property's name with its path as ``spelling`` writes it."""
        return {item.name: item.spelled(spelling) for item in self.properties}
