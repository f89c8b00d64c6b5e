"""Property-based: random templates and bytes never crash the loader, resolver or rules."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sm_guardrails import Verdict
from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.cloudformation import check_paths, resources_in_template
from sm_guardrails.cloudformation.loader import TemplateError, parse_template
from sm_guardrails.cloudformation.resources import template_problems
from sm_guardrails.evaluation import evaluate
from sm_guardrails.kinds import KINDS, Spelling
from sm_guardrails.rules import ExactString
from sm_guardrails.values import Known, flatten
from tests.support import run_cli

INTRINSICS = [
    "Ref",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::If",
    "Fn::Sub",
    "Fn::Join",
    "Fn::FindInMap",
    "Fn::GetAtt",
    "Fn::ImportValue",
    "Fn::Select",
    "Fn::Split",
    "Fn::Base64",
    "Condition",
]
NAMES = st.sampled_from(
    ["P", "Q", "AWS::NoValue", "AWS::Region", "Subnet", "M", "k", "C", "Disabled", "Enabled", ""]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "Disabled",
            "Enabled",
            "disabled",
            " ",
            "",
            "{{resolve:ssm:/x}}",
            "${P}",
            "${!P}",
            "sg-1",
            "2",
        ]
    ),
    NAMES,
    st.text(max_size=12),
)
nodes = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(NAMES, st.text(max_size=6)), children, max_size=4),
        st.builds(lambda k, v: {k: v}, st.sampled_from(INTRINSICS), children),
    ),
    max_leaves=25,
)
PROPERTY_KEYS = st.sampled_from(
    sorted(
        {
            prop.spelled(Spelling.CLOUDFORMATION).split(".")[0]
            for kind in KINDS
            for prop in kind.properties
        }
        | {"InstanceType"}
    )
)
"""The top-level CloudFormation keys of every declared kind's properties, and one no rule reads."""
templates = st.fixed_dictionaries(
    {
        "Parameters": st.dictionaries(
            NAMES,
            st.one_of(
                nodes,
                st.fixed_dictionaries(
                    {
                        "Type": st.sampled_from(["String", "List<String>", "CommaDelimitedList"]),
                        "AllowedValues": nodes,
                    }
                ),
            ),
        ),
        "Mappings": st.dictionaries(NAMES, nodes, max_size=3),
        "Resources": st.dictionaries(
            st.text(min_size=1, max_size=8),
            st.one_of(
                nodes,
                st.fixed_dictionaries(
                    {
                        "Type": st.sampled_from([kind.cloudformation_type for kind in KINDS]),
                        "Properties": st.one_of(nodes, st.dictionaries(PROPERTY_KEYS, nodes)),
                        "Metadata": st.one_of(
                            nodes,
                            st.fixed_dictionaries(
                                {
                                    "sm-guardrails": st.one_of(
                                        nodes,
                                        st.fixed_dictionaries(
                                            {"exemptions": st.lists(nodes, max_size=3)}
                                        ),
                                    )
                                }
                            ),
                        ),
                    }
                ),
            ),
            max_size=4,
        ),
    }
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates)
def test_random_templates_always_get_verdicts(template: dict[str, object]) -> None:
    for resource in resources_in_template(template):
        spec = resource.spec
        findings = {f.rule_id: f for f in evaluate(spec)}
        assert set(findings) >= {rule.rule_id for rule in RULES_BY_KIND[spec.kind]}
        for rule in RULES_BY_KIND[spec.kind]:
            if findings[rule.rule_id].verdict is not Verdict.PASS:
                continue
            for check in rule.checks:
                if isinstance(check.check, ExactString):
                    # Only a literal (or every option being) exactly the value passes.
                    exact = (check.check.expected, *check.check.accepted)
                    leaves = [leaf for leaf, _ in flatten(spec.value(check.prop.name))]
                    assert all(isinstance(leaf, Known) and leaf.value in exact for leaf in leaves)
        shown = [f for f in findings.values() if f.verdict is not Verdict.PASS]
        assert all(f.message and f.fix for f in shown)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(max_size=300), nodes.map(lambda n: yaml.safe_dump(n))))
def test_random_text_parses_or_raises_template_error(text: str) -> None:
    try:
        data = parse_template(text)
    except TemplateError as error:
        assert str(error)
    else:
        assert isinstance(data, dict)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        "- " * 50_000 + "x",
        "".join(" " * depth + "a:\n" for depth in range(5_000)) + " " * 5_000 + "a: 1\n",
        "[" * 100_000,
    ],
    ids=["json-lists", "json-mappings", "yaml-sequences", "yaml-mappings", "unclosed"],
)
def test_deeply_nested_documents_are_a_clear_error(text: str) -> None:
    """Well-formed but absurdly deep documents are refused with one line saying why."""
    with pytest.raises(TemplateError) as raised:
        parse_template(text)
    message = str(raised.value)
    assert "\n" not in message
    assert re.search(r"nested too deeply|maximum nesting depth", message), message


