"""Find the templates of a CDK cloud assembly (cdk.out): stacks, stages and nested stacks.

CDK records a nested stack's template file in its parent's metadata
(``aws:asset:path``) only when asset metadata is on, as the CDK CLI turns it; a
plain ``app.synth()`` leaves it out. A stack's asset manifest always lists the
nested templates of every level, so both are read.
"""

from __future__ import annotations

import functools
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
    template: Mapping[str, object], directory: Path, published: Mapping[str, Path] | None = None
) -> list[tuple[str, Path | None]]:
    """Each nested stack of ``template`` with its local template file, as CDK records it.

    CDK records it in the resource's metadata, or (``published``, from
    :func:`published_templates`) publishes it under an S3 key its TemplateURL names.
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
        file = directory / str(asset) if local else _published(resource, published or {})
        found.append((str(logical_id), file))
    return found


def _published(resource: Mapping[str, object], published: Mapping[str, Path]) -> Path | None:
    properties = resource.get("Properties")
    url = properties.get("TemplateURL") if isinstance(properties, Mapping) else None
    text = json.dumps(url)
    return next((path for key, path in published.items() if key in text), None)


def published_templates(template: Path) -> dict[str, Path]:
    """The stack templates of ``template``'s cloud assembly by the S3 object key CDK
    publishes them at (a nested stack's parent may itself be nested, so all of them).

    Empty outside a cloud assembly. Every stack of an assembly asks for the same index,
    so it is read once per version of the assembly's manifest, not once per stack.
    """
    manifest = template.parent / MANIFEST
    try:
        stat = manifest.stat()
    except OSError:
        return {}
    index = _published_in(template.parent, (stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return {key: template.parent / path for key, path in index if path != template.name}


@functools.lru_cache(maxsize=16)
def _published_in(directory: Path, stamp: tuple[int, int, int]) -> tuple[tuple[str, str], ...]:
    """(S3 object key, template file) of every stack template the assembly publishes.

    ``stamp`` (the manifest's mtime, size and inode) only keys the cache: a new synth
    rewrites the manifest, and with it the index is read again.
    """
    found: dict[str, str] = {}
    artifacts = _read_json(directory / MANIFEST).get("artifacts", {})
    manifests = [
        str(artifact["properties"]["file"])
        for artifact in (artifacts.values() if isinstance(artifacts, Mapping) else ())
        if isinstance(artifact, Mapping) and artifact.get("type") == "cdk:asset-manifest"
    ]
    for manifest in manifests:
        files = _read_json(directory / manifest).get("files", {})
        for asset in files.values() if isinstance(files, Mapping) else ():
            path = _template_path(asset, None)
            destinations = asset.get("destinations", {}) if path else {}
            for destination in destinations.values() if isinstance(destinations, Mapping) else ():
                key = destination.get("objectKey") if isinstance(destination, Mapping) else None
                if isinstance(key, str) and path:
                    found[key] = path
    return tuple(found.items())


def asset_manifest_templates(template: Path) -> Iterator[Path]:
    """The nested stack templates that the asset manifest of ``template``'s stack lists."""
    for manifest in _asset_manifests(template):
        files = _read_json(template.parent / manifest).get("files", {})
        for asset in files.values() if isinstance(files, Mapping) else ():
            path = _template_path(asset, template)
            if path:
                yield template.parent / path


def _asset_manifests(template: Path) -> Iterator[str]:
    """The asset manifest files of ``template``'s stack, in its cloud assembly."""
    artifacts = _read_json(template.parent / MANIFEST).get("artifacts", {})
    if not isinstance(artifacts, Mapping):
        return
    for artifact in artifacts.values():
        properties = artifact.get("properties", {}) if isinstance(artifact, Mapping) else {}
        if not isinstance(properties, Mapping) or properties.get("templateFile") != template.name:
            continue
        for dependency in artifact.get("dependencies", []):
            manifest = artifacts.get(dependency, {})
            if isinstance(manifest, Mapping) and manifest.get("type") == "cdk:asset-manifest":
                yield str(manifest["properties"]["file"])


def _template_path(asset: object, template: Path | None) -> str | None:
    """The file of a file asset that is a stack template other than ``template``, else None."""
    source = asset.get("source", {}) if isinstance(asset, Mapping) else {}
    path = source.get("path") if isinstance(source, Mapping) else None
    if (
        source.get("packaging") == "file"
        and isinstance(path, str)
        and path.endswith(TEMPLATE_SUFFIX)
        and (template is None or path != template.name)
    ):
        return path
    return None


def _read_json(path: Path) -> Mapping[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, Mapping) else {}
