"""Find the templates of a CDK cloud assembly (cdk.out): stacks, stages and nested stacks.

CDK records a nested stack's template file in its parent's metadata
(``aws:asset:path``) only when asset metadata is on, as the CDK CLI turns it; a
plain ``app.synth()`` leaves it out. A stack's asset manifest always lists the
nested templates of every level, so both are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from sm_guardrails.cloudformation.loader import TemplateError

MANIFEST = "manifest.json"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
ASSET_PATH_KEY = "aws:asset:path"
TEMPLATE_SUFFIX = ".template.json"


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
            yield from asset_manifest_templates(directory / str(properties["templateFile"]))
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


def asset_manifest_templates(template: Path) -> Iterator[Path]:
    """The nested stack templates that the asset manifest of ``template``'s stack lists."""
    directory = template.parent
    artifacts = _read_json(directory / MANIFEST).get("artifacts", {})
    if not isinstance(artifacts, Mapping):
        return
    for artifact in artifacts.values():
        properties = artifact.get("properties", {}) if isinstance(artifact, Mapping) else {}
        if not isinstance(properties, Mapping) or properties.get("templateFile") != template.name:
            continue
        for dependency in artifact.get("dependencies", []):
            manifest = artifacts.get(dependency, {})
            if isinstance(manifest, Mapping) and manifest.get("type") == "cdk:asset-manifest":
                yield from _template_assets(directory, manifest["properties"]["file"], template)


def _template_assets(directory: Path, manifest_file: str, template: Path) -> Iterator[Path]:
    files = _read_json(directory / manifest_file).get("files", {})
    for asset in files.values() if isinstance(files, Mapping) else ():
        source = asset.get("source", {}) if isinstance(asset, Mapping) else {}
        path = source.get("path")
        if (
            source.get("packaging") == "file"
            and isinstance(path, str)
            and path.endswith(TEMPLATE_SUFFIX)
            and path != template.name
        ):
            yield directory / path


def _read_json(path: Path) -> Mapping[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, Mapping) else {}
