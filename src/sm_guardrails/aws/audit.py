"""Audit the resources of every declared kind in an account: list, describe and judge them.

Region by region and kind by kind (:data:`sm_guardrails.kinds.KINDS`, each with its
``api`` reader), listing pages through the kind's List call; each resource's Describe
call and ``ListTags`` run on a bounded thread pool, at most ``2 * workers`` resources in
flight, and every finding goes to ``on_finding`` as soon as its resource is judged, so
memory stays flat however many there are. A region, or one kind in a region, that cannot
be listed, or a region name that is no region name, is an error note (the run exits 2),
and everything else is still audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sm_guardrails.aws.clients import AwsSettings, RegionNameError, ec2_client, sagemaker_client
from sm_guardrails.aws.errors import aws_problem, is_not_found
from sm_guardrails.aws.resources import DeployedResource, deployed_resource
from sm_guardrails.cloudformation import CheckReport
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.deployed import DeployedFinding, DeployedLocation, DeployedNote
from sm_guardrails.evaluation import evaluate
from sm_guardrails.kinds import KINDS, ResourceKind

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

DISCOVERY_REGION = "us-east-1"
"""Where ``enabled_regions`` asks EC2 when the session names no region."""


@dataclass(frozen=True)
class Progress:
    """How far a run is: resources listed and judged, regions listed of all."""

    listed: int
    judged: int
    regions_listed: int
    regions: int


class RegionError(Exception):
    """A region (or the account) could not be read; the message is one line for the user."""


def enabled_regions(session: boto3.Session, settings: AwsSettings) -> list[str]:
    """The account's enabled regions (EC2 DescribeRegions leaves disabled opt-in regions out)."""
    region = session.region_name or DISCOVERY_REGION
    try:
        response = ec2_client(session, region, settings).describe_regions()
    except RegionNameError as error:
        raise RegionError(f"cannot list the account's regions: {error}") from None
    except (ClientError, BotoCoreError) as error:
        problem = aws_problem(error, region, "ec2:DescribeRegions")
        raise RegionError(f"cannot list the account's regions: {problem}") from None
    return sorted(item["RegionName"] for item in response["Regions"] if "RegionName" in item)


def region_clients(
    session: boto3.Session, regions: Iterable[str], settings: AwsSettings
) -> tuple[dict[str, SageMakerClient], list[DeployedNote]]:
    """A SageMaker client per region, and an error note per region that is no region name."""
    clients: dict[str, SageMakerClient] = {}
    unusable: list[DeployedNote] = []
    for region in dict.fromkeys(regions):
        try:
            clients[region] = sagemaker_client(session, region, settings)
        except RegionNameError as error:
            unusable.append(DeployedNote(DeployedLocation.region_only(region), str(error)))
    return clients, unusable


def audit_regions(
    clients: Mapping[str, SageMakerClient],
    config: GuardrailConfig,
    on_finding: Callable[[DeployedFinding], None],
    *,
    workers: int = 8,
    on_progress: Callable[[Progress], None] | None = None,
    unusable: Iterable[DeployedNote] = (),
    kinds: Iterable[ResourceKind] = KINDS,
) -> CheckReport:
    """Audit every resource of ``kinds`` in each region of ``clients`` (region to client).

    Findings (passes left out) go to ``on_finding``, each located by the resource's
    account (from its ARN), region, ARN and name.
    The report counts the regions whose every kind was listed in ``templates`` (its
    ``source`` is "region") and the resources judged per kind, and holds one error note per
    region, kind of a region or resource that could not be read (the ``unusable`` notes of
    :func:`region_clients` first), and one skipped note per resource deleted while the run
    read it or per ignored exemption tag.
    """
    report = CheckReport(source="region", errors=list(unusable))
    kinds = tuple(kinds)
    listed = regions_listed = 0

    def judge(done: Future[DeployedResource | _Unread]) -> None:
        outcome = done.result()
        if isinstance(outcome, _Unread):
            (report.errors if outcome.is_error else report.skipped).append(outcome.note)
        else:
            _report_resource(outcome, config, report, on_finding)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="audit") as pool:
        pending: set[Future[DeployedResource | _Unread]] = set()
        for region, client in clients.items():
            unread = 0
            for kind in kinds:
                try:
                    for resource_id in _resource_ids(client, kind, region):
                        listed += 1
                        while len(pending) >= 2 * workers:
                            done, pending = wait(pending, return_when=FIRST_COMPLETED)
                            for future in done:
                                judge(future)
                            _tell(on_progress, listed, report, regions_listed, len(clients))
                        pending.add(pool.submit(_read, client, kind, region, resource_id, config))
                except RegionError as error:
                    report.errors.append(
                        DeployedNote(DeployedLocation.region_only(region), str(error))
                    )
                    unread += 1
            report.templates += not unread
            regions_listed += 1
            _tell(on_progress, listed, report, regions_listed, len(clients))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                judge(future)
            _tell(on_progress, listed, report, regions_listed, len(clients))
    return report


