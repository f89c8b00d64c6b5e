"""Service Catalog products: the templates a product offers and a provisioned product deploys.

An ``AWS::ServiceCatalog::CloudFormationProduct`` offers one template per provisioning
artifact (``ProvisioningArtifactParameters[].Info``, whose keys are ``LoadTemplateFromURL``
or ``ImportFromPhysicalId``), or syncs it from a repository (``SourceConnection``), for
anyone with access to the product to launch; an
``AWS::ServiceCatalog::CloudFormationProvisionedProduct`` launches one (``ProductId`` or
``ProductName``, with ``ProvisioningArtifactId`` or ``ProvisioningArtifactName``). Neither
gives its template inline: a template in the cloud assembly is checked as a template of
its own, any other is a template not seen here.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass

PRODUCT_TYPE = "AWS::ServiceCatalog::CloudFormationProduct"
PROVISIONED_PRODUCT_TYPE = "AWS::ServiceCatalog::CloudFormationProvisionedProduct"
ARTIFACTS = "ProvisioningArtifactParameters"
SOURCE_CONNECTION = "SourceConnection"
_TEMPLATE_ARTIFACT = "CLOUD_FORMATION_TEMPLATE"


@dataclass(frozen=True)
class ProductTemplate:
    """One template a product offers: where the product gives it, its
    ``LoadTemplateFromURL`` (a CloudFormation template's, else None), and what it is
    and where, to tell when it is not seen."""

    where: str
    url: object
    unseen: str


def product_templates(properties: Mapping[str, object]) -> list[ProductTemplate]:
    """The templates of a ``CloudFormationProduct`` with ``properties``, in order."""
    artifacts = properties.get(ARTIFACTS)
    found: list[ProductTemplate] = []
    if isinstance(artifacts, list):
        found.extend(_artifact(index, artifact) for index, artifact in enumerate(artifacts))
    elif artifacts is not None:
        found.append(
            ProductTemplate(
                ARTIFACTS, None, f"offers templates that its {ARTIFACTS} decide at deployment"
            )
        )
    connection = properties.get(SOURCE_CONNECTION)
    if connection is not None:
        found.append(
            ProductTemplate(
                SOURCE_CONNECTION,
                None,
                f"offers the template it syncs from a repository ({SOURCE_CONNECTION} "
                f"{connection!r}), which is not checked here",
            )
        )
    return found


def _artifact(index: int, artifact: object) -> ProductTemplate:
    where = f"{ARTIFACTS}[{index}]"
    artifact = artifact if isinstance(artifact, Mapping) else {}
    name = artifact.get("Name")
    kind = artifact.get("Type", _TEMPLATE_ARTIFACT)
    label = f"as provisioning artifact {name!r}" if isinstance(name, str) else f"in {where}"
    if kind != _TEMPLATE_ARTIFACT:
        label += f" (a {kind} artifact)"
    info = artifact.get("Info")
    if isinstance(info, str):  # Info may also be given as JSON text
        with contextlib.suppress(ValueError):
            info = json.loads(info)
    url = info.get("LoadTemplateFromURL") if isinstance(info, Mapping) else None
    physical = info.get("ImportFromPhysicalId") if isinstance(info, Mapping) else None
    if url is not None:
        unseen = f"offers, {label}, the template at LoadTemplateFromURL {url!r}"
    elif physical is not None:
        unseen = f"offers, {label}, the template of stack {physical!r} (ImportFromPhysicalId)"
    else:
        unseen = f"offers, {label}, a template whose Info {info!r} is not a template location"
    return ProductTemplate(
        where, url if kind == _TEMPLATE_ARTIFACT else None, unseen + ", which is not checked here"
    )


def provisioned_unseen(properties: Mapping[str, object], products: Collection[str]) -> str | None:
    """What a ``CloudFormationProvisionedProduct`` launches, unless it is one of ``products``
    (the template's own products, whose templates are judged or reported there)."""
    product = properties.get("ProductId", properties.get("ProductName"))
    if _names_one_of(product, products):
        return None
    artifact = properties.get("ProvisioningArtifactId", properties.get("ProvisioningArtifactName"))
    return (
        f"launches Service Catalog product {product!r} (provisioning artifact {artifact!r}), "
        "whose template is not checked here"
    )


def _names_one_of(value: object, logical_ids: Collection[str]) -> bool:
    """True when ``value`` is a ``Ref`` or ``Fn::GetAtt`` to one of ``logical_ids``."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    ((function, argument),) = value.items()
    if function == "Ref":
        return argument in logical_ids
    if function == "Fn::GetAtt":
        target = argument[0] if isinstance(argument, list) and argument else argument
        return isinstance(target, str) and target.split(".")[0] in logical_ids
    return False
