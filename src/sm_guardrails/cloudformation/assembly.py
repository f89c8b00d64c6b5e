"""Find the templates of a CDK cloud assembly (cdk.out), whichever synthesizer wrote it.

Stacks and stages are artifacts of ``manifest.json``. The templates their resources
deploy from the assembly (nested stacks, Service Catalog product stacks, template
files made assets) are recorded in different places by different synthesizers:

- the stack's asset manifest (``*.assets.json``: ``DefaultStackSynthesizer``,
  ``CliCredentialsStackSynthesizer``) lists every file asset with the S3 object key
  it is published at, which a ``TemplateURL`` names;
- ``LegacyStackSynthesizer`` records each file asset as ``aws:cdk:asset`` metadata of
  the stack artifact instead, and builds the URL from asset parameters whose names
  hold the asset's id (also inside a nested stack, where the parameter is passed on);
- ``aws:cdk:templateFile`` metadata names the template file of every stack, nested
  stack and product stack at its construct path;
- ``aws:asset:path`` resource metadata names a nested stack's template, only when
  asset metadata is on, as the CDK CLI turns it (a plain ``app.synth()`` leaves it out).

All are read. An artifact's metadata is in ``manifest.json`` or in the file its
``additionalMetadataFile`` names; its ``aws:cdk:logicalId`` entries give each
resource's construct path where the templates carry none (path metadata off).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sm_guardrails.cloudformation.held import template_urls
from sm_guardrails.cloudformation.loader import TemplateError

MANIFEST = "manifest.json"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
ASSET_PATH_KEY = "aws:asset:path"
TEMPLATE_SUFFIX = ".template.json"
_STACK_ARTIFACT = "aws:cloudformation:stack"
_ASSET_MANIFEST_ARTIFACT = "cdk:asset-manifest"
_ASSET_ENTRY = "aws:cdk:asset"
_TEMPLATE_FILE_ENTRY = "aws:cdk:templateFile"
_LOGICAL_ID_ENTRY = "aws:cdk:logicalId"
_NESTED_STACK_RESOURCE = re.compile(r"(.*)/([^/]+)\.NestedStack/\2\.NestedStackResource")
"""The construct path of the resource that deploys the nested stack ``<parent>/<id>``."""


@dataclass(frozen=True)
class LocalTemplate:
    """A template a resource deploys, where the resource gives it (``TemplateURL``, or a
    Service Catalog product's provisioning artifact), with its file in the assembly
    (None when it is only at its URL)."""

    logical_id: str
    where: str
    file: Path | None


@dataclass(frozen=True)
class _Index:
    """What a cloud assembly records about its templates and file assets.

    ``assets``: (a string that a URL to the asset holds, its file). ``stack_templates``:
    the templates (other than its own) each stack template's assets and metadata list.
    ``construct_paths``: each template's logical ids with their construct paths.
    """

    assets: tuple[tuple[str, str], ...]
    stack_templates: Mapping[str, tuple[str, ...]]
    construct_paths: Mapping[str, Mapping[str, str]]


def is_assembly(directory: Path) -> bool:
    """True when ``directory`` is a cloud assembly (it has a manifest.json)."""
    return (directory / MANIFEST).is_file()


def assembly_stack_templates(directory: Path) -> Iterator[Path]:
    """The template of every stack in the assembly, the templates its resources deploy
    from the assembly, and recursively those of its nested stages."""
    for template in assembly_stacks(directory):
        yield template
        yield from stack_asset_templates(template)


def assembly_stacks(directory: Path) -> Iterator[Path]:
    """The template of every stack in the assembly and, recursively, its nested stages
    (what CDK gives a validation plugin; the templates they deploy are reached through them)."""
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
        if kind == _STACK_ARTIFACT and "templateFile" in properties:
            yield directory / str(properties["templateFile"])
        elif kind == "cdk:cloud-assembly" and "directoryName" in properties:
            yield from assembly_stacks(directory / str(properties["directoryName"]))


def stack_asset_templates(template: Path) -> list[Path]:
    """The templates (nested stacks, product stacks) that ``template``'s stack lists among
    its assets or in its metadata; empty outside a cloud assembly."""
    index = _index_of(template)
    files = index.stack_templates.get(template.name, ()) if index else ()
    return [template.parent / file for file in files]


def local_templates(
    template: Mapping[str, object], directory: Path, assets: Mapping[str, str]
) -> list[LocalTemplate]:
    """Each template a resource of ``template`` deploys by URL, with its local file.

    A nested stack's file is in its ``aws:asset:path`` metadata when CDK records it;
    otherwise (and for every other resource) it is the asset of ``assets`` (from
    :func:`asset_files`) that the URL names. Literal bodies are not listed.
    """
    resources = template.get("Resources")
    found: list[LocalTemplate] = []
    for logical_id, resource in resources.items() if isinstance(resources, Mapping) else ():
        urls = template_urls(resource) if isinstance(resource, Mapping) else []
        recorded = _recorded_path(resource, directory) if urls else None
        for where, url in urls:
            text = json.dumps(url)
            named = next((path for key, path in assets.items() if key in text), None)
            file = recorded or (directory / named if named else None)
            found.append(LocalTemplate(str(logical_id), where, file))
    return found


def _recorded_path(resource: Mapping[str, object], directory: Path) -> Path | None:
    """The template file of a nested stack that its ``aws:asset:path`` metadata names."""
    metadata = resource.get("Metadata")
    asset = metadata.get(ASSET_PATH_KEY) if isinstance(metadata, Mapping) else None
    local = isinstance(asset, str) and asset.endswith((".json", ".yaml", ".yml"))
    if resource.get("Type") != NESTED_STACK_TYPE or not local:
        return None
    return directory / str(asset)


def asset_files(template: Path) -> dict[str, str]:
    """The file assets of ``template``'s cloud assembly (paths in its directory), by a
    string a URL to each holds (its S3 object key, or its id in the asset parameters the
    URL is built from); the template itself left out. A nested stack's parent may itself
    be nested, so it is the whole assembly's. Empty outside a cloud assembly.
    """
    index = _index_of(template)
    if index is None:
        return {}
    return {key: path for key, path in index.assets if path != template.name}


def construct_paths(template: Path) -> Mapping[str, str]:
    """The construct path of each resource of ``template``, by logical id, as its cloud
    assembly's metadata records them (``Stack/Construct/Resource``); empty elsewhere."""
    index = _index_of(template)
    return index.construct_paths.get(template.name, {}) if index else {}


def _index_of(template: Path) -> _Index | None:
    """The index of ``template``'s cloud assembly, read once per version of its manifest.

    Every stack of an assembly asks for it: the manifest's mtime, size and inode key the
    cache, and a new synth, which rewrites the manifest, has it read again.
    """
    try:
        stat = (template.parent / MANIFEST).stat()
    except OSError:
        return None
    return _index(template.parent, (stat.st_mtime_ns, stat.st_size, stat.st_ino))


@functools.lru_cache(maxsize=16)
def _index(directory: Path, stamp: tuple[int, int, int]) -> _Index:
    artifacts = _read_json(directory / MANIFEST).get("artifacts", {})
    artifacts = artifacts if isinstance(artifacts, Mapping) else {}
    assets: dict[str, str] = {}
    stack_templates: dict[str, tuple[str, ...]] = {}
    paths: dict[str, Mapping[str, str]] = {}
    for artifact in artifacts.values():
        if _kind(artifact) == _ASSET_MANIFEST_ARTIFACT:
            assets.update(_manifest_assets(directory / str(artifact["properties"]["file"])))
    for artifact in artifacts.values():
        properties = artifact.get("properties") if _kind(artifact) == _STACK_ARTIFACT else None
        template = properties.get("templateFile") if isinstance(properties, Mapping) else None
        if not isinstance(template, str):
            continue
        entries = list(_metadata_entries(directory, artifact))
        listed = [
            path
            for dependency in artifact.get("dependencies", [])
            if _kind(artifacts.get(dependency)) == _ASSET_MANIFEST_ARTIFACT
            for path in _manifest_assets(
                directory / str(artifacts[dependency]["properties"]["file"])
            ).values()
        ]
        for _, kind, data in entries:
            if kind == _ASSET_ENTRY and isinstance(data, Mapping):
                assets.update(_legacy_asset(data))
                listed.append(str(data.get("path")))
        files = {path: str(data) for path, kind, data in entries if kind == _TEMPLATE_FILE_ENTRY}
        files.update(_nested_stack_files(entries, files, directory, template, assets))
        listed.extend(files.values())
        stack_templates[template] = tuple(
            dict.fromkeys(
                path for path in listed if path.endswith(TEMPLATE_SUFFIX) and path != template
            )
        )
        paths.update(_construct_paths(entries, files, template))
    return _Index(tuple(assets.items()), stack_templates, paths)


def _nested_stack_files(
    entries: list[tuple[str, object, object]],
    files: Mapping[str, str],
    directory: Path,
    stack_template: str,
    assets: Mapping[str, str],
) -> dict[str, str]:
    """The template file of each nested stack whose metadata names none (aws-cdk-lib
    releases that write no ``aws:cdk:templateFile``), by construct path: the asset that the
    ``TemplateURL`` of the resource deploying it names, in its parent's template."""
    deploying = {
        data: f"{match[1]}/{match[2]}"
        for path, kind, data in entries
        if kind == _LOGICAL_ID_ENTRY
        and isinstance(data, str)
        and (match := _NESTED_STACK_RESOURCE.fullmatch(path))
    }
    found: dict[str, str] = {}
    for logical_id, scope in sorted(deploying.items(), key=lambda item: len(item[1])):
        known = {**files, **found}
        if scope in known:
            continue
        owners = [owner for owner in known if scope.startswith(owner + "/")]
        parent = known[max(owners, key=len)] if owners else stack_template
        for local in local_templates(_read_json(directory / parent), directory, assets):
            if local.logical_id == logical_id and local.file and local.file.parent == directory:
                found[scope] = local.file.name
    return found


def _kind(artifact: object) -> object:
    return artifact.get("type") if isinstance(artifact, Mapping) else None


def _manifest_assets(manifest: Path) -> dict[str, str]:
    """The file assets of an asset manifest by their id and each S3 object key."""
    files = _read_json(manifest).get("files", {})
    found: dict[str, str] = {}
    for asset_id, asset in files.items() if isinstance(files, Mapping) else ():
        source = asset.get("source", {}) if isinstance(asset, Mapping) else {}
        path = source.get("path") if isinstance(source, Mapping) else None
        if source.get("packaging") != "file" or not isinstance(path, str):
            continue
        found[str(asset_id)] = path
        destinations = asset.get("destinations", {})
        for destination in destinations.values() if isinstance(destinations, Mapping) else ():
            key = destination.get("objectKey") if isinstance(destination, Mapping) else None
            if isinstance(key, str):
                found[key] = path
    return found


def _legacy_asset(data: Mapping[str, object]) -> dict[str, str]:
    """A ``LegacyStackSynthesizer`` file asset by its id and its asset parameters' names."""
    path = data.get("path")
    if data.get("packaging") != "file" or not isinstance(path, str):
        return {}
    names = (data.get(key) for key in ("id", "s3BucketParameter", "s3KeyParameter"))
    return {name: path for name in names if isinstance(name, str) and name}


def _metadata_entries(
    directory: Path, artifact: Mapping[str, object]
) -> Iterator[tuple[str, object, object]]:
    """(construct path, type, data) of each metadata entry of a stack artifact."""
    inline = artifact.get("metadata")
    extra = artifact.get("additionalMetadataFile")
    sources = [inline, _read_json(directory / extra) if isinstance(extra, str) else None]
    for metadata in sources:
        for path, entries in metadata.items() if isinstance(metadata, Mapping) else ():
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, Mapping):
                    yield str(path), entry.get("type"), entry.get("data")


def _construct_paths(
    entries: list[tuple[str, object, object]], files: Mapping[str, str], stack_template: str
) -> dict[str, Mapping[str, str]]:
    """Each template's logical ids with their construct paths, from one stack's metadata.

    A resource belongs to the template of the deepest construct above it that has a
    template file (a nested or product stack), else to the stack's; a logical id
    recorded twice for one template is left out rather than guessed.
    """
    found: dict[str, dict[str, str]] = {}
    twice: set[tuple[str, str]] = set()
    for path, kind, data in entries:
        if kind != _LOGICAL_ID_ENTRY or not isinstance(data, str):
            continue
        owners = [scope for scope in files if path.startswith(scope + "/")]
        template = files[max(owners, key=len)] if owners else stack_template
        ids = found.setdefault(template, {})
        if data in ids:
            twice.add((template, data))
        ids[data] = path.lstrip("/")
    for template, logical_id in twice:
        del found[template][logical_id]
    return dict(found)


def _read_json(path: Path) -> Mapping[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, Mapping) else {}
