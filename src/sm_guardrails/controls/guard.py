"""cfn-guard 3 rules generated from the catalog, the rule checks' data and the config.

Each catalog rule becomes Guard clauses built from its property checks:
the CloudFormation property path, and what the check requires (an exact string, a
present id, a non-empty list of present ids). The rules read two document shapes:
a template (``cfn-guard validate``, Guard hooks on stack operations), where the
``sm-guardrails`` metadata exemptions are honoured, and a Guard hook's resource input
(``Resources.<id>.ResourceType/ResourceProperties``), which carries no metadata.

Guard cannot follow ``Fn::If`` branches, a parameter's ``AllowedValues``,
``Fn::FindInMap`` or nested stacks: a value it cannot read as a literal or a plain
reference fails the rule (fail closed), see docs/preventive.md. What it cannot read at
all (template bodies, macros, code that creates a notebook) fails the SMG-U rules of
:mod:`sm_guardrails.controls.guard_unseen`, at the level ``check`` reports it.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Collection, Iterator

from sm_guardrails.catalog import RULES, RULES_BY_KIND, Level, Rule
from sm_guardrails.cloudformation.intrinsics import TRANSFORM
from sm_guardrails.cloudformation.resources import CDK_PATH_KEY, METADATA_KEY
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.controls.exemptions import UnexpressibleExemption, describe_exemption
from sm_guardrails.controls.guard_unseen import unseen_rules
from sm_guardrails.coverage import Unseen, unseen_level
from sm_guardrails.kinds import KINDS
from sm_guardrails.model import Exemption
from sm_guardrails.rules import ExactString, LeafCheck, present_id, present_id_list

_HELPERS = r"""let smg_document = this

rule smg_non_blank_string(value) {
    %value is_string
    %value != /\A\s*\z/
}

rule smg_local_reference(value) {
    let target = %value.Ref
    %target is_string
    %target != "AWS::NoValue"
    let resources = %smg_document.Resources[ keys == %target ]
    let parameters = %smg_document.Parameters[ keys == %target ]
    let open_parameters = %parameters[ AllowedValues not exists ]
    when %resources empty
         %smg_document.Parameters exists {
        when %open_parameters empty {
            %value.Ref not exists
        }
    }
}

rule smg_reference(value) {
    %value is_struct
    %value.'Fn::GetAtt' exists or
    %value.'Fn::ImportValue' exists or
    smg_local_reference(%value)
}

rule smg_present_id(value) {
    smg_non_blank_string(%value) or smg_reference(%value)
}
"""
"""Clauses shared by the rules: what a present id and a present list of ids are.

A reference is present when it can only name something (a resource, an import, a
parameter without AllowedValues); anything else Guard cannot decide and fails.

Every check that can fail reads a path of the notebook, so CfnGuardValidator
(@cdklabs/cdk-validator-cfnguard) can name the resource: it cannot read a failed
``empty``/``not empty`` test of a query that found nothing (cfn-guard reports no path),
so the document-wide look-ups of a ``Ref`` stand in ``when`` conditions and the check
that fails is on the ``Ref`` itself. Without a ``Parameters`` section any ``Ref`` name
passes, as before (tests/controls/test_guard_export.py)."""

_NON_BLANK = r"/\A\s*\z/"
_TRANSFORM_KEY = f"'{TRANSFORM}'"
_GUARD_TYPES = {str: "is_string", int: "is_int", float: "is_float", bool: "is_bool"}


def _property_clauses(path: str, check: LeafCheck, message: str) -> list[str]:
    """Guard lines, relative to a notebook's properties, for one property check."""
    clauses = [f"{path} exists {message}"]
    if isinstance(check, ExactString):
        # a macro next to the property rewrites it (check: UNKNOWN, fail closed)
        parents = path.split(".")[:-1]
        clauses += [
            f"{'.'.join([*parents[:depth], _TRANSFORM_KEY])} not exists {message}"
            for depth in range(len(parents) + 1)
        ]
        literals = (check.expected, *check.accepted)
        types = " or ".join(f"{path} {_GUARD_TYPES[type(item)]}" for item in literals)
        allowed = ", ".join(json.dumps(item) for item in literals)
        # `in` alone would pass a list holding the value, so the type comes first
        clauses += [f"{types} {message}", f"{path} in [{allowed}] {message}"]
    elif check is present_id:
        clauses.append(f"smg_present_id({path}) {message}")
    elif check is present_id_list:
        clauses += [
            f"{path} is_list or smg_reference({path}) {message}",
            f"when {path} is_list {{",
            f"    {path} not empty {message}",
            f"    {path}[*] {{ smg_present_id(this) {message} }}",
            "}",
        ]
    else:
        raise NotImplementedError(f"no Guard form for the check of {path}")
    return clauses


_LOOP_MESSAGE = (
    "Guard does not expand Fn::ForEach, so a loop's resources are not seen; check the "
    "processed template (aws cloudformation get-template --template-stage Processed)"
)


def _rule_name(rule: Rule) -> str:
    return rule.rule_id.replace("-", "_") + "_" + rule.name.replace("-", "_")


