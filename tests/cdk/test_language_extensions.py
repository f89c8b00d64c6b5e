"""Fn::ForEach reaching the validation plugin from a CDK app, where CDK can write one."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import cloudformation_include as cfn_include

from sm_guardrails.cdk import enforce
from tests.cdk.helpers import notebook, synth


def test_loop_written_into_properties_by_an_override_is_expanded(app: cdk.App) -> None:
    enforce(app)
    stack = cdk.Stack(app, "Stack")
    stack.add_transform("AWS::LanguageExtensions")
    resource = notebook(stack, direct_internet_access=None)
    resource.add_property_override(
        "Fn::ForEach::Flags", ["Flag", ["DirectInternetAccess"], {"${Flag}": "Enabled"}]
    )
    result = synth(app)
    assert result.error is not None
    assert result.rules("error") == {("SMG-1", "Stack/Notebook")}
    assert any("is 'Enabled'" in v.description for v in result.violations)


def test_cfn_include_cannot_read_a_loop_of_resources(app: cdk.App, tmp_path: Path) -> None:
    """CDK's CfnInclude rejects Fn::ForEach under Resources (aws-cdk#27315), so no CDK test
    can put a generated notebook in front of the plugin; the CLI tests cover that form."""
    template = tmp_path / "loop.json"
    template.write_text(
        '{"Transform": "AWS::LanguageExtensions", "Resources": {"Fn::ForEach::N": '
        '["T", ["A"], {"NB${T}": {"Type": "AWS::SageMaker::NotebookInstance"}}]}}',
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="type"):
        cfn_include.CfnInclude(cdk.Stack(app, "Stack"), "Included", template_file=str(template))
