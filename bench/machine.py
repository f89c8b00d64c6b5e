"""Describe the machine a benchmark ran on."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, version


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "not on PATH"
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def describe() -> list[str]:
    """Markdown bullet lines: CPUs, CPU model, Python, Node.js and the libraries measured."""
    packages = ", ".join(
        f"{name} {_package(name)}" for name in ("aws-cdk-lib", "cdk-nag", "pulumi", "pulumi-policy")
    )
    return [
        f"- CPUs (`nproc`): {os.cpu_count()}, {_cpu_model()}",
        f"- Python {platform.python_version()}, Node.js {_node_version()}, {platform.platform()}",
        f"- {packages}",
    ]
