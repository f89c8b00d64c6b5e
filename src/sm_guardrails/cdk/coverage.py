"""Which resources (notebook instances, Studio domains) of an app sm-guardrails judges,
and with which config.

An app has one :class:`Coverage` and one validation plugin, however many times
:func:`~sm_guardrails.cdk.enforce` is called and however many
:class:`~sm_guardrails.cdk.NotebookGuardrailAspect` are added: that is what keeps a
finding from being reported twice. It covers whole stages (``enforce(stage)``, an
aspect added to the App or a Stage) and single resources (those an aspect added to a
Stack or another construct visited). A resource covered more than once is judged
with the config of the closest scope: a resource an aspect visited before a stage's,
an inner stage's before an outer one's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aws_cdk as cdk
from constructs import IConstruct

from sm_guardrails.cdk import release
from sm_guardrails.cdk._resources import logical_id
from sm_guardrails.cdk.validation import GuardrailValidationPlugin
from sm_guardrails.cloudformation import (
    LoadedTemplate,
    TemplateFinding,
    check_template,
    load_with_nested,
)
from sm_guardrails.config import ConfigError, GuardrailConfig


@dataclass
class VisitedResources:
    """The guarded resources an aspect added below a Stage visited, with the aspect's config."""

    config: GuardrailConfig
    scope_path: str
    resources: dict[cdk.CfnResource, None] = field(default_factory=dict)


@dataclass(frozen=True)
class _StageEntry:
    directory: str
    path: str
    config: GuardrailConfig


class Coverage:
    """The scopes an app's sm-guardrails plugin judges; one per App (see :func:`coverage_of`)."""

    def __init__(self, app: cdk.App) -> None:
        self.plugin = GuardrailValidationPlugin(root=app, judge=self.findings)
        self._stages: list[_StageEntry] = []
        self._visited: list[VisitedResources] = []

    def add_stage(self, stage: cdk.Stage, config: GuardrailConfig, caller: str) -> None:
        """Judge every guarded resource of ``stage`` (nested stages included) with ``config``."""
        directory = _real(stage.outdir)
        for entry in self._stages:
            if entry.directory != directory:
                continue
            if entry.config != config:
                raise ConfigError(
                    f"{caller} on {entry.path or 'the app'!r} has another config than the "
                    "one already guarding it (by enforce() or NotebookGuardrailAspect): "
                    "give them the same config"
                )
            return
        self._stages.append(_StageEntry(directory, stage.node.path, config))

    def add_visited(self, visited: VisitedResources) -> None:
        """Judge the resources ``visited`` holds (its aspect fills it in) with its config."""
        self._visited.append(visited)

    def findings(self, template_paths: Iterable[str]) -> Iterator[TemplateFinding]:
        """The findings about the covered resources of the templates (and their nested stacks)."""
        visited = self._visited_configs()
        for stack_template in template_paths:
            for loaded in load_with_nested(Path(stack_template)):
                yield from self._judge(loaded, visited.get(_real(str(loaded.path)), {}))

    def _judge(
        self, loaded: LoadedTemplate, visited: dict[str, GuardrailConfig]
    ) -> Iterator[TemplateFinding]:
        stage_config = self._stage_config(_real(str(loaded.path)))
        configs = [] if stage_config is None else [stage_config]
        for config in visited.values():
            if config not in configs:  # each config judges the template once
                configs.append(config)
        for config in configs:
            for item in check_template(loaded, config, with_lines=False):
                if visited.get(item.logical_id, stage_config) == config:
                    yield item

    def _stage_config(self, template: str) -> GuardrailConfig | None:
        """The config of the innermost covered stage whose assembly holds ``template``."""
        covering = [entry for entry in self._stages if _inside(template, entry.directory)]
        if not covering:
            return None
        return max(covering, key=lambda entry: len(entry.directory)).config

    def _visited_configs(self) -> dict[str, dict[str, GuardrailConfig]]:
        """Template file to logical id to config, for every resource an aspect visited.

        Where two aspects visited a resource, the one added closer to it decides.
        """
        found: dict[str, dict[str, tuple[int, GuardrailConfig]]] = {}
        places: dict[cdk.Stack, tuple[str, str]] = {}
        for visited in self._visited:
            for resource in visited.resources:
                stack = cdk.Stack.of(resource)
                if stack not in places:
                    stage = cdk.Stage.of(stack)
                    assert stage is not None, "a resource's stack is always in the App or a Stage"
                    places[stack] = (stage.outdir, stack.template_file)
                directory, file = places[stack]
                by_id = found.setdefault(_real(os.path.join(directory, file)), {})
                depth = len(visited.scope_path)
                name = logical_id(resource, stack)
                if name not in by_id or by_id[name][0] < depth:
                    by_id[name] = (depth, visited.config)
        return {
            file: {name: config for name, (_, config) in by_id.items()}
            for file, by_id in found.items()
        }


def coverage_of(scope: IConstruct, caller: str) -> Coverage:
    """The coverage of the App ``scope`` belongs to, registered with it on first use.

    From aws-cdk-lib 2.271 its plugin is added to the App's validations; on older
    releases the App's wrapped ``synth`` judges the assembly (:mod:`.app_synth`).
    """
    app = scope.node.root
    if not isinstance(app, cdk.App):
        raise TypeError(
            f"{caller} needs a construct tree under a cdk.App ({scope.node.path!r} is under "
            f"{type(app).__name__}): CDK runs validation only when an App is synthesized"
        )
    coverage = registered_coverage(app)
    if coverage is None:
        coverage = Coverage(app)
        if release.USES_PLUGIN:
            cdk.Validations.of(app).add_plugins(coverage.plugin)
        setattr(app, _COVERAGE_ATTRIBUTE, coverage)
    return coverage


def registered_coverage(app: cdk.App) -> Coverage | None:
    """The coverage :func:`coverage_of` registered with ``app``, if any."""
    coverage = getattr(app, _COVERAGE_ATTRIBUTE, None)
    return coverage if isinstance(coverage, Coverage) else None


_COVERAGE_ATTRIBUTE = "_sm_guardrails_coverage"
"""Where the App's Python object keeps its coverage."""


def _real(path: str) -> str:
    return os.path.realpath(path)


def _inside(file: str, directory: str) -> bool:
    return file.startswith(directory.rstrip(os.sep) + os.sep)
