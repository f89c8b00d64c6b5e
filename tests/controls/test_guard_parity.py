"""Guard parity: whatever `sm-guardrails check` blocks or reports, the generated Guard
rules block, run by the real cfn-guard on a template of every form (guard_forms.py).

Three rule files, each against `check` under the same config: the default (error-level
rules; `check` exits non-zero), ``--levels error,warning`` (every finding `check`
reports, notices included) and ``--strict`` (every rule at error, ``unseen: error``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import botocore.session
import pytest
from botocore.model import StructureShape

from sm_guardrails.catalog import RULES, Level
from sm_guardrails.cloudformation import check_paths
from sm_guardrails.config import GuardrailConfig, UnseenPolicy
from sm_guardrails.controls.guard_unseen import NOTEBOOK_SETTINGS
from sm_guardrails.rules import Verdict
from tests.controls.guard_forms import FORMS, Form
from tests.guard_tool import failed_rules, validate
from tests.support import run_cli

STRICT = GuardrailConfig(
    levels={rule.rule_id: Level.ERROR for rule in RULES}, unseen=UnseenPolicy.ERROR
)
RULE_FILES = {
    "default": ((), GuardrailConfig(), False),
    "warnings": (("--levels", "error,warning"), GuardrailConfig(), True),
    "strict": (("--strict",), STRICT, False),
}
"""Rule file -> its `export guard` options, `check`'s config, and whether a warning blocks."""


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("rules")
    files = {}
    for name, (options, _, _) in RULE_FILES.items():
        files[name] = directory / f"{name}.guard"
        done = run_cli("export", "guard", "-o", files[name], *options)
        assert done.returncode == 0, done.stderr
    return files


def _check_blocks(path: Path, config: GuardrailConfig, warnings_block: bool) -> bool:
    """Whether `check` fails the template: an input error or a blocking finding, or with
    ``warnings_block`` any finding it reports that is not a pass or exempted."""
    report = check_paths([path], config)
    if report.exit_code != 0:
        return True
    return warnings_block and any(
        item.finding.verdict is not Verdict.PASS and not item.finding.exemption
        for item in report.findings
    )


@pytest.mark.parametrize("form", FORMS, ids=[form.id for form in FORMS])
def test_guard_blocks_what_check_blocks(form: Form, tmp_path: Path, rules: dict[str, Path]) -> None:
    path = tmp_path / f"{form.id}{form.suffix}"
    path.write_text(form.text(), encoding="utf-8")
    failing = {name: failed_rules(validate(file, path)[1]) for name, file in rules.items()}
    assert failing["default"] == form.default
    assert failing["strict"] == (form.default if form.strict is None else form.strict)
    for name, (_, config, warnings_block) in RULE_FILES.items():
        if _check_blocks(path, config, warnings_block):
            assert failing[name], f"{name}: check blocks {form.id}, Guard passes it"


def test_notebook_settings_are_those_only_a_notebook_takes() -> None:
    """The keys that mark a custom resource as creating a notebook, from botocore's model:
    members of CreateNotebookInstance's request found in no other SageMaker structure."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    holders: dict[str, set[str]] = defaultdict(set)
    for name in model.shape_names:
        shape = model.shape_for(name)
        if isinstance(shape, StructureShape):
            for member in shape.members:
                holders[member].add(name)
    request = model.operation_model("CreateNotebookInstance").input_shape
    assert isinstance(request, StructureShape)
    only = {m for m in request.members if all("NotebookInstance" in s for s in holders[m])}
    assert set(NOTEBOOK_SETTINGS) == only
