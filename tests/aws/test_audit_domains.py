"""``sm-guardrails audit`` on Studio domains: moto's server, the CLI as a subprocess.

Rule ids come from the catalog (``RULES_BY_KIND[STUDIO_DOMAIN]``); what moto keeps of a
domain is pinned first, so a moto release that changes it fails here, not in a verdict.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, STUDIO_DOMAIN
from tests.aws.conftest import AwsEnv, make_notebook
from tests.aws.fault_proxy import Answer, Call, fault_proxy
from tests.aws.test_audit_cli import REGION_ONLY, _audit, _blocking

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/studio"
VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0"]}
GROUPS = ["sg-0123456789abcdef0"]
NETWORK_RULE, VPC_RULE = (rule.rule_id for rule in RULES_BY_KIND[STUDIO_DOMAIN])


TEAM_TAG = {"Key": "team", "Value": "ml"}


def make_domain(client: Any, name: str, groups: list[str] | None = None, **settings: Any) -> str:
    """Create domain ``name`` in the test VPC (``settings`` over it), tagged; its id.

    Always with a tag: moto 5.2 answers ListTags on a domain created without tags with
    an HTTP 500 (its paginator gets None), which AWS does not (pinned below).
    """
    user = {"ExecutionRole": ROLE, **({"SecurityGroups": groups} if groups else {})}
    response = client.create_domain(
        DomainName=name,
        AuthMode="IAM",
        DefaultUserSettings=user,
        **{**VPC, "Tags": [TEAM_TAG], **settings},
    )
    return str(response["DomainArn"].rsplit("/", 1)[1])


@pytest.fixture
def studio(moto_state: AwsEnv) -> AwsEnv:
    """A VpcOnly domain with groups, a default (public) one, one with no groups, an exempt one."""
    client = moto_state.client("sagemaker", REGION)
    make_domain(client, "closed", GROUPS, AppNetworkAccessType="VpcOnly")
    make_domain(client, "public", GROUPS)
    make_domain(client, "nogroups", AppNetworkAccessType="VpcOnly")
    exempt = [{"Key": f"sm-guardrails:exempt:{NETWORK_RULE}", "Value": "ticket NET-7: demo"}]
    exempt.append(TEAM_TAG)
    make_domain(client, "exempt", GROUPS, Tags=exempt)
    make_notebook(client, "exposed")
    return moto_state


def test_moto_keeps_the_network_fields_and_fills_in_the_default(moto_state: AwsEnv) -> None:
    """What the verdicts below rest on: moto 5.2 keeps VpcId, SubnetIds and the default
    user settings' groups, and shows an omitted AppNetworkAccessType as AWS's default."""
    client = moto_state.client("sagemaker", REGION)
    domain = client.describe_domain(DomainId=make_domain(client, "pinned", GROUPS))
    assert domain["AppNetworkAccessType"] == "PublicInternetOnly"
    assert (domain["VpcId"], domain["SubnetIds"]) == (VPC["VpcId"], VPC["SubnetIds"])
    assert domain["DefaultUserSettings"]["SecurityGroups"] == GROUPS
    bare = client.describe_domain(DomainId=make_domain(client, "bare"))
    assert "SecurityGroups" not in bare["DefaultUserSettings"]
    assert client.list_tags(ResourceArn=bare["DomainArn"])["Tags"] == [TEAM_TAG]
    untagged = client.create_domain(
        DomainName="untagged", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": ROLE}, **VPC
    )
    with pytest.raises(ClientError, match=r"\(500\)"):
        client.list_tags(ResourceArn=untagged["DomainArn"])


def test_the_audit_judges_domains_beside_notebooks(studio: AwsEnv) -> None:
    result = _audit(studio, "--region", REGION, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert {item for item in _blocking(report) if item[1] != "exposed"} == {
        (REGION, "public", NETWORK_RULE),
        (REGION, "nogroups", VPC_RULE),
    }
    (exempted,) = [item for item in report["findings"] if item["exemption"]]
    assert exempted["location"]["name"] == "exempt" and exempted["rule_id"] == NETWORK_RULE
    assert exempted["exemption"] == "ticket NET-7: demo"
    assert exempted["location"]["arn"].endswith(":domain/d-exempt")
    assert exempted["location"]["account"] == "123456789012"
    counts = {f"{kind.short_noun}s": 0 for kind in KINDS}
    assert report["summary"] == {
        **report["summary"],
        **counts,
        f"{NOTEBOOK_INSTANCE.short_noun}s": 1,
        f"{STUDIO_DOMAIN.short_noun}s": 4,
    }
    message = next(i["message"] for i in report["findings"] if i["location"]["name"] == "public")
    assert "AppNetworkAccessType" in message and "PublicInternetOnly" in message


def test_the_text_summary_counts_each_kind(studio: AwsEnv) -> None:
    result = _audit(studio, "--region", REGION)
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("sm-guardrails: 1 region(s), 1 notebook(s), 4 domain(s), ")
    assert f"{REGION} 123456789012 public arn:aws:sagemaker:{REGION}:" in result.stdout


def test_sarif_names_the_domain_by_its_arn(studio: AwsEnv) -> None:
    result = _audit(studio, "--region", REGION, "--format", "sarif")
    (run,) = json.loads(result.stdout)["runs"]
    located = {
        result["locations"][0]["logicalLocations"][0]["name"]: result["ruleId"]
        for result in run["results"]
        if "suppressions" not in result
    }
    assert located["public"] == NETWORK_RULE and located["nogroups"] == VPC_RULE


def _deny(operation: str) -> Any:
    def decide(call: Call) -> Answer | None:
        if call.operation == operation:
            return Answer(400, "AccessDeniedException", "not for you")
        return None

    return decide


def test_denied_domains_are_an_error_and_notebooks_are_still_audited(studio: AwsEnv) -> None:
    with fault_proxy(studio.endpoint, _deny("ListDomains")) as proxy:
        result = _audit(studio, "--region", REGION, "--format", "json", endpoint=proxy)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert {item[1] for item in _blocking(report)} == {"exposed"}
    (error,) = report["errors"]
    assert error["location"] == REGION_ONLY
    assert "access denied to sagemaker:ListDomains" in error["message"]
    assert report["summary"]["regions"] == 0  # not every kind of it was read
    assert report["summary"]["notebooks"] == 1 and report["summary"]["domains"] == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"sm-guardrails: error: {REGION}: {REGION}: access denied")


def test_a_domain_that_cannot_be_described_is_an_error_naming_it(studio: AwsEnv) -> None:
    def deny_public(call: Call) -> Answer | None:
        if call.operation == "DescribeDomain" and b'"d-public"' in call.body:
            return Answer(400, "AccessDeniedException", "not this one")
        return None

    with fault_proxy(studio.endpoint, deny_public) as proxy:
        result = _audit(studio, "--region", REGION, "--format", "json", endpoint=proxy)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    (error,) = report["errors"]
    assert error["location"] == {**REGION_ONLY, "name": "d-public"}
    assert "access denied to sagemaker:DescribeDomain" in error["message"]
    assert report["summary"]["domains"] == 3 and report["summary"]["regions"] == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"sm-guardrails: error: {REGION} d-public: ")


def test_a_note_about_a_known_resource_is_located_at_its_arn_in_sarif(studio: AwsEnv) -> None:
    def deny_tags(call: Call) -> Answer | None:
        if call.operation == "ListTags" and b"domain/d-public" in call.body:
            return Answer(400, "AccessDeniedException", "no tags for you")
        return None

    with fault_proxy(studio.endpoint, deny_tags) as proxy:
        result = _audit(studio, "--region", REGION, "--format", "sarif", endpoint=proxy)
    assert result.returncode == 2
    (run,) = json.loads(result.stdout)["runs"]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert "access denied to sagemaker:ListTags" in note["message"]["text"]
    (where,) = note["locations"]
    arn = f"arn:aws:sagemaker:{REGION}:123456789012:domain/d-public"
    assert where == {
        "logicalLocations": [{"name": "public", "fullyQualifiedName": arn, "kind": "resource"}]
    }
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"sm-guardrails: error: {REGION} public ({arn}): ")
