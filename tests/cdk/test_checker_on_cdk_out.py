"""``sm-guardrails check`` on what ``app.synth()`` writes: stages and nested stacks, no CLI."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk

from sm_guardrails.cloudformation import check_paths
from tests.cdk.helpers import notebook


def test_checker_follows_nested_stacks_and_stages_of_a_plain_synth(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    stack = cdk.Stack(app, "Top")
    notebook(stack, "Secure")
    inner = cdk.NestedStack(cdk.NestedStack(stack, "Outer"), "Inner")
    notebook(inner, "Deep", direct_internet_access="Enabled")
    stage = cdk.Stage(app, "Prod")
    notebook(cdk.Stack(stage, "Data"), "Staged", subnet_id=" ")
    app.synth()

    report = check_paths([tmp_path / "cdk.out"])

    assert not report.errors and not report.skipped
    assert report.notebooks == 3
    blocking = sorted(
        (item.logical_id, item.finding.rule_id, Path(item.file).name)
        for item in report.findings
        if item.finding.blocking
    )
    assert [(logical_id, rule) for logical_id, rule, _ in blocking] == [
        ("Deep", "SMG-1"),
        ("Staged", "SMG-2"),
    ]
    assert blocking[0][2].startswith("TopOuterInner") and ".nested.template" in blocking[0][2]
    assert blocking[1][2].startswith("ProdData")
