"""One config file, read by the one reader, means the same to the CLI and the policy pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sm_guardrails.catalog import RULES
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.pulumi.engine import AnalyzerClient
from sm_guardrails.pulumi.pack_config import read_pack_settings
from tests.pulumi.test_pulumi_pack import (
    BLOCKS,
    INTERNET_AND_ROOT,
    MAIN,
    SHOWN,
    analyze,
    outcome,
    rule_of,
    secure,
)
from tests.support import ROOT, run_cli

SHARED = {
    "levels": {"SMG-3": "error"},
    "tag_exemptions": False,
    "exemptions": [{"rule": "SMG-1", "resource": "nb", "reason": "SEC-1"}],
}
"""A config both adapters take; ``tag_exemptions: false`` was a mandatory SMG-0 in the pack."""

COMPLIANT = ROOT / "examples" / "templates" / "compliant.yaml"


def test_tag_exemptions_false_is_taken_by_the_pack_and_the_rest_applies(
    analyzer: AnalyzerClient,
) -> None:
    analyzer.configure({MAIN: SHARED})
    diagnostics = analyze(analyzer, secure(**INTERNET_AND_ROOT))
    assert outcome(diagnostics) == {"SMG-1": SHOWN, "SMG-3": BLOCKS}


def test_tag_exemptions_false_means_the_same_config_to_both_adapters(tmp_path: Path) -> None:
    read = read_pack_settings(SHARED, "pack")
    assert read.problems == ()
    from_file = GuardrailConfig.from_mapping(SHARED)
    assert read.over(GuardrailConfig()) == from_file
    assert from_file.tag_exemptions is False
    config = tmp_path / "guardrails.yaml"
    config.write_text(yaml.safe_dump(SHARED))
    checked = run_cli("check", COMPLIANT, "--config", config)
    assert (checked.returncode, checked.stderr) == (0, "")


@pytest.mark.parametrize("rule_id", ["SMG-9", "SMG-0", "SMG-U"])
@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (lambda rule: {"levels": {rule: "off"}}, ".levels: "),
        (
            lambda rule: {"exemptions": [{"rule": rule, "resource": "nb", "reason": "x"}]},
            ".exemptions[0]: 'rule': ",
        ),
    ],
)
def test_a_rule_id_is_checked_once_and_each_adapter_reports_it_its_way(
    analyzer: AnalyzerClient, tmp_path: Path, rule_id: str, raw: Any, where: str
) -> None:
    config = raw(rule_id)
    said = f"unknown rule id {rule_id!r}; use one of " + ", ".join(r.rule_id for r in RULES)
    path = tmp_path / "guardrails.yaml"
    path.write_text(yaml.safe_dump(config))
    checked = run_cli("check", COMPLIANT, "--config", path)
    assert checked.returncode == 2
    assert checked.stderr == f"sm-guardrails: error: --config {path}{where}{said}\n"
    analyzer.configure({MAIN: config})
    [problem] = [d for d in analyze(analyzer, secure()) if rule_of(d) == "SMG-0"]
    assert problem.mandatory
    assert said in problem.message.splitlines()[1]
