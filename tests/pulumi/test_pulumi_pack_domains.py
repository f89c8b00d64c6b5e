"""Studio domains through the policy pack over gRPC, as the Pulumi engine sends them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from sm_guardrails.catalog import RULES_BY_KIND, SMG_6, SMG_7
from sm_guardrails.kinds import STUDIO_DOMAIN
from sm_guardrails.pulumi import notebook_policies
from sm_guardrails.pulumi.engine import AnalyzerClient, Diagnostic
from tests.pulumi.test_pulumi_pack import (
    ADVISORY,
    BLOCKS,
    MAIN,
    SHOWN,
    UNKNOWN,
    only,
    outcome,
    secret,
    urn,
)
from tests.pulumi.test_pulumi_policies import _WithoutTarget, by_rule, run_policies

AWS, NATIVE = STUDIO_DOMAIN.pulumi_types
PROVIDERS = pytest.mark.parametrize("resource_type", [AWS, NATIVE])
PROXIES = pytest.mark.parametrize(
    "wrap", [lambda proxy: proxy, _WithoutTarget], ids=["sdk", "no-target"]
)
SECRET_SIGNATURE = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
DOMAIN_RULES = {rule.rule_id for rule in RULES_BY_KIND[STUDIO_DOMAIN]}


def secure(**changes: Any) -> dict[str, Any]:
    """A domain's inputs that pass every rule (both providers spell them alike);
    ``changes`` replace (None removes) keys."""
    props: dict[str, Any] = {
        "domainName": "studio",
        "authMode": "IAM",
        "appNetworkAccessType": "VpcOnly",
        "vpcId": "vpc-0123",
        "subnetIds": ["subnet-0123", "subnet-4567"],
        "defaultUserSettings": {
            "executionRole": "arn:aws:iam::123456789012:role/studio",
            "securityGroups": ["sg-0123"],
        },
    }
    props.update(changes)
    return {key: value for key, value in props.items() if value is not None}


def with_groups(groups: object) -> dict[str, Any]:
    """A secure domain whose default user settings' security groups are ``groups``."""
    return secure(
        defaultUserSettings={"executionRole": "arn:aws:iam::1:role/r", "securityGroups": groups}
    )


def analyze(
    client: AnalyzerClient, props: dict[str, Any], resource_type: str = AWS, name: str = "studio"
) -> list[Diagnostic]:
    return client.analyze(resource_type, props, urn(name, resource_type), name)


def test_the_pack_describes_every_kind_it_judges(analyzer: AnalyzerClient) -> None:
    main = analyzer.info().policies[0]
    assert "Studio domains" in main.description and "notebook instances" in main.description
    for rule_id in DOMAIN_RULES:
        assert f"{rule_id} ({STUDIO_DOMAIN.noun}): " in main.remediation_steps
    assert "appNetworkAccessType" in main.remediation_steps


@PROVIDERS
def test_secure_domain_has_no_diagnostic(analyzer: AnalyzerClient, resource_type: str) -> None:
    assert analyze(analyzer, secure(), resource_type) == []


@PROVIDERS
@pytest.mark.parametrize("value", ["PublicInternetOnly", None])
def test_public_internet_domain_is_a_mandatory_smg6(
    analyzer: AnalyzerClient, resource_type: str, value: str | None
) -> None:
    diagnostic = only(analyze(analyzer, secure(appNetworkAccessType=value), resource_type), "SMG-6")
    assert (diagnostic.policy_name, diagnostic.mandatory) == (MAIN, True)
    assert diagnostic.urn == urn("studio", resource_type)
    seen = (
        "is 'PublicInternetOnly', not exactly 'VpcOnly'"
        if value
        else ("is not set, and AWS's default is PublicInternetOnly")
    )
    assert f"[SMG-6] studio: appNetworkAccessType {seen}" in diagnostic.message
    assert "Fix: Set appNetworkAccessType to exactly 'VpcOnly'" in diagnostic.message


def test_a_bare_domain_breaks_both_domain_rules_and_no_notebook_rule(
    analyzer: AnalyzerClient,
) -> None:
    props = {"domainName": "d", "authMode": "IAM", "defaultUserSettings": {"executionRole": "r"}}
    assert outcome(analyze(analyzer, props)) == dict.fromkeys(sorted(DOMAIN_RULES), BLOCKS)


