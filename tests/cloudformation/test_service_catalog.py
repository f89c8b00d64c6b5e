"""Service Catalog products in a template: each template a product offers or launches is
checked where it is local (tests/cdk/test_assembly_templates.py) and reported as unseen
(SMG-U) where it is not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sm_guardrails import GuardrailConfig, Level, UnseenPolicy, Verdict
from tests.cloudformation.test_held_templates import check, template

PRODUCT = "AWS::ServiceCatalog::CloudFormationProduct"
PROVISIONED = "AWS::ServiceCatalog::CloudFormationProvisionedProduct"
URL = "https://s3.amazonaws.com/catalog/notebook.yaml"
STACK_ARN = "arn:aws:cloudformation:eu-west-1:123456789012:stack/lab/1"


def product(*artifacts: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {
        "Type": PRODUCT,
        "Properties": {
            "Name": "notebooks",
            "Owner": "ml",
            "ProvisioningArtifactParameters": list(artifacts),
            **properties,
        },
    }


@pytest.mark.parametrize(
    ("resource", "said"),
    [
        (
            product({"Name": "v1", "Info": {"LoadTemplateFromURL": URL}}),
            [f"offers, as provisioning artifact 'v1', the template at LoadTemplateFromURL {URL!r}"],
        ),
        (
            product({"Info": {"ImportFromPhysicalId": STACK_ARN}}),
            [
                "offers, in ProvisioningArtifactParameters[0], the template of stack "
                f"{STACK_ARN!r} (ImportFromPhysicalId)"
            ],
        ),
        (
            product({"Name": "v1", "Info": f'{{"LoadTemplateFromURL": "{URL}"}}'}),
            [f"the template at LoadTemplateFromURL {URL!r}"],
        ),
        (
            product(
                {"Name": "v1", "Info": {"LoadTemplateFromURL": URL}},
                {
                    "Name": "v2",
                    "Type": "TERRAFORM_OPEN_SOURCE",
                    "Info": {"LoadTemplateFromURL": URL},
                },
            ),
            [
                "as provisioning artifact 'v1', the template",
                "as provisioning artifact 'v2' (a TERRAFORM_OPEN_SOURCE artifact), the template",
            ],
        ),
        (
            {
                "Type": PRODUCT,
                "Properties": {
                    "Name": "notebooks",
                    "Owner": "ml",
                    "SourceConnection": {
                        "Type": "CODESTAR",
                        "ConnectionParameters": {"CodeStar": {"Repository": "ml/notebooks"}},
                    },
                },
            },
            ["offers the template it syncs from a repository (SourceConnection"],
        ),
        (
            product({"Name": "v1", "Info": {"Ref": "ArtifactInfo"}}),
            [
                "offers, as provisioning artifact 'v1', a template whose Info "
                "{'Ref': 'ArtifactInfo'} "
                "is not a template location"
            ],
        ),
        (
            {
                "Type": PROVISIONED,
                "Properties": {"ProductId": "prod-abc", "ProvisioningArtifactName": "v1"},
            },
            ["launches Service Catalog product 'prod-abc' (provisioning artifact 'v1')"],
        ),
        (
            {"Type": PROVISIONED, "Properties": {"ProductName": {"Fn::ImportValue": "Catalog"}}},
            ["launches Service Catalog product {'Fn::ImportValue': 'Catalog'}"],
        ),
    ],
    ids=[
        "url",
        "physical-id",
        "info-as-json-text",
        "two-artifacts",
        "source-connection",
        "info-from-a-parameter",
        "provisioned-elsewhere",
        "provisioned-by-import",
    ],
)
def test_each_template_elsewhere_is_a_notice_and_an_error_when_unseen_is_error(
    tmp_path: Path, resource: dict[str, Any], said: list[str]
) -> None:
    report = check(tmp_path, template({"Catalog": resource}))
    assert [item.logical_id for item in report.findings] == ["Catalog"] * len(said)
    for item, part in zip(report.findings, said, strict=True):
        assert item.finding.rule_id == "SMG-U" and item.finding.verdict is Verdict.UNKNOWN
        assert item.finding.level is Level.WARNING
        assert part in item.finding.message, item.finding.message
    assert report.exit_code == 0
    strict = check(
        tmp_path, template({"Catalog": resource}), GuardrailConfig(unseen=UnseenPolicy.ERROR)
    )
    assert all(item.finding.blocking for item in strict.findings) and strict.exit_code == 1


@pytest.mark.parametrize(
    "reference",
    [{"Ref": "Catalog"}, {"Fn::GetAtt": ["Catalog", "ProductName"]}],
    ids=["ref", "get-att"],
)
def test_launching_a_product_of_the_same_template_is_reported_once_at_the_product(
    tmp_path: Path, reference: dict[str, Any]
) -> None:
    launched = {"Type": PROVISIONED, "Properties": {"ProductId": reference}}
    catalog = product({"Name": "v1", "Info": {"LoadTemplateFromURL": URL}})
    report = check(tmp_path, template({"Catalog": catalog, "Launched": launched}))
    assert [(item.logical_id, item.finding.rule_id) for item in report.findings] == [
        ("Catalog", "SMG-U")
    ]


def test_other_service_catalog_resources_are_not_reported(tmp_path: Path) -> None:
    portfolio = {
        "Type": "AWS::ServiceCatalog::Portfolio",
        "Properties": {"DisplayName": "ml", "ProviderName": "ml"},
    }
    report = check(tmp_path, template({"Portfolio": portfolio}))
    assert report.findings == [] and report.exit_code == 0
