"""The plan that takes a Studio domain off the internet in place, with ``UpdateDomain``.

Unlike a notebook instance, a domain's ``AppNetworkAccessType``, ``SubnetIds`` and
default security groups are updatable (botocore's ``UpdateDomainRequest``), so nothing is
replaced: one UpdateDomain sets ``AppNetworkAccessType=VpcOnly``, the subnets and
``DefaultUserSettings.SecurityGroups``. AWS refuses to change ``AppNetworkAccessType``
while any app of the domain is InService, Pending or Deleting, so the plan lists those
apps; deleting them loses what runs in them (kernels, unsaved work, an app's own
storage), while the domain's EFS home directories and spaces' volumes stay. The plan is
plain data: shown, journaled, read back on ``--resume``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.validate import ParamValidator

from sm_guardrails.aws.remediation_plan import (
    PlanRefused,
    blocking,
    describe_findings,
    json_optional_text,
    json_ready,
    json_text,
    judged_for_remediation,
    request_shape,
)
from sm_guardrails.aws.resources import deployed_resource
from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.kinds import STUDIO_DOMAIN

KIND = "studio-domain-update"
"""How a journal tells a domain's plan from a notebook replacement's."""
DOMAIN_RULES = tuple(rule.rule_id for rule in RULES_BY_KIND[STUDIO_DOMAIN])
"""The rules the update fixes; always error level and never exempted when it is judged."""
RUNNING_APP_STATES = ("InService", "Pending", "Deleting")
"""App states in which AWS refuses to change AppNetworkAccessType (UpdateDomain's docs)."""
DELETABLE_APP_STATES = ("InService", "Pending")
UPDATABLE_STATES = ("InService", "Update_Failed")
"""Domain states an update may start from; Pending, Updating, Deleting and the failures of
creating or deleting are refused."""


@dataclass(frozen=True)
class App:
    """One app of the domain that AWS says is running (ListApps)."""

    app_type: str
    app_name: str
    status: str
    user_profile_name: str | None = None
    space_name: str | None = None

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> App:
        """The app a ListApps item (or its journaled copy) describes."""
        owner = {
            key: json_text(details[key])
            for key in ("UserProfileName", "SpaceName")
            if details.get(key) is not None
        }
        return cls(
            app_type=json_text(details["AppType"]),
            app_name=json_text(details["AppName"]),
            status=json_text(details["Status"]),
            user_profile_name=owner.get("UserProfileName"),
            space_name=owner.get("SpaceName"),
        )

    def to_json(self) -> dict[str, str]:
        """The app as ListApps spells it."""
        owner = {"UserProfileName": self.user_profile_name, "SpaceName": self.space_name}
        fixed = {"AppType": self.app_type, "AppName": self.app_name, "Status": self.status}
        return fixed | {key: value for key, value in owner.items() if value is not None}

    def delete_request(self, domain_id: str) -> dict[str, str]:
        """DeleteApp's parameters for this app."""
        request = self.to_json()
        del request["Status"]
        return {"DomainId": domain_id, **request}

    def __str__(self) -> str:
        owner = (
            f"space {self.space_name}"
            if self.space_name
            else f"user profile {self.user_profile_name}"
        )
        return f"{self.app_type} app {self.app_name} of {owner} ({self.status})"


@dataclass(frozen=True)
class DomainPlan:
    """Everything needed to update one domain in place, as JSON-ready data.

    ``original`` is the DescribeDomain response (times as ISO strings); ``update_request``
    the exact UpdateDomain request; ``apps`` the running apps seen when planning (None when
    ListApps could not be read: ``apps_problem`` says why, and the runner lists them
    again before it acts); ``delete_apps`` whether the run may delete them.
    """

    region: str
    domain_id: str
    original: Mapping[str, Any]
    update_request: Mapping[str, Any]
    reasons: tuple[str, ...]
    apps: tuple[App, ...] | None
    apps_problem: str = ""
    delete_apps: bool = False
    endpoint_url: str | None = None
    profile: str | None = None

    @property
    def name(self) -> str:
        """The domain's id: what its lock and journal are named by."""
        return self.domain_id

    @property
    def arn(self) -> str:
        """The domain's ARN."""
        return str(self.original.get("DomainArn", ""))

    @property
    def label(self) -> str:
        """``d-abc (name, region)`` for messages."""
        return f"{self.domain_id} ({self.original.get('DomainName', '')}, {self.region})"

    def to_json(self) -> dict[str, Any]:
        """The plan as plain JSON data, for the journal."""
        return {
            "kind": KIND,
            "region": self.region,
            "domain_id": self.domain_id,
            "original": dict(self.original),
            "update_request": dict(self.update_request),
            "reasons": list(self.reasons),
            "apps": None if self.apps is None else [app.to_json() for app in self.apps],
            "apps_problem": self.apps_problem,
            "delete_apps": self.delete_apps,
            "endpoint_url": self.endpoint_url,
            "profile": self.profile,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DomainPlan:
        """The plan written by :meth:`to_json`; KeyError or TypeError when it is not one."""
        request, original = raw["update_request"], raw["original"]
        if not isinstance(request, dict) or not isinstance(original, dict):
            raise TypeError("update_request and original must be objects")
        problems = ParamValidator().validate(request, request_shape("UpdateDomain"))
        if problems.has_errors():
            report = "; ".join(problems.generate_report().splitlines())
            raise TypeError(f"plan.update_request: {report}")
        if request.get("DomainId") != raw["domain_id"]:
            raise TypeError("update_request names another domain")
        apps = raw["apps"]
        if not isinstance(raw["delete_apps"], bool):
            raise TypeError("delete_apps must be true or false")
        return cls(
            region=json_text(raw["region"]),
            domain_id=json_text(raw["domain_id"]),
            original=original,
            update_request=request,
            reasons=tuple(json_text(reason) for reason in raw["reasons"]),
            apps=None if apps is None else tuple(App.from_details(app) for app in apps),
            apps_problem=json_text(raw["apps_problem"]),
            delete_apps=raw["delete_apps"],
            endpoint_url=json_optional_text(raw["endpoint_url"]),
            profile=json_optional_text(raw["profile"]),
        )


def plan_domain_update(
    description: Mapping[str, Any],
    tags: Sequence[Mapping[str, str]],
    apps: Sequence[App] | None,
    region: str,
    *,
    apps_problem: str = "",
    subnet_ids: Sequence[str] = (),
    security_group_ids: Sequence[str] = (),
    vpc_id: str | None = None,
    delete_apps: bool = False,
    endpoint_url: str | None = None,
    profile: str | None = None,
    config: GuardrailConfig,
) -> DomainPlan:
    """The in-place update that makes the domain pass SMG-6 and SMG-7.

    The subnets and groups are those given, else the domain's own; :class:`PlanRefused`
    (one line, with the option to pass) when the domain passes already, is in a state
    that takes no update, uses RStudio (whose execution role locks AppNetworkAccessType),
    or when there are no subnets, groups or VPC to use.
    """
    original = json_ready(description)
    domain_id = json_text(original.get("DomainId", ""))
    where = f"{domain_id} ({region})"
    domain = deployed_resource(
        STUDIO_DOMAIN, original, tags, region, honour_exemption_tags=config.tag_exemptions
    )
    failing = blocking(judged_for_remediation(domain.spec, config, DOMAIN_RULES))
    if not failing:
        raise PlanRefused(f"{where} passes {' and '.join(DOMAIN_RULES)}: there is nothing to fix")
    status = str(original.get("Status", ""))
    if status not in UPDATABLE_STATES:
        raise PlanRefused(
            f"{where} is {status or 'in an unknown state'}: an update starts only from "
            f"{', '.join(UPDATABLE_STATES)}; wait and run this again"
        )
    rstudio = original.get("DomainSettings", {}).get("RStudioServerProDomainSettings", {})
    if rstudio.get("DomainExecutionRoleArn"):
        raise PlanRefused(
            f"{where} has an RStudio domain execution role, so AWS does not let its "
            "AppNetworkAccessType change: create a new VpcOnly domain instead"
        )
    request = _update_request(original, where, subnet_ids, security_group_ids, vpc_id)
    plan = DomainPlan(
        region=region,
        domain_id=domain_id,
        original=original,
        update_request=request,
        reasons=tuple(f"[{f.rule_id}] {f.message}" for f in failing),
        apps=None if apps is None else tuple(apps),
        apps_problem=apps_problem,
        delete_apps=delete_apps,
        endpoint_url=endpoint_url,
        profile=profile,
    )
    refuse_unsafe_update(plan, config, where)
    return plan


def _update_request(
    original: Mapping[str, Any],
    where: str,
    subnet_ids: Sequence[str],
    security_group_ids: Sequence[str],
    vpc_id: str | None,
) -> dict[str, Any]:
    current_vpc = original.get("VpcId") or None
    if vpc_id and current_vpc and vpc_id != current_vpc:
        raise PlanRefused(
            f"{where} is in {current_vpc}; UpdateDomain sets VpcId only on a domain that has "
            "none: leave out --vpc-id and pass subnets of that VPC"
        )
    if not (vpc_id or current_vpc):
        raise PlanRefused(f"{where} has no VPC: pass --vpc-id, --subnet-id and --security-group-id")
    subnets = list(subnet_ids) or list(original.get("SubnetIds") or ())
    if not subnets:
        raise PlanRefused(f"{where} has no subnets to keep: pass --subnet-id (repeatable)")
    defaults = original.get("DefaultUserSettings") or {}
    groups = list(security_group_ids) or list(defaults.get("SecurityGroups") or ())
    if not groups:
        raise PlanRefused(
            f"{where} has no default security groups for its apps: pass --security-group-id "
            "(repeatable, groups of the domain's VPC)"
        )
    request: dict[str, Any] = {
        "DomainId": original["DomainId"],
        "AppNetworkAccessType": "VpcOnly",
        "SubnetIds": subnets,
        "DefaultUserSettings": {"SecurityGroups": groups},
    }
    if not current_vpc:
        request["VpcId"] = vpc_id
    return request


def refuse_unsafe_update(
    plan: DomainPlan, config: GuardrailConfig, where: str, *, from_journal: bool = False
) -> None:
    """:class:`PlanRefused` when the domain the update request would leave breaks an
    error-level rule (SMG-6 and SMG-7 always error level, never exempted)."""
    request = plan.update_request
    after = {
        **plan.original,
        **{key: value for key, value in request.items() if key != "DefaultUserSettings"},
        "DefaultUserSettings": {
            **(plan.original.get("DefaultUserSettings") or {}),
            **request.get("DefaultUserSettings", {}),
        },
    }
    spec = deployed_resource(STUDIO_DOMAIN, after, [], plan.region).spec
    problems = blocking(judged_for_remediation(spec, config, DOMAIN_RULES))
    if problems:
        hint = "; sm-guardrails never plans that, so the journal was edited" if from_journal else ""
        raise PlanRefused(
            f"{where}: refused before the update: the domain would break "
            f"{describe_findings(problems)} (error level); nothing was changed{hint}"
        )
