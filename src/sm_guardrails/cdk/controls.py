"""Constructs deploying the generated controls: an SCP, a permissions boundary, Config rules."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_config as config_service
from aws_cdk import aws_iam as iam
from aws_cdk import aws_organizations as organizations
from constructs import Construct

from sm_guardrails.config import GuardrailConfig
from sm_guardrails.controls.config_rules import config_rule_specs
from sm_guardrails.controls.iam import notebook_policy

SCP_TYPE = "SERVICE_CONTROL_POLICY"


class NotebookServiceControlPolicy(Construct):
    """An Organizations SCP denying notebook requests that break an error-level rule.

    Deploy it from the organization's management account (or a delegated
    administrator); ``target_ids`` are the root, OU or account ids it is attached to.
    Exemptions must name principals (see ``sm-guardrails policy scp``); with a
    principal-tag exemption, only ``tag_admins`` (principal ARN patterns) may set its
    tag key. SCPs never apply to the management account.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        target_ids: Sequence[str],
        config: GuardrailConfig | None = None,
        tag_admins: Sequence[str] = (),
        policy_name: str = "sm-guardrails-sagemaker-notebooks",
    ) -> None:
        super().__init__(scope, id)
        if not target_ids:
            raise ValueError(
                f"{self.node.path}: target_ids is empty; give the root, OU or account ids "
                "the SCP applies to (an unattached SCP protects nothing)"
            )
        self.document = notebook_policy(config or GuardrailConfig(), "scp", tag_admins)
        self.policy = organizations.CfnPolicy(
            self,
            "Resource",
            name=policy_name,
            type=SCP_TYPE,
            content=self.document,
            target_ids=list(target_ids),
            description="sm-guardrails: SageMaker notebooks stay off the public internet",
        )


class NotebookPermissionsBoundary(Construct):
    """An IAM managed policy to set as the permissions boundary of roles that create notebooks."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: GuardrailConfig | None = None,
        tag_admins: Sequence[str] = (),
        managed_policy_name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.document = notebook_policy(config or GuardrailConfig(), "boundary", tag_admins)
        self.policy = iam.ManagedPolicy(
            self,
            "Resource",
            managed_policy_name=managed_policy_name,
            document=iam.PolicyDocument.from_json(self.document),
            description="sm-guardrails: SageMaker notebooks stay off the public internet",
        )


class NotebookConfigRules(Construct):
    """The AWS Config managed rules matching the catalog (needs a configuration recorder).

    A rule at level off, or exempted for every resource, gets no Config rule; Config
    cannot exempt one notebook, so an exempted notebook still shows NON_COMPLIANT.
    """

    def __init__(self, scope: Construct, id: str, *, config: GuardrailConfig | None = None) -> None:
        super().__init__(scope, id)
        self.rules: dict[str, config_service.ManagedRule] = {}
        for spec in config_rule_specs(config or GuardrailConfig()):
            self.rules[spec.rule_id] = config_service.ManagedRule(
                self,
                spec.rule_id,
                identifier=spec.identifier,
                config_rule_name=spec.name,
                description=spec.description,
                rule_scope=config_service.RuleScope.from_resources(
                    [config_service.ResourceType.of(spec.resource_type)]
                ),
            )
