"""The rules sm-guardrails enforces: for each, the kind it judges and its property checks,
its id, title, rationale, default level, fix, severity and references."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, STUDIO_DOMAIN, ResourceKind, Spelling
from sm_guardrails.rules import (
    DISABLED,
    ExactString,
    LeafCheck,
    PropertyCheck,
    present_id,
    present_id_list,
)


class Level(str, Enum):
    """How a finding of a rule is reported."""

    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


@dataclass(frozen=True)
class Reference:
    """A control in another framework that the rule corresponds to."""

    framework: str
    control: str
    url: str | None = None


@dataclass(frozen=True)
class Rule:
    """One rule of the catalog.

    ``kind`` is the kind of resource it judges and ``checks`` what it requires of each
    property; the two meta rules (SMG-0, SMG-U) judge no property and have neither.
    ``fix`` names properties as ``{Name}``, spelled for the user when shown.
    ``security_severity`` is the CVSS-like score code scanning shows (9.0+ critical,
    7.0+ high, 4.0+ medium, else low).
    """

    rule_id: str
    name: str
    title: str
    rationale: str
    default_level: Level
    fix: str
    references: tuple[Reference, ...]
    security_severity: str
    kind: ResourceKind | None = None
    checks: tuple[PropertyCheck, ...] = ()

    _fixes: dict[tuple[Spelling, str], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """The spelled fixes worked out so far (every field they depend on is frozen)."""

    def spelled_fix(self, spelling: Spelling = Spelling.CLOUDFORMATION, prefix: str = "") -> str:
        """The fix with each property spelled as ``spelling`` writes it, after ``prefix``."""
        if self.kind is None:
            return self.fix  # the meta rules name no property (and show braces literally)
        fix = self._fixes.get((spelling, prefix))
        if fix is None:
            properties = self.kind.properties
            fix = self.fix.format_map(
                {item.name: prefix + item.spelled(spelling) for item in properties}
            )
            self._fixes[spelling, prefix] = fix
        return fix


def _notebook(name: str, check: LeafCheck) -> PropertyCheck:
    return PropertyCheck(NOTEBOOK_INSTANCE.property(name), check)


def _domain(name: str, check: LeafCheck) -> PropertyCheck:
    return PropertyCheck(STUDIO_DOMAIN.property(name), check)


REPLACEMENT_NOTE = (
    "The property is create-only: changing it on a deployed notebook replaces the "
    "notebook and its ML storage volume, so copy /home/ec2-user/SageMaker elsewhere first."
)

_SH = "https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html"
_CONFIG = "https://docs.aws.amazon.com/config/latest/developerguide/{}.html"
_CT = "https://docs.aws.amazon.com/controltower/latest/controlreference/sagemaker-rules.html"


def _config_rule(name: str) -> Reference:
    return Reference("AWS Config managed rule", name, _CONFIG.format(name))


SMG_1 = Rule(
    rule_id="SMG-1",
    name="no-direct-internet-access",
    title="Notebook instances must not have direct internet access",
    rationale=(
        "With direct internet access SageMaker gives the notebook a network path "
        "that bypasses the VPC: data can leave and code can come in with no security "
        "group, NACL or proxy in the way. AWS's default is Enabled, so a notebook "
        "that does not say Disabled has internet access."
    ),
    default_level=Level.ERROR,
    fix=(
        "Set {DirectInternetAccess} to exactly 'Disabled' (together with {SubnetId} and "
        "{SecurityGroupIds}); reach AWS through VPC endpoints (SageMaker API, runtime, "
        "notebook, and an S3 gateway endpoint) or a NAT gateway. " + REPLACEMENT_NOTE
    ),
    references=(
        Reference("AWS Security Hub", "SageMaker.1", _SH),
        _config_rule("sagemaker-notebook-no-direct-internet-access"),
        Reference("AWS Control Tower", "CT.SAGEMAKER.PR.1", _CT),
        Reference("Lacework", "lacework-global-388"),
    ),
    kind=NOTEBOOK_INSTANCE,
    checks=(_notebook("DirectInternetAccess", DISABLED),),
    security_severity="8.0",  # high: a network path around the VPC
)

SMG_2 = Rule(
    rule_id="SMG-2",
    name="in-vpc",
    title="Notebook instances must run in a VPC subnet behind security groups",
    rationale=(
        "AWS accepts DirectInternetAccess=Disabled only with a subnet, and the "
        "security groups are what limit the notebook's traffic inside the VPC."
    ),
    default_level=Level.ERROR,
    fix=(
        "Set {SubnetId} to a private subnet and {SecurityGroupIds} to a non-empty list "
        "of security group ids. " + REPLACEMENT_NOTE
    ),
    references=(
        Reference("AWS Security Hub", "SageMaker.2", _SH),
        _config_rule("sagemaker-notebook-instance-inside-vpc"),
        Reference("AWS Control Tower", "CT.SAGEMAKER.PR.2", _CT),
    ),
    kind=NOTEBOOK_INSTANCE,
    checks=(
        _notebook("SubnetId", present_id),
        _notebook("SecurityGroupIds", present_id_list),
    ),
    security_severity="7.0",  # high: no subnet means no way to switch direct internet access off
)

SMG_3 = Rule(
    rule_id="SMG-3",
    name="no-root-access",
    title="Users of notebook instances should not have root access",
    rationale=(
        "Root access lets any notebook user change the instance's software and "
        "network settings. AWS's default is Enabled."
    ),
    default_level=Level.WARNING,
    fix=(
        "Set {RootAccess} to 'Disabled'. Unlike the network settings it is not "
        "create-only: it is updated in place, without replacing the notebook or its "
        "volume (SageMaker applies it while the notebook instance is stopped)."
    ),
    references=(
        Reference("AWS Security Hub", "SageMaker.3", _SH),
        _config_rule("sagemaker-notebook-instance-root-access-check"),
        Reference("AWS Control Tower", "CT.SAGEMAKER.PR.3", _CT),
    ),
    kind=NOTEBOOK_INSTANCE,
    checks=(_notebook("RootAccess", DISABLED),),
    security_severity="5.0",  # medium
)

SMG_4 = Rule(
    rule_id="SMG-4",
    name="volume-kms-key",
    title="The notebook's storage volume should be encrypted with a KMS key",
    rationale="A customer managed key lets you control and audit who can read the volume.",
    default_level=Level.WARNING,
    fix="Set {KmsKeyId} to a KMS key the notebook's role may use. " + REPLACEMENT_NOTE,
    references=(_config_rule("sagemaker-notebook-instance-kms-key-configured"),),
    kind=NOTEBOOK_INSTANCE,
    checks=(_notebook("KmsKeyId", present_id),),
    security_severity="3.0",  # low: the volume is still encrypted, with an AWS managed key
)

SMG_5 = Rule(
    rule_id="SMG-5",
    name="imdsv2-only",
    title="Notebook instances should accept only IMDSv2",
    rationale=(
        "IMDSv1 answers plain GET requests, which server-side request forgery can "
        "turn into stolen role credentials. AWS's default minimum version is 1."
    ),
    default_level=Level.WARNING,
    fix="Set {MinimumInstanceMetadataServiceVersion} to '2'.",
    references=(),
    kind=NOTEBOOK_INSTANCE,
    checks=(
        # CloudFormation reads a YAML 2 as the string '2'; a JSON or Pulumi 2 is the number.
        _notebook("MinimumInstanceMetadataServiceVersion", ExactString("2", "1", (2,))),
    ),
    security_severity="5.0",  # medium: IMDSv1 credentials through SSRF
)

STUDIO_UPDATE_NOTE = (
    "UpdateDomain changes it in place, but only while no app of the domain is InService, "
    "Pending or Deleting: delete the domain's running apps first (their unsaved work and "
    "app storage go; home directories on the domain's EFS volume stay)."
)

SMG_6 = Rule(
    rule_id="SMG-6",
    name="studio-vpc-only",
    title="Studio domains must send all app traffic through the VPC",
    rationale=(
        "With PublicInternetOnly, SageMaker gives every Studio app (JupyterLab, Code Editor, "
        "RStudio) a network path to the internet that bypasses the VPC, exactly as direct "
        "internet access does for a notebook instance. AWS's default is PublicInternetOnly, "
        "so a domain that does not say VpcOnly has internet access."
    ),
    default_level=Level.ERROR,
    fix=(
        "Set {AppNetworkAccessType} to exactly 'VpcOnly' (together with {VpcId}, "
        "{SubnetIds} and {SecurityGroups}); reach AWS through VPC endpoints (SageMaker API, "
        "runtime, Studio, STS, and an S3 gateway endpoint) or a NAT gateway. " + STUDIO_UPDATE_NOTE
    ),
    references=(
        _config_rule("sagemaker-domain-in-vpc"),
        Reference("Lacework", "lacework-global-388"),
    ),
    security_severity="8.0",  # high: a network path around the VPC
    kind=STUDIO_DOMAIN,
    checks=(_domain("AppNetworkAccessType", ExactString("VpcOnly", "PublicInternetOnly")),),
)

SMG_7 = Rule(
    rule_id="SMG-7",
    name="studio-in-vpc",
    title="Studio domains must run in VPC subnets behind security groups",
    rationale=(
        "VpcOnly traffic leaves through the domain's subnets, and the security groups "
        "are what limit it there. The domain's default user settings give every user "
        "profile and space the same security groups, including those created later "
        "outside this template."
    ),
    default_level=Level.ERROR,
    fix=(
        "Set {VpcId} to the domain's VPC, {SubnetIds} to a non-empty list of its private "
        "subnets, and {SecurityGroups} to a non-empty list of security group ids. "
        + STUDIO_UPDATE_NOTE
    ),
    references=(),
    security_severity="7.0",  # high: without them VpcOnly cannot be switched on
    kind=STUDIO_DOMAIN,
    checks=(
        _domain("VpcId", present_id),
        _domain("SubnetIds", present_id_list),
        _domain("SecurityGroups", present_id_list),
    ),
)

SMG_0 = Rule(
    rule_id="SMG-0",
    name="valid-exemption",
    title="An exemption must name a rule and give a reason",
    rationale=(
        "An exemption turns a guardrail off for one resource; without a reason no "
        "reviewer can tell why, so it exempts nothing and is reported instead."
    ),
    default_level=Level.ERROR,
    fix=(
        "Give each exemption the id of a rule that judges the resource's kind (a notebook "
        "instance is not judged by a Studio domain's rules) and a non-empty reason, e.g. "
        "{'rule': 'SMG-3', 'reason': 'ticket SEC-42: vendor agent needs root'}."
    ),
    references=(),
    security_severity="4.0",  # medium: an exemption nobody can review
)

SMG_U = Rule(
    rule_id="SMG-U",
    name="every-template-seen",
    title="Every resource the rules judge is seen",
    rationale=(
        "A resource the rules judge can sit in a template this check cannot read: a "
        "nested stack or StackSet whose template is at a URL or is decided at deployment, "
        "or a template that a macro rewrites when it is deployed; or it can be of a kind "
        "that an adapter cannot read yet. Passing it silently would pass what was never "
        "seen, so it is reported: a notice by default, an error when every resource must "
        "be seen (unseen: error, --strict)."
    ),
    default_level=Level.WARNING,
    fix=(
        "Check that template on its own (sm-guardrails check FILE), or give the body "
        "inline as a literal; for a macro, check the processed template "
        "(aws cloudformation get-template --stack-name STACK --template-stage Processed, "
        "or the template CDK synthesized)."
    ),
    references=(),
    security_severity="7.0",  # high: resources nobody checked may break SMG-1 or SMG-6
)

RULES: tuple[Rule, ...] = (SMG_1, SMG_2, SMG_3, SMG_4, SMG_5, SMG_6, SMG_7)
"""The rules that judge resources, each naming its kind."""
RULES_BY_ID: dict[str, Rule] = {rule.rule_id: rule for rule in (*RULES, SMG_0, SMG_U)}
RULES_BY_KIND: dict[ResourceKind, tuple[Rule, ...]] = {
    kind: tuple(rule for rule in RULES if rule.kind is kind) for kind in KINDS
}
"""The rules of each kind in the registry (a kind may have none yet)."""


def judged_resources() -> str:
    """What the rules judge, in words: ``notebook instances and Studio domains``."""
    return " and ".join(f"{kind.noun}s" for kind in KINDS if RULES_BY_KIND[kind])