def _selector(
    rule: Rule, variable: str, exemptions: tuple[Exemption, ...], hook: bool
) -> list[str]:
    """``let`` lines picking the resources of the kind ``rule`` judges (exempted ones left out)."""
    names = sorted({e.resource for e in exemptions if e.resource is not None})
    lines, source = [], "Resources.*"
    if names:
        # cfn-guard 3.1 panics on a key filter chained into a value filter: two variables
        lines.append(f"let {variable}_by_name = Resources[ keys !in {json.dumps(names)} ]")
        source = f"%{variable}_by_name"
    type_key = "ResourceType" if hook else "Type"
    assert rule.kind is not None
    lines += [
        f"let {variable} = {source}[",
        f'    {type_key} == "{rule.kind.cloudformation_type}"',
    ]
    if not hook:
        lines += [
            f"    Metadata.'{METADATA_KEY}'.exemptions[",
            f'        rule == "{rule.rule_id}"',
            "        reason is_string",
            f"        reason != {_NON_BLANK}",
            "    ] empty",
        ]
        if names:
            path = f"Metadata.'{CDK_PATH_KEY}'"
            lines.append(f"    {path} not exists or {path} !in {json.dumps(names)}")
    return [*lines, "]"]


def _rule_blocks(rule: Rule, level: Level, exemptions: tuple[Exemption, ...]) -> Iterator[str]:
    name = _rule_name(rule)
    message = f"<<[{rule.rule_id}] {level.value}: {rule.title}>>"
    clauses = [
        clause
        for check in rule.checks
        for clause in _property_clauses(check.prop.cloudformation, check.check, message)
    ]
    body = "\n".join(f"        {clause}" for clause in clauses)
    fix = textwrap.fill(rule.spelled_fix(), 88)
    yield f"# {rule.rule_id} ({level.value}): {rule.title}\n" + textwrap.indent(
        f"Fix: {fix}", "#   "
    )
    for hook, properties in ((False, "Properties"), (True, "ResourceProperties")):
        suffix = "_hook" if hook else ""
        variable = f"{name.lower()}{suffix}_resources"
        selector = "\n".join(_selector(rule, variable, exemptions, hook))
        yield (
            f"{selector}\n\n"
            f"rule {name}{suffix} when %{variable} not empty {{\n"
            f"    %{variable}.{properties} {{\n{body}\n    }}\n}}\n"
        )
    # Guard reads templates as written: a loop's resources are invisible to it (fail closed).
    loops = f"<<[{rule.rule_id}] {level.value}: {_LOOP_MESSAGE}>>"
    yield f"rule {name}_loops {{\n    Resources[ keys == /^Fn::ForEach::/ ] empty {loops}\n}}\n"


def _exemption_rule(rule_ids: list[str]) -> str:
    """SMG-0: every exemption in a judged resource's metadata names a rule and gives a reason."""
    message = (
        f"<<[SMG-0] error: an exemption needs a rule id ({rule_ids[0]} to {rule_ids[-1]}) "
        "and a reason>>"
    )
    types = json.dumps([kind.cloudformation_type for kind in KINDS])
    return (
        "# SMG-0 (error): an exemption must name a rule and give a reason\n"
        "let smg_0_exemption_metadata = Resources.*[\n"
        f"    Type in {types}\n"
        f"    Metadata.'{METADATA_KEY}' exists\n"
        f"].Metadata.'{METADATA_KEY}'\n\n"
        "rule SMG_0_valid_exemption when %smg_0_exemption_metadata not empty {\n"
        "    %smg_0_exemption_metadata {\n"
        f"        exemptions is_list {message}\n"
        "        exemptions[*] {\n"
        f"            rule in {json.dumps(rule_ids)} {message}\n"
        f"            reason is_string {message}\n"
        f"            reason != {_NON_BLANK} {message}\n"
        "        }\n"
        "    }\n}\n"
    )


def guard_rules(config: GuardrailConfig, levels: Collection[Level] = (Level.ERROR,)) -> str:
    """The Guard rules file for the rules whose configured level is in ``levels``.

    A config exemption naming a resource (logical id or CDK construct path) leaves
    that resource out of the rule; one without a resource leaves the rule out.
    Raises :class:`UnexpressibleExemption` for any other exemption.
    """
    lines = [
        "# sm-guardrails: SageMaker notebook and Studio guardrails as cfn-guard 3 rules.",
        "# Generated by `sm-guardrails export guard` from the rule catalog; regenerate",
        "# instead of editing. Levels: " + ", ".join(sorted(level.value for level in levels)),
        "",
        _HELPERS,
        _exemption_rule([rule.rule_id for rule in RULES]),
    ]
    for rule in (rule for kind in KINDS for rule in RULES_BY_KIND[kind]):
        level = config.level_of(rule)
        exemptions = tuple(e for e in config.exemptions if e.rule_id == rule.rule_id)
        for exemption in exemptions:
            if exemption.resource is not None and exemption.resource.startswith(
                ("arn:", "urn:", "principal-tag:")
            ):
                raise UnexpressibleExemption(
                    exemption,
                    "Guard rules see templates, so they can exempt a logical id or a CDK "
                    "construct path, not a principal or a Pulumi URN",
                )
        if level not in levels:
            lines.append(f"# {rule.rule_id} is at level {level.value}: not in this file\n")
        elif any(e.resource is None for e in exemptions):
            everyone = next(e for e in exemptions if e.resource is None)
            lines.append(
                f"# {rule.rule_id} is exempted by the config: {describe_exemption(everyone)}\n"
            )
        else:
            lines.extend(_rule_blocks(rule, level, exemptions))
    unseen = {kind: unseen_level(kind, config) in levels for kind in Unseen}
    lines.append(unseen_rules(macros=unseen[Unseen.MACRO], elsewhere=unseen[Unseen.ELSEWHERE]))
    return "\n".join(lines)
