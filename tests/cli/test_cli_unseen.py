"""``sm-guardrails check`` as a subprocess on StackSet bodies, unseen templates and macros."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import run_cli

OUTER = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Rollout:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: notebooks
      TemplateBody: |
        Resources:
          Lab:
            Type: AWS::SageMaker::NotebookInstance
            Properties:
              InstanceType: ml.t3.medium
              RoleArn: arn:aws:iam::123456789012:role/nb
              DirectInternetAccess: Enabled
  Remote:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/child.yaml
"""


def test_a_notebook_in_a_stack_set_body_fails_the_check_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "outer.yaml"
    path.write_text(OUTER, encoding="utf-8")
    result = run_cli("check", path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"{path}:3 Rollout > Lab: error [SMG-1] DirectInternetAccess is 'Enabled'" in result.stdout
    )
    assert (
        f"{path}:15 Remote: warning (undecidable) [SMG-U] AWS::CloudFormation::Stack is a nested "
        "stack with no local template (TemplateURL 'https://s3.amazonaws.com/bucket/child.yaml'); "
        "check its template too" in result.stdout
    )
    assert "1 template(s), 1 notebook(s)" in result.stdout
    document = json.loads(run_cli("check", path, "--format", "json").stdout)
    assert {
        (f["logical_id"], f["inner"], f["rule_id"], f["blocking"]) for f in document["findings"]
    } >= {
        ("Rollout", "Lab", "SMG-1", True),
        ("Remote", None, "SMG-U", False),
    }


def test_strict_makes_an_unseen_template_an_error(tmp_path: Path) -> None:
    path = tmp_path / "parent.yaml"
    path.write_text(OUTER.split("  Rollout:")[0] + "  Remote:" + OUTER.split("  Remote:")[1])
    assert run_cli("check", path).returncode == 0
    strict = run_cli("check", path, "--strict")
    assert strict.returncode == 1
    assert "Remote: error (undecidable) [SMG-U]" in strict.stdout
    config = tmp_path / "guardrails.yaml"
    config.write_text("unseen: error\n")
    assert run_cli("check", path, "--config", config).returncode == 1
    config.write_text("unseen: always\n")
    bad = run_cli("check", path, "--config", config)
    assert bad.returncode == 2 and "unseen: 'always' is not one of notice, error" in bad.stderr


def test_strict_is_described_in_the_help() -> None:
    help_text = run_cli("check", "--help").stdout
    assert "--strict" in help_text and "remote nested stack" in help_text


def test_a_macro_fails_closed_and_unknown_warn_accepts_it(tmp_path: Path) -> None:
    path = tmp_path / "macro.yaml"
    path.write_text(
        "Transform: [CompanyNotebookMacro]\nResources:\n  Lab:\n"
        "    Type: AWS::SageMaker::NotebookInstance\n"
        "    Properties: {DirectInternetAccess: Disabled, SubnetId: s, SecurityGroupIds: [g],"
        " RootAccess: Disabled, KmsKeyId: k,"
        " InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: '2'}}\n"
    )
    result = run_cli("check", path)
    assert result.returncode == 1
    assert (
        "Transform: error (undecidable) [SMG-U] the template is processed by macro "
        "`CompanyNotebookMacro`" in result.stdout
    )
    assert "--template-stage Processed" in result.stdout
    assert run_cli("check", path, "--unknown", "warn").returncode == 0


def test_a_body_that_does_not_parse_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        json.dumps(
            {
                "Resources": {
                    "Rollout": {
                        "Type": "AWS::CloudFormation::StackSet",
                        "Properties": {"TemplateBody": "{oops"},
                    }
                }
            }
        )
    )
    result = run_cli("check", path, "--format", "sarif")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (sarif_result,) = json.loads(result.stdout)["runs"][0]["results"]
    assert sarif_result["ruleId"] == "SMG-U" and sarif_result["level"] == "error"
    assert (
        "has a TemplateBody that is not a template: invalid JSON" in sarif_result["message"]["text"]
    )
