"""Property-based: the rule core against an independent model, and inputs that grow on expansion.

``tests/fuzz/test_template_fuzz.py`` covers random templates, random text, deep
nesting and a huge template; this file adds random tri-state value trees (choices
within choices, lists of choices) judged against a model of the rules, and inputs
small on disk that expand when read (YAML aliases, choices multiplied by Fn::Sub).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sm_guardrails import Verdict
from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.cloudformation import resources_in_template
from sm_guardrails.cloudformation.intrinsics import MAX_DEPTH
from sm_guardrails.evaluation import evaluate
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE
from sm_guardrails.model import ResourceSpec
from sm_guardrails.rules import ExactString, LeafCheck, present_id, present_id_list
from sm_guardrails.values import ABSENT, Absent, Choice, Known, Unknown, Value, flatten

EXAMPLES = 3000

ids = st.sampled_from(["Disabled", "Enabled", "disabled", " ", "", "sg-1", "subnet-1", "2"])
scalars = st.one_of(ids, st.integers(), st.booleans(), st.none(), st.text(max_size=5))
leaves = st.one_of(
    scalars.map(Known), st.just(ABSENT), st.sampled_from(["a parameter", "an import"]).map(Unknown)
)
values: st.SearchStrategy[Value] = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: Known(tuple(items))),
        st.lists(children, min_size=1, max_size=3).map(
            lambda options: Choice(tuple(options), "condition `C`")
        ),
    ),
    max_leaves=20,
)


def _exactly(expected: str, leaf: Value) -> Verdict:
    if isinstance(leaf, Unknown):
        return Verdict.UNKNOWN
    return Verdict.PASS if isinstance(leaf, Known) and leaf.value == expected else Verdict.FAIL


def _present(leaf: Value) -> bool:
    return isinstance(leaf, Unknown) or (
        isinstance(leaf, Known) and isinstance(leaf.value, str) and bool(leaf.value.strip())
    )


def _present_list(leaf: Value) -> bool:
    """A list that is unknown, or whose items are all present or removable, one always there."""
    if isinstance(leaf, Unknown):
        return True
    if not (isinstance(leaf, Known) and isinstance(leaf.value, tuple)):
        return False
    options = [[option for option, _ in flatten(item)] for item in leaf.value]
    items_ok = all(_present(o) or isinstance(o, Absent) for item in options for o in item)
    always_one = any(not any(isinstance(o, Absent) for o in item) for item in options)
    return items_ok and always_one


def _model(verdicts: list[Verdict]) -> Verdict:
    """The worst verdict: one failing option fails, else one unknown makes it unknown."""
    for verdict in (Verdict.FAIL, Verdict.UNKNOWN):
        if verdict in verdicts:
            return verdict
    return Verdict.PASS


def _leaves(value: Value) -> list[Value]:
    return [leaf for leaf, _ in flatten(value)]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dia=values, subnet=values, groups=values, imds=values)
def test_core_verdicts_follow_the_model(
    dia: Value, subnet: Value, groups: Value, imds: Value
) -> None:
    spec = ResourceSpec(
        NOTEBOOK_INSTANCE,
        ("fuzz",),
        {
            "DirectInternetAccess": dia,
            "SubnetId": subnet,
            "SecurityGroupIds": groups,
            "MinimumInstanceMetadataServiceVersion": imds,
        },
    )
    found = {finding.rule_id: finding for finding in evaluate(spec)}
    assert found["SMG-1"].verdict is _model([_exactly("Disabled", v) for v in _leaves(dia)])
    subnet_ok = _model(
        [Verdict.PASS if _present(v) else Verdict.FAIL for v in _leaves(subnet)]
        + [Verdict.PASS if _present_list(v) else Verdict.FAIL for v in _leaves(groups)]
    )
    assert found["SMG-2"].verdict is subnet_ok
    imds_leaves = [
        Verdict.PASS if isinstance(v, Known) and v.value == 2 else _exactly("2", v)
        for v in _leaves(imds)
    ]
    assert found["SMG-5"].verdict is _model(imds_leaves)
    shown = [finding for finding in found.values() if finding.verdict is not Verdict.PASS]
    assert all(finding.message and finding.fix for finding in shown)


def _exact(check: ExactString, leaf: Value) -> Verdict:
    if isinstance(leaf, Known) and leaf.value in check.accepted:
        return Verdict.PASS
    return _exactly(check.expected, leaf)


def _leaf_model(check: LeafCheck, leaf: Value) -> Verdict:
    """What the model says ``check`` makes of one option of a value."""
    if isinstance(check, ExactString):
        return _exact(check, leaf)
    present = {present_id: _present, present_id_list: _present_list}[check]
    return Verdict.PASS if present(leaf) else Verdict.FAIL


@st.composite
def kind_specs(draw: st.DrawFn) -> ResourceSpec:
    """A resource of any declared kind, each property a random tri-state value or absent."""
    kind = draw(st.sampled_from(KINDS))
    chosen = {prop.name: draw(st.one_of(st.just(ABSENT), values)) for prop in kind.properties}
    return ResourceSpec(kind, ("fuzz",), chosen)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=kind_specs())
def test_every_kinds_verdicts_follow_the_model(spec: ResourceSpec) -> None:
    """Each rule of the spec's kind (Studio domains' SMG-6 and SMG-7 among them) is the
    worst of its checks over every option of every value; a kind's rules and no other."""
    found = {finding.rule_id: finding for finding in evaluate(spec)}
    assert list(found) == [rule.rule_id for rule in RULES_BY_KIND[spec.kind]]
    for rule in RULES_BY_KIND[spec.kind]:
        expected = _model(
            [
                _leaf_model(check.check, leaf)
                for check in rule.checks
                for leaf in _leaves(spec.value(check.prop.name))
            ]
        )
        assert found[rule.rule_id].verdict is expected, rule.rule_id


