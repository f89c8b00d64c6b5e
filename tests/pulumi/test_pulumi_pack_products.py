"""The policy pack over gRPC on Service Catalog products: each template is one not seen here."""

from __future__ import annotations

from typing import Any

import pytest

from sm_guardrails.pulumi.engine import AnalyzerClient, Diagnostic

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
URL = "https://s3.amazonaws.com/catalog/notebook.yaml"
STACK_ARN = "arn:aws:cloudformation:eu-west-1:123456789012:stack/lab/1"


def analyze(client: AnalyzerClient, resource_type: str, props: dict[str, Any]) -> list[Diagnostic]:
    urn = f"urn:pulumi:dev::notebooks::{resource_type}::catalog"
    return client.analyze(resource_type, props, urn, "catalog")


CASES = [
    (
        "aws:servicecatalog/product:Product",
        {
            "name": "lab",
            "owner": "ml",
            "type": "CLOUD_FORMATION_TEMPLATE",
            "provisioningArtifactParameters": {"name": "v1", "templateUrl": URL},
        },
        ["offers (provisioning artifact 'v1') the template at templateUrl " + repr(URL)],
    ),
    (
        "aws:servicecatalog/product:Product",
        {
            "name": "lab",
            "owner": "ml",
            "type": "CLOUD_FORMATION_TEMPLATE",
            "provisioningArtifactParameters": {"templatePhysicalId": STACK_ARN},
        },
        [f"offers the template of stack {STACK_ARN!r} (templatePhysicalId)"],
    ),
    (
        "aws:servicecatalog/product:Product",
        {
            "name": "lab",
            "owner": "ml",
            "type": "CLOUD_FORMATION_TEMPLATE",
            "provisioningArtifactParameters": {"templateUrl": UNKNOWN},
        },
        ["offers a template whose location is unknown at preview"],
    ),
    (
        "aws:servicecatalog/provisioningArtifact:ProvisioningArtifact",
        {"productId": "prod-abc", "templateUrl": URL},
        [f"offers to product 'prod-abc' the template at templateUrl {URL!r}"],
    ),
    (
        "aws:servicecatalog/provisionedProduct:ProvisionedProduct",
        {"productName": "lab", "provisioningArtifactName": "v1"},
        ["launches Service Catalog product 'lab' (provisioning artifact 'v1')"],
    ),
    (
        "aws-native:servicecatalog:CloudFormationProduct",
        {
            "owner": "ml",
            "provisioningArtifactParameters": [
                {"name": "v1", "info": {"LoadTemplateFromURL": URL}},
                {"name": "v2", "info": {"ImportFromPhysicalId": STACK_ARN}},
            ],
        },
        [
            f"offers, as provisioning artifact 'v1', the template at LoadTemplateFromURL {URL!r}",
            f"offers, as provisioning artifact 'v2', the template of stack {STACK_ARN!r}",
        ],
    ),
    (
        "aws-native:servicecatalog:CloudFormationProvisionedProduct",
        {"productId": UNKNOWN},
        ["launches Service Catalog product unknown at preview"],
    ),
]


@pytest.mark.parametrize(("resource_type", "props", "said"), CASES)
def test_each_template_of_a_product_is_a_notice_and_an_error_when_unseen_is_error(
    analyzer: AnalyzerClient, resource_type: str, props: dict[str, Any], said: list[str]
) -> None:
    notices = analyze(analyzer, resource_type, props)  # one per template
    assert {(d.policy_name, d.enforcement_level) for d in notices} == {
        ("sm-guardrails-advisory", "advisory")
    }
    assert len(notices) == len(said)
    for notice, part in zip(notices, said, strict=True):
        assert "[SMG-U] catalog: " in notice.message and part in notice.message, notice.message
    analyzer.configure({"sm-guardrails": {"unseen": "error"}})
    errors = analyze(analyzer, resource_type, props)
    assert {(d.policy_name, d.enforcement_level) for d in errors} == {
        ("sm-guardrails", "mandatory")
    }
    assert len(errors) == len(said)


def test_other_service_catalog_resources_are_ignored(analyzer: AnalyzerClient) -> None:
    props = {"name": "team", "providerName": "ml"}
    assert analyze(analyzer, "aws:servicecatalog/portfolio:Portfolio", props) == []
