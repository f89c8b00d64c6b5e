"""The plan that takes a deployed notebook off the internet: stop, delete, recreate.

``DirectInternetAccess``, ``SubnetId`` and ``SecurityGroupIds`` are create-only, so the
remediation of SMG-1 / SMG-2 (Security Hub SageMaker.1, Lacework lacework-global-388)
replaces the notebook under the same name, with every other setting carried over and
its ML storage volume lost. The plan is plain data: it is shown, written to the
journal, and read back from it on ``--resume``.
"""

from __future__ import annotations

import functools
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import botocore.session
from botocore.model import Shape
from botocore.validate import ParamValidator

from sm_guardrails.aws.resources import deployed_resource
from sm_guardrails.catalog import SMG_0, Level
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG, Finding, evaluate
from sm_guardrails.kinds import NOTEBOOK_INSTANCE, Spelling
from sm_guardrails.model import ResourceSpec
from sm_guardrails.rules import Verdict

REPLACED_BY = ("SMG-1", "SMG-2")
"""The rules whose fix needs a new notebook (create-only properties)."""
FIXED_IN_PLACE = ("SMG-3", "SMG-5")
"""The rules UpdateNotebookInstance fixes without a replacement; a replacement fixes them too."""

CARRIED_OVER: tuple[tuple[str, str], ...] = (
    ("InstanceType", "InstanceType"),
    ("RoleArn", "RoleArn"),
    ("NotebookInstanceLifecycleConfigName", "LifecycleConfigName"),
    ("VolumeSizeInGB", "VolumeSizeInGB"),
    ("KmsKeyId", "KmsKeyId"),
    ("AcceleratorTypes", "AcceleratorTypes"),
    ("DefaultCodeRepository", "DefaultCodeRepository"),
    ("AdditionalCodeRepositories", "AdditionalCodeRepositories"),
    ("PlatformIdentifier", "PlatformIdentifier"),
    ("IpAddressType", "IpAddressType"),
)
"""(DescribeNotebookInstance field, CreateNotebookInstance parameter) copied unchanged."""

SET_BY_PLAN = (
    "NotebookInstanceName",
    "Tags",
    "DirectInternetAccess",
    "SubnetId",
    "SecurityGroupIds",
    "RootAccess",
    "InstanceMetadataServiceConfiguration",
)
"""The CreateNotebookInstance parameters the plan decides rather than copies."""

REPLACEABLE_STATES = ("InService", "Stopping", "Stopped", "Failed")
"""States a replacement may start from; Pending, Updating and Deleting are refused."""

RESERVED_TAG_PREFIX = "aws:"

REQUEST_PREFIX = "plan.create_request."
"""Where the journal keeps the CreateNotebookInstance request, which spells the properties
as CloudFormation does."""


class PlanRefused(Exception):
    """The notebook cannot be replaced as asked; the message says why and what to pass."""


@dataclass(frozen=True)
class SettingRow:
    """One setting of the plan's table: its value before and after, and why it changes."""

    name: str
    before: object
    after: object
    why: str = ""


