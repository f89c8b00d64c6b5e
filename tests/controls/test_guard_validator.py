"""The generated Guard rules through @cdklabs/cdk-validator-cfnguard's CfnGuardValidator, the
plugin TypeScript, Java, Go and .NET CDK apps run them with (docs/cdk.md).

The validator reads cfn-guard's ``--structured`` report, and fails on a failed check that
names no path ("CfnGuardValidator plugin failed processing cfn-guard results"). For every
template the Guard tests use (the corpus's cases in each Guard form, the parity forms), the
validator must report each rule cfn-guard fails, each time with the resource it fails on.
"""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sm_guardrails.cloudformation.loader import parse_template
from tests.controls.guard_forms import FORMS
from tests.corpus.adapters import write_template
from tests.corpus.cases import load_cases
from tests.corpus.guard import HOOK_FORM, _hook_input, guard_forms, write_rules
from tests.guard_tool import failed_rules, validate
from tests.support import ROOT

VALIDATOR = ROOT / "examples" / "typescript_cdk_app" / "node_modules" / "@cdklabs"
VALIDATOR = VALIDATOR / "cdk-validator-cfnguard"
NODE = ROOT / ".tools" / "node_modules" / ".bin" / "node"
RUNNER = Path(__file__).with_name("cfnguard_validator.js")
TEMPLATE_LEVEL = "/Transform"
"""The template's own macros: they belong to no resource (the validator reports none, or
for a list of macros the failing one's index)."""


def _data_files(directory: Path) -> Iterator[Path]:
    for case in load_cases():
        for form in guard_forms(case):
            if form == HOOK_FORM:
                path = directory / f"{case.id}.hook.json"
                path.write_text(json.dumps(_hook_input(case)), encoding="utf-8")
                yield path
            else:
                yield write_template(case, directory, form)
    for parity in FORMS:
        path = directory / f"parity-{parity.id}{parity.suffix}"
        path.write_text(parity.text(), encoding="utf-8")
        yield path


def _run_validator(rules: Path, data: list[Path]) -> dict[str, dict[str, Any]]:
    """The validator's report (or the error it threw) for each data file, by its path."""
    for needed in (VALIDATOR, NODE):
        if not needed.exists():
            pytest.fail(f"{needed} is not installed: run `make tools`")
    done = subprocess.run(
        [str(NODE), str(RUNNER), str(VALIDATOR), str(rules), *map(str, data)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return {item["template"]: item for item in json.loads(done.stdout)}


def _reported(report: dict[str, Any]) -> dict[str, list[tuple[str | None, list[str]]]]:
    """Rule name -> (resource logical id, locations) of each resource the validator names."""
    named: dict[str, list[tuple[str | None, list[str]]]] = defaultdict(list)
    for violation in report["violations"]:
        for resource in violation["violatingResources"]:
            named[violation["ruleName"]].append(
                (resource.get("resourceLogicalId"), resource["locations"])
            )
    return named


def test_the_validator_names_every_failed_rule_and_its_resource(tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    data = list(_data_files(tmp_path))
    results = _run_validator(rules, data)
    problems = []
    for path in data:
        failed = failed_rules(validate(rules, path)[1])
        result = results[str(path)]
        if "error" in result:
            problems.append(f"{path.name}: the validator failed: {result['error'][-120:]}")
            continue
        assert result["report"]["success"] == (not failed), path.name
        named = _reported(result["report"])
        resources = set(parse_template(path.read_text(encoding="utf-8")).get("Resources", {}))
        if set(named) != failed:
            problems.append(f"{path.name}: cfn-guard fails {sorted(failed)}, got {sorted(named)}")
        for rule, found in named.items():
            for resource, locations in found:
                template_level = all(
                    at == TEMPLATE_LEVEL or at.startswith(f"{TEMPLATE_LEVEL}/") for at in locations
                )
                if resource not in resources and not template_level:
                    problems.append(f"{path.name}: {rule} on {resource!r} at {locations}")
    assert not problems, "\n".join(problems)
    assert len(data) >= 400
