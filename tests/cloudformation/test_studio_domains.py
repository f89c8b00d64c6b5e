"""Studio domains through everything ``check`` reads: verdicts, exit codes, reports, held
templates, nested stacks, loops, parameters, conditions, intrinsics and bad shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, STUDIO_DOMAIN
from tests.cloudformation.test_assembly_index import _assembly
from tests.cloudformation.test_held_templates import check, notebook, rules, stack_set, template
from tests.support import run_cli

DOMAIN_RULES = {rule.rule_id for rule in RULES_BY_KIND[STUDIO_DOMAIN]}
SMG_6, SMG_7 = (rule.rule_id for rule in RULES_BY_KIND[STUDIO_DOMAIN])
DOMAIN: dict[str, Any] = {
    "Type": STUDIO_DOMAIN.cloudformation_type,
    "Properties": {
        "DomainName": "studio",
        "AuthMode": "IAM",
        "AppNetworkAccessType": "VpcOnly",
        "VpcId": "vpc-1",
        "SubnetIds": ["subnet-1", "subnet-2"],
        "DefaultUserSettings": {
            "ExecutionRole": "arn:aws:iam::123456789012:role/studio",
            "SecurityGroups": ["sg-1"],
        },
    },
}


def domain(**changes: object) -> dict[str, Any]:
    """A compliant domain resource with ``changes`` to its properties (None removes one)."""
    properties = {**DOMAIN["Properties"], **changes}
    return {**DOMAIN, "Properties": {k: v for k, v in properties.items() if v is not None}}


def write(tmp_path: Path, data: dict[str, Any], name: str = "studio.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_domain_rules_are_smg_6_and_7() -> None:
    """The ids the tests below name, from the catalog (fixed by issue 23)."""
    assert DOMAIN_RULES == {"SMG-6", "SMG-7"} == {SMG_6, SMG_7}


@pytest.mark.parametrize(
    "access",
    ["PublicInternetOnly", None, "vpconly", ["VpcOnly"]],
    ids=["public", "absent", "wrong-case", "list"],
)
def test_a_domain_not_exactly_vpc_only_fails_smg_6_and_check_exits_1(
    tmp_path: Path, access: object
) -> None:
    path = write(tmp_path, template({"Studio": domain(AppNetworkAccessType=access)}))
    done = run_cli("check", path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{path}:3 Studio: error [{SMG_6}] AppNetworkAccessType is " in done.stdout
    if access is None:
        assert "is not set, and AWS's default is PublicInternetOnly" in done.stdout
    assert f"[{SMG_7}]" not in done.stdout
    assert "1 template(s), 0 notebook(s), 1 domain(s), 1 error(s)" in done.stdout
    assert done.stderr == ""


def test_a_vpc_only_domain_with_vpc_subnets_and_security_groups_passes(tmp_path: Path) -> None:
    path = write(tmp_path, template({"Studio": domain(), "Lab": notebook()}))
    done = run_cli("check", path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "sm-guardrails: 1 template(s), 1 notebook(s), 1 domain(s), 0 error(s), "
        "0 warning(s), 0 exempted\n"
    )


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"VpcId": None}, "VpcId is not set"),
        ({"SubnetIds": []}, "SubnetIds is [], which can be an empty list"),
        ({"SubnetIds": ["subnet-1", " "]}, "SubnetIds has an item that is blank"),
        ({"DefaultUserSettings": {"ExecutionRole": "r"}}, "SecurityGroups is not set"),
        ({"DefaultUserSettings": None}, "DefaultUserSettings.SecurityGroups is not set"),
    ],
    ids=["no-vpc", "no-subnets", "blank-subnet", "no-groups", "no-user-settings"],
)
def test_a_domain_outside_a_vpc_fails_smg_7(
    tmp_path: Path, changes: dict[str, Any], said: str
) -> None:
    report = check(tmp_path, template({"Studio": domain(**changes)}))
    assert rules(report) == {("Studio", None, SMG_7, "fail")}
    assert said in report.findings[0].finding.message
    assert report.exit_code == 1


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"SubnetIds": "subnet-1"}, "SubnetIds is 'subnet-1', not a list of ids"),
        (
            {"DefaultUserSettings": "oops"},
            "DefaultUserSettings.SecurityGroups is unreadable (what holds it, 'oops', "
            "is not a mapping)",
        ),
        (
            {"DefaultUserSettings": ["sg-1"]},
            "DefaultUserSettings.SecurityGroups is unreadable (what holds it, ['sg-1'], "
            "is not a mapping)",
        ),
        (
            {"DefaultUserSettings": {"SecurityGroups": "sg-1"}},
            "DefaultUserSettings.SecurityGroups is 'sg-1', not a list of ids",
        ),
        ({"VpcId": ["vpc-1"]}, "VpcId is ['vpc-1'], not an id"),
    ],
    ids=["subnets-string", "user-settings-string", "user-settings-list", "groups-string", "vpc"],
)
def test_a_domain_property_of_the_wrong_shape_is_a_one_line_failure_naming_it(
    tmp_path: Path, changes: dict[str, Any], said: str
) -> None:
    """Never a pass (a non-mapping DefaultUserSettings passed SMG-7 before), never a
    traceback: one finding line naming the resource and the property."""
    path = write(tmp_path, template({"Studio": domain(**changes)}))
    done = run_cli("check", path)
    assert (done.returncode, done.stderr) == (1, "")
    (line,) = [line for line in done.stdout.splitlines() if f"[{SMG_7}]" in line]
    assert line.startswith(f"{path}:3 Studio: error [{SMG_7}] ")
    assert said in line


def test_a_notebook_setting_inside_a_literal_that_is_not_a_mapping_fails_too(
    tmp_path: Path,
) -> None:
    """The same reader for notebooks: what a non-mapping holds is a wrong shape, a
    failure (it was an unknown, "cannot be decided before deployment")."""
    report = check(tmp_path, template({"Lab": notebook(InstanceMetadataServiceConfiguration="v2")}))
    assert rules(report) == {("Lab", None, "SMG-5", "fail")}
    assert "(what holds it, 'v2', is not a mapping)" in report.findings[0].finding.message


def test_json_and_sarif_count_every_kind_and_name_the_domain(tmp_path: Path) -> None:
    open_domain = domain(AppNetworkAccessType="PublicInternetOnly")
    open_domain["Metadata"] = {"aws:cdk:path": "App/Studio/Resource"}
    path = write(tmp_path, template({"Studio": open_domain, "Lab": notebook()}))
    report = json.loads(run_cli("check", path, "--format", "json").stdout)
    expected = {f"{kind.short_noun}s": 1 for kind in KINDS}
    assert {key: report["summary"][key] for key in expected} == expected
    (finding,) = report["findings"]
    assert (finding["rule_id"], finding["logical_id"]) == (SMG_6, "Studio")
    assert finding["construct_path"] == "App/Studio/Resource"
    assert finding["message"].startswith("AppNetworkAccessType is 'PublicInternetOnly'")

    sarif = json.loads(run_cli("check", path, "--format", "sarif").stdout)
    (run,) = sarif["runs"]
    assert run["invocations"][0]["properties"] == {"templates": 1, **expected}
    (result,) = run["results"]
    assert result["message"]["text"].startswith("Studio (CDK construct App/Studio/Resource): ")
    descriptors = {rule["id"]: rule["properties"] for rule in run["tool"]["driver"]["rules"]}
    for kind in KINDS:
        for rule in RULES_BY_KIND[kind]:
            assert kind.short_noun in descriptors[rule.rule_id]["tags"]
            assert descriptors[rule.rule_id]["resourceType"] == kind.cloudformation_type


def test_a_domain_in_a_stack_set_body_is_judged_and_counted(tmp_path: Path) -> None:
    inner = template({"Studio": domain(AppNetworkAccessType="PublicInternetOnly")})
    report = check(tmp_path, template({"Rollout": stack_set(json.dumps(inner))}))
    assert rules(report) == {("Rollout", "Studio", SMG_6, "fail")}
    assert report.findings[0].finding.resource == "Rollout > Studio"
    assert (report.resources[STUDIO_DOMAIN], report.resources[NOTEBOOK_INSTANCE]) == (1, 0)


def test_a_domain_in_a_nested_stack_of_a_cloud_assembly_fails_the_check(tmp_path: Path) -> None:
    nested = "TopNestedABC123.nested.template.json"
    child = {
        "Type": "AWS::CloudFormation::Stack",
        "Properties": {"TemplateURL": "https://example.invalid/x.json"},
        "Metadata": {"aws:asset:path": nested, "aws:asset:property": "TemplateURL"},
    }
    studio = domain(SubnetIds="subnet-1")
    studio["Metadata"] = {"aws:cdk:path": "Top/Nested/Studio/Resource"}
    (tmp_path / "Top.template.json").write_text(json.dumps(template({"Child": child})))
    (tmp_path / nested).write_text(json.dumps(template({"Studio": studio})))
    _assembly(tmp_path, {})
    done = run_cli("check", tmp_path, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [
        (f["file"].endswith(nested), f["rule_id"], f["construct_path"]) for f in report["findings"]
    ] == [(True, SMG_7, "Top/Nested/Studio/Resource")]
    assert (report["summary"]["templates"], report["summary"]["domains"]) == (2, 1)


def test_domains_a_loop_generates_are_each_judged_with_their_loop(tmp_path: Path) -> None:
    body = {"Studio${Team}": domain(AppNetworkAccessType="${Team}")}
    data = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {"Fn::ForEach::Teams": ["Team", ["VpcOnly", "PublicInternetOnly"], body]},
    }
    report = check(tmp_path, data)
    assert report.resources[STUDIO_DOMAIN] == 2
    assert [(i.logical_id, i.finding.rule_id, i.loops) for i in report.findings] == [
        ("StudioPublicInternetOnly", SMG_6, ("Fn::ForEach::Teams",))
    ]


@pytest.mark.parametrize(
    ("allowed", "verdicts"),
    [(["VpcOnly"], set()), (["VpcOnly", "PublicInternetOnly"], {(SMG_6, "fail")})],
    ids=["vpc-only", "either"],
)
def test_a_parameter_fails_when_any_allowed_value_breaks_the_rule(
    tmp_path: Path, allowed: list[str], verdicts: set[tuple[str, str]]
) -> None:
    data = template(
        {"Studio": domain(AppNetworkAccessType={"Ref": "Access"})},
        Parameters={"Access": {"Type": "String", "AllowedValues": allowed}},
    )
    report = check(tmp_path, data)
    assert {(rule, verdict) for _, _, rule, verdict in rules(report)} == verdicts
    if verdicts:
        assert "through parameter `Access`" in report.findings[0].finding.message


def test_a_parameter_without_allowed_values_is_unknown_and_fails_closed(tmp_path: Path) -> None:
    data = template(
        {"Studio": domain(AppNetworkAccessType={"Ref": "Access"})},
        Parameters={"Access": {"Type": "String", "Default": "VpcOnly"}},
    )
    report = check(tmp_path, data)
    assert rules(report) == {("Studio", None, SMG_6, "unknown")}
    assert report.exit_code == 1


def test_a_condition_that_opens_the_domain_fails_naming_the_branch(tmp_path: Path) -> None:
    access = {"Fn::If": ["Sandbox", "PublicInternetOnly", "VpcOnly"]}
    groups = {"Fn::If": ["Sandbox", {"Ref": "AWS::NoValue"}, ["sg-1"]]}
    settings = {"ExecutionRole": "r", "SecurityGroups": groups}
    data = template(
        {"Studio": domain(AppNetworkAccessType=access, DefaultUserSettings=settings)},
        Conditions={"Sandbox": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, "1"]}},
    )
    report = check(tmp_path, data)
    messages = {item.finding.rule_id: item.finding.message for item in report.findings}
    assert set(messages) == DOMAIN_RULES
    assert "when condition `Sandbox` is true" in messages[SMG_6]
    assert "can be left unset (when condition `Sandbox` is true)" in messages[SMG_7]


def test_ids_decided_at_deployment_are_present(tmp_path: Path) -> None:
    settings = {"SecurityGroups": [{"Fn::GetAtt": ["Group", "GroupId"]}]}
    data = template(
        {
            "Studio": domain(
                VpcId={"Fn::ImportValue": "network-vpc"},
                SubnetIds={"Ref": "Subnets"},
                DefaultUserSettings=settings,
            ),
            "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {}},
        },
        Parameters={"Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}},
    )
    report = check(tmp_path, data)
    assert (report.findings, report.resources[STUDIO_DOMAIN]) == ([], 1)


@pytest.mark.parametrize(
    "settings",
    [
        {"Fn::ImportValue": "studio-settings"},
        {"Fn::If": ["Sandbox", {"Ref": "Settings"}, {"SecurityGroups": ["sg-1"]}]},
    ],
)
def test_settings_decided_at_deployment_may_hold_no_security_groups(
    tmp_path: Path, settings: object
) -> None:
    """A security group id decided at deployment is present; a DefaultUserSettings decided
    then may hold none, so SMG-7 cannot pass it: unknown, failing closed."""
    data = template(
        {"Studio": domain(DefaultUserSettings=settings)},
        Parameters={"Settings": {"Type": "String"}},
        Conditions={"Sandbox": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, "1"]}},
    )
    report = check(tmp_path, data)
    assert rules(report) == {("Studio", None, SMG_7, "unknown")}
    assert report.exit_code == 1
