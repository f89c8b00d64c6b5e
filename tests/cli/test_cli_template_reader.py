"""``sm-guardrails check`` as a subprocess on Fn::ForEach loops and repeated keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import run_cli

LOOP = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Teams: {Type: CommaDelimitedList}
Resources:
  Fn::ForEach::Notebooks:
    - Team
    - [Alpha, Beta]
    - NB${Team}:
        Type: AWS::SageMaker::NotebookInstance
        Properties:
          InstanceType: ml.t3.medium
          RoleArn: arn:aws:iam::123456789012:role/notebook
          DirectInternetAccess: Enabled
          SubnetId: subnet-0123456789abcdef0
          SecurityGroupIds: [sg-0123456789abcdef0]
  Fn::ForEach::Open:
    - Team
    - !Ref Teams
    - Open${Team}:
        Type: AWS::SageMaker::NotebookInstance
        Properties:
          DirectInternetAccess: !Ref Team
          SubnetId: subnet-0123456789abcdef0
          SecurityGroupIds: [sg-0123456789abcdef0]
"""


def test_each_generated_notebook_is_judged_naming_its_loop_and_line(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(LOOP, encoding="utf-8")
    result = run_cli("check", path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{path}:6 NBAlpha [from Fn::ForEach::Notebooks]: error [SMG-1]" in result.stdout
    assert f"{path}:6 NBBeta [from Fn::ForEach::Notebooks]: error [SMG-1]" in result.stdout
    assert f"{path}:17 Open${{Team}} [from Fn::ForEach::Open]: error (undecidable) [SMG-1]" in (
        result.stdout
    )
    assert "list parameter `Teams` at deploy time" in result.stdout
    assert "3 notebook(s)" in result.stdout
    document = json.loads(run_cli("check", path, "--format", "json").stdout)
    assert {tuple(f["loops"]) for f in document["findings"]} == {
        ("Fn::ForEach::Notebooks",),
        ("Fn::ForEach::Open",),
    }


def test_loop_without_the_transform_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(LOOP.replace("Transform: AWS::LanguageExtensions\n", ""), encoding="utf-8")
    result = run_cli("check", path)
    assert result.returncode == 2
    assert "without `Transform: AWS::LanguageExtensions`" in result.stderr
    assert "NBAlpha [from Fn::ForEach::Notebooks]: error [SMG-1]" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "twice.yaml",
            "Resources:\n  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n"
            "    Properties:\n      DirectInternetAccess: Enabled\n"
            "      DirectInternetAccess: Disabled\n",
        ),
        (
            "twice.json",
            '{"Resources": {"Notebook": {"Type": "AWS::SageMaker::NotebookInstance",\n'
            '  "Properties": {"DirectInternetAccess": "Enabled",\n'
            '                 "SubnetId": "subnet-1",\n'
            '                 "DirectInternetAccess": "Disabled"}}}}\n',
        ),
    ],
)
def test_a_repeated_key_exits_2_naming_key_and_lines(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", path)
    assert result.returncode == 2, result.stdout
    lines = "5 and 6" if name.endswith(".yaml") else "2 and 4"
    says = f"declares the key 'DirectInternetAccess' twice in one mapping, at lines {lines}"
    assert f"sm-guardrails: error: {path}: {says}" in result.stderr
    assert "Traceback" not in result.stderr
