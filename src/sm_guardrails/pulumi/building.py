"""What the secure components share: argument checks, the execution role, the customer
managed key, and VPC endpoints that admit HTTPS from the resource's security groups only."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import pulumi
import pulumi_aws as aws

ASSUME_ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
"""Lets SageMaker assume the execution role, and nobody else."""

S3_GATEWAY_SERVICE = "com.amazonaws.{region}.s3"

Tags = Mapping[str, pulumi.Input[str]]


class ComponentArgumentError(pulumi.RunError, ValueError):
    """A component's argument is wrong; the message says how to fix it.

    A ``pulumi.RunError``, so ``pulumi preview`` prints the message without a traceback.
    """


def require_id(value: object, name: str, what: str, error: type[ComponentArgumentError]) -> None:
    """Refuse an id that is missing or blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise error(f"{name} is {value!r}: give {what}")


def require_ids(
    values: Sequence[object] | None,
    name: str,
    what: str,
    error: type[ComponentArgumentError],
    when_empty: str | None = None,
) -> None:
    """Refuse a list of ids with a blank one, or that is empty where ``when_empty`` says
    what to do instead."""
    if isinstance(values, str):
        raise error(f"{name} is {values!r}, a string: give a list of {what}s")
    if values is not None and not values and when_empty is not None:
        raise error(f"{name} is empty: {when_empty}")
    for index, value in enumerate(values or ()):
        require_id(value, f"{name}[{index}]", what, error)


def require_choice(
    value: str, name: str, choices: tuple[str, ...], error: type[ComponentArgumentError]
) -> None:
    """Refuse a value that is not exactly one of ``choices``."""
    if value not in choices:
        raise error(
            f"{name} is {value!r}: use {' or '.join(map(repr, choices))} (values are exact)"
        )


class NetworkOptions(Protocol):
    """The arguments every secure component has for its security group, endpoints and key."""

    @property
    def security_group_ids(self) -> Sequence[pulumi.Input[str]] | None: ...
    @property
    def allow_all_outbound(self) -> bool: ...
    @property
    def https_prefix_list_ids(self) -> Sequence[pulumi.Input[str]]: ...
    @property
    def vpc_endpoints(self) -> bool: ...
    @property
    def endpoint_client_security_group_ids(self) -> Sequence[pulumi.Input[str]]: ...
    @property
    def kms_key_id(self) -> pulumi.Input[str] | None: ...
    @property
    def use_aws_managed_key(self) -> bool: ...


def require_consistent(
    args: NetworkOptions,
    error: type[ComponentArgumentError],
    created_group_only: tuple[str, ...] = ("allow_all_outbound", "https_prefix_list_ids"),
) -> None:
    """Refuse arguments that contradict each other: options of the created group (named
    in ``created_group_only``) with groups given, all outbound with prefix lists,
    endpoint clients without endpoints, a key with the AWS managed key."""
    if args.security_group_ids is not None:
        for name in created_group_only:
            if getattr(args, name):
                raise error(
                    f"{name} applies only to the security group the component creates, "
                    "and security_group_ids is given: drop one of them"
                )
    if args.allow_all_outbound and args.https_prefix_list_ids:
        raise error(
            "https_prefix_list_ids adds to the HTTPS-only egress, and allow_all_outbound=True "
            "already allows everything: drop one of them"
        )
    if args.endpoint_client_security_group_ids and not args.vpc_endpoints:
        raise error(
            "endpoint_client_security_group_ids applies only to the endpoints the component "
            "creates: set vpc_endpoints=True as well, or drop it"
        )
    if args.kms_key_id is not None and args.use_aws_managed_key:
        raise error("kms_key_id and use_aws_managed_key=True contradict each other: drop one")


def execution_role(
    name: str,
    given: pulumi.Input[str] | None,
    description: str,
    tags: Tags,
    parent: pulumi.Resource,
) -> tuple[aws.iam.Role | None, pulumi.Input[str]]:
    """The role ARN ``given``, or a created role SageMaker can assume, with no policies
    (the caller grants what it needs), and its ARN."""
    if given is not None:
        return None, given
    role = aws.iam.Role(
        f"{name}-role",
        assume_role_policy=ASSUME_ROLE_POLICY,
        description=description,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return role, role.arn


def customer_managed_key(
    name: str, args: NetworkOptions, description: str, tags: Tags, parent: pulumi.Resource
) -> tuple[aws.kms.Key | None, pulumi.Input[str] | None]:
    """The key ``args`` give, none where they opt for the AWS managed key, else a created
    customer managed key with yearly rotation; and the key's id or ARN."""
    if args.kms_key_id is not None or args.use_aws_managed_key:
        return None, args.kms_key_id
    key = aws.kms.Key(
        f"{name}-key",
        description=description,
        enable_key_rotation=True,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return key, key.arn


@dataclass(frozen=True)
class Endpoints:
    """VPC endpoints and the security group in front of the interface endpoints."""

    security_group: aws.ec2.SecurityGroup
    endpoints: list[aws.ec2.VpcEndpoint]


def vpc_endpoints(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    subnet_ids: Sequence[pulumi.Input[str]],
    services: Mapping[str, str],
    client_group_ids: Sequence[pulumi.Input[str]],
    clients: str,
    tags: Tags,
    parent: pulumi.Resource,
) -> Endpoints:
    """Interface endpoints for ``services`` (resource-name suffix: service name with
    ``{region}``) in ``subnet_ids``, behind a group that admits HTTPS from
    ``client_group_ids`` only, and an S3 gateway endpoint on the subnets' route tables."""
    child = pulumi.ResourceOptions(parent=parent)
    lookup = pulumi.InvokeOutputOptions(parent=parent)
    region = aws.get_region_output(opts=lookup).region
    group = aws.ec2.SecurityGroup(
        f"{name}-endpoints-sg",
        description=f"SageMaker VPC endpoints: HTTPS in from the {clients} security groups only",
        vpc_id=vpc_id,
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                description=f"HTTPS from the {clients} and its named clients",
                protocol="tcp",
                from_port=443,
                to_port=443,
                security_groups=list(client_group_ids),
            )
        ],
        egress=[],
        tags=tags,
        opts=child,
    )
    endpoints = [
        aws.ec2.VpcEndpoint(
            f"{name}-{suffix}",
            vpc_id=vpc_id,
            service_name=region.apply(partial(_service_name, service_name)),
            vpc_endpoint_type="Interface",
            subnet_ids=list(subnet_ids),
            security_group_ids=[group.id],
            private_dns_enabled=True,
            tags=tags,
            opts=child,
        )
        for suffix, service_name in services.items()
    ]
    route_tables = [
        aws.ec2.get_route_table_output(subnet_id=subnet, opts=lookup).id for subnet in subnet_ids
    ]
    endpoints.append(
        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc_id,
            service_name=region.apply(partial(_service_name, S3_GATEWAY_SERVICE)),
            vpc_endpoint_type="Gateway",
            route_table_ids=pulumi.Output.all(*route_tables).apply(_distinct),
            tags=tags,
            opts=child,
        )
    )
    return Endpoints(group, endpoints)


def _service_name(template: str, region: str) -> str:
    """A VPC endpoint service name in ``region``."""
    return template.format(region=region)


def _distinct(ids: list[str]) -> list[str]:
    """``ids`` without repeats, in their order (subnets often share a route table)."""
    return list(dict.fromkeys(ids))