@dataclass(frozen=True)
class _Unread:
    """Why a listed resource was not judged: an error (unreadable) or not (deleted since)."""

    note: DeployedNote
    is_error: bool


def _tell(
    on_progress: Callable[[Progress], None] | None,
    listed: int,
    report: CheckReport,
    regions_listed: int,
    regions: int,
) -> None:
    if on_progress is not None:
        judged = sum(report.resources.values())
        on_progress(Progress(listed, judged, regions_listed, regions))


def _resource_ids(client: SageMakerClient, kind: ResourceKind, region: str) -> Iterator[str]:
    """The ids of the region's resources of ``kind`` (what Describe takes), page by page."""
    api = kind.api
    try:
        for page in client.get_paginator(api.list_operation).paginate():  # type: ignore[call-overload]
            for summary in page[api.list_key]:
                yield summary[api.id_field]
    except (ClientError, BotoCoreError) as error:
        problem = aws_problem(error, region, api.list_action)
        raise RegionError(problem) from None


def _read(
    client: SageMakerClient,
    kind: ResourceKind,
    region: str,
    resource_id: str,
    config: GuardrailConfig,
) -> DeployedResource | _Unread:
    """Describe resource ``resource_id`` of ``kind`` and read its tags; why not, when it is
    gone or unreadable."""
    api = kind.api
    action = api.describe_action
    where = DeployedLocation(None, region, name=resource_id)
    try:
        description: Any = getattr(client, api.describe_operation)(**{api.id_field: resource_id})
        where = DeployedLocation.of(
            description[api.arn_field], region, description.get(api.name_field, resource_id)
        )
        action = "sagemaker:ListTags"
        tags: list[Any] = []
        for page in client.get_paginator("list_tags").paginate(ResourceArn=where.arn or ""):
            tags.extend(page["Tags"])
    except (ClientError, BotoCoreError) as error:
        if is_not_found(error):
            gone = DeployedNote(where, "deleted after it was listed, so it was not audited")
            return _Unread(gone, is_error=False)
        return _Unread(DeployedNote(where, aws_problem(error, region, action)), is_error=True)
    return deployed_resource(
        kind, description, tags, region, honour_exemption_tags=config.tag_exemptions
    )


def _report_resource(
    resource: DeployedResource,
    config: GuardrailConfig,
    report: CheckReport,
    on_finding: Callable[[DeployedFinding], None],
) -> None:
    report.resources[resource.spec.kind] += 1
    location = DeployedLocation.of(resource.arn, resource.region, resource.name)
    for tag in resource.ignored_exemption_tags:
        report.skipped.append(
            DeployedNote(
                location,
                f"exemption tag {tag} not honoured: tag_exemptions is false in the config",
            )
        )
    for finding in evaluate(resource.spec, config, passes=False):
        report.count(finding)
        on_finding(DeployedFinding(finding, location))
