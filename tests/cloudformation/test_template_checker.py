"""The CloudFormation adapter: intrinsics, exemptions in metadata, assemblies, nested stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from sm_guardrails import GuardrailConfig, Level, UnseenPolicy, Verdict
from sm_guardrails.cloudformation import (
    TemplateContext,
    check_paths,
    load_template,
    load_with_nested,
    resources_in_template,
)
from sm_guardrails.cloudformation.loader import TemplateError, parse_template
from sm_guardrails.evaluation import evaluate
from sm_guardrails.values import ABSENT, Choice, Known, Unknown

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ONLY_NETWORK = GuardrailConfig(levels={"SMG-3": Level.OFF, "SMG-4": Level.OFF, "SMG-5": Level.OFF})


def verdicts_by_notebook(path: Path) -> dict[str, dict[str, Verdict]]:
    template = load_template(path).data
    return {
        notebook.logical_id: {f.rule_id: f.verdict for f in evaluate(notebook.spec, ONLY_NETWORK)}
        for notebook in resources_in_template(template)
    }


EXPECTED_INTRINSICS = {
    "RefSafeParameter": (Verdict.PASS, Verdict.PASS),
    "RefDefaultOnlyParameter": (Verdict.UNKNOWN, Verdict.PASS),
    "RefOpenParameter": (Verdict.FAIL, Verdict.PASS),
    "IfBothSafe": (Verdict.PASS, Verdict.PASS),
    "IfOneUnsafe": (Verdict.FAIL, Verdict.PASS),
    "IfNoValue": (Verdict.FAIL, Verdict.PASS),
    "FindInMapSafe": (Verdict.PASS, Verdict.PASS),
    "FindInMapMixed": (Verdict.FAIL, Verdict.PASS),
    "SubJoinLiteral": (Verdict.PASS, Verdict.PASS),
    "ImportedInternet": (Verdict.UNKNOWN, Verdict.PASS),
    "DynamicInternet": (Verdict.UNKNOWN, Verdict.PASS),
    "SelectLiteral": (Verdict.PASS, Verdict.PASS),
}


@pytest.mark.parametrize("logical_id", sorted(EXPECTED_INTRINSICS))
def test_every_intrinsic_in_short_form_yaml(logical_id: str) -> None:
    got = verdicts_by_notebook(FIXTURES / "templates" / "intrinsics.yaml")[logical_id]
    assert (got["SMG-1"], got["SMG-2"]) == EXPECTED_INTRINSICS[logical_id]


def test_short_form_tags_become_long_form_intrinsics() -> None:
    data = parse_template(
        "A: !Ref X\nB: !GetAtt R.Attr\nC: !Sub 'a${X}'\nD: !If [C, a, b]\n"
        "E: !Join ['', [a, b]]\nF: !FindInMap [M, k, v]\nG: !ImportValue e\nH: !Condition C\n"
        "I: !Select [0, !Split [',', 'a,b']]\nJ: !GetAtt [R, Attr]\n"
    )
    assert data == {
        "A": {"Ref": "X"},
        "B": {"Fn::GetAtt": ["R", "Attr"]},
        "C": {"Fn::Sub": "a${X}"},
        "D": {"Fn::If": ["C", "a", "b"]},
        "E": {"Fn::Join": ["", ["a", "b"]]},
        "F": {"Fn::FindInMap": ["M", "k", "v"]},
        "G": {"Fn::ImportValue": "e"},
        "H": {"Condition": "C"},
        "I": {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]},
        "J": {"Fn::GetAtt": ["R", "Attr"]},
    }


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Ref": "AWS::NoValue"}, ABSENT),
        ({"Ref": "Missing"}, Unknown("Ref to `Missing`, which the template does not define")),
        (
            {"Fn::Sub": "${AWS::Region}"},
            Unknown("Fn::Sub of pseudo parameter AWS::Region, known at deploy time"),
        ),
        ({"Fn::Join": ["-", ["a", "b"]]}, Known("a-b")),
        ({"Fn::Sub": "${!Literal}"}, Known("${Literal}")),
        (
            {"Fn::If": ["C", "a", {"Ref": "AWS::NoValue"}]},
            Choice(
                (Known("a"), ABSENT),
                "condition `C`",
                ("when condition `C` is true", "when condition `C` is false"),
            ),
        ),
        ({"Fn::Base64": "x"}, Unknown("computed by Fn::Base64 at deploy time")),
        (
            {"Fn::If": ["C", "a"]},
            Unknown("a malformed Fn::If (expected [condition, if-true, if-false])"),
        ),
        (None, ABSENT),
    ],
)
def test_resolution_of_single_values(node: object, expected: object) -> None:
    assert TemplateContext().resolve(node) == expected


def test_parameter_default_alone_is_not_safe() -> None:
    context = TemplateContext(parameters={"P": {"Type": "String", "Default": "Disabled"}})
    value = context.resolve({"Ref": "P"})
    assert isinstance(value, Unknown) and "Default 'Disabled' can be overridden" in value.reason


def test_deep_nesting_is_unknown_not_a_crash() -> None:
    node: object = "Disabled"
    for _ in range(500):
        node = {"Fn::If": ["C", node, "Disabled"]}
    value = TemplateContext().resolve(node)
    assert isinstance(value, Choice)
    assert "nested deeper" in repr(value)


def test_metadata_exemption_is_honoured_and_reasonless_one_is_an_error() -> None:
    template = {
        "Resources": {
            "Ok": {
                "Type": "AWS::SageMaker::NotebookInstance",
                "Metadata": {"sm-guardrails": {"exemptions": [{"rule": "SMG-1", "reason": "lab"}]}},
            },
            "NoReason": {
                "Type": "AWS::SageMaker::NotebookInstance",
                "Metadata": {"sm-guardrails": {"exemptions": [{"rule": "SMG-1"}]}},
            },
            "Malformed": {
                "Type": "AWS::SageMaker::NotebookInstance",
                "Metadata": {"sm-guardrails": {"exemptions": "SMG-1"}},
            },
        }
    }
    results = {
        n.logical_id: {f.rule_id: f for f in evaluate(n.spec, ONLY_NETWORK)}
        for n in resources_in_template(template)
    }
    assert results["Ok"]["SMG-1"].exemption == "lab" and not results["Ok"]["SMG-1"].blocking
    assert results["NoReason"]["SMG-1"].blocking
    assert "no reason" in results["NoReason"]["SMG-0"].message
    assert results["Malformed"]["SMG-1"].blocking
    assert "Metadata.sm-guardrails must be" in results["Malformed"]["SMG-0"].message


def test_properties_that_are_not_a_mapping_fail_as_a_known_wrong_shape() -> None:
    template = {"Resources": {"N": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": "x"}}}
    (notebook,) = resources_in_template(template)
    finding = next(f for f in evaluate(notebook.spec) if f.rule_id == "SMG-1")
    assert finding.verdict is Verdict.FAIL and finding.blocking
    assert "(what holds it, 'x', is not a mapping)" in finding.message


def test_hand_written_assembly_follows_stages_and_nested_stacks() -> None:
    report = check_paths([FIXTURES / "hand_cdk_out"])
    assert report.templates == 3 and report.notebooks == 4 and not report.errors
    blocking = {
        (Path(i.file).name, i.construct_path, i.finding.rule_id)
        for i in report.findings
        if i.finding.blocking
    }
    assert blocking == {
        ("ProdDataStack.template.json", "Prod/DataStack/Default/Resource", "SMG-1"),
        ("ProdDataStack.template.json", "Prod/DataStack/Default/Resource", "SMG-2"),
        ("AppStackNestedABC123.nested.template.json", "AppStack/Nested/Open/Resource", "SMG-1"),
    }
    exempted = [i for i in report.findings if i.finding.exemption]
    assert [(i.construct_path, i.finding.exemption) for i in exempted] == [
        ("Prod/DataStack/Lab/Resource", "isolated lab account, ticket SEC-7")
    ]


def test_load_with_nested_yields_the_parent_and_its_nested_stacks() -> None:
    loaded = load_with_nested(FIXTURES / "hand_cdk_out" / "AppStack.template.json")
    assert [template.path.name for template in loaded] == [
        "AppStack.template.json",
        "AppStackNestedABC123.nested.template.json",
    ]


def test_nested_stack_without_local_template_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties: {TemplateURL: https://example.invalid/child.yaml}\n"
    )
    report = check_paths([tmp_path / "parent.yaml"])
    (item,) = report.findings
    assert (item.logical_id, item.finding.rule_id, item.finding.blocking) == (
        "Child",
        "SMG-U",
        False,
    )
    assert item.finding.message == (
        "AWS::CloudFormation::Stack is a nested stack with no local template "
        "(TemplateURL 'https://example.invalid/child.yaml'); check its template too"
    )
    assert report.exit_code == 0
    strict = check_paths([tmp_path / "parent.yaml"], GuardrailConfig(unseen=UnseenPolicy.ERROR))
    assert strict.findings[0].finding.blocking and strict.exit_code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file"),
        (b"- a\n- b\n", "the top level is a list, not a mapping"),
        (b'{"Resources": ', "invalid JSON at line 1"),
        (b"Resources: [unclosed\n", "invalid YAML at line 2"),
        (b"\xff\xfeR\x00", "is a binary file"),
        (b"caf\xe9: 1\n", "is not UTF-8 text"),
        (b"A: &a [1]\nB: *a\n", "uses a YAML alias (*a) at line 2"),
    ],
)
def test_unreadable_templates_get_one_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(content)
    with pytest.raises(TemplateError) as error:
        load_template(path)
    assert str(error.value).startswith(message)
