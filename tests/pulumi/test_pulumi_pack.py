"""The policy pack over gRPC, started and called the way the Pulumi engine does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sm_guardrails.pulumi.engine import (
    AnalyzerClient,
    Diagnostic,
    PolicyPackError,
    PolicyPackProcess,
)
from sm_guardrails.pulumi.properties import notebook_spec
from sm_guardrails.values import Known

PACK_DIR = Path(__file__).resolve().parents[2] / "policypack"

AWS = "aws:sagemaker/notebookInstance:NotebookInstance"
NATIVE = "aws-native:sagemaker:NotebookInstance"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SMG1 = "smg-1-no-direct-internet-access"
SMG2 = "smg-2-in-vpc"
SMG3 = "smg-3-no-root-access"
SMG4 = "smg-4-volume-kms-key"
SMG5 = "smg-5-imdsv2-only"
SMG0 = "smg-0-valid-config"
NOTICES = "smg-notices"


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
) -> dict[str, list[Diagnostic]]:
    """Diagnostics by policy name."""
    by_policy: dict[str, list[Diagnostic]] = {}
    for diagnostic in client.analyze(resource_type, props, urn(name, resource_type), name):
        by_policy.setdefault(diagnostic.policy_name, []).append(diagnostic)
    return by_policy


def only(diagnostics: dict[str, list[Diagnostic]], policy: str) -> Diagnostic:
    assert list(diagnostics) == [policy], diagnostics
    [diagnostic] = diagnostics[policy]
    return diagnostic


def test_analyzer_info_lists_each_rule_with_its_default_level(analyzer: AnalyzerClient) -> None:
    info = analyzer.info()
    levels = {policy.name: policy.enforcementLevel for policy in info.policies}
    assert info.name == "sm-guardrails"
    # 1 is mandatory, 0 advisory
    assert levels == {SMG1: 1, SMG2: 1, SMG3: 0, SMG4: 0, SMG5: 0, SMG0: 1, NOTICES: 0}
    smg1 = next(policy for policy in info.policies if policy.name == SMG1)
    assert set(smg1.configSchema.properties) == {"unknown", "exemptions"}
    assert "directInternetAccess" in smg1.remediation_steps


@pytest.mark.parametrize("resource_type", [AWS, NATIVE])
def test_secure_notebook_has_no_diagnostic(analyzer: AnalyzerClient, resource_type: str) -> None:
    assert analyze(analyzer, secure(resource_type), resource_type=resource_type) == {}


def test_internet_access_is_a_mandatory_violation_naming_rule_resource_value_and_fix(
    analyzer: AnalyzerClient,
) -> None:
    diagnostic = only(analyze(analyzer, secure(directInternetAccess="Enabled")), SMG1)
    assert diagnostic.mandatory
    assert "[SMG-1] nb: directInternetAccess is 'Enabled', not exactly 'Disabled'" in (
        diagnostic.message
    )
    assert "Fix: Set directInternetAccess to exactly 'Disabled'" in diagnostic.message
    assert diagnostic.urn == urn("nb")


@pytest.mark.parametrize("missing", [None, "null"])
def test_absent_or_null_internet_access_means_enabled(
    analyzer: AnalyzerClient, missing: str | None
) -> None:
    props = secure(directInternetAccess=None)
    if missing == "null":
        props["directInternetAccess"] = None
    diagnostic = only(analyze(analyzer, props), SMG1)
    assert "directInternetAccess is not set, and AWS's default is Enabled" in diagnostic.message


def test_case_matters(analyzer: AnalyzerClient) -> None:
    diagnostic = only(analyze(analyzer, secure(directInternetAccess="disabled")), SMG1)
    assert "case and surrounding spaces matter" in diagnostic.message


@pytest.mark.parametrize(
    ("resource_type", "wrong_key", "right_key"),
    [(AWS, "securityGroupIds", "securityGroups"), (NATIVE, "securityGroups", "securityGroupIds")],
)
def test_each_schema_reads_its_own_security_group_key(
    analyzer: AnalyzerClient, resource_type: str, wrong_key: str, right_key: str
) -> None:
    props = secure(resource_type, **{right_key: None, wrong_key: ["sg-1"]})
    diagnostic = only(analyze(analyzer, props, resource_type=resource_type), SMG2)
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
    diagnostic = only(analyze(analyzer, secure(**changes)), SMG2)
    assert diagnostic.mandatory
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
    assert analyze(analyzer, secure(**changes)) == {}


def test_unknown_internet_access_fails_closed_as_a_mandatory_violation(
    analyzer: AnalyzerClient,
) -> None:
    diagnostic = only(analyze(analyzer, secure(directInternetAccess=UNKNOWN)), SMG1)
    assert diagnostic.mandatory
    assert "can't run policy" not in diagnostic.message
    assert "directInternetAccess cannot be decided before deployment" in diagnostic.message
    assert "unknown at preview" in diagnostic.message
    assert "(unknown values fail closed)" in diagnostic.message


def test_unknown_metadata_object_is_an_advisory_smg5(analyzer: AnalyzerClient) -> None:
    diagnostic = only(analyze(analyzer, secure(instanceMetadataServiceConfiguration=UNKNOWN)), SMG5)
    assert diagnostic.enforcement_level == "advisory"
    assert "minimumInstanceMetadataServiceVersion cannot be decided" in diagnostic.message


@pytest.mark.parametrize(("value", "violations"), [("Disabled", {}), ("Enabled", {SMG1})])
def test_secrets_are_judged_by_their_value(
    analyzer: AnalyzerClient, value: str, violations: set[str]
) -> None:
    props = secure(directInternetAccess=secret(value), subnetId=secret("subnet-1"))
    assert set(analyze(analyzer, props)) == set(violations)


def test_insecure_defaults_give_every_rule(analyzer: AnalyzerClient) -> None:
    props = {"instanceType": "ml.t3.medium", "roleArn": "arn:aws:iam::1:role/r"}
    diagnostics = analyze(analyzer, props)
    levels = {policy: [d.enforcement_level for d in found] for policy, found in diagnostics.items()}
    assert levels == {
        SMG1: ["mandatory"],
        SMG2: ["mandatory"],
        SMG3: ["advisory"],
        SMG4: ["advisory"],
        SMG5: ["advisory"],
    }


def test_other_resource_types_are_ignored(analyzer: AnalyzerClient) -> None:
    diagnostics = analyzer.analyze("aws:s3/bucket:Bucket", {"bucket": "b"}, urn("b"), "b")
    assert diagnostics == []


@pytest.mark.parametrize(
    ("pack_config", "expected"),
    [
        ({SMG3: "mandatory"}, {SMG1: "mandatory", SMG3: "mandatory"}),
        ({SMG1: "disabled"}, {SMG3: "advisory"}),
        ({SMG1: {"enforcementLevel": "advisory"}}, {SMG1: "advisory", SMG3: "advisory"}),
        ({"all": "advisory"}, {SMG1: "advisory", SMG3: "advisory"}),
    ],
)
def test_levels_change_in_the_pack_config(
    analyzer: AnalyzerClient, pack_config: dict[str, Any], expected: dict[str, str]
) -> None:
    analyzer.configure(pack_config)
    diagnostics = analyze(analyzer, secure(directInternetAccess="Enabled", rootAccess="Enabled"))
    assert {policy: found[0].enforcement_level for policy, found in diagnostics.items()} == (
        expected
    )


@pytest.mark.parametrize("resource", ["nb", urn("nb")])
def test_exemption_by_name_or_urn_is_reported_as_advisory_notice(
    analyzer: AnalyzerClient, resource: str
) -> None:
    exemption = {"resource": resource, "reason": "SEC-42: lab notebook, isolated account"}
    analyzer.configure({SMG1: {"exemptions": [exemption]}})
    diagnostic = only(analyze(analyzer, secure(directInternetAccess="Enabled")), NOTICES)
    assert diagnostic.enforcement_level == "advisory"
    assert "[SMG-1] nb: directInternetAccess is 'Enabled'" in diagnostic.message
    assert "Exempted: SEC-42: lab notebook, isolated account." in diagnostic.message


def test_exemption_applies_only_to_its_resource_and_rule(analyzer: AnalyzerClient) -> None:
    exemption = {"resource": "other", "reason": "SEC-42"}
    analyzer.configure({SMG1: {"exemptions": [exemption]}, SMG3: {"exemptions": [exemption]}})
    props = secure(directInternetAccess="Enabled")
    assert set(analyze(analyzer, props)) == {SMG1}
    assert set(analyze(analyzer, props, name="other")) == {NOTICES}


def test_exemption_without_reason_exempts_nothing_and_is_reported(
    analyzer: AnalyzerClient,
) -> None:
    analyzer.configure({SMG1: {"exemptions": [{"resource": "nb", "reason": " "}]}})
    diagnostics = analyze(analyzer, secure(directInternetAccess="Enabled"))
    assert set(diagnostics) == {SMG1, SMG0}
    [problem], [finding] = diagnostics[SMG0], diagnostics[SMG1]
    assert problem.mandatory and finding.mandatory
    assert problem.message.splitlines()[1] == (
        '[SMG-0] policy pack config "smg-1-no-direct-internet-access".exemptions[0]: the '
        "exemption of nb from SMG-1 has no 'reason'; give one a reviewer can check (e.g. a "
        "ticket); until then it exempts nothing"
    )
    assert "directInternetAccess is 'Enabled'" in finding.message


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"unknown": "maybe"}, ".unknown: 'maybe' is not 'fail' or 'warn'"),
        ({"exemption": []}, "unknown key(s) ['exemption']"),
        ({"exemptions": "nb"}, ".exemptions: expected a list of {resource, reason} objects"),
        ({"exemptions": [{"reason": "x"}]}, "exemptions[0]: no 'resource'"),
        ({"exemptions": [{"resource": "nb", "reason": "x", "rule": "SMG-3"}]}, "['rule']"),
    ],
)
def test_bad_config_is_a_mandatory_smg0_not_an_error(
    analyzer: AnalyzerClient, config: dict[str, Any], expected: str
) -> None:
    analyzer.configure({SMG3: config})
    diagnostic = only(analyze(analyzer, secure()), SMG0)
    assert diagnostic.mandatory
    assert f'[SMG-0] policy pack config "{SMG3}"' in diagnostic.message
    assert expected in diagnostic.message


def test_unknown_warn_reports_unknowns_as_advisory_notices(analyzer: AnalyzerClient) -> None:
    analyzer.configure({SMG1: {"unknown": "warn"}})
    diagnostic = only(analyze(analyzer, secure(directInternetAccess=UNKNOWN)), NOTICES)
    assert diagnostic.enforcement_level == "advisory"
    assert "directInternetAccess cannot be decided before deployment" in diagnostic.message
    assert "fail closed" not in diagnostic.message
    # A known bad value still blocks under 'warn'.
    assert only(analyze(analyzer, secure(directInternetAccess="Enabled")), SMG1).mandatory


def test_pack_config_with_a_bad_level_is_refused_by_the_client(analyzer: AnalyzerClient) -> None:
    with pytest.raises(PolicyPackError, match="enforcement level 'blocking' is not one of"):
        analyzer.configure({SMG1: "blocking"})


def test_pack_also_starts_from_its_main_script() -> None:
    with PolicyPackProcess(PACK_DIR, direct=True) as pack:
        client = AnalyzerClient(pack.port)
        assert client.info().name == "sm-guardrails"
        assert set(analyze(client, secure(directInternetAccess="Enabled"))) == {SMG1}
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
    assert {SMG1, SMG2, SMG3, SMG4, SMG5} == set(analyze(analyzer, props))


def test_a_signature_without_a_value_is_not_a_secret() -> None:
    spec = notebook_spec(AWS, {"subnetId": {"4dabf18193072939515e22adb298388d": "x"}}, ("nb",))
    assert spec.subnet_id == Known({"4dabf18193072939515e22adb298388d": "x"})


def test_concurrent_analyze_calls_keep_notices_and_problems_with_their_resource(
    analyzer: AnalyzerClient,
) -> None:
    exempt = [{"resource": f"nb{i}", "reason": f"ticket {i}"} for i in range(0, 40, 2)]
    analyzer.configure({SMG1: {"exemptions": exempt}})
    insecure = secure(directInternetAccess="Enabled")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: analyze(analyzer, insecure, name=f"nb{i}"), range(40)))
    for i, diagnostics in enumerate(results):
        if i % 2:
            assert set(diagnostics) == {SMG1}
        else:
            notice = only(diagnostics, NOTICES)
            assert f"[SMG-1] nb{i}: " in notice.message
            assert f"Exempted: ticket {i}. Fix:" in notice.message
