"""``Fn::ForEach`` and the other AWS::LanguageExtensions functions, as the reader expands them."""

from __future__ import annotations

from typing import Any

import pytest

from sm_guardrails import GuardrailConfig, Level, Verdict
from sm_guardrails.cloudformation import resources_in_template
from sm_guardrails.cloudformation.language_extensions import MAX_GENERATED
from sm_guardrails.cloudformation.resources import template_problems
from sm_guardrails.evaluation import evaluate
from sm_guardrails.values import Known, Unknown

ONLY_SMG_1 = GuardrailConfig(
    levels={rule: Level.OFF for rule in ("SMG-2", "SMG-3", "SMG-4", "SMG-5")}
)
NOTEBOOK = "AWS::SageMaker::NotebookInstance"


def loop_template(
    collection: object, properties: dict[str, Any], key: str = "NB${Team}", **sections: Any
) -> dict[str, Any]:
    body = {key: {"Type": NOTEBOOK, "Properties": properties}}
    return {
        "Transform": "AWS::LanguageExtensions",
        **sections,
        "Resources": {"Fn::ForEach::Notebooks": ["Team", collection, body]},
    }


def smg1(template: dict[str, Any]) -> dict[str, Verdict]:
    return {
        notebook.logical_id: evaluate(notebook.spec, ONLY_SMG_1)[0].verdict
        for notebook in resources_in_template(template)
    }


def test_literal_collection_generates_each_notebook_with_its_loop() -> None:
    template = loop_template(["Alpha", "Beta"], {"DirectInternetAccess": "Enabled"})
    found = resources_in_template(template)
    assert [(n.logical_id, n.loops) for n in found] == [
        ("NBAlpha", ("Fn::ForEach::Notebooks",)),
        ("NBBeta", ("Fn::ForEach::Notebooks",)),
    ]
    assert smg1(template) == {"NBAlpha": Verdict.FAIL, "NBBeta": Verdict.FAIL}
    assert template_problems(template) == []


def test_identifier_reaches_values_through_ref_sub_and_plain_strings() -> None:
    template = loop_template(
        ["Disabled", "Enabled"],
        {
            "DirectInternetAccess": {"Ref": "Team"},
            "SubnetId": {"Fn::Sub": "s-${Team}-${AWS::Region}"},
        },
    )
    found = {n.logical_id: n.spec for n in resources_in_template(template)}
    assert found["NBDisabled"].value("DirectInternetAccess") == Known("Disabled")
    assert found["NBEnabled"].value("DirectInternetAccess") == Known("Enabled")
    assert isinstance(found["NBEnabled"].value("SubnetId"), Unknown)  # AWS::Region stays unknown
    plain = loop_template(["Disabled"], {"DirectInternetAccess": "${Team}"})
    assert smg1(plain) == {"NBDisabled": Verdict.PASS}


def test_ampersand_form_strips_non_alphanumerics_in_keys_and_values() -> None:
    template = loop_template(["team-a.1"], {"SubnetId": "subnet-&{Team}"}, key="NB&{Team}")
    (notebook,) = resources_in_template(template)
    assert notebook.logical_id == "NBteama1"
    assert notebook.spec.value("SubnetId") == Known("subnet-teama1")


def test_nested_loops_use_both_identifiers_and_name_both_loops() -> None:
    template = {
        "Transform": ["AWS::LanguageExtensions"],
        "Resources": {
            "Fn::ForEach::Envs": [
                "Env",
                ["Dev", "Prod"],
                {
                    "Fn::ForEach::Modes": [
                        "Mode",
                        ["Disabled", "Enabled"],
                        {
                            "NB${Env}${Mode}": {
                                "Type": NOTEBOOK,
                                "Properties": {"DirectInternetAccess": {"Ref": "Mode"}},
                            }
                        },
                    ]
                },
            ]
        },
    }
    found = resources_in_template(template)
    assert {n.logical_id for n in found} == {
        "NBDevDisabled",
        "NBDevEnabled",
        "NBProdDisabled",
        "NBProdEnabled",
    }
    assert {n.loops for n in found} == {("Fn::ForEach::Envs", "Fn::ForEach::Modes")}
    assert smg1(template)["NBProdEnabled"] is Verdict.FAIL
    assert smg1(template)["NBProdDisabled"] is Verdict.PASS


LIST_PARAMETER = {"Type": "CommaDelimitedList"}


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        ({**LIST_PARAMETER, "AllowedValues": ["Disabled"]}, {"NBDisabled": Verdict.PASS}),
        (
            {**LIST_PARAMETER, "AllowedValues": ["Disabled", "Enabled"]},
            {"NBDisabled": Verdict.PASS, "NBEnabled": Verdict.FAIL},
        ),
        ({**LIST_PARAMETER, "Default": "Disabled"}, {"NBDisabled": Verdict.UNKNOWN}),
        (LIST_PARAMETER, {"NB${Team}": Verdict.UNKNOWN}),
        (
            {"Type": "AWS::SSM::Parameter::Value<List<String>>", "Default": "/x"},
            {"NB${Team}": Verdict.UNKNOWN},
        ),
    ],
)
def test_parameter_collection_values_used_in_properties(
    parameter: dict[str, Any], expected: dict[str, Verdict]
) -> None:
    template = loop_template(
        {"Ref": "Teams"}, {"DirectInternetAccess": {"Ref": "Team"}}, Parameters={"Teams": parameter}
    )
    assert smg1(template) == expected


