"""What a cloud assembly records, read from a manifest written by hand: metadata kept in
manifest.json itself (older CDK releases), legacy asset entries, and logical ids that
cannot be placed. Real synthesized assemblies: tests/cdk/test_assembly_templates.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sm_guardrails.cloudformation import check_paths

NOTEBOOK: dict[str, Any] = {
    "Type": "AWS::SageMaker::NotebookInstance",
    "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::1:role/nb"},
}
ASSET_ID = "4f6c8ba52a3f7333e99fa70ad525a7c3c6dd6bf460809e60f0bb8498387f5f53"
BUCKET = f"AssetParameters{ASSET_ID}S3BucketF549A490"
KEY = f"AssetParameters{ASSET_ID}S3VersionKey614303AF"


def _entry(kind: str, data: object) -> dict[str, object]:
    return {"type": kind, "data": data}


def _assembly(directory: Path, metadata: dict[str, list[dict[str, object]]]) -> None:
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            "Top": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "Top.template.json"},
                "metadata": metadata,
            }
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_legacy_asset_in_inline_metadata_is_the_template_its_url_is_built_from(
    tmp_path: Path,
) -> None:
    url = {"Fn::Join": ["", ["https://s3.amazonaws.com/", {"Ref": BUCKET}, "/", {"Ref": KEY}]]}
    stack = {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url}}
    (tmp_path / "Top.template.json").write_text(
        json.dumps({"Resources": {"Child": stack}}), encoding="utf-8"
    )
    (tmp_path / f"asset.{ASSET_ID}.yaml").write_text(
        json.dumps({"Resources": {"Lab": NOTEBOOK}}), encoding="utf-8"
    )
    asset = {
        "path": f"asset.{ASSET_ID}.yaml",
        "id": ASSET_ID,
        "packaging": "file",
        "s3BucketParameter": BUCKET,
        "s3KeyParameter": KEY,
    }
    _assembly(tmp_path, {"/Top": [_entry("aws:cdk:asset", asset)]})

    report = check_paths([tmp_path])

    assert not report.errors and report.templates == 2
    assert {(Path(item.file).name, item.logical_id) for item in report.findings} == {
        (f"asset.{ASSET_ID}.yaml", "Lab")
    }  # the stack itself is no SMG-U: its template was read


def test_a_logical_id_recorded_twice_for_one_template_gets_no_construct_path(
    tmp_path: Path,
) -> None:
    """Without ``aws:cdk:templateFile`` entries every id is placed in the stack's template."""
    (tmp_path / "Top.template.json").write_text(
        json.dumps({"Resources": {"Lab": NOTEBOOK, "Spare": NOTEBOOK}}), encoding="utf-8"
    )
    _assembly(
        tmp_path,
        {
            "/Top/Lab/Resource": [_entry("aws:cdk:logicalId", "Lab")],
            "/Top/Other/Lab/Resource": [_entry("aws:cdk:logicalId", "Lab")],
            "/Top/Spare/Resource": [_entry("aws:cdk:logicalId", "Spare")],
        },
    )

    report = check_paths([tmp_path])

    assert {item.logical_id: item.construct_path for item in report.findings} == {
        "Lab": None,
        "Spare": "Top/Spare/Resource",
    }