def test_fn_if_nested_as_deep_as_the_resolver_goes_is_judged() -> None:
    node: object = "Disabled"
    for _ in range(MAX_DEPTH - 2):
        node = {"Fn::If": ["C", node, "Disabled"]}
    template = {
        "Resources": {
            "Notebook": {
                "Type": NOTEBOOK_INSTANCE.cloudformation_type,
                "Properties": {"DirectInternetAccess": node},
            }
        }
    }
    (notebook,) = resources_in_template(template)
    smg1 = next(f for f in evaluate(notebook.spec) if f.rule_id == "SMG-1")
    assert smg1.verdict is Verdict.PASS


def test_fn_sub_over_many_choices_is_unknown_not_exponential() -> None:
    parameters = {f"P{i}": {"Type": "String", "AllowedValues": ["a", "b"]} for i in range(40)}
    text = "".join(f"${{P{i}}}" for i in range(40))
    template = {
        "Parameters": parameters,
        "Resources": {
            "Notebook": {
                "Type": NOTEBOOK_INSTANCE.cloudformation_type,
                "Properties": {"DirectInternetAccess": {"Fn::Sub": text}},
            }
        },
    }
    (notebook,) = resources_in_template(template)
    smg1 = next(f for f in evaluate(notebook.spec) if f.rule_id == "SMG-1")
    assert smg1.verdict is Verdict.UNKNOWN


def _alias_bomb(levels: int) -> str:
    """A YAML template of a few lines whose security group list expands to 10**levels items."""
    lines = ["  g0: &g0 [sg-1, sg-2, sg-3, sg-4, sg-5, sg-6, sg-7, sg-8, sg-9, sg-0]"]
    lines += [f"  g{i}: &g{i} [" + ", ".join([f"*g{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(
        [
            "Anchors:",
            *lines,
            "Resources:",
            "  Notebook:",
            "    Type: AWS::SageMaker::NotebookInstance",
            "    Properties:",
            f"      SecurityGroupIds: *g{levels - 1}",
            "",
        ]
    )


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    template = tmp_path / "bomb.yaml"
    template.write_text(_alias_bomb(9), encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "sm_guardrails", "check", str(template)],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("sm-guardrails check did not answer within 5 s")
    assert result.returncode == 2 and "alias" in result.stdout + result.stderr
