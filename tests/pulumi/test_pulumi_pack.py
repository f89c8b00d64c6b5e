"""The policy pack over gRPC, started and called the way the Pulumi engine does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sm_guardrails.catalog import RULES
from sm_guardrails.pulumi.engine import (
    AnalyzerClient,
    Diagnostic,
    PolicyPackError,
    PolicyPackProcess,
)
from sm_guardrails.pulumi.properties import resource_spec
from sm_guardrails.values import Known

PACK_DIR = Path(__file__).resolve().parents[2] / "policypack"

AWS = "aws:sagemaker/notebookInstance:NotebookInstance"
NATIVE = "aws-native:sagemaker:NotebookInstance"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
MAIN = "sm-guardrails"
ADVISORY = "sm-guardrails-advisory"


def secret(value: object) -> dict[str, object]:
    """A secret as the engine sends it."""
    return {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": value}


def secure(resource_type: str = AWS, **changes: Any) -> dict[str, Any]:
    """A notebook's inputs that pass every rule; ``changes`` replace (None removes) keys."""
    groups = "securityGroups" if resource_type == AWS else "securityGroupIds"
    props: dict[str, Any] = {
        "instanceType": "ml.t3.medium",
        "roleArn": "arn:aws:iam::123456789012:role/notebook",
        "directInternetAccess": "Disabled",
        "subnetId": "subnet-0123",
        groups: ["sg-0123"],
        "rootAccess": "Disabled",
        "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/abc",
        "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"},
    }
    props.update(changes)
    return {key: value for key, value in props.items() if value is not None}


def urn(name: str, resource_type: str = AWS) -> str:
    return f"urn:pulumi:dev::notebooks::{resource_type}::{name}"


def analyze(
    client: AnalyzerClient, props: dict[str, Any], name: str = "nb", resource_type: str = AWS
) -> list[Diagnostic]:
    """The diagnostics of one Analyze call for the notebook ``name``."""
    return client.analyze(resource_type, props, urn(name, resource_type), name)


def rule_of(diagnostic: Diagnostic) -> str:
    """The rule id a diagnostic reports: its message is the policy's description, then the
    finding (``[SMG-1] nb: ...``)."""
    finding = diagnostic.message.splitlines()[1]
    assert finding.startswith("[SMG-"), diagnostic.message
    return finding[1 : finding.index("]")]


def outcome(diagnostics: list[Diagnostic]) -> dict[str, str]:
    """``policy/level`` per rule id reported, e.g. ``{"SMG-1": "sm-guardrails/mandatory"}``."""
    found: dict[str, str] = {}
    for diagnostic in diagnostics:
        rule = rule_of(diagnostic)
        assert rule not in found, f"{rule} reported twice: {diagnostics}"
        found[rule] = f"{diagnostic.policy_name}/{diagnostic.enforcement_level}"
    return found


def only(diagnostics: list[Diagnostic], rule: str) -> Diagnostic:
    """The one diagnostic, which must report ``rule``."""
    assert [rule_of(d) for d in diagnostics] == [rule], diagnostics
    return diagnostics[0]


BLOCKS = f"{MAIN}/mandatory"
SHOWN = f"{ADVISORY}/advisory"


def test_analyzer_info_lists_the_two_policies_and_their_levels(analyzer: AnalyzerClient) -> None:
    info = analyzer.info()
    assert info.name == "sm-guardrails"
    # 1 is mandatory, 0 advisory
    assert [(p.name, p.enforcementLevel) for p in info.policies] == [(MAIN, 1), (ADVISORY, 0)]
    main = info.policies[0]
    assert set(main.configSchema.properties) == {
        "levels",
        "unknown",
        "unseen",
        "exemptions",
        "tag_exemptions",
    }
    levels = main.configSchema.properties["levels"]["properties"]
    assert set(levels) == {rule.rule_id for rule in RULES}
    assert "directInternetAccess" in main.remediation_steps


@pytest.mark.parametrize("resource_type", [AWS, NATIVE])
def test_secure_notebook_has_no_diagnostic(analyzer: AnalyzerClient, resource_type: str) -> None:
    assert analyze(analyzer, secure(resource_type), resource_type=resource_type) == []


