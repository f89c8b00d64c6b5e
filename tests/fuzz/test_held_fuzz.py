"""Property-based: random templates held by StackSets and stacks are judged as on their own."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sm_guardrails.cloudformation.judge import judge_template
from sm_guardrails.cloudformation.resources import template_problems
from sm_guardrails.config import GuardrailConfig
from tests.fuzz.test_template_fuzz import nodes, templates

CONFIG = GuardrailConfig()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates)
def test_a_template_in_a_stack_set_body_is_judged_as_on_its_own(
    template: dict[str, object],
) -> None:
    alone = judge_template(template, CONFIG)
    outer = {
        "Resources": {
            "Rollout": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {"TemplateBody": json.dumps(template)},
            }
        }
    }
    held = judge_template(outer, CONFIG)
    assert held.resources == alone.resources
    # what the CLI reports as input errors of a file is an error finding about a body
    problems = [f"has a TemplateBody whose {problem}" for problem in template_problems(template)]
    assert [i.finding.message for i in held.findings[: len(problems)]] == problems
    del held.findings[: len(problems)]
    assert [
        (i.inner, i.finding.rule_id, i.finding.verdict, i.finding.message) for i in held.findings
    ] == [
        (i.logical_id, i.finding.rule_id, i.finding.verdict, i.finding.message)
        for i in alone.findings
    ]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(
        [
            "AWS::CloudFormation::StackSet",
            "AWS::CloudFormation::Stack",
            "AWS::Serverless::Application",
        ]
    ),
    st.dictionaries(
        st.sampled_from(
            ["TemplateBody", "TemplateURL", "Parameters", "StackInstancesGroup", "Location"]
        ),
        st.one_of(nodes, templates.map(json.dumps)),
    ),
    st.one_of(st.none(), nodes),
)
def test_random_stack_resources_never_crash_and_say_what_they_hold(
    kind: str, properties: dict[str, object], transform: object
) -> None:
    outer: dict[str, object] = {"Resources": {"Outer": {"Type": kind, "Properties": properties}}}
    if transform is not None:
        outer["Transform"] = transform
    judgement = judge_template(outer, CONFIG)
    for item in judgement.findings:
        assert item.finding.message and item.finding.fix
        assert item.logical_id in ("Outer", "Transform")