@dataclass(frozen=True)
class RemediationPlan:
    """Everything needed to replace one notebook, as JSON-ready data.

    ``original`` is the DescribeNotebookInstance response (times as ISO strings) and
    ``tags`` its ListTags tags: together they say what would be lost without the
    journal. ``create_request`` is the exact CreateNotebookInstance request.
    """

    region: str
    name: str
    original: Mapping[str, Any]
    tags: tuple[Mapping[str, str], ...]
    create_request: Mapping[str, Any]
    reasons: tuple[str, ...]
    dropped_tags: tuple[str, ...] = ()
    endpoint_url: str | None = None
    profile: str | None = None

    @property
    def arn(self) -> str:
        """The notebook's ARN (the new notebook, of the same name, has the same one)."""
        return str(self.original.get("NotebookInstanceArn", ""))

    @property
    def original_status(self) -> str:
        """The status the notebook was in when planned."""
        return str(self.original.get("NotebookInstanceStatus", ""))

    @property
    def restop(self) -> bool:
        """True when the notebook was stopped: the new one is stopped once it is InService."""
        return self.original_status in ("Stopped", "Failed")

    def to_json(self) -> dict[str, Any]:
        """The plan as plain JSON data, for the journal."""
        return {
            "region": self.region,
            "name": self.name,
            "original": dict(self.original),
            "tags": [dict(tag) for tag in self.tags],
            "create_request": dict(self.create_request),
            "reasons": list(self.reasons),
            "dropped_tags": list(self.dropped_tags),
            "endpoint_url": self.endpoint_url,
            "profile": self.profile,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> RemediationPlan:
        """The plan written by :meth:`to_json`; KeyError or TypeError when it is not one."""
        request = raw["create_request"]
        original = raw["original"]
        if not isinstance(request, dict) or not isinstance(original, dict):
            raise TypeError("create_request and original must be objects")
        problems = ParamValidator().validate(request, request_shape("CreateNotebookInstance"))
        if problems.has_errors():
            report = "; ".join(problems.generate_report().splitlines())
            raise TypeError(f"plan.create_request: {report}")
        if request.get("NotebookInstanceName") != raw["name"]:
            raise TypeError("create_request names another notebook")
        return cls(
            region=json_text(raw["region"]),
            name=json_text(raw["name"]),
            original=original,
            tags=tuple(_tag(tag) for tag in raw["tags"]),
            create_request=request,
            reasons=tuple(json_text(reason) for reason in raw["reasons"]),
            dropped_tags=tuple(json_text(tag) for tag in raw["dropped_tags"]),
            endpoint_url=json_optional_text(raw["endpoint_url"]),
            profile=json_optional_text(raw["profile"]),
        )

    def settings(self) -> list[SettingRow]:
        """Every setting of the new notebook beside the old one's, changes first."""
        before, after = self.original, self.create_request
        imds_before = (before.get("InstanceMetadataServiceConfiguration") or {}).get(
            "MinimumInstanceMetadataServiceVersion", "1 (not set)"
        )
        imds_after = after["InstanceMetadataServiceConfiguration"][
            "MinimumInstanceMetadataServiceVersion"
        ]
        changed = [
            SettingRow(
                "DirectInternetAccess",
                before.get("DirectInternetAccess", "Enabled (not set)"),
                after["DirectInternetAccess"],
                "SMG-1",
            ),
            SettingRow("SubnetId", before.get("SubnetId"), after["SubnetId"], "SMG-2"),
            SettingRow(
                "SecurityGroupIds",
                before.get("SecurityGroups"),
                after["SecurityGroupIds"],
                "SMG-2",
            ),
            SettingRow(
                "RootAccess",
                before.get("RootAccess", "Enabled (not set)"),
                after.get("RootAccess", "Enabled (not set)"),
                "SMG-3",
            ),
            SettingRow(
                "InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion",
                imds_before,
                imds_after,
                "SMG-5",
            ),
        ]
        carried = [
            SettingRow(parameter, before.get(field), after.get(parameter))
            for field, parameter in CARRIED_OVER
        ]
        return [
            *(row for row in changed if row.before != row.after),
            *(
                SettingRow(row.name, row.before, row.after)
                for row in changed
                if row.before == row.after
            ),
            *carried,
        ]

    def aws_cli_commands(self) -> list[str]:
        """The same replacement as AWS CLI commands a person could run instead of --apply."""
        where = ["--region", self.region]
        if self.endpoint_url:
            where += ["--endpoint-url", self.endpoint_url]
        if self.profile:
            where += ["--profile", self.profile]
        name = ["--notebook-instance-name", self.name]

        def sagemaker(*words: str) -> str:
            return shlex.join(["aws", "sagemaker", *words, *where])

        commands = []
        if self.original_status in ("InService", "Stopping"):
            if self.original_status == "InService":
                commands.append(sagemaker("stop-notebook-instance", *name))
            commands.append(sagemaker("wait", "notebook-instance-stopped", *name))
        commands += [
            sagemaker("delete-notebook-instance", *name),
            sagemaker("wait", "notebook-instance-deleted", *name),
            sagemaker(
                "create-notebook-instance",
                "--cli-input-json",
                json.dumps(self.create_request, sort_keys=True),
            ),
            sagemaker("wait", "notebook-instance-in-service", *name),
        ]
        if self.restop:
            commands.append(sagemaker("stop-notebook-instance", *name))
        return commands


def judged_for_remediation(
    spec: ResourceSpec, config: GuardrailConfig, fixed: Sequence[str] = REPLACED_BY
) -> list[Finding]:
    """The findings (passes left out) of ``spec`` as a remediation judges a resource it makes.

    As ``audit`` judges it under ``config``, except that the rules the remediation exists
    to fix (``fixed``: a notebook replacement's SMG-1, SMG-2) are always at error level and
    never exempted, by tag or config: a remediation never puts a resource back on the
    internet.
    """
    strict = replace(
        config,
        levels={**config.levels, **dict.fromkeys(fixed, Level.ERROR)},
        exemptions=tuple(e for e in config.exemptions if e.rule_id not in fixed),
    )
    kept = tuple(e for e in spec.exemptions if e.rule_id not in fixed)
    return evaluate(replace(spec, exemptions=kept), strict, passes=False)


def blocking(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that stop a remediation: error level, not exempted, not SMG-0.

    SMG-0 (a malformed exemption tag) is about tags the notebook already has and keeps;
    ``audit`` reports it, and it must not keep a notebook on the internet.
    """
    return [f for f in findings if f.blocking and f.rule is not SMG_0]


def describe_findings(findings: Sequence[Finding]) -> str:
    """``[SMG-1] message; [SMG-2] message``, for one-line refusals."""
    return "; ".join(f"[{finding.rule_id}] {finding.message}" for finding in findings)


def refuse_unsafe_request(
    plan: RemediationPlan, config: GuardrailConfig, where: str, *, from_journal: bool = False
) -> None:
    """:class:`PlanRefused` when the plan's create request breaks an error-level rule.

    The request is judged as the notebook it would create (its tags included), with
    :func:`judged_for_remediation`; ``where`` starts the message (the notebook or journal),
    ``from_journal`` says the plan was read back from a journal.
    """
    request = plan.create_request
    described = {
        **{key: value for key, value in request.items() if key != "SecurityGroupIds"},
        "SecurityGroups": request.get("SecurityGroupIds"),
        "NotebookInstanceArn": plan.arn,
    }
    tags = request.get("Tags", [])
    spec = deployed_resource(
        NOTEBOOK_INSTANCE, described, tags, plan.region, honour_exemption_tags=config.tag_exemptions
    ).spec
    problems = blocking(
        judged_for_remediation(
            replace(spec, spelling=Spelling.CLOUDFORMATION, property_prefix=REQUEST_PREFIX), config
        )
    )
    if not problems:
        return
    lower = [f"--level {f.rule_id}=warning" for f in problems if f.rule_id not in REPLACED_BY]
    if len(lower) == len(problems):
        hint = f"; to replace it anyway, lower that rule for this run ({' '.join(lower)})"
    elif from_journal:  # SMG-1 or SMG-2 fail: plan_remediation never writes that
        hint = (
            "; sm-guardrails never plans that, so the journal was edited: plan again with "
            f"`sm-guardrails remediate {plan.name}`"
        )
    else:
        hint = ""
    raise PlanRefused(
        f"{where}: refused before the create step: the new notebook would break "
        f"{describe_findings(problems)} (error level); nothing was changed{hint}"
    )


def replacement_reasons(findings: Sequence[Finding]) -> tuple[str, ...]:
    """The findings (not passing, not exempted) of the rules whose fix is a replacement."""
    return tuple(
        f"[{finding.rule_id}] {finding.message}"
        for finding in findings
        if finding.rule_id in REPLACED_BY
        and finding.verdict is not Verdict.PASS
        and finding.exemption is None
    )


def plan_remediation(
    description: Mapping[str, Any],
    tags: Sequence[Mapping[str, str]],
    region: str,
    *,
    subnet_id: str | None = None,
    security_group_ids: Sequence[str] = (),
    keep_root_access: bool = False,
    endpoint_url: str | None = None,
    profile: str | None = None,
    config: GuardrailConfig = DEFAULT_CONFIG,
) -> RemediationPlan:
    """The plan replacing the notebook ``description`` (with ``tags``) in ``region``.

    The core's findings under ``config`` decide whether a replacement is needed (SMG-1
    or SMG-2 failing, not exempted by the config or, unless it turns them off, a tag).
    Raises :class:`PlanRefused` when it is not needed, when the state
    allows no replacement, or when the new network settings cannot be known.
    """
    original = json_ready(description)
    name = str(original.get("NotebookInstanceName", ""))
    notebook = deployed_resource(
        NOTEBOOK_INSTANCE, original, tags, region, honour_exemption_tags=config.tag_exemptions
    )
    reasons = replacement_reasons(evaluate(notebook.spec, config, passes=False))
    if not reasons:
        raise PlanRefused(
            f"{name} ({region}) passes SMG-1 and SMG-2 (or is exempted): there is nothing a "
            "replacement would fix; SMG-3 and SMG-5 are fixed in place with "
            "update-notebook-instance (see `sm-guardrails audit`)"
        )
    status = str(original.get("NotebookInstanceStatus", ""))
    if status not in REPLACEABLE_STATES:
        raise PlanRefused(
            f"{name} ({region}) is {status or 'in an unknown state'}: a replacement starts only "
            f"from {', '.join(REPLACEABLE_STATES)}; wait until it is InService or Stopped "
            "and run this again"
        )
    subnet, groups = _network(original, subnet_id, tuple(security_group_ids))
    kept_tags = tuple(
        {"Key": tag["Key"], "Value": tag.get("Value", "")}
        for tag in tags
        if not tag["Key"].startswith(RESERVED_TAG_PREFIX)
    )
    request: dict[str, Any] = {"NotebookInstanceName": name}
    for field, parameter in CARRIED_OVER:
        value = original.get(field)
        if value not in (None, [], ""):
            request[parameter] = value
    request.update(
        DirectInternetAccess="Disabled",
        SubnetId=subnet,
        SecurityGroupIds=list(groups),
        InstanceMetadataServiceConfiguration={"MinimumInstanceMetadataServiceVersion": "2"},
    )
    root_access = original.get("RootAccess") if keep_root_access else "Disabled"
    if root_access:
        request["RootAccess"] = root_access
    if kept_tags:
        request["Tags"] = [dict(tag) for tag in kept_tags]
    plan = RemediationPlan(
        region=region,
        name=name,
        original=original,
        tags=tuple(dict(tag) for tag in tags),
        create_request=request,
        reasons=reasons,
        dropped_tags=tuple(
            f"{tag['Key']}={tag.get('Value', '')}"
            for tag in tags
            if tag["Key"].startswith(RESERVED_TAG_PREFIX)
        ),
        endpoint_url=endpoint_url,
        profile=profile,
    )
    refuse_unsafe_request(plan, config, f"{name} ({region})")
    return plan


def _network(
    original: Mapping[str, Any], subnet_id: str | None, security_group_ids: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The new subnet and groups: those given, else the notebook's own where they still fit."""
    name = original.get("NotebookInstanceName")
    current_subnet = original.get("SubnetId") or None
    current_groups = tuple(original.get("SecurityGroups") or ())
    subnet = subnet_id or current_subnet
    if not subnet:
        raise PlanRefused(
            f"{name} is not in a VPC subnet, so there is none to keep: pass --subnet-id "
            "(a private subnet with VPC endpoints or a NAT gateway) and --security-group-id"
        )
    if security_group_ids:
        return subnet, security_group_ids
    if subnet == current_subnet and current_groups:
        return subnet, current_groups
    if current_groups:
        raise PlanRefused(
            f"{name}'s security groups belong to the VPC of {current_subnet}, not "
            f"necessarily to that of {subnet}: pass --security-group-id for {subnet}"
        )
    raise PlanRefused(f"{name} has no security groups to keep: pass --security-group-id")


def json_ready(response: Mapping[str, Any]) -> dict[str, Any]:
    """An API response as JSON data: no ResponseMetadata, times as ISO 8601 strings."""
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in response.items()
        if key != "ResponseMetadata"
    }


@functools.cache
def request_shape(operation: str) -> Shape:
    """The input shape of SageMaker ``operation`` in botocore's model."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model(operation).input_shape
    assert shape is not None  # the operations asked for take input
    return shape


def json_text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def json_optional_text(value: object) -> str | None:
    return None if value is None else json_text(value)


def _tag(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("Key"), str):
        raise TypeError("a tag must be an object with a string Key")
    return {"Key": value["Key"], "Value": json_text(value.get("Value", ""))}