def test_internet_access_is_a_mandatory_violation_naming_rule_resource_value_and_fix(
    analyzer: AnalyzerClient,
) -> None:
    diagnostic = only(analyze(analyzer, secure(directInternetAccess="Enabled")), "SMG-1")
    assert (diagnostic.policy_name, diagnostic.mandatory) == (MAIN, True)
    assert "[SMG-1] nb: directInternetAccess is 'Enabled', not exactly 'Disabled'" in (
        diagnostic.message
    )
    assert "Fix: Set directInternetAccess to exactly 'Disabled'" in diagnostic.message
    assert "replaces the notebook" in diagnostic.message
    assert diagnostic.urn == urn("nb")


@pytest.mark.parametrize("missing", [None, "null"])
def test_absent_or_null_internet_access_means_enabled(
    analyzer: AnalyzerClient, missing: str | None
) -> None:
    props = secure(directInternetAccess=None)
    if missing == "null":
        props["directInternetAccess"] = None
    diagnostic = only(analyze(analyzer, props), "SMG-1")
    assert "directInternetAccess is not set, and AWS's default is Enabled" in diagnostic.message


def test_case_matters(analyzer: AnalyzerClient) -> None:
    diagnostic = only(analyze(analyzer, secure(directInternetAccess="disabled")), "SMG-1")
    assert "case and surrounding spaces matter" in diagnostic.message


@pytest.mark.parametrize(
    ("resource_type", "wrong_key", "right_key"),
    [(AWS, "securityGroupIds", "securityGroups"), (NATIVE, "securityGroups", "securityGroupIds")],
)
def test_each_schema_reads_its_own_security_group_key(
    analyzer: AnalyzerClient, resource_type: str, wrong_key: str, right_key: str
) -> None:
    props = secure(resource_type, **{right_key: None, wrong_key: ["sg-1"]})
    diagnostic = only(analyze(analyzer, props, resource_type=resource_type), "SMG-2")
    assert diagnostic.mandatory
    assert f"{right_key} is not set" in diagnostic.message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"subnetId": None}, "subnetId is not set"),
        ({"subnetId": "  "}, "subnetId is blank"),
        ({"securityGroups": []}, "securityGroups is [], which can be an empty list"),
        ({"securityGroups": ["sg-1", ""]}, "securityGroups has an item that is blank"),
    ],
)
def test_not_in_a_vpc_is_mandatory(
    analyzer: AnalyzerClient, changes: dict[str, Any], expected: str
) -> None:
    diagnostic = only(analyze(analyzer, secure(**changes)), "SMG-2")
    assert (diagnostic.policy_name, diagnostic.mandatory) == (MAIN, True)
    assert expected in diagnostic.message


@pytest.mark.parametrize(
    "changes",
    [
        {"subnetId": UNKNOWN},
        {"securityGroups": UNKNOWN},
        {"securityGroups": [UNKNOWN, "sg-1"]},
        {"subnetId": UNKNOWN, "securityGroups": [UNKNOWN], "kmsKeyId": UNKNOWN},
    ],
)
def test_ids_unknown_at_preview_are_present(
    analyzer: AnalyzerClient, changes: dict[str, Any]
) -> None:
    assert analyze(analyzer, secure(**changes)) == []


def test_unknown_internet_access_fails_closed_as_a_mandatory_violation(
    analyzer: AnalyzerClient,
) -> None:
    diagnostic = only(analyze(analyzer, secure(directInternetAccess=UNKNOWN)), "SMG-1")
    assert (diagnostic.policy_name, diagnostic.mandatory) == (MAIN, True)
    assert "can't run policy" not in diagnostic.message
    assert "directInternetAccess cannot be decided before deployment" in diagnostic.message
    assert "unknown at preview" in diagnostic.message
    assert "(unknown values fail closed)" in diagnostic.message


def test_unknown_metadata_object_is_an_advisory_smg5(analyzer: AnalyzerClient) -> None:
    props = secure(instanceMetadataServiceConfiguration=UNKNOWN)
    diagnostic = only(analyze(analyzer, props), "SMG-5")
    assert (diagnostic.policy_name, diagnostic.enforcement_level) == (ADVISORY, "advisory")
    assert "minimumInstanceMetadataServiceVersion cannot be decided" in diagnostic.message


