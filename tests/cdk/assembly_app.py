"""A CDK app whose notebooks are in every kind of template a cloud assembly holds.

Top stack, nested stack (two levels), Service Catalog product stack, a product
template and a ``CfnStack`` template that are file assets, a product version and a
provisioned product whose templates are elsewhere, under the synthesizer named.
The CDK CLI runs :func:`main` (``SYNTHESIZER ASSET_DIR [enforce]``); tests build it
in-process with :func:`build`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_servicecatalog as servicecatalog
from constructs import Construct

from tests.corpus.cases import BASE_PROPERTIES, NOTEBOOK_TYPE

OPEN = {**BASE_PROPERTIES, "DirectInternetAccess": "Enabled"}
"""A notebook that fails SMG-1 (internet access) and passes every other rule."""
REMOTE_URL = "https://example.com/catalog/notebook.json"
SYNTHESIZERS: dict[str, Callable[[], cdk.IStackSynthesizer]] = {
    "default": cdk.DefaultStackSynthesizer,
    "cli-credentials": cdk.CliCredentialsStackSynthesizer,
    "legacy": cdk.LegacyStackSynthesizer,
    "bootstrapless": cdk.BootstraplessSynthesizer,
}
LOCAL_NOTEBOOKS = {
    "Lab": "product stack",
    "Shelf": "product asset",
    "Deep": "nested stack",
    "Deeper": "nested stack in a nested stack",
    "Attached": "CfnStack asset",
}
"""The notebooks of templates in the assembly, by logical id (all but the top stack's)."""


def _open_notebook(scope: Construct, logical_id: str) -> None:
    cdk.CfnResource(scope, logical_id, type=NOTEBOOK_TYPE, properties=OPEN)


def _template_file(directory: Path, logical_id: str) -> str:
    path = directory / f"{logical_id}.json"
    body = {"Resources": {logical_id: {"Type": NOTEBOOK_TYPE, "Properties": OPEN}}}
    path.write_text(json.dumps(body), encoding="utf-8")
    return str(path)


class _LabProduct(servicecatalog.ProductStack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        _open_notebook(self, "Lab")


def build(app: cdk.App, synthesizer: str, asset_dir: Path) -> cdk.Stack:
    """The stack ``Catalog`` in ``app``; files it deploys as assets are written to ``asset_dir``.

    ``BootstraplessSynthesizer`` cannot publish assets: under it only the top notebook
    and the remote templates are built.
    """
    stack = cdk.Stack(app, "Catalog", synthesizer=SYNTHESIZERS[synthesizer]())
    _open_notebook(stack, "Top")
    versions = [
        servicecatalog.CloudFormationProductVersion(
            product_version_name="remote",
            cloud_formation_template=servicecatalog.CloudFormationTemplate.from_url(REMOTE_URL),
        )
    ]
    if synthesizer != "bootstrapless":
        nested = cdk.NestedStack(stack, "Nested")
        _open_notebook(nested, "Deep")
        _open_notebook(cdk.NestedStack(nested, "Inner"), "Deeper")
        lab = servicecatalog.CloudFormationTemplate.from_product_stack(_LabProduct(stack, "Lab"))
        shelf = servicecatalog.CloudFormationTemplate.from_asset(_template_file(asset_dir, "Shelf"))
        versions += [
            servicecatalog.CloudFormationProductVersion(
                product_version_name=name, cloud_formation_template=template
            )
            for name, template in (("lab", lab), ("shelf", shelf))
        ]
        attached = s3_assets.Asset(
            stack, "AttachedTemplate", path=_template_file(asset_dir, "Attached")
        )
        cdk.CfnStack(stack, "Attached", template_url=attached.http_url)
    product = servicecatalog.CloudFormationProduct(
        stack, "Product", product_name="notebooks", owner="ml", product_versions=versions
    )
    servicecatalog.CfnCloudFormationProvisionedProduct(
        stack, "Launched", product_id=product.product_id, provisioning_artifact_name="lab"
    )
    servicecatalog.CfnCloudFormationProvisionedProduct(
        stack, "Elsewhere", product_id="prod-abcdefghijklm", provisioning_artifact_name="v1"
    )
    return stack


def main() -> None:
    """Build the app as the CDK CLI runs it: ``enforce`` when asked, then synth."""
    synthesizer, asset_dir, *flags = sys.argv[1:]
    app = cdk.App()
    if "enforce" in flags:
        from sm_guardrails.cdk import enforce

        enforce(app)
    build(app, synthesizer, Path(asset_dir))
    app.synth()
