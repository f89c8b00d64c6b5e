"""The machine-readable AWS sources a kind's declaration is checked against, read once.

cfn-lint's CloudFormation resource schemas, botocore's sagemaker and config service
models, pulumi-aws's generated Python types and parliament's IAM definitions: each is
installed with the project's dev dependencies.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import botocore
import cfnlint
import parliament
import pulumi_aws

SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"
BOTOCORE_DATA = Path(botocore.__file__).parent / "data"


@cache
def cloudformation_schema(resource_type: str) -> dict[str, Any] | None:
    """cfn-lint's schema of ``resource_type`` (us-east-1), or None if it has none."""
    providers = json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text())
    digest = providers.get(resource_type)
    if digest is None:
        return None
    schema: dict[str, Any] = json.loads((SCHEMAS / "resources" / f"{digest}.json").read_text())
    return schema


def schema_property(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The schema of the property at dotted ``path`` (``$ref`` followed), or None."""
    node: dict[str, Any] = schema
    for part in path.split("."):
        node = _resolved(schema, node)
        found = node.get("properties", {}).get(part)
        if found is None:
            return None
        node = found
    return _resolved(schema, node)


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].removeprefix("#/definitions/")
        node = {**schema["definitions"][name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


@cache
def botocore_model(service: str) -> dict[str, Any]:
    """The newest service-2 model botocore ships for ``service``."""
    newest = sorted((BOTOCORE_DATA / service).iterdir())[-1]
    for name, opener in (("service-2.json", open), ("service-2.json.gz", gzip.open)):
        if (newest / name).exists():
            with opener(newest / name, "rt") as file:  # type: ignore[operator]
                model: dict[str, Any] = json.load(file)
                return model
    raise FileNotFoundError(f"no service-2 model under {newest}")


def shape_member(model: dict[str, Any], shape: str, path: str) -> dict[str, Any] | None:
    """The shape that dotted member ``path`` of structure ``shape`` has, or None."""
    node = model["shapes"][shape]
    for part in path.split("."):
        member = node.get("members", {}).get(part)
        if member is None:
            return None
        node = model["shapes"][member["shape"]]
    result: dict[str, Any] = node
    return result


def member_documentation(model: dict[str, Any], shape: str, path: str) -> str:
    """The documentation of the last member of ``path`` in ``shape``, without HTML tags."""
    node = model["shapes"][shape]
    text = ""
    for part in path.split("."):
        member = node["members"][part]
        text = member.get("documentation", "")
        node = model["shapes"][member["shape"]]
    return re.sub(r"<[^>]+>", "", text)


def pascal(name: str) -> str:
    """``defaultUserSettings`` as ``DefaultUserSettings``."""
    return name[:1].upper() + name[1:]


def pulumi_aws_has(token: str, path: str) -> bool:
    """True when pulumi-aws's resource ``token`` has an input at camelCase dotted ``path``.

    The first part must be a getter of the resource's module
    (``aws:sagemaker/domain:Domain`` is ``pulumi_aws/sagemaker/domain.py``), each
    further part a getter of its parent's ``<Resource><Parents>Args`` class in
    ``_inputs.py``, as pulumi-aws generates them.
    """
    package, module_name, resource = _token_parts(token)
    folder = Path(pulumi_aws.__file__).parent / package
    parts = path.split(".")
    source = (folder / f"{_snake(module_name)}.py").read_text()
    if not _has_getter(source, parts[0]):
        return False
    inputs = (folder / "_inputs.py").read_text()
    for index, part in enumerate(parts[1:], start=1):
        class_name = resource + "".join(pascal(parent) for parent in parts[:index]) + "Args"
        body = re.search(rf"^class {class_name}:\n(.*?)(?=^class |\Z)", inputs, re.S | re.M)
        if body is None or not _has_getter(body.group(1), part):
            return False
    return True


def _token_parts(token: str) -> tuple[str, str, str]:
    """``aws:sagemaker/notebookInstance:NotebookInstance`` as its package, module, resource."""
    _, module, resource = token.split(":")
    package, module_name = module.split("/")
    return package, module_name, resource


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _has_getter(source: str, name: str) -> bool:
    named = f'@pulumi.getter(name="{name}")' in source
    return named or re.search(rf"@pulumi\.getter\n\s+def {_snake(name)}\(", source) is not None


@cache
def iam_service(prefix: str) -> dict[str, Any]:
    """parliament's IAM definition of the service ``prefix`` (``sagemaker``)."""
    path = Path(parliament.__file__).parent / "iam_definition.json"
    services = json.loads(path.read_text())
    service: dict[str, Any] = next(item for item in services if item["prefix"] == prefix)
    return service


def iam_action_keys(action: str) -> set[str] | None:
    """The condition keys of IAM ``action`` (``sagemaker:CreateDomain``), or None if unknown."""
    prefix, name = action.split(":")
    for privilege in iam_service(prefix)["privileges"]:
        if privilege["privilege"] == name:
            return {key for item in privilege["resource_types"] for key in item["condition_keys"]}
    return None


def iam_key_type(key: str) -> str | None:
    """The type parliament gives condition key ``key``, or None if it lists no such key."""
    for condition in iam_service(key.split(":")[0])["conditions"]:
        if condition["condition"] == key:
            found: str = condition["type"]
            return found
    return None