@pytest.mark.parametrize(("value", "expected"), [("Disabled", {}), ("Enabled", {"SMG-1": BLOCKS})])
def test_secrets_are_judged_by_their_value(
    analyzer: AnalyzerClient, value: str, expected: dict[str, str]
) -> None:
    props = secure(directInternetAccess=secret(value), subnetId=secret("subnet-1"))
    assert outcome(analyze(analyzer, props)) == expected


def test_insecure_defaults_give_every_rule_at_its_default_level(analyzer: AnalyzerClient) -> None:
    props = {"instanceType": "ml.t3.medium", "roleArn": "arn:aws:iam::1:role/r"}
    diagnostics = analyze(analyzer, props)
    assert outcome(diagnostics) == {
        "SMG-1": BLOCKS,
        "SMG-2": BLOCKS,
        "SMG-3": SHOWN,
        "SMG-4": SHOWN,
        "SMG-5": SHOWN,
    }
    assert [d.policy_name for d in diagnostics] == [MAIN, MAIN, ADVISORY, ADVISORY, ADVISORY]


@pytest.mark.parametrize("pack_config", [{}, {MAIN: {"levels": {"SMG-1": "off"}}}])
def test_other_resource_types_are_ignored(
    analyzer: AnalyzerClient, pack_config: dict[str, Any]
) -> None:
    analyzer.configure({MAIN: {"exemptions": "not a list"}, **pack_config})
    assert analyzer.analyze("aws:s3/bucket:Bucket", {"bucket": "b"}, urn("b"), "b") == []
    props = {"directInternetAccess": "Enabled"}  # a notebook's key on another type
    assert analyzer.analyze("aws:ec2/instance:Instance", props, urn("i"), "i") == []


INTERNET_AND_ROOT = {"directInternetAccess": "Enabled", "rootAccess": "Enabled"}


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ({}, {"SMG-1": BLOCKS, "SMG-3": SHOWN}),
        ({"SMG-3": "error"}, {"SMG-1": BLOCKS, "SMG-3": BLOCKS}),
        ({"SMG-3": "mandatory"}, {"SMG-1": BLOCKS, "SMG-3": BLOCKS}),
        ({"SMG-1": "warning"}, {"SMG-1": SHOWN, "SMG-3": SHOWN}),
        ({"SMG-1": "advisory"}, {"SMG-1": SHOWN, "SMG-3": SHOWN}),
        ({"SMG-1": "off", "SMG-3": "off"}, {}),
        ({"SMG-1": "disabled", "SMG-3": "error"}, {"SMG-3": BLOCKS}),
    ],
)
def test_levels_change_in_the_policy_config(
    analyzer: AnalyzerClient, levels: dict[str, str], expected: dict[str, str]
) -> None:
    analyzer.configure({MAIN: {"levels": levels}})
    assert outcome(analyze(analyzer, secure(**INTERNET_AND_ROOT))) == expected


@pytest.mark.parametrize(
    ("pack_config", "expected"),
    [
        ({MAIN: "advisory"}, {"SMG-1": f"{MAIN}/advisory", "SMG-3": SHOWN}),
        (
            {MAIN: {"enforcementLevel": "advisory", "levels": {"SMG-3": "error"}}},
            {"SMG-1": f"{MAIN}/advisory", "SMG-3": f"{MAIN}/advisory"},
        ),
        ({"all": "advisory"}, {"SMG-1": f"{MAIN}/advisory", "SMG-3": SHOWN}),
        ({ADVISORY: "mandatory"}, {"SMG-1": BLOCKS, "SMG-3": f"{ADVISORY}/mandatory"}),
        ({ADVISORY: "disabled"}, {"SMG-1": BLOCKS}),
        ({MAIN: "disabled"}, {}),
    ],
)
def test_the_engines_enforcement_level_applies_to_each_policy_as_a_whole(
    analyzer: AnalyzerClient,
    pack_config: dict[str, Any],
    expected: dict[str, str],
    request: pytest.FixtureRequest,
) -> None:
    analyzer.configure(pack_config)
    # A notebook of its own: this pack process was configured differently before, and
    # what a disabled advisory policy left for a resource is only replaced when
    # sm-guardrails judges that resource again (see the next test).
    name = f"levels-{request.node.callspec.id}"
    assert outcome(analyze(analyzer, secure(**INTERNET_AND_ROOT), name)) == expected


