"""A finding through ``Fn::If`` names the branch that gives the value: when the condition is
true, or when it is false."""

from __future__ import annotations

from typing import Any

from sm_guardrails import GuardrailConfig
from sm_guardrails.cloudformation.judge import judge_template
from tests.cloudformation.test_held_templates import notebook, template


def smg1_message(direct_internet_access: object, **sections: Any) -> str:
    data = template({"Nb": notebook(DirectInternetAccess=direct_internet_access)}, **sections)
    findings = judge_template(data, GuardrailConfig()).findings
    return next(item.finding.message for item in findings if item.finding.rule_id == "SMG-1")


def test_the_false_branch_is_named() -> None:
    message = smg1_message({"Fn::If": ["AppStreamEnabled", "Disabled", "Enabled"]})
    assert message == (
        "DirectInternetAccess can be 'Enabled', not exactly 'Disabled' "
        "(when condition `AppStreamEnabled` is false)"
    )


def test_the_true_branch_is_named() -> None:
    message = smg1_message({"Fn::If": ["Sandbox", {"Ref": "AWS::NoValue"}, "Disabled"]})
    assert "can be left unset, and AWS's default is Enabled (when condition `Sandbox` is true)" in (
        message
    )


def test_a_branch_inside_fn_sub_and_a_parameter_in_a_branch_keep_their_words() -> None:
    sub = {"Fn::Sub": ["${Access}", {"Access": {"Fn::If": ["Open", "Enabled", "Disabled"]}}]}
    assert smg1_message(sub).endswith("(when condition `Open` is true)")
    parameters = {"Access": {"Type": "String", "AllowedValues": ["Disabled", "Enabled"]}}
    nested = {"Fn::If": ["Locked", "Disabled", {"Ref": "Access"}]}
    assert smg1_message(nested, Parameters=parameters).endswith(
        "(when condition `Locked` is false, through parameter `Access`, whose AllowedValues "
        "include it)"
    )