@PROVIDERS
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"vpcId": None}, "vpcId is not set"),
        ({"subnetIds": []}, "subnetIds is [], which can be an empty list"),
        ({"subnetIds": "subnet-1"}, "subnetIds is 'subnet-1', not a list of ids"),
        ({"subnetIds": ["subnet-1", " "]}, "subnetIds has an item that is blank"),
        ({"defaultUserSettings": None}, "defaultUserSettings.securityGroups is not set"),
        (
            {"defaultUserSettings": {"executionRole": "r"}},
            "defaultUserSettings.securityGroups is not set",
        ),
    ],
)
def test_a_domain_not_in_a_vpc_is_a_mandatory_smg7(
    analyzer: AnalyzerClient, resource_type: str, changes: dict[str, Any], expected: str
) -> None:
    diagnostic = only(analyze(analyzer, secure(**changes), resource_type), "SMG-7")
    assert (diagnostic.policy_name, diagnostic.mandatory) == (MAIN, True)
    assert f"[SMG-7] studio: {expected}" in diagnostic.message


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ("sg-1", "is 'sg-1', not a list of ids"),
        ([], "is [], which can be an empty list"),
        (["sg-1", ""], "has an item that is blank"),
        ([7], "has an item that is 7.0, not an id"),  # the engine sends numbers as doubles
        ({"id": "sg-1"}, "is {'id': 'sg-1'}, not a list of ids"),
    ],
)
def test_wrong_security_groups_are_a_mandatory_smg7(
    analyzer: AnalyzerClient, groups: object, expected: str
) -> None:
    diagnostic = only(analyze(analyzer, with_groups(groups)), "SMG-7")
    assert diagnostic.mandatory
    assert f"defaultUserSettings.securityGroups {expected}" in diagnostic.message


@PROVIDERS
@pytest.mark.parametrize("settings", ["sg-1", ["sg-1"], 3])
def test_default_user_settings_that_are_not_a_mapping_fail(
    analyzer: AnalyzerClient, resource_type: str, settings: object
) -> None:
    """A known wrong shape, as the template checker reads it: a failure, not an unknown."""
    diagnostic = only(
        analyze(analyzer, secure(defaultUserSettings=settings), resource_type), "SMG-7"
    )
    assert (diagnostic.policy_name, diagnostic.mandatory) == (MAIN, True)
    assert "can't run policy" not in diagnostic.message
    assert "defaultUserSettings.securityGroups is unreadable (what holds it" in diagnostic.message
    assert "is not a mapping), not a list of ids" in diagnostic.message
    assert "unknown values fail closed" not in diagnostic.message


@PROVIDERS
@pytest.mark.parametrize(
    "changes",
    [
        {"vpcId": UNKNOWN},
        {"subnetIds": UNKNOWN},
        {"subnetIds": [UNKNOWN, "subnet-1"]},
        {"defaultUserSettings": {"executionRole": UNKNOWN, "securityGroups": UNKNOWN}},
        {"defaultUserSettings": {"executionRole": "r", "securityGroups": [UNKNOWN]}},
    ],
)
def test_ids_unknown_at_preview_are_present(
    analyzer: AnalyzerClient, resource_type: str, changes: dict[str, Any]
) -> None:
    assert analyze(analyzer, secure(**changes), resource_type) == []


def test_unknown_access_type_fails_closed(analyzer: AnalyzerClient) -> None:
    diagnostic = only(analyze(analyzer, secure(appNetworkAccessType=UNKNOWN)), "SMG-6")
    assert (diagnostic.policy_name, diagnostic.mandatory) == (MAIN, True)
    assert "appNetworkAccessType cannot be decided before deployment" in diagnostic.message
    assert "(unknown values fail closed)" in diagnostic.message


@PROVIDERS
def test_unknown_default_user_settings_fail_closed_rather_than_count_as_groups(
    analyzer: AnalyzerClient, resource_type: str
) -> None:
    """The whole block unknown at preview may hold no security groups at all."""
    diagnostic = only(
        analyze(analyzer, secure(defaultUserSettings=UNKNOWN), resource_type), "SMG-7"
    )
    assert (diagnostic.policy_name, diagnostic.mandatory) == (MAIN, True)
    assert (
        "defaultUserSettings.securityGroups cannot be decided before deployment: "
        "defaultUserSettings is known only after the resources it depends on are created"
    ) in diagnostic.message


