"""The cdk-nag pack gives enforce(app)'s verdicts, except where cdk-nag cannot see them."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
import pytest

from sm_guardrails.cdk import enforce, exempt
from sm_guardrails.cdk.nag import ASPECT_PACK, PACK_NAME, SmGuardrailsChecks
from tests.cdk.helpers import ROLE_ARN, domain, notebook, synth

Build = Callable[[cdk.Stack], object]


def _parameter_notebook(stack: cdk.Stack) -> object:
    choice = cdk.CfnParameter(stack, "Internet", allowed_values=["Enabled", "Disabled"])
    return notebook(stack, direct_internet_access=choice.value_as_string)


def _parameter_domain(stack: cdk.Stack) -> object:
    choice = cdk.CfnParameter(stack, "Access", allowed_values=["VpcOnly", "PublicInternetOnly"])
    return domain(stack, app_network_access_type=choice.value_as_string)


def _conditional_domain(stack: cdk.Stack) -> object:
    """Default user settings chosen by a condition, each branch with its security groups
    (CloudFormation's spelling inside the Fn::If, as CDK writes it unchanged)."""
    condition = cdk.CfnCondition(
        stack, "Prod", expression=cdk.Fn.condition_equals(cdk.Aws.REGION, "eu-west-1")
    )
    settings = cdk.Fn.condition_if(
        condition.logical_id,
        {"ExecutionRole": ROLE_ARN, "SecurityGroups": ["sg-0123456789abcdef0"]},
        {"ExecutionRole": ROLE_ARN, "SecurityGroups": ["sg-0123456789abcdef1"]},
    )
    resource = domain(stack)
    resource.default_user_settings = settings
    return resource


CASES: dict[str, Build] = {
    "compliant": lambda stack: notebook(stack),
    "internet": lambda stack: notebook(stack, direct_internet_access="Enabled"),
    "defaults": lambda stack: notebook(
        stack, direct_internet_access=None, subnet_id=None, security_group_ids=None
    ),
    "no key": lambda stack: notebook(stack, kms_key_id=None),
    "exempted root": lambda stack: exempt(
        notebook(stack, root_access="Enabled"), "SMG-3", "vendor agent, SEC-42"
    ),
    "parameter": _parameter_notebook,
    "domain compliant": lambda stack: domain(stack),
    "domain public": lambda stack: domain(stack, app_network_access_type="PublicInternetOnly"),
    "domain defaults": lambda stack: domain(
        stack, app_network_access_type=None, subnet_ids=[], security_groups=None
    ),
    "domain exempted": lambda stack: exempt(
        domain(stack, app_network_access_type="PublicInternetOnly"), "SMG-6", "demo, SEC-51"
    ),
    "domain parameter": _parameter_domain,
    "domain condition": _conditional_domain,
}


def _nag_verdicts(outdir: Path, build: Build) -> set[tuple[str, str]]:
    app = cdk.App(outdir=str(outdir))
    if ASPECT_PACK:
        cdk.Aspects.of(app).add(SmGuardrailsChecks())
    else:
        cdk.Validations.of(app).add_plugins(SmGuardrailsChecks(app))
    build(cdk.Stack(app, "Stack"))
    with contextlib.suppress(RuntimeError):  # an error fails synth; the report says which
        assembly = app.synth()
    if ASPECT_PACK:  # cdk-nag 2 reports as annotations: "SmGuardrails-SMG-1: <title>"
        return {
            (match[1], message.level.value.lower())
            for stack in assembly.stacks_recursively
            for message in stack.messages
            if (match := re.match(rf"{PACK_NAME}-(SMG-\w+): ", str(message.entry.data)))
        }
    report_file = outdir / "validation-report.json"  # written only when a plugin reports
    plugins = json.loads(report_file.read_text())["pluginReports"] if report_file.exists() else []
    prefix = f"{PACK_NAME}-"
    return {
        (v["ruleName"].removeprefix(prefix), v["severity"])
        for plugin in plugins
        if plugin["pluginName"] == PACK_NAME
        for v in plugin.get("violations", [])
    }


def _enforce_verdicts(outdir: Path, build: Build) -> set[tuple[str, str]]:
    app = cdk.App(outdir=str(outdir))
    enforce(app)
    build(cdk.Stack(app, "Stack"))
    # cdk-nag has no info level: the pack shows an exempted finding as a warning.
    return {
        (v.rule, "warning" if v.severity == "info" else v.severity) for v in synth(app).violations
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_nag_pack_agrees_with_enforce(case: str, tmp_path: Path) -> None:
    expected = _enforce_verdicts(tmp_path / "enforce", CASES[case])
    assert _nag_verdicts(tmp_path / "nag", CASES[case]) == expected
    if case == "internet":
        assert ("SMG-1", "error") in expected  # the comparison is not of two empty sets
    if case == "domain condition":
        assert expected == set()
    if case == "domain defaults":
        assert {("SMG-6", "error"), ("SMG-7", "error")} <= expected


def test_nag_pack_does_not_see_an_escape_hatch_override(tmp_path: Path) -> None:
    """cdk-nag reads L1 properties; enforce(app) reads the template, override included."""

    def build(stack: cdk.Stack) -> None:
        notebook(stack).add_property_override("DirectInternetAccess", "Enabled")

    assert ("SMG-1", "error") in _enforce_verdicts(tmp_path / "enforce", build)
    assert _nag_verdicts(tmp_path / "nag", build) == set()


@pytest.mark.skipif(not ASPECT_PACK, reason="cdk-nag 3 takes Validations acknowledgements")
def test_nag_suppressions_silence_only_the_suppressed_notebook_on_cdk_nag_2(
    tmp_path: Path,
) -> None:
    from cdk_nag import NagPackSuppression, NagSuppressions

    app = cdk.App(outdir=str(tmp_path))
    cdk.Aspects.of(app).add(SmGuardrailsChecks())
    stack = cdk.Stack(app, "Stack")
    suppressed = notebook(stack, "Suppressed", direct_internet_access="Enabled")
    notebook(stack, "Other", direct_internet_access="Enabled")
    NagSuppressions.add_resource_suppressions(
        suppressed, [NagPackSuppression(id=f"{PACK_NAME}-SMG-1", reason="SEC-1: reviewed lab")]
    )
    errors = {
        message.id
        for stack_artifact in app.synth().stacks_recursively
        for message in stack_artifact.messages
        if str(message.entry.data).startswith(f"{PACK_NAME}-SMG-1: ")
    }
    assert errors == {"/Stack/Other"}
