"""What a written cloud assembly says about its stacks: their templates and construct paths.

A plain ``app.synth()`` writes no construct path into the templates, but every stack's
manifest metadata names the logical id of each of its elements (``aws:cdk:logicalId``),
nested stacks' included, under the element's construct path.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sm_guardrails.cloudformation.assembly import nested_stack_templates, published_templates

_NESTED_STACK_RESOURCE = re.compile(r"(.*)/([^/]+)\.NestedStack/\2\.NestedStackResource")
"""The path CDK gives the resource that deploys the nested stack ``<parent>/<id>``."""


@dataclass
class AssemblyStacks:
    """The stacks of an assembly and of its nested assemblies (Stages)."""

    templates: list[Path] = field(default_factory=list)
    """Each stack's template (nested stacks' templates are reached through them)."""
    paths: dict[tuple[str, str], str] = field(default_factory=dict)
    """(real path of a template, logical id) to the construct path of that element."""

    def construct_path(self, template: str, logical_id: str) -> str | None:
        """The construct path of ``logical_id`` in ``template``, where the manifest says."""
        return self.paths.get((os.path.realpath(template), logical_id))


def read_assembly(directory: Path) -> AssemblyStacks:
    """The stacks of the assembly in ``directory`` (raises OSError or ValueError if unreadable)."""
    found = AssemblyStacks()
    _read(directory, found)
    return found


def _read(directory: Path, found: AssemblyStacks) -> None:
    manifest = _json(directory / "manifest.json")
    for artifact in manifest.get("artifacts", {}).values():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "cdk:cloud-assembly":
            _read(directory / properties["directoryName"], found)
        elif artifact.get("type") == "aws:cloudformation:stack" and "templateFile" in properties:
            template = directory / properties["templateFile"]
            found.templates.append(template)
            metadata = dict(artifact.get("metadata", {}))
            if "additionalMetadataFile" in artifact:
                metadata.update(_json(directory / artifact["additionalMetadataFile"]))
            found.paths.update(_element_paths(template, metadata))


def _element_paths(template: Path, metadata: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(template, logical id) to construct path for the elements of one stack's metadata."""
    ids = {
        path: entry["data"]
        for path, entries in metadata.items()
        for entry in entries
        if entry.get("type") == "aws:cdk:logicalId" and isinstance(entry.get("data"), str)
    }
    nested = {
        f"{match[1]}/{match[2]}": logical_id
        for path, logical_id in ids.items()
        if (match := _NESTED_STACK_RESOURCE.fullmatch(path))
    }

    def owner(path: str) -> str:
        """The innermost nested stack holding ``path`` ("" for the stack itself)."""
        return max((stack for stack in nested if path.startswith(stack + "/")), key=len, default="")

    files = {"": template}
    for stack in sorted(nested, key=len):  # a parent before its children
        parent = files.get(owner(stack))
        if parent is not None:
            children = dict(
                nested_stack_templates(_json(parent), parent.parent, published_templates(parent))
            )
            child = children.get(nested[stack])
            if child is not None:
                files[stack] = child
    real = {stack: os.path.realpath(file) for stack, file in files.items()}
    found: dict[tuple[str, str], str] = {}
    for path, logical_id in ids.items():
        stack = owner(path) if nested else ""
        if stack in real:
            found[(real[stack], logical_id)] = path.lstrip("/")
    return found


def _json(file: Path) -> dict[str, Any]:
    data = json.loads(file.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{file}: not a JSON object")
    return data
