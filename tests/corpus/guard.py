"""The fourth adapter: the generated cfn-guard rules, run by the real cfn-guard on each case.

Guard has no UNKNOWN and no exempted finding, so a run is compared with the case's
expectation as Guard can state it (:func:`guard_expectation`): each rule blocks or
passes. A template form honours the metadata exemptions; a Guard hook's resource
input carries no metadata, so there an exempted rule still blocks. An SMG-U rule
blocks a whole construct Guard cannot read (a body, a custom resource): every rule
counts as failing, and a false positive through one is a documented limit
(docs/preventive.md), never a false negative.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sm_guardrails.catalog import RULES, Level
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.controls.guard import guard_rules
from tests.corpus.adapters import CFN_FORMS, write_template
from tests.corpus.cases import Case, is_literal
from tests.corpus.outcomes import Outcome, blocks
from tests.guard_tool import failed_rules, validate

HOOK_FORM = "hook-input"
GUARD_FORMS = (*CFN_FORMS, HOOK_FORM)
_RULE_NAME = re.compile(r"^SMG_(\d+)_")
_UNSEEN_PREFIX = "SMG_U_"


def write_rules(directory: Path) -> Path:
    """Every rule at error level, as `sm-guardrails export guard --strict` writes them."""
    strict = GuardrailConfig(levels={rule.rule_id: Level.ERROR for rule in RULES})
    path = directory / "sm-guardrails.guard"
    path.write_text(guard_rules(strict), encoding="utf-8")
    return path


def guard_forms(case: Case) -> tuple[str, ...]:
    """The forms Guard reads for ``case``: its templates, and a hook's input when the
    properties are all literals (a hook sees resolved values)."""
    if case.cfn is None:
        return ()
    literal = is_literal(case.properties()) and set(case.cfn) <= {"set", "unset", "metadata"}
    return GUARD_FORMS if literal else CFN_FORMS


def guard_expectation(expected: Outcome, form: str) -> Outcome:
    """``expected`` as Guard can report it: per rule, blocks (fail) or not (pass)."""
    honours_exemptions = form != HOOK_FORM
    verdicts = []
    for rule, verdict in expected.verdicts:
        blocking = blocks(expected, rule) or (not honours_exemptions and verdict != "pass")
        verdicts.append((rule, "fail" if blocking else "pass"))
    problem = expected.exemption_problem and honours_exemptions
    return Outcome(tuple(verdicts), frozenset(), problem)


def _hook_input(case: Case) -> dict[str, Any]:
    """The resource input a Guard hook evaluates when the case's resource is created."""
    resource = {
        "ResourceType": case.kind.cloudformation_type,
        "ResourceProperties": case.properties(),
    }
    return {
        "HookContext": {"TargetType": "RESOURCE", "TargetLogicalId": case.logical_id},
        "Resources": {case.logical_id: resource},
    }


def run_guard_on_body(case: Case, workdir: Path, rules: Path) -> set[str]:
    """The rules cfn-guard fails on the case's template given as a StackSet's TemplateBody
    (a JSON string, as the template checker's corpus runner gives it)."""
    stack_set = {
        "Type": "AWS::CloudFormation::StackSet",
        "Properties": {"StackSetName": case.id, "TemplateBody": json.dumps(case.template())},
    }
    data = workdir / f"{case.id}.stack-set.json"
    data.write_text(json.dumps({"Resources": {"Rollout": stack_set}}), encoding="utf-8")
    return failed_rules(validate(rules, data)[1])


def guard_failures(case: Case, workdir: Path, form: str, rules: Path) -> set[str]:
    """Write the case in ``form``; the rules cfn-guard fails on it with the rules file ``rules``."""
    if form == HOOK_FORM:
        data = workdir / f"{case.id}.hook.json"
        data.write_text(json.dumps(_hook_input(case)), encoding="utf-8")
    else:
        data = write_template(case, workdir, form)
    code, report = validate(rules, data)
    failed = failed_rules(report)
    if (code != 0) != bool(failed):
        raise AssertionError(f"cfn-guard exit code {code} disagrees with its report {failed}")
    return failed


def coarse_blocks(failed: set[str]) -> set[str]:
    """The SMG-U rules among ``failed``: each blocks a whole construct Guard cannot read
    (a body, a macro, a custom resource), compliant or not."""
    return {name for name in failed if name.startswith(_UNSEEN_PREFIX)}


def outcome_of(failed: set[str], case: Case) -> Outcome:
    """The outcome of a Guard run on ``case``: an SMG-U rule failing blocks every rule."""
    verdicts = dict.fromkeys(case.rule_ids, "fail" if coarse_blocks(failed) else "pass")
    problem = False
    for name in failed - coarse_blocks(failed):
        match = _RULE_NAME.match(name)
        if match is None:
            raise AssertionError(f"cfn-guard reported a rule the file does not have: {name}")
        rule_id = f"SMG-{match.group(1)}"
        if rule_id == "SMG-0":
            problem = True
        elif rule_id in verdicts:
            verdicts[rule_id] = "fail"
        elif not name.endswith("_loops"):  # Guard cannot tell what a loop makes: every
            # kind's loop rule blocks it, and the case's own kind's says so above
            raise AssertionError(f"cfn-guard failed {name}, not a rule of the case's kind")
    return Outcome(tuple(verdicts.items()), frozenset(), problem)
