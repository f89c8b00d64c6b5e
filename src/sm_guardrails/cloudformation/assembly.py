"""Find the templates of a CDK cloud assembly (cdk.out): stacks, stages and nested stacks."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from sm_guardrails.cloudformation.loader import TemplateError

MANIFEST = "manifest.json"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
ASSET_PATH_KEY = "aws:asset:path"


def is_assembly(directory: Path) -> bool:
    """True when ``directory`` is a cloud assembly (it has a manifest.json)."""
    return (directory / MANIFEST).is_file()


def assembly_stack_templates(directory: Path) -> Iterator[Path]:
    """The template of every stack in the assembly and, recursively, in its nested stages."""
    manifest_path = directory / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TemplateError(
            f"{manifest_path}: not a readable cloud assembly manifest ({error})"
        ) from None
    artifacts = manifest.get("artifacts") if isinstance(manifest, Mapping) else None
    if not isinstance(artifacts, Mapping):
        raise TemplateError(f"{manifest_path}: has no artifacts; is this a cdk.out directory?")
    for artifact in artifacts.values():
        kind = artifact.get("type") if isinstance(artifact, Mapping) else None
        properties = artifact.get("properties", {}) if isinstance(artifact, Mapping) else {}
        if kind == "aws:cloudformation:stack" and "templateFile" in properties:
            yield directory / str(properties["templateFile"])
        elif kind == "cdk:cloud-assembly" and "directoryName" in properties:
            yield from assembly_stack_templates(directory / str(properties["directoryName"]))


def nested_stack_templates(
    template: Mapping[str, object], directory: Path
) -> list[tuple[str, Path | None]]:
    """Each nested stack of ``template`` with its local template file, as CDK records it.

    The file is None for a nested stack whose template is only at its TemplateURL.
    """
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return []
    found: list[tuple[str, Path | None]] = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != NESTED_STACK_TYPE:
            continue
        metadata = resource.get("Metadata")
        asset = metadata.get(ASSET_PATH_KEY) if isinstance(metadata, Mapping) else None
        local = isinstance(asset, str) and asset.endswith((".json", ".yaml", ".yml"))
        found.append((str(logical_id), directory / str(asset) if local else None))
    return found
