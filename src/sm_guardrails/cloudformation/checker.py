"""Check files, directories and cloud assemblies: one template at a time, every problem reported."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sm_guardrails.catalog import Level
from sm_guardrails.cloudformation.assembly import (
    LocalTemplate,
    assembly_stack_templates,
    asset_files,
    construct_paths,
    is_assembly,
    local_templates,
    stack_asset_templates,
)
from sm_guardrails.cloudformation.judge import JudgedFinding, judge_template
from sm_guardrails.cloudformation.loader import (
    LoadedTemplate,
    TemplateError,
    load_template,
    looks_like_template,
)
from sm_guardrails.cloudformation.resources import template_problems
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.deployed import DeployedNote
from sm_guardrails.evaluation import DEFAULT_CONFIG, Finding
from sm_guardrails.kinds import NOTEBOOK_INSTANCE, ResourceKind

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
_SKIPPED_DIRECTORIES = {"node_modules", "__pycache__"}


@dataclass(frozen=True)
class TemplateFinding:
    """A finding about a resource in a template file, located by file and line, logical id
    and (where the template or its cloud assembly records one) CDK construct path."""

    finding: Finding
    file: str
    logical_id: str
    construct_path: str | None
    line: int | None
    inner: str | None = None
    """The resource inside the template ``logical_id`` deploys (``Notebook``, or
    ``Inner > Notebook`` further down), for a StackSet or stack with an inline body."""
    loops: tuple[str, ...] = ()
    """The ``Fn::ForEach`` loops that generated the resource, outermost first."""


@dataclass(frozen=True)
class FileNote:
    """Something about one file: an input error, or why a file was not checked."""

    file: str
    message: str


Note = FileNote | DeployedNote
"""An input error or a skipped note: about a file (``check``) or part of an account (``audit``)."""


@dataclass
class CheckReport:
    """What a check run found, in the order it found it, and how much of each kind.

    ``findings`` stays empty when the run passes them to a callback instead.
    ``source`` names what ``templates`` counts: templates, or the regions an audit read;
    ``resources`` how many resources of each kind were judged.
    """

    findings: list[TemplateFinding] = field(default_factory=list)
    errors: list[Note] = field(default_factory=list)
    skipped: list[Note] = field(default_factory=list)
    templates: int = 0
    resources: Counter[ResourceKind] = field(default_factory=Counter)
    blocking: int = 0
    warnings: int = 0
    exempted: int = 0
    source: str = "template"

    @property
    def notebooks(self) -> int:
        """The notebook instances judged (what the audit counts through, until it counts
        every kind in ``resources``)."""
        return self.resources[NOTEBOOK_INSTANCE]

    @notebooks.setter
    def notebooks(self, count: int) -> None:
        self.resources[NOTEBOOK_INSTANCE] = count

    def count(self, finding: Finding) -> None:
        """Count ``finding`` in the totals."""
        if finding.exemption:
            self.exempted += 1
        elif finding.blocking:
            self.blocking += 1
        elif finding.level is Level.WARNING:
            self.warnings += 1

    @property
    def exit_code(self) -> int:
        """2 for bad input, else 1 when a finding blocks, else 0."""
        if self.errors:
            return 2
        return 1 if self.blocking else 0


def check_paths(
    paths: Iterable[Path],
    config: GuardrailConfig = DEFAULT_CONFIG,
    on_finding: Callable[[TemplateFinding], None] | None = None,
    skip_non_templates: bool = False,
) -> CheckReport:
    """Check every template under ``paths`` (files, directories, cdk.out assemblies).

    One template is in memory at a time. With ``on_finding``, each finding goes there
    as soon as it is found instead of into ``report.findings``, so a run over any
    number of files keeps only counts. A file named in ``paths`` must be a template
    unless ``skip_non_templates`` (as for a directory's files: skipped, and said so).
    """
    report = CheckReport()
    keep = on_finding or report.findings.append
    named: set[Path] = set()  # files that can come up twice: arguments, manifests, nested stacks
    for path in paths:
        for file, explicit in _inputs(path, report):
            pending = [(file, explicit and not skip_non_templates)]
            while pending:
                current, must_be_template = pending.pop()
                if current.resolve() in named:
                    continue
                if must_be_template:
                    named.add(current.resolve())
                loaded = _load(current, must_be_template, report)
                if loaded is None:
                    continue
                report.templates += 1
                for item in check_template(loaded, config, report):
                    report.count(item.finding)
                    keep(item)
                pending.extend((held.file, True) for held in _local(loaded) if held.file)
    return report


def check_template(
    loaded: LoadedTemplate,
    config: GuardrailConfig,
    report: CheckReport | None = None,
    with_lines: bool = True,
) -> list[TemplateFinding]:
    """The findings (passes left out) about every resource in one loaded template.

    ``with_lines=False`` leaves out line numbers, for callers that report by logical id.
    A resource's construct path is its ``aws:cdk:path`` metadata, else (path metadata
    off) what its cloud assembly's manifest records for its logical id.
    """
    local = {(held.logical_id, held.where) for held in _local(loaded) if held.file}
    judgement = judge_template(loaded.data, config, checked_elsewhere=local)
    if report is not None:
        report.resources.update(judgement.resources)
    ids = {_declared_as(item) for item in judgement.findings}
    lines = loaded.lines_of(ids) if with_lines else {}
    paths = construct_paths(loaded.path)
    return [
        TemplateFinding(
            item.finding,
            str(loaded.path),
            item.logical_id,
            item.construct_path or paths.get(item.logical_id),
            lines.get(_declared_as(item)),
            item.inner,
            item.loops,
        )
        for item in judgement.findings
    ]


def _declared_as(item: JudgedFinding) -> str:
    """The key the template declares the finding's resource under: its id, or its loop's name."""
    return item.loops[-1] if item.loops else item.logical_id


def load_with_nested(path: Path) -> Iterator[LoadedTemplate]:
    """The template at ``path``, then those its resources deploy from its cloud assembly
    (nested stacks, product templates), recursively, each once.

    The stack's assets and metadata in the assembly list them too, whichever
    synthesizer wrote it (:mod:`sm_guardrails.cloudformation.assembly`).
    """
    seen: set[Path] = set()
    queue = deque([path, *stack_asset_templates(path)])
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        try:
            loaded = load_template(current)
        except TemplateError as error:  # a CDK plugin shows only the message: name the file
            raise TemplateError(f"{current}: {error}") from None
        yield loaded
        queue.extend(held.file for held in _local(loaded) if held.file)


def _inputs(
    path: Path, report: CheckReport, visited: set[Path] | None = None
) -> Iterator[tuple[Path, bool]]:
    """The template files ``path`` names, each with whether it must be a template.

    A directory is read once however many links lead to it (``visited``: those read),
    so a symlink loop ends, and is said to.
    """
    if not path.is_dir():
        yield path, True
        return
    if is_assembly(path):
        try:
            yield from ((file, True) for file in assembly_stack_templates(path))
        except TemplateError as error:
            report.errors.append(FileNote(str(path), str(error)))
        return
    visited = set() if visited is None else visited
    real = path.resolve()
    if real in visited:
        report.skipped.append(FileNote(str(path), f"links to {real}, which is already checked"))
        return
    visited.add(real)
    count = 0
    for file in sorted(path.iterdir()):
        if file.name.startswith(".") or file.name in _SKIPPED_DIRECTORIES:
            continue
        if file.is_dir():
            for item in _inputs(file, report, visited):
                count += 1
                yield item
        elif file.suffix.lower() in TEMPLATE_SUFFIXES:
            count += 1
            yield file, False
    if count == 0:
        report.errors.append(
            FileNote(str(path), "contains no template files (*.json, *.yaml, *.yml, *.template)")
        )


def _load(file: Path, explicit: bool, report: CheckReport) -> LoadedTemplate | None:
    try:
        loaded = load_template(file)
    except TemplateError as error:
        report.errors.append(FileNote(str(file), str(error)))
        return None
    if not explicit and not looks_like_template(loaded.data):
        report.skipped.append(FileNote(str(file), "not a CloudFormation template (no Resources)"))
        return None
    problems = template_problems(loaded.data)
    for problem in problems:
        report.errors.append(FileNote(str(file), problem))
    if not isinstance(loaded.data.get("Resources"), Mapping):
        return None  # reported above; without resources it is not counted as a template
    return loaded


def _local(loaded: LoadedTemplate) -> list[LocalTemplate]:
    """The templates ``loaded``'s resources deploy by URL, each with its file in the
    cloud assembly where there is one."""
    return local_templates(loaded.data, loaded.path.parent, asset_files(loaded.path))
