"""A key declared twice in one mapping is an input error, in YAML and in JSON."""

from __future__ import annotations

import pytest

from sm_guardrails.cloudformation.loader import TemplateError, parse_template

YAML_NOTEBOOK = """\
Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: Enabled
      SubnetId: subnet-1
      DirectInternetAccess: Disabled
"""
JSON_NOTEBOOK = """\
{"Resources": {
  "Notebook": {
    "Type": "AWS::SageMaker::NotebookInstance",
    "Properties": {
      "DirectInternetAccess": "Enabled",
      "Sub\\u006eetId": "subnet-1",
      "DirectInternetAccess": "Disabled"
    }
  }
}}
"""


@pytest.mark.parametrize("text", [YAML_NOTEBOOK, JSON_NOTEBOOK])
def test_repeated_property_names_the_key_and_both_lines(text: str) -> None:
    with pytest.raises(TemplateError) as raised:
        parse_template(text)
    assert "'DirectInternetAccess' twice in one mapping, at lines 5 and 7" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('A: !Sub\n  - x\n  - {k: 1, "k": 2}\n', "'k' twice in one mapping, at lines 3 and 3"),
        ("A: 1\nB: 2\nA: 3\nB: 4\n", "'A' twice in one mapping, at lines 1 and 3 (and 1 more"),
        ('{"a": [{"x": 1}, {"y": 1,\n"y": 2}]}', "'y' twice in one mapping, at lines 1 and 2"),
        ('{"a": "x\\"}:", "a": 1}', "'a' twice in one mapping, at lines 1 and 1"),
    ],
)
def test_repeats_anywhere_are_found(text: str, says: str) -> None:
    with pytest.raises(TemplateError, match=None) as raised:
        parse_template(text)
    assert says in str(raised.value)


@pytest.mark.parametrize(
    "text",
    [
        "A: {x: 1}\nB: {x: 1}\n",  # the same key in two mappings
        '{"a": {"x": 1}, "b": {"x": 2}, "c": ["x", "x"]}',
    ],
)
def test_the_same_key_in_different_mappings_is_fine(text: str) -> None:
    parse_template(text)
