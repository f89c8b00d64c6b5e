"""Pulumi Service Catalog resources: the templates they offer or launch, never given inline.

A product (``aws.servicecatalog.Product``, ``aws.servicecatalog.ProvisioningArtifact``,
``aws-native:servicecatalog:CloudFormationProduct``) offers a template that it names
by URL (``templateUrl``, ``info.LoadTemplateFromURL``), by the stack it copies
(``templatePhysicalId``, ``info.ImportFromPhysicalId``) or by a repository
(``sourceConnection``); a provisioned product launches a product's. The pack cannot
read any of them, so each is a template not seen here (``SMG-U``), as a stack's
``templateUrl`` is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sm_guardrails.pulumi.properties import UNKNOWN_VALUE, plain

if TYPE_CHECKING:  # the template reader loads only when such a resource comes
    from sm_guardrails.cloudformation.held import HeldTemplate

_UNSEEN = "which is not checked here"


def _artifact(data: Mapping[str, object], label: str) -> str:
    """Where one pulumi-aws provisioning artifact's template is."""
    url, physical = data.get("templateUrl"), data.get("templatePhysicalId")
    if url is UNKNOWN_VALUE or physical is UNKNOWN_VALUE:
        return f"offers{label} a template whose location is unknown at preview"
    if url is not None:
        return f"offers{label} the template at templateUrl {url!r}, {_UNSEEN}"
    return f"offers{label} the template of stack {physical!r} (templatePhysicalId), {_UNSEEN}"


def _aws_product(data: Mapping[str, object]) -> list[str]:
    artifact = data.get("provisioningArtifactParameters")
    if not isinstance(artifact, Mapping):
        return ["offers a template whose provisioningArtifactParameters are unknown at preview"]
    name = artifact.get("name")
    return [_artifact(artifact, f" (provisioning artifact {name!r})" if name else "")]


def _aws_provisioning_artifact(data: Mapping[str, object]) -> list[str]:
    return [_artifact(data, f" to product {data.get('productId')!r}")]


def _native_product(data: Mapping[str, object]) -> list[str]:
    """aws-native's product has CloudFormation's shape, in camelCase."""
    from sm_guardrails.cloudformation.service_catalog import product_templates

    artifacts = data.get("provisioningArtifactParameters")
    properties = {
        "ProvisioningArtifactParameters": [
            {key[0].upper() + key[1:]: value for key, value in item.items()}
            if isinstance(item, Mapping)
            else item
            for item in artifacts
        ]
        if isinstance(artifacts, list)
        else artifacts,
        "SourceConnection": data.get("sourceConnection"),
    }
    return [item.unseen for item in product_templates(properties)]


def _provisioned(data: Mapping[str, object]) -> list[str]:
    product = data.get("productId", data.get("productName"))
    artifact = data.get("provisioningArtifactId", data.get("provisioningArtifactName"))
    shown = "unknown at preview" if product is UNKNOWN_VALUE else repr(product)
    return [
        f"launches Service Catalog product {shown} (provisioning artifact {artifact!r}), "
        f"whose template is not checked here"
    ]


PRODUCT_TYPES: dict[str, Callable[[Mapping[str, object]], list[str]]] = {
    "aws:servicecatalog/product:Product": _aws_product,
    "aws:servicecatalog/provisioningArtifact:ProvisioningArtifact": _aws_provisioning_artifact,
    "aws:servicecatalog/provisionedProduct:ProvisionedProduct": _provisioned,
    "aws-native:servicecatalog:CloudFormationProduct": _native_product,
    "aws-native:servicecatalog:CloudFormationProvisionedProduct": _provisioned,
}
"""The Service Catalog resource types, by Pulumi type token, with what each deploys."""


def product_held_templates(
    resource_type: str, props: Mapping[str, object], name: str
) -> list[HeldTemplate]:
    """The templates the resource ``name`` of ``resource_type`` (a key of PRODUCT_TYPES)
    offers or launches, each unseen."""
    from sm_guardrails.cloudformation.held import HeldTemplate

    data = plain(props)
    data = data if isinstance(data, dict) else {}
    return [
        HeldTemplate(name, None, resource_type, None, unseen)
        for unseen in PRODUCT_TYPES[resource_type](data)
    ]
