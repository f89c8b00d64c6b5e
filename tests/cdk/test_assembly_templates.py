"""Every template of a cloud assembly is seen, whichever synthesizer wrote it and however.

The app (tests/cdk/assembly_app.py) puts a notebook open to the internet in the top
stack, a nested stack two levels deep, a Service Catalog product stack, a product
template and a ``CfnStack`` template that are file assets; a product version and a
provisioned product have their templates elsewhere. ``enforce(app)`` and
``sm-guardrails check --strict cdk.out`` must find every notebook and report the rest
as unseen, after a plain ``app.synth()`` (no asset or path metadata) and after the CDK
CLI (both on), under each synthesizer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_servicecatalog as servicecatalog

from sm_guardrails.cdk import enforce
from tests.cdk.assembly_app import LOCAL_NOTEBOOKS, SYNTHESIZERS, build
from tests.cdk.cdk_cli import cdk_synth
from tests.support import ROOT, run_cli

UNSEEN = {("SMG-U", "Product896941B4"), ("SMG-U", "Elsewhere")}
"""The product version at a URL and the product launched from elsewhere."""


def _expected(synthesizer: str) -> set[tuple[str, str]]:
    local = () if synthesizer == "bootstrapless" else tuple(LOCAL_NOTEBOOKS)
    return {("SMG-1", logical_id) for logical_id in ("Top", *local)} | UNSEEN


def _plugin_violations(outdir: Path) -> list[dict[str, Any]]:
    report = json.loads((outdir / "validation-report.json").read_text())
    return [
        violation
        for plugin in report["pluginReports"]
        if plugin["pluginName"] == "sm-guardrails"
        for violation in plugin["violations"]
    ]


def _check(outdir: Path) -> tuple[int, set[tuple[str, str]], list[dict[str, Any]]]:
    """``sm-guardrails check --strict --format json`` on ``outdir``: exit code, (rule, id)
    of each finding, and the findings."""
    result = run_cli("check", "--strict", "--format", "json", outdir)
    findings = json.loads(result.stdout)["findings"]
    return result.returncode, {(f["rule_id"], f["logical_id"]) for f in findings}, findings


@pytest.mark.parametrize("synthesizer", sorted(SYNTHESIZERS))
def test_enforce_and_check_see_every_template_of_a_plain_synth(
    tmp_path: Path, synthesizer: str
) -> None:
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    enforce(app)
    build(app, synthesizer, tmp_path)
    with pytest.raises(RuntimeError, match=r"\[SMG-1\]"):
        app.synth()

    violations = _plugin_violations(outdir)
    found = {
        (violation["ruleName"], construct["cloudFormationResource"]["logicalId"])
        for violation in violations
        for construct in violation["violatingConstructs"]
    }
    assert found == _expected(synthesizer)
    levels = {violation["ruleName"]: violation["severity"] for violation in violations}
    assert levels == {"SMG-1": "error", "SMG-U": "warning"}

    code, checked, findings = _check(outdir)
    assert code == 1
    assert checked == _expected(synthesizer)
    assert {f["level"] for f in findings if f["rule_id"] == "SMG-U"} == {"error"}  # --strict
    remote = next(f for f in findings if f["logical_id"] == "Product896941B4")
    assert "provisioning artifact 'remote'" in remote["message"]
    assert "https://example.com/catalog/notebook.json" in remote["message"]


@pytest.mark.parametrize("synthesizer", ["default", "cli-credentials", "legacy"])
def test_enforce_and_check_see_every_template_of_a_cdk_cli_synth(
    tmp_path: Path, synthesizer: str
) -> None:
    """The CDK CLI turns on asset and path metadata (``aws:asset:path``, ``aws:cdk:path``)."""
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.cdk.assembly_app import main\nmain()\n",
        encoding="utf-8",
    )
    command = f"python3 app.py {synthesizer} {tmp_path} enforce"
    (app_dir / "cdk.json").write_text(json.dumps({"app": command}), encoding="utf-8")
    outdir = tmp_path / "cdk.out"

    result = cdk_synth(app_dir, outdir)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for logical_id in LOCAL_NOTEBOOKS:
        assert f"({logical_id})" in output or f" {logical_id}\n" in output, output
    assert "Catalog/Lab/Lab (Lab)" in output  # the product stack's notebook, by its path

    code, checked, findings = _check(outdir)
    assert code == 1 and checked == _expected(synthesizer)
    paths = {f["logical_id"]: f["construct_path"] for f in findings}
    assert paths["Lab"] == "Catalog/Lab/Lab"  # from aws:cdk:path


def test_json_takes_the_construct_path_from_the_manifest_without_path_metadata(
    tmp_path: Path,
) -> None:
    """A plain ``app.synth()`` writes no ``aws:cdk:path``; the manifest still maps each
    construct path to its logical id, per template (a nested or product stack's own)."""
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    build(app, "default", tmp_path)
    app.synth()
    assert '"aws:cdk:path"' not in (outdir / "Catalog.template.json").read_text()

    _, _, findings = _check(outdir)
    paths = {f["logical_id"]: f["construct_path"] for f in findings}
    # Releases that write no aws:cdk:templateFile (2.271 does not) leave a product stack's
    # resources without a path; a nested stack's is found through its deploying resource.
    metadata = "".join(file.read_text() for file in outdir.glob("*.json"))
    product_stack_path = "Catalog/Lab/Lab" if '"aws:cdk:templateFile"' in metadata else None
    assert paths == {
        "Top": "Catalog/Top",
        "Deep": "Catalog/Nested/Deep",
        "Deeper": "Catalog/Nested/Inner/Deeper",
        "Lab": product_stack_path,
        "Product896941B4": "Catalog/Product/Resource",
        "Elsewhere": "Catalog/Elsewhere",
        "Shelf": None,  # a template file of the app's, made an asset: no construct
        "Attached": None,
    }


def test_a_template_asset_that_does_not_parse_fails_synth_naming_the_file(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "product.yaml"
    broken.write_text("Resources: [oops\n", encoding="utf-8")
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    enforce(app)
    version = servicecatalog.CloudFormationProductVersion(
        cloud_formation_template=servicecatalog.CloudFormationTemplate.from_asset(str(broken))
    )
    servicecatalog.CloudFormationProduct(
        cdk.Stack(app, "Catalog"),
        "Product",
        product_name="p",
        owner="ml",
        product_versions=[version],
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    error = plugin["metadata"]["error"]
    assert f"{outdir}{os.sep}asset." in error and ".yaml: invalid YAML at line 2" in error
