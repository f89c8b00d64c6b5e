"""Generate CloudFormation templates: JSON and YAML, 1 to 200 resources each, some notebooks.

Deterministic for a seed. Every tenth template holds one to three notebooks, half of
them breaking SMG-1/SMG-2; YAML files use the short-form intrinsics (``!Ref``, ``!GetAtt``,
``!Sub``) the checker's loader turns into their long forms.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

MAX_RESOURCES = 200
NOTEBOOK_EVERY = 10


@dataclass(frozen=True)
class _Tag:
    """A YAML short-form intrinsic such as ``!Ref Name``."""

    tag: str
    value: object


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes :class:`_Tag` as a tagged scalar or sequence."""


def _represent_tag(dumper: yaml.SafeDumper, data: _Tag) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Dumper.add_representer(_Tag, _represent_tag)


def _intrinsic(yaml_form: bool, name: str, value: object) -> object:
    if yaml_form:
        return _Tag(f"!{name.removeprefix('Fn::')}", value)
    return {name: value}


def _ordinary(index: int, kind: int, yaml_form: bool) -> tuple[str, dict[str, object]]:
    name = f"Resource{index}"
    if kind == 0:
        return name, {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": _intrinsic(yaml_form, "Fn::Sub", f"${{AWS::StackName}}-data-{index}"),
                "VersioningConfiguration": {"Status": "Enabled"},
                "Tags": [{"Key": "team", "Value": "ml"}, {"Key": "index", "Value": str(index)}],
            },
        }
    if kind == 1:
        return name, {
            "Type": "AWS::SQS::Queue",
            "Properties": {"VisibilityTimeout": 60, "MessageRetentionPeriod": 345600},
        }
    if kind == 2:
        return name, {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "ManagedPolicyArns": [
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                ],
            },
        }
    return name, {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Role": _intrinsic(yaml_form, "Fn::GetAtt", f"Role{index}.Arn"),
            "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
            "Environment": {"Variables": {"QUEUE": _intrinsic(yaml_form, "Ref", "Queue")}},
        },
    }


def _notebook(index: int, violating: bool, yaml_form: bool) -> tuple[str, dict[str, object]]:
    properties: dict[str, object] = {
        "InstanceType": "ml.t3.medium",
        "RoleArn": _intrinsic(yaml_form, "Fn::GetAtt", "NotebookRole.Arn"),
        "RootAccess": "Disabled",
        "KmsKeyId": "alias/notebooks",
        "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
    }
    if violating:
        properties["DirectInternetAccess"] = "Enabled"
    else:
        properties["DirectInternetAccess"] = "Disabled"
        properties["SubnetId"] = _intrinsic(yaml_form, "Ref", "PrivateSubnet")
        properties["SecurityGroupIds"] = [_intrinsic(yaml_form, "Ref", "NotebookSecurityGroup")]
    return f"Notebook{index}", {
        "Type": "AWS::SageMaker::NotebookInstance",
        "Properties": properties,
    }


def template(number: int, rng: random.Random) -> tuple[str, int]:
    """The text of template ``number`` (even: JSON, odd: YAML) and its resource count."""
    yaml_form = number % 2 == 1
    count = rng.randint(1, MAX_RESOURCES)
    notebooks = rng.randint(1, min(3, count)) if number % NOTEBOOK_EVERY == 0 else 0
    resources = dict(
        _notebook(index, violating=index % 2 == 1, yaml_form=yaml_form)
        for index in range(notebooks)
    )
    resources.update(
        _ordinary(index, rng.randrange(4), yaml_form) for index in range(notebooks, count)
    )
    document = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Generated benchmark template {number}",
        "Resources": resources,
    }
    if yaml_form:
        return yaml.dump(document, Dumper=_Dumper, sort_keys=False), count
    return json.dumps(document, indent=2), count


def generate(directory: Path, count: int, seed: int = 6) -> int:
    """Write ``count`` templates into ``directory``; return how many resources they hold."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    total = 0
    for number in range(count):
        text, resources = template(number, rng)
        suffix = ".yaml" if number % 2 else ".json"
        (directory / f"template-{number:05d}{suffix}").write_text(text, encoding="utf-8")
        total += resources
    return total


def replicate(source: Path, target: Path, copies: int) -> int:
    """Hard-link every file of ``source`` ``copies`` times into subfolders of ``target``."""
    files = sorted(path for path in source.iterdir() if path.is_file())
    for copy in range(copies):
        folder = target / f"copy-{copy:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for path in files:
            destination = folder / path.name
            if not destination.exists():
                os.link(path, destination)
    return len(files) * copies


def subset(source: Path, target: Path, count: int) -> Path:
    """Hard-link the first ``count`` files of ``source`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(path for path in source.iterdir() if path.is_file())[:count]:
        os.link(path, target / path.name)
    return target