def test_unknown_warn_shows_an_unknown_block_as_an_advisory(analyzer: AnalyzerClient) -> None:
    analyzer.configure({MAIN: {"unknown": "warn"}})
    diagnostic = only(analyze(analyzer, secure(defaultUserSettings=UNKNOWN)), "SMG-7")
    assert (diagnostic.policy_name, diagnostic.enforcement_level) == (ADVISORY, "advisory")


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (secure(appNetworkAccessType=secret("VpcOnly"), subnetIds=secret(["subnet-1"])), {}),
        (secure(appNetworkAccessType=secret("PublicInternetOnly")), {"SMG-6": BLOCKS}),
        (secure(defaultUserSettings=secret({"securityGroups": ["sg-1"]})), {}),
        (secure(defaultUserSettings=secret({"securityGroups": []})), {"SMG-7": BLOCKS}),
        (with_groups(secret(["sg-1"])), {}),
    ],
)
def test_secrets_are_judged_by_their_value(
    analyzer: AnalyzerClient, props: dict[str, Any], expected: dict[str, str]
) -> None:
    assert outcome(analyze(analyzer, props)) == expected


def test_each_provider_reads_its_own_type_token(analyzer: AnalyzerClient) -> None:
    """A domain's keys on a notebook's type are a notebook's, and the other way round."""
    notebook_type = "aws:sagemaker/notebookInstance:NotebookInstance"
    notebook = analyzer.analyze(notebook_type, secure(), urn("d", notebook_type), "d")
    assert {"SMG-1", "SMG-2"} <= set(outcome(notebook))
    assert not DOMAIN_RULES & set(outcome(notebook))


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ({}, {"SMG-6": BLOCKS, "SMG-7": BLOCKS}),
        ({SMG_6.rule_id: "warning"}, {"SMG-6": SHOWN, "SMG-7": BLOCKS}),
        ({SMG_6.rule_id: "off", SMG_7.rule_id: "advisory"}, {"SMG-7": SHOWN}),
        ({SMG_7.rule_id: "disabled"}, {"SMG-6": BLOCKS}),
        ({"SMG-1": "off", "SMG-2": "off"}, {"SMG-6": BLOCKS, "SMG-7": BLOCKS}),
    ],
)
def test_levels_apply_to_domains(
    analyzer: AnalyzerClient, levels: dict[str, str], expected: dict[str, str]
) -> None:
    analyzer.configure({MAIN: {"levels": levels}})
    props = secure(appNetworkAccessType="PublicInternetOnly", vpcId=None)
    assert outcome(analyze(analyzer, props)) == expected


@pytest.mark.parametrize("resource", ["studio", urn("studio", AWS)])
def test_exemption_of_a_domain_is_shown_with_its_reason(
    analyzer: AnalyzerClient, resource: str
) -> None:
    reason = "SEC-9: sandbox account with no data"
    exemption = {"rule": SMG_6.rule_id, "resource": resource, "reason": reason}
    analyzer.configure({MAIN: {"exemptions": [exemption]}})
    props = secure(appNetworkAccessType="PublicInternetOnly", vpcId=None)
    diagnostics = analyze(analyzer, props)
    assert outcome(diagnostics) == {"SMG-6": SHOWN, "SMG-7": BLOCKS}
    assert f"Exempted: {reason}." in next(d.message for d in diagnostics if not d.mandatory)
    assert outcome(analyze(analyzer, props, name="other")) == {"SMG-6": BLOCKS, "SMG-7": BLOCKS}


def test_an_exemption_from_a_notebook_rule_is_no_exemption_of_a_domain(
    analyzer: AnalyzerClient,
) -> None:
    exemption = {"rule": "SMG-1", "resource": "studio", "reason": "SEC-1"}
    analyzer.configure({MAIN: {"exemptions": [exemption]}})
    props = secure(appNetworkAccessType="PublicInternetOnly")
    assert outcome(analyze(analyzer, props)) == {"SMG-6": BLOCKS}


@PROXIES
@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"executionRole": UNKNOWN, "securityGroups": [UNKNOWN, "sg-1"]}, {}),
        ({"executionRole": "r", "securityGroups": UNKNOWN}, {}),
        ({"executionRole": "r", "securityGroups": []}, {"SMG-7": MAIN}),
        ({"executionRole": "r"}, {"SMG-7": MAIN}),
        (UNKNOWN, {"SMG-7": MAIN}),
        ("sg-1", {"SMG-7": MAIN}),
        ({**SECRET_SIGNATURE, "value": {"securityGroups": ["sg-1"]}}, {}),
    ],
)
def test_the_sdks_proxy_is_read_like_the_wire_data(
    wrap: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    settings: object,
    expected: dict[str, str],
) -> None:
    """In a pack of your own the SDK hands the props over in its unknown-checking proxy."""
    props = wrap(unknown_checking_proxy(secure(defaultUserSettings=settings)))
    reported = run_policies(notebook_policies(), props, "studio", resource_type=AWS)  # type: ignore[arg-type]
    assert by_rule(reported) == expected
