"""Run a Pulumi program under mocks and have a policy pack judge it, as ``pulumi preview`` would.

``python -m sm_guardrails.pulumi.harness PROGRAM_DIR --policy-pack PACK_DIR
[--config key=value]... [--policy-pack-config FILE] [--invokes FILE]`` runs the program
with Pulumi's mocks in preview mode (a new resource's id and computed outputs are
unknown, as at a real preview), runs its resource transforms as the engine does,
records every resource's inputs as the engine then has them, starts the pack the way
the engine does, sends each resource to it over gRPC, prints the diagnostics and
exits 1 when any is mandatory (2 when the program or pack fails). ``--invokes`` gives
canned results of invokes by token (see :mod:`sm_guardrails.pulumi.invokes`).
"""

from __future__ import annotations

import argparse
import json
import runpy
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import empty_pb2, json_format  # type: ignore[import-untyped]
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2_grpc
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from sm_guardrails.pulumi.engine import AnalyzerClient, Diagnostic, PolicyPackProcess
from sm_guardrails.pulumi.invokes import DEFAULT_REGION, InvokeAnswers, load_canned
from sm_guardrails.pulumi.transforms import EngineTransforms

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class RegisteredResource:
    """A resource the program registered, with its inputs in the engine's wire format.

    ``outputs`` are what a component passed to ``register_outputs`` (empty otherwise).
    """

    resource_type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)


class ProgramMocks(pulumi.runtime.Mocks):
    """Mocks that echo inputs as outputs; in preview a new resource's id and outputs are unknown.

    Outside preview each resource gets the id ``<name>-id`` and an ``arn``. Invokes are
    answered by :class:`~sm_guardrails.pulumi.invokes.InvokeAnswers`: ``lookups`` gives
    canned results by token (e.g. ``aws:ec2/getVpc:getVpc``), the common pure invokes
    are answered for ``region``; ``calls`` keeps every invoke and ``unanswered`` the
    tokens of those that got an empty result.
    """

    def __init__(
        self,
        preview: bool,
        lookups: Mapping[str, dict[str, Any]] | None = None,
        region: str = DEFAULT_REGION,
    ):
        self.preview = preview
        self.answers = InvokeAnswers(lookups, region)
        self.calls: list[pulumi.runtime.MockCallArgs] = []
        self.unanswered: list[str] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if self.preview:
            return None, dict(args.inputs)
        return f"{args.name}-id", {"arn": f"arn:aws:mock:::{args.name}", **args.inputs}

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append(args)
        result = self.answers.answer(args.token, args.args)
        if result is None:
            if args.token not in self.unanswered:
                self.unanswered.append(args.token)
            return {}, []
        return result, []


class _RecordingMonitor(MockMonitor, resource_pb2_grpc.ResourceMonitorStub):
    """The mock monitor, running the program's transforms as the engine does and keeping
    each registration's inputs as the engine then has them.

    It passes for the engine monitor's gRPC stub (whose ``__init__`` is not called):
    pulumi 3.196 starts the callback server that serves transforms only for one.
    """

    def __init__(self, mocks: pulumi.runtime.Mocks, project: str, stack: str) -> None:
        super().__init__(mocks)
        self._urn_prefix = f"urn:pulumi:{stack}::{project}"
        self.transforms = EngineTransforms(_ensure_event_loop())  # type: ignore[no-untyped-call]
        self.registered: list[RegisteredResource] = []
        self._engine_urns: dict[str, str] = {}
        self._by_mock_urn: dict[str, RegisteredResource] = {}

    def RegisterResource(self, request: Any) -> Any:  # the gRPC method's name
        if request.type != STACK_TYPE:
            request = self.transforms.apply(request)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        self.transforms.record(response.urn, request)
        if request.type != STACK_TYPE:
            urn = self._engine_urn(request.parent, request.type, request.name)
            self._engine_urns[response.urn] = urn
            resource = RegisteredResource(
                resource_type=request.type,
                name=request.name,
                urn=urn,
                parent=self._engine_urns.get(request.parent, ""),
                custom=request.custom,
                inputs=json_format.MessageToDict(request.object),
            )
            self._by_mock_urn[response.urn] = resource
            self.registered.append(resource)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # the gRPC method's name
        resource = self._by_mock_urn.get(request.urn)
        if resource is not None:
            resource.outputs.update(json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]

    def RegisterStackTransform(self, request: Any) -> Any:  # the gRPC method's name
        self.transforms.register_stack(request)
        return empty_pb2.Empty()

    def _engine_urn(self, parent: str, resource_type: str, name: str) -> str:
        """The URN the engine gives: the parent's type chain, without the root stack's type.

        (Not the mock URN's stack and project: pulumi 3.196's mock monitor reads them in a
        thread that does not see the settings, and writes ``stack::project``.)
        """
        parent_urn = self._engine_urns.get(parent)
        if parent_urn is not None:
            resource_type = f"{parent_urn.split('::')[2]}${resource_type}"
        return f"{self._urn_prefix}::{resource_type}::{name}"


