"""Audit the notebook instances of an account: list, describe and judge them, region by region.

Listing pages through ``ListNotebookInstances``; each notebook's ``DescribeNotebookInstance``
and ``ListTags`` run on a bounded thread pool, at most ``2 * workers`` notebooks in flight,
and every finding goes to ``on_finding`` as soon as its notebook is judged, so memory stays
flat however many notebooks there are. A region that cannot be read, or whose name is no
region name, is an error note (the run exits 2) and the other regions are still audited.
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
from sm_guardrails.cloudformation import CheckReport, FileNote
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.deployed import DeployedFinding, DeployedLocation
from sm_guardrails.evaluation import evaluate
from sm_guardrails.kinds import NOTEBOOK_INSTANCE

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

DISCOVERY_REGION = "us-east-1"
"""Where ``enabled_regions`` asks EC2 when the session names no region."""


@dataclass(frozen=True)
class Progress:
    """How far a run is: notebooks listed and judged, regions listed of all."""

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
) -> tuple[dict[str, SageMakerClient], list[FileNote]]:
    """A SageMaker client per region, and an error note per region that is no region name."""
    clients: dict[str, SageMakerClient] = {}
    unusable: list[FileNote] = []
    for region in dict.fromkeys(regions):
        try:
            clients[region] = sagemaker_client(session, region, settings)
        except RegionNameError as error:
            unusable.append(FileNote(region, str(error)))
    return clients, unusable


def audit_regions(
    clients: Mapping[str, SageMakerClient],
    config: GuardrailConfig,
    on_finding: Callable[[DeployedFinding], None],
    *,
    workers: int = 8,
    on_progress: Callable[[Progress], None] | None = None,
    unusable: Iterable[FileNote] = (),
) -> CheckReport:
    """Audit every notebook instance of each region of ``clients`` (region to SageMaker client).

    Findings (passes left out) go to ``on_finding``, each located by the notebook's
    account (from its ARN), region, ARN and name.
    The report counts regions read in ``templates`` (its ``source`` is "region"), notebooks
    judged, and holds one error note per region or notebook that could not be read (the
    ``unusable`` notes of :func:`region_clients` first), and one skipped note per notebook
    deleted while the run read it or per ignored exemption tag.
    """
    report = CheckReport(source="region", errors=list(unusable))
    listed = regions_listed = 0

    def judge(done: Future[DeployedResource | _Note]) -> None:
        outcome = done.result()
        if isinstance(outcome, _Note):
            (report.errors if outcome.is_error else report.skipped).append(outcome.note)
        else:
            _report_notebook(outcome, config, report, on_finding)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="audit") as pool:
        pending: set[Future[DeployedResource | _Note]] = set()
        for region, client in clients.items():
            try:
                for name in _notebook_names(client, region):
                    listed += 1
                    while len(pending) >= 2 * workers:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in done:
                            judge(future)
                        _tell(on_progress, listed, report, regions_listed, len(clients))
                    pending.add(pool.submit(_read_notebook, client, region, name, config))
            except RegionError as error:
                report.errors.append(FileNote(region, str(error)))
            else:
                report.templates += 1
            regions_listed += 1
            _tell(on_progress, listed, report, regions_listed, len(clients))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                judge(future)
            _tell(on_progress, listed, report, regions_listed, len(clients))
    return report


@dataclass(frozen=True)
class _Note:
    """Why a listed notebook was not judged: an error (unreadable) or not (deleted since)."""

    note: FileNote
    is_error: bool


def _tell(
    on_progress: Callable[[Progress], None] | None,
    listed: int,
    report: CheckReport,
    regions_listed: int,
    regions: int,
) -> None:
    if on_progress is not None:
        on_progress(Progress(listed, report.notebooks, regions_listed, regions))


def _notebook_names(client: SageMakerClient, region: str) -> Iterator[str]:
    """The names of the region's notebook instances, page by page."""
    try:
        for page in client.get_paginator("list_notebook_instances").paginate():
            for summary in page["NotebookInstances"]:
                yield summary["NotebookInstanceName"]
    except (ClientError, BotoCoreError) as error:
        raise RegionError(aws_problem(error, region, "sagemaker:ListNotebookInstances")) from None


def _read_notebook(
    client: SageMakerClient, region: str, name: str, config: GuardrailConfig
) -> DeployedResource | _Note:
    """Describe notebook ``name`` and read its tags; a note when it is gone or unreadable."""
    action = "sagemaker:DescribeNotebookInstance"
    try:
        description: Any = client.describe_notebook_instance(NotebookInstanceName=name)
        action = "sagemaker:ListTags"
        tags: list[Any] = []
        for page in client.get_paginator("list_tags").paginate(
            ResourceArn=description["NotebookInstanceArn"]
        ):
            tags.extend(page["Tags"])
    except (ClientError, BotoCoreError) as error:
        where = f"{region} {name}"
        if is_not_found(error):
            gone = FileNote(where, "deleted after it was listed, so it was not audited")
            return _Note(gone, is_error=False)
        return _Note(FileNote(where, aws_problem(error, region, action)), is_error=True)
    return deployed_resource(
        NOTEBOOK_INSTANCE, description, tags, region, honour_exemption_tags=config.tag_exemptions
    )


def _report_notebook(
    notebook: DeployedResource,
    config: GuardrailConfig,
    report: CheckReport,
    on_finding: Callable[[DeployedFinding], None],
) -> None:
    report.notebooks += 1
    for tag in notebook.ignored_exemption_tags:
        report.skipped.append(
            FileNote(
                notebook.arn,
                f"exemption tag {tag} not honoured: tag_exemptions is false in the config",
            )
        )
    location = DeployedLocation.of(notebook.arn, notebook.region, notebook.name)
    for finding in evaluate(notebook.spec, config, passes=False):
        report.count(finding)
        on_finding(DeployedFinding(finding, location))
