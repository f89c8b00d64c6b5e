"""Find the nested stack templates of a stack in the cloud assembly being validated.

CDK records a nested stack's template file in the template's metadata
(``aws:asset:path``) only when asset metadata is on, as the CDK CLI turns it; a
plain ``app.synth()`` leaves it out. The stack's asset manifest always lists the
nested templates (every level), so both are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from sm_guardrails.cloudformation import nested_template_paths

TEMPLATE_SUFFIX = ".template.json"


def stack_and_nested_templates(template: Path) -> list[Path]:
    """``template`` first, then every nested stack template it deploys, each once."""
    found = dict.fromkeys([*nested_template_paths(template), *_from_asset_manifest(template)])
    return list(found)


def _from_asset_manifest(template: Path) -> Iterator[Path]:
    directory = template.parent
    artifacts = _read(directory / "manifest.json").get("artifacts", {})
    if not isinstance(artifacts, Mapping):
        return
    for artifact in artifacts.values():
        properties = artifact.get("properties", {}) if isinstance(artifact, Mapping) else {}
        if properties.get("templateFile") != template.name:
            continue
        for dependency in artifact.get("dependencies", []):
            manifest = artifacts.get(dependency, {})
            if manifest.get("type") == "cdk:asset-manifest":
                yield from _template_assets(directory, manifest["properties"]["file"], template)


def _template_assets(directory: Path, manifest_file: str, template: Path) -> Iterator[Path]:
    files = _read(directory / manifest_file).get("files", {})
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


def _read(path: Path) -> Mapping[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, Mapping) else {}