def run_with_mocks(
    program: Callable[[], object],
    *,
    mocks: ProgramMocks,
    project: str = "project",
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
) -> list[RegisteredResource]:
    """Run ``program`` under ``mocks`` and return every resource it registered, in order.

    ``config`` keys without a namespace are the project's (``insecure`` is
    ``<project>:insecure``). The run is a preview when ``mocks.preview`` is true.
    """
    pulumi.runtime.set_all_config(
        {
            (key if ":" in key else f"{project}:{key}"): value
            for key, value in (config or {}).items()
        }
    )
    monitor = _RecordingMonitor(mocks, project, stack)
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=mocks.preview, monitor=monitor
    )
    # As the language host does before it runs a program: a new callback server for this
    # monitor (pulumi 3.196's set_mocks keeps the last run's), and the features it supports.
    pulumi_settings.SETTINGS.callbacks = None
    _sync_await(pulumi_settings._load_monitor_feature_support())  # type: ignore[no-untyped-call]

    def run() -> None:
        program()

    _sync_await(run_pulumi_func(run))
    return monitor.registered


def run_program_dir(
    program_dir: Path,
    config: Mapping[str, str] | None = None,
    stack: str = "dev",
    mocks: ProgramMocks | None = None,
) -> list[RegisteredResource]:
    """Run a Pulumi Python program folder (``Pulumi.yaml`` + ``__main__.py``) in preview mode.

    ``mocks`` defaults to :class:`ProgramMocks` in preview mode, in the ``aws:region``
    of ``config``.
    """
    project = _project_name(program_dir)
    main = program_dir / "__main__.py"
    sys.path.insert(0, str(program_dir))
    try:
        return run_with_mocks(
            lambda: runpy.run_path(str(main), run_name="__main__"),
            mocks=mocks or ProgramMocks(preview=True, region=config_region(config or {})),
            project=project,
            stack=stack,
            config=config,
        )
    finally:
        sys.path.remove(str(program_dir))


def config_region(config: Mapping[str, str]) -> str:
    """The region the program's ``aws:region`` config names, else the harness's default."""
    return config.get("aws:region", DEFAULT_REGION)


def _project_name(program_dir: Path) -> str:
    manifest = yaml.safe_load((program_dir / "Pulumi.yaml").read_text())
    if not isinstance(manifest, dict) or not isinstance(manifest.get("name"), str):
        raise ValueError(f"{program_dir / 'Pulumi.yaml'}: expected a mapping with a 'name'")
    return str(manifest["name"])


def judge(
    resources: Sequence[RegisteredResource],
    client: AnalyzerClient,
) -> list[Diagnostic]:
    """Send each resource to the pack as the engine does; return all diagnostics."""
    diagnostics: list[Diagnostic] = []
    for resource in resources:
        diagnostics.extend(
            client.analyze(resource.resource_type, resource.inputs, resource.urn, resource.name)
        )
    return diagnostics


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m sm_guardrails.pulumi.harness")
    parser.add_argument("program", type=Path, help="folder with Pulumi.yaml and __main__.py")
    parser.add_argument("--policy-pack", type=Path, required=True, help="policy pack folder")
    parser.add_argument("--policy-pack-config", type=Path, help="pack config JSON file")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--invokes", type=Path, metavar="FILE", help="JSON/YAML: invoke token -> canned result"
    )
    args = parser.parse_args(argv)
    mocks: ProgramMocks | None = None
    program_ran = False
    try:
        config = dict(_key_value(item) for item in args.config)
        pack_config = _read_pack_config(args.policy_pack_config)
        canned = load_canned(args.invokes) if args.invokes else {}
        mocks = ProgramMocks(True, canned, config_region(config))
        resources = run_program_dir(args.program, config, mocks=mocks)
        program_ran = True
        with PolicyPackProcess(args.policy_pack) as pack:
            client = AnalyzerClient(pack.port)
            client.configure(pack_config)
            diagnostics = judge(resources, client)
            client.close()
    except Exception as error:  # the program's or the pack's failure, reported in one line
        message = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
        hint = "" if program_ran else _unanswered(mocks)
        print(f"error: {type(error).__name__}: {message}{hint}", file=sys.stderr)
        return 2
    _print_report(resources, diagnostics)
    if mocks.unanswered:
        print(f"note: {_unanswered(mocks).lstrip('; ')}", file=sys.stderr)
    return 1 if any(diagnostic.mandatory for diagnostic in diagnostics) else 0


def _unanswered(mocks: ProgramMocks | None) -> str:
    """What to say about the invokes the harness answered with an empty result."""
    if mocks is None or not mocks.unanswered:
        return ""
    tokens = ", ".join(mocks.unanswered)
    example = json.dumps({mocks.unanswered[0]: {"<output>": "<value>"}})
    return (
        f"; the program called {tokens}, which the harness answered with an empty result: "
        f"give canned results with --invokes FILE (JSON or YAML, e.g. {example})"
    )


def _key_value(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise ValueError(f"--config {item!r}: expected KEY=VALUE")
    return key, value


def _read_pack_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of policy name to config")
    return data


def _print_report(resources: Sequence[RegisteredResource], diagnostics: list[Diagnostic]) -> None:
    print(f"{len(resources)} resources sent to the policy pack")
    for diagnostic in diagnostics:
        print(f"[{diagnostic.enforcement_level}] {diagnostic.policy_name} ({diagnostic.urn})")
        for line in diagnostic.message.splitlines():
            print(f"    {line}")
    mandatory = sum(diagnostic.mandatory for diagnostic in diagnostics)
    print(f"{mandatory} mandatory, {len(diagnostics) - mandatory} advisory violation(s)")


if __name__ == "__main__":
    sys.exit(main())
