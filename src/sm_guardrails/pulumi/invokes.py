"""Answers to the invokes (data sources) a program calls when the harness runs it under mocks.

Mocks answer an invoke with whatever the test gives; an empty result leaves every
field of the result ``None``, and a program that passes one on (the JSON of
``aws.iam.get_policy_document`` as a role's ``assume_role_policy``) fails. The
harness answers the common invokes that need no AWS account with plausible values
(:data:`DEFAULT_ANSWERERS`), takes canned results by token from a file for the
others, and names the ones it could not answer.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

DEFAULT_REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
"""The account the harness's caller identity is in (AWS's documentation account)."""

GET_POLICY_DOCUMENT = "aws:iam/getPolicyDocument:getPolicyDocument"
GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
GET_REGION = "aws:index/getRegion:getRegion"
GET_AVAILABILITY_ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"
GET_PARTITION = "aws:index/getPartition:getPartition"

PARTITIONS = (("cn-", "aws-cn", "amazonaws.com.cn"), ("us-gov-", "aws-us-gov", "amazonaws.com"))
"""Region prefix, partition and DNS suffix (botocore's endpoints.json); any other region is in
``aws``, ``amazonaws.com``."""

DIRECTIONS = {
    "north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
    "northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw",
}  # fmt: skip
"""How an availability zone ID abbreviates its region's direction (``ap-southeast-2`` is
``apse2``)."""

STATEMENT_KEYS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("notActions", "NotAction"),
    ("resources", "Resource"),
    ("notResources", "NotResource"),
    ("principals", "Principal"),
    ("notPrincipals", "NotPrincipal"),
    ("conditions", "Condition"),
)
"""A ``getPolicyDocument`` statement's argument names and the policy's, in the policy's order."""

Answerer = Callable[["InvokeAnswers", Mapping[str, Any]], dict[str, Any]]


class InvokeAnswersError(ValueError):
    """A canned results file that is not a mapping of invoke token to result, or
    arguments a default answer cannot read."""