def test_undecidable_collection_fails_closed_with_the_reason() -> None:
    template = loop_template(
        {"Ref": "Teams"}, {"DirectInternetAccess": "${Team}"}, Parameters={"Teams": LIST_PARAMETER}
    )
    (notebook,) = resources_in_template(template)
    (finding,) = evaluate(notebook.spec, ONLY_SMG_1)
    assert finding.verdict is Verdict.UNKNOWN and finding.blocking
    assert "list parameter `Teams`" in (finding.unknown_reason or finding.message)


@pytest.mark.parametrize(
    "collection", [{"Ref": "Teams"}, {"Fn::GetAZs": ""}, {"Fn::Split": [",", {"Ref": "X"}]}]
)
def test_properties_that_ignore_the_identifier_are_judged_as_written(collection: object) -> None:
    template = loop_template(
        collection, {"DirectInternetAccess": "Enabled"}, Parameters={"Teams": LIST_PARAMETER}
    )
    assert list(smg1(template).values()) == [Verdict.FAIL]
    safe = loop_template(
        collection, {"DirectInternetAccess": "Disabled"}, Parameters={"Teams": LIST_PARAMETER}
    )
    assert list(smg1(safe).values()) == [Verdict.PASS]


def test_collection_from_a_mapping_is_expanded() -> None:
    template = loop_template(
        {"Fn::FindInMap": ["Teams", "All", "Names"]},
        {"DirectInternetAccess": "Enabled"},
        Mappings={"Teams": {"All": {"Names": ["Red", "Blue"]}}},
    )
    assert set(smg1(template)) == {"NBRed", "NBBlue"}


def test_loops_inside_properties_generate_property_keys() -> None:
    template = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {
            "Notebook": {
                "Type": NOTEBOOK,
                "Properties": {
                    "Fn::ForEach::Flags": ["Name", ["DirectInternetAccess"], {"${Name}": "Enabled"}]
                },
            }
        },
    }
    assert smg1(template) == {"Notebook": Verdict.FAIL}


@pytest.mark.parametrize(
    ("template", "says"),
    [
        (
            {"Resources": {"Fn::ForEach::N": ["T", ["A"], {"NB${T}": {"Type": NOTEBOOK}}]}},
            "without `Transform: AWS::LanguageExtensions`",
        ),
        (loop_template(["A", "B"], {}, key="NB"), "makes the key NB more than once"),
        (
            {"Transform": "AWS::LanguageExtensions", "Resources": {"Fn::ForEach::N": ["T", ["A"]]}},
            "must be [identifier, collection, {key: value}]",
        ),
        (
            {**loop_template(["A"], {}), "Mappings": {"Fn::ForEach::M": ["T", ["A"], {}]}},
            "Mappings holds Fn::ForEach::M",
        ),
        (loop_template([str(n) for n in range(MAX_GENERATED + 1)], {}), "more than 10000 copies"),
    ],
)
def test_loops_cloudformation_rejects_are_input_problems(
    template: dict[str, Any], says: str
) -> None:
    problems = template_problems(template)
    assert any(says in problem for problem in problems), problems


def test_missing_transform_still_judges_the_generated_notebooks() -> None:
    template = {"Resources": {"Fn::ForEach::N": ["T", ["A"], {"NB${T}": {"Type": NOTEBOOK}}]}}
    assert smg1(template) == {"NBA": Verdict.FAIL}


def test_other_language_extension_functions_resolve_where_decidable() -> None:
    template = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {
            "Notebook": {
                "Type": NOTEBOOK,
                "Properties": {
                    "DirectInternetAccess": {"Fn::ToJsonString": {"a": "Disabled"}},
                    "SubnetId": {"Fn::ToJsonString": [{"Ref": "X"}]},
                    "InstanceMetadataServiceConfiguration": {
                        "MinimumInstanceMetadataServiceVersion": {"Fn::Length": ["a", "b"]}
                    },
                    "KmsKeyId": {"Fn::Length": {"Ref": "Keys"}},
                },
            }
        },
        "Parameters": {"Keys": LIST_PARAMETER},
    }
    (notebook,) = resources_in_template(template)
    assert notebook.spec.value("DirectInternetAccess") == Known('{"a":"Disabled"}')
    assert isinstance(notebook.spec.value("SubnetId"), Unknown)
    assert notebook.spec.value("MinimumInstanceMetadataServiceVersion") == Known(2)
    assert isinstance(notebook.spec.value("KmsKeyId"), Unknown)
    assert template_problems(template) == []


def test_keys_that_are_not_strings_stay_as_they_are() -> None:
    template = loop_template(["A"], {"Tags": {1: "${Team}", 2.5: "x"}})
    (notebook,) = resources_in_template(template)
    assert notebook.logical_id == "NBA"
