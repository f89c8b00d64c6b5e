"""Act as the Pulumi engine towards a policy pack: start it, configure it, send resources.

The engine starts a Python pack with ``python -m pulumi.policy ENGINE_ADDRESS PACK_DIR``
in the pack's folder; the pack prints its gRPC port and serves the Analyzer service
until it is killed. :class:`PolicyPackProcess` does the same, and :class:`AnalyzerClient`
makes the calls the engine makes (GetAnalyzerInfo, Configure, Analyze).
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc  # type: ignore[import-untyped]
from google.protobuf import empty_pb2, struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

ENGINE_ADDRESS = "127.0.0.1:0"
"""Passed where the engine passes its own address; the Python policy SDK does not dial it."""

LEVEL_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVELS_BY_NAME = {name: level for level, name in LEVEL_NAMES.items()}


class PolicyPackError(RuntimeError):
    """The pack did not start, or its config is not valid; the message says why."""


class PolicyPackProcess:
    """A policy pack started the way the engine starts it; a context manager that kills it.

    With ``direct=True`` it runs the pack's ``__main__.py`` as a script instead, the
    other way a pack can be started.
    """

    def __init__(
        self,
        pack_dir: Path,
        python: str = sys.executable,
        timeout: float = 30,
        direct: bool = False,
    ) -> None:
        self.pack_dir = pack_dir.resolve()
        self.python = python
        self.timeout = timeout
        self.direct = direct
        self.port = 0
        self.startup_seconds = 0.0
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())

    def start(self) -> int:
        """Start the pack and return the port it printed."""
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir} is not a policy pack: no PulumiPolicy.yaml")
        began = time.monotonic()
        entry = ["__main__.py"] if self.direct else ["-m", "pulumi.policy", ENGINE_ADDRESS, "."]
        self._process = subprocess.Popen(
            [self.python, *entry],
            cwd=self.pack_dir,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,
        )
        self.port = self._read_port()
        self.startup_seconds = time.monotonic() - began
        return self.port

    def _read_port(self) -> int:
        process = self._process
        assert process is not None and process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(self.timeout)
        line = process.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            _kill(process)
            self._stderr.seek(0)
            stderr = self._stderr.read().decode(errors="replace")
            self.stop()
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not print its port within {self.timeout}s "
                f"(got {line!r}); its stderr:\n{stderr}"
            )
        return int(line)

    def stop(self) -> None:
        """Kill the pack and every process it started."""
        process, self._process = self._process, None
        if process is not None:
            _kill(process)
            if process.stdout is not None:
                process.stdout.close()
        self._stderr.close()

    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and its process group, once."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass(frozen=True)
class Diagnostic:
    """One policy violation as the engine receives it."""

    policy_name: str
    enforcement_level: str
    message: str
    urn: str

    @property
    def mandatory(self) -> bool:
        """True when the engine fails the preview on this diagnostic."""
        return self.enforcement_level == "mandatory"


class AnalyzerClient:
    """The engine's side of the Analyzer service of a started pack."""

    def __init__(self, port: int) -> None:
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        """The pack's name, policies and their default enforcement levels."""
        info: analyzer_pb2.AnalyzerInfo = self._stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        return info

    def configure(self, pack_config: Mapping[str, Any]) -> None:
        """Send a pack config, in the format of ``pulumi preview --policy-pack-config``.

        Like the engine, it sends every policy with its resolved enforcement level: the
        policy's own entry, else ``all``, else the policy's default.
        """
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy in self.info().policies:
            level, properties = _policy_entry(pack_config, policy.name)
            entry = request.policyConfig[policy.name]
            entry.enforcementLevel = level if level is not None else policy.enforcementLevel
            entry.properties.update(properties)
        self._stub.Configure(request, timeout=30)

    def analyze(
        self, resource_type: str, properties: Mapping[str, Any], urn: str, name: str
    ) -> list[Diagnostic]:
        """Send one resource's inputs (engine wire format) and return the diagnostics."""
        response = self.send(analyze_request(resource_type, properties, urn, name))
        return [
            Diagnostic(
                policy_name=item.policyName,
                enforcement_level=LEVEL_NAMES[item.enforcementLevel],
                message=item.message,
                urn=item.urn or urn,
            )
            for item in response.diagnostics
        ]

    def send(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        """One Analyze call, as it travels: the request and the pack's response."""
        response: analyzer_pb2.AnalyzeResponse = self._stub.Analyze(request, timeout=60)
        return response


def analyze_request(
    resource_type: str, properties: Mapping[str, Any], urn: str, name: str
) -> analyzer_pb2.AnalyzeRequest:
    """The Analyze request the engine sends for a resource with these inputs."""
    struct = struct_pb2.Struct()
    struct.update(properties)
    return analyzer_pb2.AnalyzeRequest(type=resource_type, properties=struct, urn=urn, name=name)


def _policy_entry(pack_config: Mapping[str, Any], name: str) -> tuple[int | None, dict[str, Any]]:
    """The enforcement level and properties the pack config gives policy ``name``."""
    entry = pack_config.get(name, pack_config.get("all"))
    if entry is None:
        return None, {}
    if isinstance(entry, str):
        return _level(entry, name), {}
    if not isinstance(entry, Mapping):
        raise PolicyPackError(
            f"pack config {name!r}: expected an enforcement level or an object, got {entry!r}"
        )
    properties = {key: value for key, value in entry.items() if key != "enforcementLevel"}
    level = entry.get("enforcementLevel")
    if level is None and name in pack_config and isinstance(pack_config.get("all"), str):
        level = pack_config["all"]
    return (_level(level, name) if level is not None else None), properties


def _level(text: object, name: str) -> int:
    if text not in LEVELS_BY_NAME:
        raise PolicyPackError(
            f"pack config {name!r}: enforcement level {text!r} is not one of "
            f"{', '.join(LEVELS_BY_NAME)}"
        )
    return LEVELS_BY_NAME[str(text)]
