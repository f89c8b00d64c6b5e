"""Where a secure construct puts its resource: private subnets, a security group that
reaches the VPC only, and the checks of the options that shape them."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from sm_guardrails.cdk.endpoints import HTTPS

_SELECTION_FIELDS = (
    "availability_zones",
    "one_per_az",
    "subnet_filters",
    "subnet_group_name",
    "subnet_type",
    "subnets",
)
"""The fields of ``ec2.SubnetSelection``, which are ``select_subnets``'s keyword arguments."""


def private_subnets(
    path: str,
    vpc: ec2.IVpc,
    selection: ec2.SubnetSelection | None,
    error: type[ValueError],
    noun: str,
) -> list[ec2.ISubnet]:
    """The subnets of the selection that are not among the VPC's public subnets.

    A selection of public subnets only raises ``error``, saying what ``noun`` needs.
    """
    # Python's select_subnets takes the selection's fields as keyword arguments.
    fields = {name: getattr(selection, name) for name in _SELECTION_FIELDS} if selection else {}
    selected = vpc.select_subnets(**fields).subnets
    public = {subnet.subnet_id for subnet in vpc.public_subnets}
    private = [subnet for subnet in selected if subnet.subnet_id not in public]
    if private:
        return private
    raise error(
        f"{path}: vpc_subnets selects only public subnets"
        f"{'' if selected else ' (it selects none)'}; {noun} without internet access "
        "belongs in private subnets: select PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets"
    )


def check_security_group_options(
    path: str,
    security_groups: Sequence[ec2.ISecurityGroup] | None,
    allow_all_outbound: bool,
    https_prefix_list_ids: Sequence[str],
    error: type[ValueError],
) -> None:
    """Raise ``error`` for options of the created security group that cannot be combined."""
    if security_groups is not None and not security_groups:
        raise error(
            f"{path}: security_groups is an empty list; pass at least one security group, "
            "or leave it out to get a new one"
        )
    if isinstance(https_prefix_list_ids, str):
        raise error(
            f"{path}: https_prefix_list_ids is the string {https_prefix_list_ids!r}; "
            "pass a list of prefix list ids, e.g. [s3_prefix_list_id]"
        )
    for name, given in (
        ("allow_all_outbound", allow_all_outbound),
        ("https_prefix_list_ids", https_prefix_list_ids),
    ):
        if security_groups and given:
            raise error(
                f"{path}: {name} applies only to the security group this construct "
                "creates; with your own security_groups, set their outbound rules instead"
            )
    if allow_all_outbound and https_prefix_list_ids:
        raise error(
            f"{path}: https_prefix_list_ids adds to the HTTPS-only outbound rules, and "
            "allow_all_outbound=True already allows everything; pass only one"
        )


def vpc_security_group(
    scope: Construct,
    vpc: ec2.IVpc,
    allow_all_outbound: bool,
    https_prefix_list_ids: Sequence[str],
    description: str,
) -> ec2.SecurityGroup:
    """A group with no inbound rules whose outbound rules are HTTPS to the VPC's CIDR
    (for interface endpoints) and to the prefix lists, or everything."""
    group = ec2.SecurityGroup(
        scope,
        "SecurityGroup",
        vpc=vpc,
        allow_all_outbound=allow_all_outbound,
        description=description,
    )
    if not allow_all_outbound:
        group.add_egress_rule(
            ec2.Peer.ipv4(vpc.vpc_cidr_block), HTTPS, "HTTPS to VPC endpoints in the VPC"
        )
    for prefix_list_id in https_prefix_list_ids:
        group.add_egress_rule(
            ec2.Peer.prefix_list(prefix_list_id), HTTPS, f"HTTPS to prefix list {prefix_list_id}"
        )
    return group
