"""The harness answers invokes: the common pure ones by default, others from --invokes FILE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore
import pulumi_aws as aws
import pytest

from sm_guardrails.pulumi.harness import ProgramMocks, run_program_dir, run_with_mocks
from sm_guardrails.pulumi.invokes import PARTITIONS, InvokeAnswers, InvokeAnswersError
from tests.pulumi.conftest import PROGRAMS, Harness

GET_VPC = "aws:ec2/getVpc:getVpc"
GET_ROUTE_TABLES = "aws:ec2/getRouteTables:getRouteTables"


def test_a_program_using_get_policy_document_runs_and_is_judged(harness_command: Harness) -> None:
    result = harness_command("policy_document")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "3 resources sent to the policy pack" in result.stdout


def test_the_rendered_policy_document_is_the_policy_its_statements_say() -> None:
    resources = run_program_dir(PROGRAMS / "policy_document", {"aws:region": "cn-north-1"})
    [role] = [r for r in resources if r.resource_type == "aws:iam/role:Role"]
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "sagemaker.amazonaws.com.cn"},
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }
    [subnet] = [r for r in resources if r.resource_type == "aws:ec2/subnet:Subnet"]
    assert subnet.inputs["availabilityZone"] == "cn-north-1a"


def test_policy_documents_merge_sources_statements_and_overrides() -> None:
    mocks = ProgramMocks(preview=True)
    documents: list[Any] = []

    def program() -> None:
        source = json.dumps(
            {"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
                            "Resource": "*"}, {"Sid": "Keep", "Effect": "Allow",
                                              "Action": "s3:ListBucket", "Resource": "*"}]}
        )  # fmt: skip
        override = json.dumps({"Statement": {"Sid": "Keep", "Effect": "Deny", "Action": "*"}})
        document = aws.iam.get_policy_document(
            policy_id="notebooks",
            source_policy_documents=[source],
            override_policy_documents=[override],
            statements=[
                aws.iam.GetPolicyDocumentStatementArgs(
                    sid="Read",
                    actions=["s3:GetObject", "s3:GetObjectVersion", "s3:GetObject"],
                    resources=["arn:aws:s3:::data/*"],
                    principals=[
                        aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])
                    ],
                ),
                aws.iam.GetPolicyDocumentStatementArgs(effect="Deny", not_actions=["s3:*"]),
            ],
        )
        documents.append(document)

    run_with_mocks(program, mocks=mocks)
    [document] = documents
    expected = {
        "Version": "2012-10-17",
        "Id": "notebooks",
        "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
             "Resource": "arn:aws:s3:::data/*", "Principal": "*"},
            {"Sid": "Keep", "Effect": "Deny", "Action": "*"},
            {"Effect": "Deny", "NotAction": "s3:*"},
        ],
    }  # fmt: skip
    assert json.loads(document.json) == expected
    assert json.loads(document.minified_json) == expected
    assert "\n" not in document.minified_json


def test_pure_invokes_get_plausible_answers_for_the_configured_region() -> None:
    answers = InvokeAnswers(region="ap-southeast-2")
    assert answers.answer("aws:index/getRegion:getRegion", {}) == {
        "region": "ap-southeast-2",
        "name": "ap-southeast-2",
        "id": "ap-southeast-2",
        "endpoint": "ec2.ap-southeast-2.amazonaws.com",
    }
    zones = answers.answer(
        "aws:index/getAvailabilityZones:getAvailabilityZones", {"excludeNames": ["ap-southeast-2b"]}
    )
    assert zones is not None
    assert (zones["names"], zones["zoneIds"]) == (
        ["ap-southeast-2a", "ap-southeast-2c"],
        ["apse2-az1", "apse2-az3"],
    )
    identity = answers.answer("aws:index/getCallerIdentity:getCallerIdentity", {})
    assert identity is not None and identity["accountId"] == "123456789012"
    assert answers.answer("aws:index/getPartition:getPartition", {}) == {
        "partition": "aws",
        "id": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }
    assert answers.answer(GET_VPC, {}) is None


def test_the_partitions_are_botocores() -> None:
    endpoints = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    by_name = {partition["partition"]: partition for partition in endpoints["partitions"]}
    answers = InvokeAnswers()
    for prefix, name, dns_suffix in PARTITIONS:
        assert by_name[name]["dnsSuffix"] == dns_suffix
        assert any(region.startswith(prefix) for region in by_name[name]["regions"])
        assert answers.partition(f"{prefix}east-1") == (name, dns_suffix)
    assert answers.partition("eu-west-1") == ("aws", by_name["aws"]["dnsSuffix"])


def test_an_unanswered_invoke_that_fails_the_program_is_named_in_one_line(
    harness_command: Harness,
) -> None:
    result = harness_command("lookup_vpc")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: TypeError: Missing required property 'vpc_id'; ")
    called = f"the program called {GET_VPC}, {GET_ROUTE_TABLES}, which the harness answered"
    assert f"{called} with an empty result: give canned results with --invokes FILE" in line


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_canned_invoke_results_answer_the_program(
    tmp_path: Path, suffix: str, harness_command: Harness
) -> None:
    canned = tmp_path / f"invokes{suffix}"
    results = {GET_VPC: {"id": "vpc-0123456789abcdef0", "cidrBlock": "10.0.0.0/16"}}
    canned.write_text(json.dumps(results) if suffix == ".json" else f"{GET_VPC}:\n  id: vpc-1\n")
    result = harness_command("lookup_vpc", "--invokes", canned)
    assert result.returncode == 0, result.stderr
    assert "0 mandatory" in result.stdout
    assert GET_VPC not in result.stderr


def test_an_invoke_answered_empty_is_noted_when_the_program_still_runs(
    tmp_path: Path, harness_command: Harness
) -> None:
    canned = tmp_path / "invokes.json"
    canned.write_text(json.dumps({GET_VPC: {"id": "vpc-1"}}))
    result = harness_command("lookup_vpc", "--invokes", canned)
    assert result.returncode == 0, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"note: the program called {GET_ROUTE_TABLES}, which the harness ")
    mocks = ProgramMocks(
        preview=True, lookups={GET_VPC: {"id": "vpc-1"}, GET_ROUTE_TABLES: {"ids": []}}
    )
    run_program_dir(PROGRAMS / "lookup_vpc", mocks=mocks)
    assert mocks.unanswered == []


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("[1, 2]", "expected a mapping of invoke token to result"),
        ('{"getVpc": {}}', "'getVpc' is not an invoke token"),
        (f'{{"{GET_VPC}": "vpc-1"}}', f"the result of {GET_VPC} must be a mapping"),
        ("{unclosed", "cannot read it"),
    ],
)
def test_a_bad_invokes_file_is_one_line(
    tmp_path: Path, content: str, error: str, harness_command: Harness
) -> None:
    canned = tmp_path / "invokes.yaml"
    canned.write_text(content)
    result = harness_command("lookup_vpc", "--invokes", canned)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: InvokeAnswersError: --invokes {canned}: ") and error in line


def test_a_source_document_that_is_not_json_is_named() -> None:
    def program() -> None:
        aws.iam.get_policy_document(source_policy_documents=["not json"])

    with pytest.raises(InvokeAnswersError, match="a source or override policy document is not"):
        run_with_mocks(program, mocks=ProgramMocks(preview=True))


def test_a_pack_that_fails_after_the_program_ran_does_not_blame_the_invokes(
    tmp_path: Path, harness_command: Harness
) -> None:
    canned = tmp_path / "invokes.json"
    canned.write_text(json.dumps({GET_VPC: {"id": "vpc-1"}}))
    result = harness_command("lookup_vpc", "--invokes", canned, "--policy-pack", tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: PolicyPackError: {tmp_path} is not a policy pack")
    assert GET_ROUTE_TABLES not in line
