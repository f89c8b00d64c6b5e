"""The registry of resource kinds the rules judge; every adapter and generator iterates it.

Adding a kind: declare it in a module of this package, add it to :data:`KINDS`, and
give it rules in :mod:`sm_guardrails.catalog`.
"""

from sm_guardrails.kinds.declaration import (
    ApiReader,
    ConditionKey,
    Property,
    ResourceKind,
    Spelling,
    camel_path,
)
from sm_guardrails.kinds.notebook_instance import NOTEBOOK_INSTANCE
from sm_guardrails.kinds.studio_domain import STUDIO_DOMAIN

KINDS: tuple[ResourceKind, ...] = (NOTEBOOK_INSTANCE, STUDIO_DOMAIN)
KINDS_BY_CLOUDFORMATION_TYPE: dict[str, ResourceKind] = {
    kind.cloudformation_type: kind for kind in KINDS
}
KINDS_BY_PULUMI_TYPE: dict[str, ResourceKind] = {
    token: kind for kind in KINDS for token in kind.pulumi_types
}

__all__ = [
    "KINDS",
    "KINDS_BY_CLOUDFORMATION_TYPE",
    "KINDS_BY_PULUMI_TYPE",
    "NOTEBOOK_INSTANCE",
    "STUDIO_DOMAIN",
    "ApiReader",
    "ConditionKey",
    "Property",
    "ResourceKind",
    "Spelling",
    "camel_path",
]