def test_what_the_disabled_advisory_policy_did_not_take_never_shows_up_later(
    analyzer: AnalyzerClient,
) -> None:
    analyzer.configure({ADVISORY: "disabled"})
    for _ in range(4):
        assert analyze(analyzer, secure(rootAccess="Enabled"), "left-over") == []
    analyzer.configure({})
    for _ in range(4):
        assert analyze(analyzer, secure(), "left-over") == []


@pytest.mark.parametrize("resource", ["nb", urn("nb")])
def test_exemption_by_name_or_urn_is_shown_as_advisory_with_its_reason(
    analyzer: AnalyzerClient, resource: str
) -> None:
    reason = "SEC-42: lab notebook, isolated account"
    exemption = {"rule": "SMG-1", "resource": resource, "reason": reason}
    analyzer.configure({MAIN: {"exemptions": [exemption]}})
    diagnostic = only(analyze(analyzer, secure(directInternetAccess="Enabled")), "SMG-1")
    assert (diagnostic.policy_name, diagnostic.enforcement_level) == (ADVISORY, "advisory")
    assert "[SMG-1] nb: directInternetAccess is 'Enabled'" in diagnostic.message
    assert f"Exempted: {reason}." in diagnostic.message


def test_exemption_applies_only_to_its_resource_and_rule(analyzer: AnalyzerClient) -> None:
    exemptions = [
        {"rule": "SMG-1", "resource": "other", "reason": "SEC-42"},
        {"rule": "SMG-3", "resource": "other", "reason": "SEC-43"},
    ]
    analyzer.configure({MAIN: {"levels": {"SMG-3": "error"}, "exemptions": exemptions}})
    props = secure(directInternetAccess="Enabled", rootAccess="Enabled", subnetId=None)
    assert outcome(analyze(analyzer, props)) == {"SMG-1": BLOCKS, "SMG-2": BLOCKS, "SMG-3": BLOCKS}
    other = analyze(analyzer, props, name="other")
    assert outcome(other) == {"SMG-1": SHOWN, "SMG-2": BLOCKS, "SMG-3": SHOWN}
    assert sum("Exempted: SEC-4" in d.message for d in other) == 2


def test_exemption_without_reason_exempts_nothing_and_is_reported(
    analyzer: AnalyzerClient,
) -> None:
    analyzer.configure({MAIN: {"exemptions": [{"rule": "SMG-1", "resource": "nb", "reason": " "}]}})
    problem, finding = analyze(analyzer, secure(directInternetAccess="Enabled"))
    assert (problem.policy_name, finding.policy_name) == (MAIN, MAIN)
    assert problem.mandatory and finding.mandatory
    assert problem.message.splitlines()[1] == (
        '[SMG-0] policy pack config "sm-guardrails".exemptions[0]: the exemption of nb from '
        "SMG-1 has no 'reason'; give one a reviewer can check (e.g. a ticket); until then it "
        "exempts nothing"
    )
    assert "[SMG-1] nb: directInternetAccess is 'Enabled'" in finding.message


VALID_EXEMPTION = {"rule": "SMG-1", "resource": "nb", "reason": "SEC-1"}
VALID = {"levels": {"SMG-3": "error"}, "exemptions": [VALID_EXEMPTION]}
"""A config that blocks on SMG-3 and exempts nb from SMG-1; each mistake below is added to it."""
ALL_APPLIES = {"SMG-1": SHOWN, "SMG-3": BLOCKS}
LEVELS_LOST = {"SMG-1": SHOWN, "SMG-3": SHOWN}
EXEMPTIONS_LOST = {"SMG-1": BLOCKS, "SMG-3": BLOCKS}


def _with_exemption(entry: object) -> dict[str, Any]:
    return {**VALID, "exemptions": [VALID_EXEMPTION, entry]}


