"""The real cfn-guard binary, as `make tools` installs it (npm @cdklabs/cdk-validator-cfnguard)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support import ROOT

_PACKAGE = ROOT / ".tools" / "node_modules" / "@cdklabs" / "cdk-validator-cfnguard"
_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
EXIT_NON_COMPLIANT = 19
"""cfn-guard validate's exit code when a rule fails (0 when every rule passes or skips)."""


def cfn_guard() -> Path:
    """The cfn-guard binary: $CFN_GUARD, else the one in .tools/, else cfn-guard on PATH."""
    if os.environ.get("CFN_GUARD"):
        return Path(os.environ["CFN_GUARD"])
    system = "macos" if platform.system() == "Darwin" else "ubuntu"
    bundled = _PACKAGE / "bin" / system / _ARCH.get(platform.machine(), "x86_64") / "cfn-guard"
    if bundled.exists():
        return bundled
    found = shutil.which("cfn-guard")
    if found is None:
        raise FileNotFoundError(f"cfn-guard is not installed: run `make tools` ({bundled})")
    return Path(found)


def validate(rules: Path, data: Path) -> tuple[int, dict[str, Any]]:
    """Run ``cfn-guard validate`` on one data file; its exit code and JSON report."""
    done = subprocess.run(
        [
            str(cfn_guard()),
            "validate",
            "-r",
            str(rules),
            "-d",
            str(data),
            "-o",
            "json",
            "-S",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode not in (0, EXIT_NON_COMPLIANT):
        raise AssertionError(f"cfn-guard failed ({done.returncode}): {done.stderr}{done.stdout}")
    return done.returncode, json.loads(done.stdout)


def failed_rules(report: dict[str, Any]) -> set[str]:
    """The names of the rules a JSON report lists as not compliant."""
    return {item["Rule"]["name"] for item in report.get("not_compliant", [])}
