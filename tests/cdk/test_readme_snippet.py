"""The README's CDK snippet runs as written and synthesizes what it says."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def _readme_cdk_snippet() -> str:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## In a CDK app", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "README.md has no python block under '## In a CDK app'"
    return match.group(1)


def test_readme_cdk_snippet_synthesizes_with_its_exemption(tmp_path: Path) -> None:
    outdir = tmp_path / "cdk.out"
    env = {**os.environ, "CDK_OUTDIR": str(outdir)}
    for variable in ("PYTEST_CURRENT_TEST", "PYTEST_VERSION"):  # CDK reads them as "in a test"
        env.pop(variable, None)
    result = subprocess.run(
        [sys.executable, "-c", _readme_cdk_snippet()],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    template = json.loads((outdir / "Ml.template.json").read_text())
    notebooks = {  # by logical id, without its hash: path metadata needs the CDK CLI
        logical_id.rstrip("0123456789ABCDEF"): resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::SageMaker::NotebookInstance"
    }
    assert set(notebooks) == {"Notebook", "Vendor"}
    vendor = notebooks["Vendor"]
    assert vendor["Properties"]["RootAccess"] == "Enabled"
    exemption = vendor["Metadata"]["sm-guardrails"]["exemptions"][0]
    assert exemption == {"rule": "SMG-3", "reason": "vendor agent needs root, ticket SEC-42"}
    assert notebooks["Notebook"]["Properties"]["DirectInternetAccess"] == "Disabled"