@pytest.mark.parametrize(
    ("config", "where", "expected", "rest"),
    [
        (
            {**VALID, "exemption": []},
            "",
            "unknown key(s) ['exemption']; expected levels",
            ALL_APPLIES,
        ),
        ({**VALID, "levels": "error"}, ".levels", "expected a mapping of rule id", LEVELS_LOST),
        (
            {**VALID, "levels": {"SMG-3": "error", "SMG-9": "off"}},
            ".levels",
            "unknown rule id 'SMG-9'; use one of SMG-1, SMG-2",
            ALL_APPLIES,
        ),
        (
            {**VALID, "levels": {"SMG-0": "off", "SMG-3": "error"}},
            ".levels",
            "unknown rule id 'SMG-0'",
            ALL_APPLIES,
        ),
        (
            {**VALID, "levels": {"SMG-3": "error", "SMG-1": "blocking"}},
            ".levels.SMG-1",
            "'blocking' is not one of error, warning, off, mandatory, advisory, disabled; "
            "SMG-1 keeps its default level",
            ALL_APPLIES,
        ),
        (
            {**VALID, "unknown": "maybe"},
            ".unknown",
            "'maybe' is not one of fail, warn; the default applies",
            ALL_APPLIES,
        ),
        (
            {**VALID, "exemptions": "nb"},
            ".exemptions",
            "expected a list of {rule, resource, reason} mappings",
            EXEMPTIONS_LOST,
        ),
        (
            _with_exemption("nb"),
            ".exemptions[1]",
            "expected a mapping with 'rule', 'resource' and 'reason', got 'nb'",
            ALL_APPLIES,
        ),
        (
            _with_exemption({"resource": "nb", "reason": "x"}),
            ".exemptions[1]",
            "no 'rule'; give one of " + ", ".join(rule.rule_id for rule in RULES),
            ALL_APPLIES,
        ),
        (
            {**VALID, "exemptions": [{**VALID_EXEMPTION, "rule": "SMG-99"}]},
            ".exemptions[0]",
            "'rule': unknown rule id 'SMG-99'",
            EXEMPTIONS_LOST,
        ),
        (
            _with_exemption({"rule": "SMG-3", "reason": "x"}),
            ".exemptions[1]",
            "no 'resource'; give the URN or the name of the notebook to exempt from SMG-3",
            ALL_APPLIES,
        ),
        (
            {**VALID, "exemptions": [{**VALID_EXEMPTION, "resource": " "}]},
            ".exemptions[0]",
            "'resource' ' ' names nothing",
            EXEMPTIONS_LOST,
        ),
        (
            {**VALID, "exemptions": [{"rule": "SMG-1", "resource": "nb"}]},
            ".exemptions[0]",
            "the exemption of nb from SMG-1 has no 'reason'",
            EXEMPTIONS_LOST,
        ),
        (
            {**VALID, "exemptions": [{**VALID_EXEMPTION, "expires": "2026-12-31"}]},
            ".exemptions[0]",
            "unknown key(s) ['expires']; an exemption has only 'rule', 'resource' and 'reason'",
            EXEMPTIONS_LOST,
        ),
    ],
)
def test_each_config_mistake_is_a_mandatory_smg0_and_the_rest_still_applies(
    analyzer: AnalyzerClient,
    config: dict[str, Any],
    where: str,
    expected: str,
    rest: dict[str, str],
) -> None:
    analyzer.configure({MAIN: config})
    diagnostics = analyze(analyzer, secure(**INTERNET_AND_ROOT))
    [problem] = [d for d in diagnostics if rule_of(d) == "SMG-0"]
    assert (problem.policy_name, problem.mandatory) == (MAIN, True)
    assert problem.message.splitlines()[1].startswith(
        f'[SMG-0] policy pack config "sm-guardrails"{where}: {expected}'
    ), problem.message
    assert outcome([d for d in diagnostics if d is not problem]) == rest


def test_config_mistakes_are_reported_on_every_notebook(analyzer: AnalyzerClient) -> None:
    analyzer.configure({MAIN: {"unknown": "never", "levels": {"SMG-2": "loud"}}})
    for name, resource_type in (("a", AWS), ("b", NATIVE)):
        diagnostics = analyze(analyzer, secure(resource_type), name, resource_type)
        assert [rule_of(d) for d in diagnostics] == ["SMG-0", "SMG-0"]
        assert all(d.mandatory and d.urn == urn(name, resource_type) for d in diagnostics)