def test_huge_template_is_checked(tmp_path: Path) -> None:
    resources = {
        f"Notebook{i}": {
            "Type": "AWS::SageMaker::NotebookInstance",
            "Properties": {"DirectInternetAccess": "Enabled" if i % 2 else "Disabled"},
        }
        for i in range(20_000)
    }
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"Resources": resources}))
    report = check_paths([path])
    assert report.notebooks == 20_000
    smg1_fails = [i for i in report.findings if i.finding.rule_id == "SMG-1"]
    assert len(smg1_fails) == 10_000


def test_cli_on_a_directory_of_random_files_never_tracebacks(tmp_path: Path) -> None:
    generator = random.Random(20261129)
    samples = [
        b"",
        b"\x00\xff",
        b"{",
        b"[1]",
        b"Resources: 5",
        b"Resources: {A: 1}",
        b"Resources: {A: {Type: AWS::SageMaker::NotebookInstance, Properties: 7}}",
    ]
    for index in range(200):
        if index < len(samples):
            content = samples[index]
        else:
            content = bytes(generator.randrange(256) for _ in range(generator.randrange(64)))
        (tmp_path / f"f{index}.yaml").write_bytes(content)
    result = run_cli("check", tmp_path, "--format", "json")
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert result.returncode == 2 and document["errors"]
    checked = {e["file"] for e in document["errors"]} | {s["file"] for s in document["skipped"]}
    assert len(checked) + document["summary"]["templates"] >= 200 - len(document["skipped"])


IDENTIFIERS = st.sampled_from(["Team", "Mode", "X"])
ITEMS = st.sampled_from(["Disabled", "Enabled", "a-b", "", "Alpha", 7, True])
LIST_PARAMETERS = st.fixed_dictionaries(
    {"Type": st.sampled_from(["CommaDelimitedList", "List<String>", "String"])},
    optional={
        "Default": st.sampled_from(["Disabled", "Enabled,Disabled", "", "a, b"]),
        "AllowedValues": st.lists(st.sampled_from(["Disabled", "Enabled", "x,y"]), max_size=3),
    },
)


def _loop_body(identifier: str, inner: object) -> dict[str, object]:
    return {
        f"NB${{{identifier}}}": {
            "Type": "AWS::SageMaker::NotebookInstance",
            "Properties": {"DirectInternetAccess": inner},
        }
    }


loops = st.builds(
    lambda identifier, collection, value, parameter, transform: {
        **({"Transform": "AWS::LanguageExtensions"} if transform else {}),
        "Parameters": {"Items": parameter},
        "Resources": {
            "Fn::ForEach::Loop": [
                identifier,
                collection,
                _loop_body(identifier, value.replace("ID", identifier)),
            ]
        },
    },
    IDENTIFIERS,
    st.one_of(st.lists(ITEMS, max_size=4), st.just({"Ref": "Items"}), nodes),
    st.sampled_from(["${ID}", "&{ID}", "x${ID}", "Disabled", "Enabled"]),
    LIST_PARAMETERS,
    st.booleans(),
)


@settings(max_examples=800, deadline=None)
@given(loops)
def test_no_notebook_escapes_a_loop(template: dict[str, object]) -> None:
    """A loop over a notebook yields a judged notebook, or an input problem, or has no items."""
    found = resources_in_template(template)
    problems = template_problems(template)
    (loop,) = template["Resources"].values()  # type: ignore[attr-defined]
    assert found or problems or loop[1] == []
    if "Transform" not in template:
        assert any("without `Transform: AWS::LanguageExtensions`" in p for p in problems)
    for notebook in found:
        assert notebook.loops == ("Fn::ForEach::Loop",)
        smg1 = next(f for f in evaluate(notebook.spec) if f.rule_id == "SMG-1")
        if smg1.verdict is Verdict.PASS:  # only from a fixed item, exactly 'Disabled'
            assert notebook.spec.value("DirectInternetAccess").__repr__().count("'Disabled'")


pairs = st.lists(
    st.tuples(st.sampled_from(["A", "B", "Direct", "é", 'q"uote']), st.integers(0, 9)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=500, deadline=None)
@given(pairs, st.booleans())
def test_repeated_keys_are_refused_with_their_lines(
    entries: list[tuple[str, int]], as_json: bool
) -> None:
    """A mapping parses if and only if its keys are distinct; else both lines are named."""
    if as_json:
        text = "{\n" + ",\n".join(f"{json.dumps(k)}: {v}" for k, v in entries) + "\n}"
        first_line = 2
    else:
        text = "\n".join(f"{json.dumps(k)}: {v}" for k, v in entries) + "\n"
        first_line = 1
    keys = [key for key, _ in entries]
    try:
        data = parse_template(text)
    except TemplateError as error:
        repeated = next(k for i, k in enumerate(keys) if k in keys[:i])
        second = keys.index(repeated, keys.index(repeated) + 1)
        lines = f"at lines {keys.index(repeated) + first_line} and {second + first_line}"
        assert f"{repeated!r} twice in one mapping, {lines}" in str(error)
    else:
        assert len(set(keys)) == len(keys) and data == dict(entries)