class InvokeAnswers:
    """Results for invokes by token: the canned ones first, else a default answerer's."""

    def __init__(
        self, canned: Mapping[str, Mapping[str, Any]] | None = None, region: str = DEFAULT_REGION
    ) -> None:
        self.canned = dict(canned or {})
        self.region = region

    def answer(self, token: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
        """The result of invoke ``token`` with ``args``, or ``None`` when there is none."""
        if token in self.canned:
            return dict(self.canned[token])
        answerer = DEFAULT_ANSWERERS.get(token)
        return answerer(self, args) if answerer is not None else None

    def partition(self, region: str) -> tuple[str, str]:
        """The partition and DNS suffix of ``region``."""
        for prefix, partition, dns_suffix in PARTITIONS:
            if region.startswith(prefix):
                return partition, dns_suffix
        return "aws", "amazonaws.com"


def load_canned(path: Path) -> dict[str, dict[str, Any]]:
    """Read a JSON or YAML file mapping invoke tokens to results."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        reason = str(error).splitlines()[0]
        raise InvokeAnswersError(f"--invokes {path}: cannot read it: {reason}") from None
    if not isinstance(data, dict):
        raise InvokeAnswersError(
            f"--invokes {path}: expected a mapping of invoke token to result, e.g. "
            '{"aws:ec2/getVpc:getVpc": {"id": "vpc-1", "cidrBlock": "10.0.0.0/16"}}'
        )
    for token, result in data.items():
        if not isinstance(token, str) or token.count(":") != 2:
            raise InvokeAnswersError(
                f"--invokes {path}: {token!r} is not an invoke token "
                "(package:module:function, e.g. aws:ec2/getVpc:getVpc)"
            )
        if not isinstance(result, dict):
            raise InvokeAnswersError(
                f"--invokes {path}: the result of {token} must be a mapping of its "
                f"output names (camelCase, as the provider returns them), not {result!r}"
            )
    return data


def _region(answers: InvokeAnswers, args: Mapping[str, Any]) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or answers.region
    _, dns_suffix = answers.partition(region)
    return {
        "region": region,
        "name": region,
        "id": region,
        "endpoint": f"ec2.{region}.{dns_suffix}",
    }


def _partition(answers: InvokeAnswers, args: Mapping[str, Any]) -> dict[str, Any]:
    partition, dns_suffix = answers.partition(answers.region)
    reverse = ".".join(reversed(dns_suffix.split(".")))
    return {
        "partition": partition,
        "id": partition,
        "dnsSuffix": dns_suffix,
        "reverseDnsPrefix": reverse,
    }


def _caller_identity(answers: InvokeAnswers, args: Mapping[str, Any]) -> dict[str, Any]:
    partition, _ = answers.partition(answers.region)
    return {
        "accountId": ACCOUNT_ID,
        "id": ACCOUNT_ID,
        "arn": f"arn:{partition}:iam::{ACCOUNT_ID}:user/sm-guardrails-harness",
        "userId": "AIDAEXAMPLEHARNESS",
    }


def _availability_zones(answers: InvokeAnswers, args: Mapping[str, Any]) -> dict[str, Any]:
    region = args.get("region") or answers.region
    area, *directions, number = region.split("-")
    short = area + "".join(DIRECTIONS.get(word, word[:1]) for word in directions) + number
    zones = [
        (f"{region}{letter}", f"{short}-az{index}")
        for index, letter in enumerate("abc", start=1)
        if f"{region}{letter}" not in (args.get("excludeNames") or [])
        and f"{short}-az{index}" not in (args.get("excludeZoneIds") or [])
    ]
    return {
        "id": region,
        "region": region,
        "names": [name for name, _ in zones],
        "zoneIds": [zone_id for _, zone_id in zones],
        "groupNames": [region] * len(zones),
        "state": args.get("state"),
    }


def _policy_document(answers: InvokeAnswers, args: Mapping[str, Any]) -> dict[str, Any]:
    statements: list[dict[str, Any]] = []
    for document in [*(args.get("sourcePolicyDocuments") or []), args.get("sourceJson")]:
        _merge(statements, _statements_of(document))
    _merge(statements, [_statement(statement) for statement in args.get("statements") or []])
    for document in [*(args.get("overridePolicyDocuments") or []), args.get("overrideJson")]:
        _merge(statements, _statements_of(document))
    policy: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        policy["Id"] = args["policyId"]
    policy["Statement"] = statements
    rendered = json.dumps(policy, indent=2)
    return {
        **args,
        "version": policy["Version"],
        "json": rendered,
        "minifiedJson": json.dumps(policy, separators=(",", ":")),
        "id": str(zlib.crc32(rendered.encode())),
    }


def _statement(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """One statement of the policy from a ``statements`` entry."""
    statement: dict[str, Any] = {}
    for argument, key in STATEMENT_KEYS:
        value = arguments.get(argument)
        if key == "Effect":
            statement[key] = value or "Allow"
        elif not value:
            continue
        elif key == "Sid":
            statement[key] = value
        elif key in ("Principal", "NotPrincipal"):
            statement[key] = _principals(value)
        elif key == "Condition":
            statement[key] = _conditions(value)
        else:
            statement[key] = _one_or_list(value)
    return statement


def _principals(principals: Sequence[Mapping[str, Any]]) -> Any:
    if [(p.get("type"), list(p.get("identifiers") or [])) for p in principals] == [("*", ["*"])]:
        return "*"
    by_type: dict[str, list[str]] = {}
    for principal in principals:
        by_type.setdefault(principal["type"], []).extend(principal.get("identifiers") or [])
    return {kind: _one_or_list(identifiers) for kind, identifiers in by_type.items()}


def _conditions(conditions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    by_test: dict[str, dict[str, Any]] = {}
    for condition in conditions:
        values = _one_or_list(condition.get("values") or [])
        by_test.setdefault(condition["test"], {})[condition["variable"]] = values
    return by_test


def _one_or_list(values: Sequence[Any]) -> Any:
    """A policy's list: one value alone, more as a list without repeats."""
    unique = list(dict.fromkeys(values))
    return unique[0] if len(unique) == 1 else unique


def _statements_of(document: Any) -> list[dict[str, Any]]:
    if not document:
        return []
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError) as error:
        raise InvokeAnswersError(
            f"{GET_POLICY_DOCUMENT}: a source or override policy document is not a JSON "
            f"policy ({error}): {document[:60]!r}"
        ) from None
    return [statements] if isinstance(statements, dict) else list(statements)


def _merge(statements: list[dict[str, Any]], more: list[dict[str, Any]]) -> None:
    """Add ``more``; a statement whose ``Sid`` is already there replaces that one."""
    for statement in more:
        sids = [existing.get("Sid") for existing in statements]
        if statement.get("Sid") and statement["Sid"] in sids:
            statements[sids.index(statement["Sid"])] = statement
        else:
            statements.append(statement)


DEFAULT_ANSWERERS: dict[str, Answerer] = {
    GET_POLICY_DOCUMENT: _policy_document,
    GET_CALLER_IDENTITY: _caller_identity,
    GET_REGION: _region,
    GET_AVAILABILITY_ZONES: _availability_zones,
    GET_PARTITION: _partition,
}
"""The invokes answered without a canned result: they read no account's resources."""