def test_unknown_warn_reports_unknowns_as_advisories(analyzer: AnalyzerClient) -> None:
    analyzer.configure({MAIN: {"unknown": "warn"}})
    diagnostic = only(analyze(analyzer, secure(directInternetAccess=UNKNOWN)), "SMG-1")
    assert (diagnostic.policy_name, diagnostic.enforcement_level) == (ADVISORY, "advisory")
    assert "directInternetAccess cannot be decided before deployment" in diagnostic.message
    assert "fail closed" not in diagnostic.message
    # A known bad value still blocks under 'warn'.
    assert only(analyze(analyzer, secure(directInternetAccess="Enabled")), "SMG-1").mandatory


def test_unknown_fail_is_the_default_and_can_be_said(analyzer: AnalyzerClient) -> None:
    props = secure(directInternetAccess=UNKNOWN, rootAccess=UNKNOWN)
    analyzer.configure({MAIN: {"unknown": "fail", "levels": {"SMG-3": "error"}}})
    assert outcome(analyze(analyzer, props)) == {"SMG-1": BLOCKS, "SMG-3": BLOCKS}
    analyzer.configure({MAIN: {"unknown": "warn", "levels": {"SMG-3": "error"}}})
    assert outcome(analyze(analyzer, props)) == {"SMG-1": SHOWN, "SMG-3": SHOWN}


def test_pack_config_with_a_bad_level_is_refused_by_the_client(analyzer: AnalyzerClient) -> None:
    with pytest.raises(PolicyPackError, match="enforcement level 'blocking' is not one of"):
        analyzer.configure({MAIN: "blocking"})


def test_pack_also_starts_from_its_main_script() -> None:
    with PolicyPackProcess(PACK_DIR, direct=True) as pack:
        client = AnalyzerClient(pack.port)
        assert client.info().name == "sm-guardrails"
        diagnostics = analyze(client, secure(directInternetAccess="Enabled", rootAccess="Enabled"))
        assert outcome(diagnostics) == {"SMG-1": BLOCKS, "SMG-3": SHOWN}
        client.close()


def test_a_folder_that_is_not_a_pack_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match=r"no PulumiPolicy\.yaml"):
        PolicyPackProcess(tmp_path).start()


def test_a_pack_that_fails_to_start_reports_its_stderr(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise SystemExit('no policies here')\n")
    with pytest.raises(PolicyPackError, match="did not print its port") as error:
        PolicyPackProcess(tmp_path, timeout=20).start()
    assert "no policies here" in str(error.value)


@pytest.mark.parametrize(
    "props",
    [
        {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"},
        {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "x"},
    ],
)
def test_top_level_keys_that_look_like_a_secret_are_property_names(
    analyzer: AnalyzerClient, props: dict[str, Any]
) -> None:
    assert set(outcome(analyze(analyzer, props))) == {"SMG-1", "SMG-2", "SMG-3", "SMG-4", "SMG-5"}


def test_a_signature_without_a_value_is_not_a_secret() -> None:
    spec = resource_spec(AWS, {"subnetId": {"4dabf18193072939515e22adb298388d": "x"}}, ("nb",))
    assert spec.value("SubnetId") == Known({"4dabf18193072939515e22adb298388d": "x"})


def test_concurrent_analyze_calls_keep_what_is_handed_over_with_its_resource(
    analyzer: AnalyzerClient,
) -> None:
    exempt = [
        {"rule": "SMG-1", "resource": f"nb{i}", "reason": f"ticket {i}"} for i in range(0, 40, 2)
    ]
    analyzer.configure({MAIN: {"exemptions": exempt}})
    insecure = secure(directInternetAccess="Enabled")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: analyze(analyzer, insecure, name=f"nb{i}"), range(40)))
    for i, diagnostics in enumerate(results):
        diagnostic = only(diagnostics, "SMG-1")
        assert f"[SMG-1] nb{i}: " in diagnostic.message
        if i % 2:
            assert diagnostic.policy_name == MAIN and "Exempted" not in diagnostic.message
        else:
            assert diagnostic.policy_name == ADVISORY
            assert f"Exempted: ticket {i}. Fix:" in diagnostic.message
