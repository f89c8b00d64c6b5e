"""``sm-guardrails check`` as a subprocess on the edges of reading templates: flow-style
YAML, merge keys, directory symlink loops, and a custom resource that creates a notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import run_cli

FLOW_STYLE = (
    "{AWSTemplateFormatVersion: '2010-09-09', Resources: {Lab: {Type: "
    "AWS::SageMaker::NotebookInstance, Properties: {InstanceType: ml.t3.medium, "
    "RoleArn: 'arn:aws:iam::123456789012:role/nb', DirectInternetAccess: Enabled}}}}\n"
)
NOTEBOOK = """\
Resources:
  Lab:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: Enabled
"""
SERVICE_CATALOG = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DirectInternetAccess: {Type: String, AllowedValues: [Enabled, Disabled], Default: Disabled}
Resources:
  NotebookFunction:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      Role: arn:aws:iam::123456789012:role/maker
      Code:
        ZipFile: |
          import boto3
          def handler(event, context):
              props = event["ResourceProperties"]
              boto3.client("sagemaker").create_notebook_instance(**props["Settings"])
  Research:
    Type: Custom::NotebookInstance
    Properties:
      ServiceToken: !GetAtt NotebookFunction.Arn
      Settings:
        NotebookInstanceName: research
        DirectInternetAccess: !Ref DirectInternetAccess
        SubnetId: subnet-0123456789abcdef0
        SecurityGroupIds: [sg-0123456789abcdef0]
"""


def test_a_flow_style_yaml_template_is_read(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW_STYLE, encoding="utf-8")
    result = run_cli("check", path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Lab: error [SMG-1] DirectInternetAccess is 'Enabled'" in result.stdout


def test_broken_json_is_still_reported_as_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"Resources": {"Lab": ]}}\n', encoding="utf-8")
    result = run_cli("check", path)
    assert result.returncode == 2
    assert "invalid JSON at line 1, column 23: Expecting value" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "merge", ["<<: {DirectInternetAccess: Disabled}", "<<: [{RootAccess: Disabled}, {}]"]
)
def test_a_yaml_merge_key_is_an_input_error(tmp_path: Path, merge: str) -> None:
    """CloudFormation rejects merge keys; PyYAML releases merge lists differently."""
    path = tmp_path / "merge.yaml"
    path.write_text(NOTEBOOK.replace("      DirectInternetAccess: Enabled", f"      {merge}"))
    result = run_cli("check", path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        f"{path}: invalid YAML at line 5, column 7: a YAML merge key (<<), which "
        "CloudFormation does not accept; write the merged keys out"
    ) in result.stdout + result.stderr


def test_a_directory_symlink_loop_reports_each_notebook_once(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "lab.yaml").write_text(NOTEBOOK, encoding="utf-8")
    (tmp_path / "templates" / "again").symlink_to(tmp_path / "templates")
    result = run_cli("check", tmp_path / "templates", "--format", "json")
    document = json.loads(result.stdout)
    assert [f["rule_id"] for f in document["findings"]].count("SMG-1") == 1
    text = run_cli("check", tmp_path / "templates").stdout
    assert "1 template(s), 1 notebook(s)" in text
    assert f"again: skipped: links to {tmp_path / 'templates'}, which is already checked" in text


def test_a_service_catalog_custom_resource_fails_under_strict(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.yaml"
    path.write_text(SERVICE_CATALOG, encoding="utf-8")
    result = run_cli("check", path, "--strict")
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"{path}:17 Research: error [SMG-1] DirectInternetAccess can be 'Enabled', not exactly "
        "'Disabled' (through parameter `DirectInternetAccess`, whose AllowedValues include it); "
        "custom resource `Research` creates the notebook through code the checker cannot read "
        "(the inline code of Lambda function `NotebookFunction` calls CreateNotebookInstance)"
    ) in result.stdout
    assert "1 template(s), 1 notebook(s)" in result.stdout
