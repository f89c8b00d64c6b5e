"""The rule core on every row of the verdict semantics in DESIGN.md."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from sm_guardrails import GuardrailConfig, Level, ResourceSpec, UnknownPolicy, Verdict
from sm_guardrails.catalog import RULES, RULES_BY_KIND
from sm_guardrails.evaluation import Finding, evaluate
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, ResourceKind, Spelling
from sm_guardrails.values import ABSENT, Choice, Known, Unknown, Value

SECURE = ResourceSpec(
    NOTEBOOK_INSTANCE,
    ("Notebook",),
    {
        "DirectInternetAccess": Known("Disabled"),
        "SubnetId": Known("subnet-1"),
        "SecurityGroupIds": Known((Known("sg-1"),)),
        "RootAccess": Known("Disabled"),
        "KmsKeyId": Known("alias/notebooks"),
        "MinimumInstanceMetadataServiceVersion": Known("2"),
    },
)


def verdicts(spec: ResourceSpec, config: GuardrailConfig | None = None) -> dict[str, Finding]:
    return {f.rule_id: f for f in evaluate(spec, config or GuardrailConfig())}


def with_(**changes: Any) -> ResourceSpec:
    """SECURE with some property values (by name) and fields (exemptions...) changed."""
    properties = {item.name for item in NOTEBOOK_INSTANCE.properties}
    values = {name: value for name, value in changes.items() if name in properties}
    fields = {name: value for name, value in changes.items() if name not in properties}
    return dataclasses.replace(SECURE, values={**SECURE.values, **values}, **fields)


def test_secure_notebook_passes_every_rule() -> None:
    findings = verdicts(SECURE)
    assert list(findings) == [rule.rule_id for rule in RULES_BY_KIND[NOTEBOOK_INSTANCE]]
    assert {f.verdict for f in findings.values()} == {Verdict.PASS}
    assert not any(f.blocking for f in findings.values())
    # A pass is not described: nothing to show, nothing to fix.
    assert {(f.message, f.fix) for f in findings.values()} == {("passes", "")}
    assert findings["SMG-1"].describe() == "[SMG-1] Notebook: passes."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Known("Disabled"), Verdict.PASS),
        (ABSENT, Verdict.FAIL),
        (Known("Enabled"), Verdict.FAIL),
        (Known("disabled"), Verdict.FAIL),
        (Known("DISABLED"), Verdict.FAIL),
        (Known(" Disabled"), Verdict.FAIL),
        (Known("Disabled "), Verdict.FAIL),
        (Known(""), Verdict.FAIL),
        (Known(False), Verdict.FAIL),
        (Known(0), Verdict.FAIL),
        (Known((Known("Disabled"),)), Verdict.FAIL),
        (Known({"Value": "Disabled"}), Verdict.FAIL),
        (Unknown("parameter `P`"), Verdict.UNKNOWN),
        (Choice((Known("Disabled"), Known("Disabled")), "parameter `P`"), Verdict.PASS),
        (Choice((Known("Disabled"), Known("Enabled")), "parameter `P`"), Verdict.FAIL),
        (Choice((Known("Disabled"), ABSENT), "condition `C`"), Verdict.FAIL),
        (Choice((Known("Disabled"), Unknown("import")), "condition `C`"), Verdict.UNKNOWN),
        (Choice((Unknown("import"), Known("Enabled")), "condition `C`"), Verdict.FAIL),
        (
            Choice((Known("Disabled"), Choice((Known("Disabled"), ABSENT), "inner")), "outer"),
            Verdict.FAIL,
        ),
    ],
)
def test_smg1_is_exactly_disabled(value: Value, expected: Verdict) -> None:
    assert verdicts(with_(DirectInternetAccess=value))["SMG-1"].verdict is expected


def test_smg1_absent_says_aws_default_is_enabled() -> None:
    finding = verdicts(with_(DirectInternetAccess=ABSENT))["SMG-1"]
    assert "not set" in finding.message and "Enabled" in finding.message
    assert finding.blocking and finding.level is Level.ERROR


def test_smg1_case_mismatch_explains_exactness() -> None:
    finding = verdicts(with_(DirectInternetAccess=Known("disabled")))["SMG-1"]
    assert "'disabled'" in finding.message and "case" in finding.message


def test_choice_failure_names_its_origin() -> None:
    value = Choice((Known("Disabled"), Known("Enabled")), "parameter `AllowInternet`")
    finding = verdicts(with_(DirectInternetAccess=value))["SMG-1"]
    assert "can be 'Enabled'" in finding.message
    assert "parameter `AllowInternet`" in finding.message


@pytest.mark.parametrize(
    ("subnet", "groups", "expected"),
    [
        (Known("subnet-1"), Known((Known("sg-1"),)), Verdict.PASS),
        (ABSENT, Known((Known("sg-1"),)), Verdict.FAIL),
        (Known("subnet-1"), ABSENT, Verdict.FAIL),
        (Known("subnet-1"), Known(()), Verdict.FAIL),
        (Known("subnet-1"), Known((Known(""),)), Verdict.FAIL),
        (Known("subnet-1"), Known((Known("sg-1"), Known("  "))), Verdict.FAIL),
        (Known(" "), Known((Known("sg-1"),)), Verdict.FAIL),
        (Known(""), Known((Known("sg-1"),)), Verdict.FAIL),
        (Known(42), Known((Known("sg-1"),)), Verdict.FAIL),
        (Known("subnet-1"), Known("sg-1"), Verdict.FAIL),
        # Presence is not a value: references, imports, tokens and outputs are present.
        (Unknown("Ref to AWS::EC2::Subnet"), Known((Known("sg-1"),)), Verdict.PASS),
        (Unknown("import"), Unknown("list parameter `Groups`"), Verdict.PASS),
        (Known("subnet-1"), Known((Unknown("GetAtt Sg.GroupId"),)), Verdict.PASS),
        (Choice((Known("subnet-1"), Known("subnet-2")), "p"), Known((Known("sg"),)), Verdict.PASS),
        (Choice((Known("subnet-1"), ABSENT), "condition `C`"), Known((Known("sg"),)), Verdict.FAIL),
        # An item that AWS::NoValue can remove does not keep the list non-empty.
        (Known("subnet-1"), Known((Choice((Known("sg-1"), ABSENT), "c"),)), Verdict.FAIL),
        (
            Known("subnet-1"),
            Known((Choice((Known("sg-1"), ABSENT), "c"), Known("sg-2"))),
            Verdict.PASS,
        ),
        (Known("subnet-1"), Known((Choice((Known("sg-1"), Known("")), "c"),)), Verdict.FAIL),
        (Known("subnet-1"), Choice((Known((Known("sg-1"),)), Known(())), "c"), Verdict.FAIL),
    ],
)
def test_smg2_subnet_and_security_groups_present(
    subnet: Value, groups: Value, expected: Verdict
) -> None:
    finding = verdicts(with_(SubnetId=subnet, SecurityGroupIds=groups))["SMG-2"]
    assert finding.verdict is expected, finding.message


def test_smg2_message_names_the_missing_property_only() -> None:
    finding = verdicts(with_(SecurityGroupIds=ABSENT))["SMG-2"]
    assert finding.message == "SecurityGroupIds is not set"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Known("Disabled"), Verdict.PASS),
        (ABSENT, Verdict.FAIL),
        (Known("Enabled"), Verdict.FAIL),
        (Known("disabled"), Verdict.FAIL),
        (Unknown("p"), Verdict.UNKNOWN),
    ],
)
def test_smg3_root_access(value: Value, expected: Verdict) -> None:
    finding = verdicts(with_(RootAccess=value))["SMG-3"]
    assert finding.verdict is expected
    assert finding.level is Level.WARNING and not finding.blocking


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Known("arn:aws:kms:eu-west-1:1:key/x"), Verdict.PASS),
        (Unknown("Ref to AWS::KMS::Key"), Verdict.PASS),
        (ABSENT, Verdict.FAIL),
        (Known(" "), Verdict.FAIL),
    ],
)
def test_smg4_kms_key(value: Value, expected: Verdict) -> None:
    assert verdicts(with_(KmsKeyId=value))["SMG-4"].verdict is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Known("2"), Verdict.PASS),
        (Known(2), Verdict.PASS),
        (ABSENT, Verdict.FAIL),
        (Known("1"), Verdict.FAIL),
        (Known("2 "), Verdict.FAIL),
        (Unknown("p"), Verdict.UNKNOWN),
    ],
)
def test_smg5_imds_v2(value: Value, expected: Verdict) -> None:
    assert verdicts(with_(MinimumInstanceMetadataServiceVersion=value))["SMG-5"].verdict is expected


def test_unknown_fails_closed_by_default_with_the_reason() -> None:
    reason = "can be set at deploy time through parameter `AllowInternet`"
    finding = verdicts(with_(DirectInternetAccess=Unknown(reason)))["SMG-1"]
    assert finding.verdict is Verdict.UNKNOWN
    assert finding.blocking
    assert finding.unknown_reason == reason
    assert reason in finding.message


def test_unknown_policy_warn_downgrades_to_warning() -> None:
    config = GuardrailConfig(unknown=UnknownPolicy.WARN)
    finding = verdicts(with_(DirectInternetAccess=Unknown("p")), config)["SMG-1"]
    assert finding.level is Level.WARNING and not finding.blocking


def test_unknown_policy_warn_does_not_soften_a_failure() -> None:
    config = GuardrailConfig(unknown=UnknownPolicy.WARN)
    finding = verdicts(with_(DirectInternetAccess=Known("Enabled")), config)["SMG-1"]
    assert finding.blocking


def test_levels_can_be_raised_lowered_and_turned_off() -> None:
    config = GuardrailConfig(
        levels={"SMG-3": Level.ERROR, "SMG-1": Level.WARNING, "SMG-5": Level.OFF}
    )
    findings = verdicts(with_(RootAccess=ABSENT, DirectInternetAccess=ABSENT), config)
    assert findings["SMG-3"].blocking
    assert not findings["SMG-1"].blocking and findings["SMG-1"].level is Level.WARNING
    assert "SMG-5" not in findings


def test_exemption_with_reason_unblocks_and_is_shown() -> None:
    from sm_guardrails import Exemption

    spec = with_(
        DirectInternetAccess=Known("Enabled"),
        exemptions=(Exemption("SMG-1", "sandbox account, ticket SEC-1"),),
    )
    finding = verdicts(spec)["SMG-1"]
    assert finding.verdict is Verdict.FAIL
    assert finding.exemption == "sandbox account, ticket SEC-1"
    assert not finding.blocking
    assert "sandbox account" in finding.describe()


@pytest.mark.parametrize("reason", ["", "   "])
def test_exemption_without_reason_exempts_nothing_and_is_an_error(reason: str) -> None:
    from sm_guardrails import Exemption

    spec = with_(DirectInternetAccess=Known("Enabled"), exemptions=(Exemption("SMG-1", reason),))
    findings = evaluate(spec)
    smg1 = next(f for f in findings if f.rule_id == "SMG-1")
    smg0 = [f for f in findings if f.rule_id == "SMG-0"]
    assert smg1.blocking and smg1.exemption is None
    assert len(smg0) == 1 and smg0[0].blocking and "no reason" in smg0[0].message


@pytest.mark.parametrize("rule_id", ["SMG-9", "SMG-U", "SMG-0", "smg-1"])
def test_exemption_of_a_rule_no_exemption_can_name_is_an_error(rule_id: str) -> None:
    """The resource's own exemptions go through the config's one rule-id check: SMG-U too."""
    from sm_guardrails import Exemption
    from sm_guardrails.config import rule_id_problem

    assert rule_id_problem(rule_id)  # the config refuses it, and so does a resource
    findings = evaluate(with_(exemptions=(Exemption(rule_id, "why"),)))
    own = ", ".join(rule.rule_id for rule in RULES_BY_KIND[NOTEBOOK_INSTANCE])
    assert [f.message for f in findings if f.rule_id == "SMG-0"] == [
        f"exemption names unknown rule {rule_id!r}; a notebook instance's rules are {own}, "
        "so it exempts nothing"
    ]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.short_noun)
def test_a_resource_exempted_from_a_rule_of_another_kind_is_told_so(kind: ResourceKind) -> None:
    """SMG-6 on a notebook exempts nothing and says whose rule it is; a config exempting
    every resource from it leaves notebooks as they are."""
    from sm_guardrails import Exemption

    for rule in RULES:
        if rule.kind is kind:
            continue
        assert rule.kind is not None
        spec = ResourceSpec(kind, ("Resource",), {}, exemptions=(Exemption(rule.rule_id, "x"),))
        problems = [f.message for f in evaluate(spec) if f.rule_id == "SMG-0"]
        assert problems == [
            f"exemption names {rule.rule_id}, which judges {rule.kind.noun}s, "
            f"not {kind.noun}s, so it exempts nothing"
        ]
        config = GuardrailConfig(exemptions=(Exemption(rule.rule_id, "lab"),))
        everyone = ResourceSpec(kind, ("Resource",), {})
        assert evaluate(everyone, config) == evaluate(everyone)


def test_config_exemption_applies_only_to_the_named_resource() -> None:
    from sm_guardrails import Exemption

    config = GuardrailConfig(exemptions=(Exemption("SMG-1", "lab", resource="Other"),))
    open_notebook = with_(DirectInternetAccess=Known("Enabled"))
    assert verdicts(open_notebook, config)["SMG-1"].blocking
    other = dataclasses.replace(open_notebook, names=("Other",))
    assert verdicts(other, config)["SMG-1"].exemption == "lab"


def test_property_names_of_the_adapter_appear_in_message_and_fix() -> None:
    spec = with_(DirectInternetAccess=ABSENT, spelling=Spelling.PULUMI_AWS)
    finding = verdicts(spec)["SMG-1"]
    assert finding.message.startswith("directInternetAccess ")
    assert "securityGroups" in finding.fix and "replaces the notebook" in finding.fix


def test_passes_false_leaves_out_exactly_the_passes() -> None:
    spec = with_(DirectInternetAccess=Known("Enabled"), RootAccess=ABSENT)
    everything = evaluate(spec)
    shown = evaluate(spec, passes=False)
    assert shown == [f for f in everything if f.verdict is not Verdict.PASS]
    assert {f.rule_id for f in shown} == {"SMG-1", "SMG-3"}
    assert evaluate(SECURE, passes=False) == []


def test_the_package_exports_what_judging_a_resource_takes() -> None:
    """A Studio domain judged with nothing but the package's own names."""
    import sm_guardrails as smg

    domain = smg.ResourceSpec(
        smg.STUDIO_DOMAIN,
        ("Studio",),
        {"AppNetworkAccessType": smg.Known("VpcOnly"), "VpcId": smg.Unknown("parameter `Vpc`")},
    )
    found = {f.rule_id: f.verdict for f in smg.evaluate(domain)}
    assert found == {"SMG-6": smg.Verdict.PASS, "SMG-7": smg.Verdict.FAIL}
    assert [rule.rule_id for rule in smg.RULES_BY_KIND[smg.STUDIO_DOMAIN]] == list(found)
    assert {smg.NOTEBOOK_INSTANCE, smg.STUDIO_DOMAIN} <= set(smg.KINDS)
    assert all(hasattr(smg, name) for name in smg.__all__)


@pytest.mark.parametrize("spelling", list(Spelling))
def test_fixes_are_spelled_for_each_world_and_the_meta_rules_kept_as_written(
    spelling: Spelling,
) -> None:
    from sm_guardrails.catalog import SMG_0, SMG_U

    for rule in RULES:
        assert rule.kind is not None
        fix = rule.spelled_fix(spelling, "plan.")
        assert "{" not in fix and fix == rule.spelled_fix(spelling, "plan.")
        for prop in rule.kind.properties:
            if "{" + prop.name + "}" in rule.fix:
                assert "plan." + prop.spelled(spelling) in fix
    assert SMG_0.spelled_fix(spelling) == SMG_0.fix and "{'rule'" in SMG_0.fix
    assert SMG_U.spelled_fix(spelling) == SMG_U.fix
