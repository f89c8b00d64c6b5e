"""Components deploying the generated controls: an SCP, a permissions boundary, Config rules."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from sm_guardrails.config import GuardrailConfig
from sm_guardrails.controls.config_rules import config_rule_specs
from sm_guardrails.controls.iam import notebook_policy

SCP_COMPONENT_TYPE = "sm-guardrails:organizations:NotebookServiceControlPolicy"
BOUNDARY_COMPONENT_TYPE = "sm-guardrails:iam:NotebookPermissionsBoundary"
CONFIG_RULES_COMPONENT_TYPE = "sm-guardrails:cfg:NotebookConfigRules"


class NotebookServiceControlPolicy(pulumi.ComponentResource):
    """An Organizations SCP denying notebook requests that break an error-level rule,
    attached to each of ``target_ids`` (root, OU or account ids). With a principal-tag
    exemption, only ``tag_admins`` (principal ARN patterns) may set its tag key. SCPs
    never apply to the management account."""

    def __init__(
        self,
        name: str,
        target_ids: Sequence[str],
        config: GuardrailConfig | None = None,
        tag_admins: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(SCP_COMPONENT_TYPE, name, None, opts)
        if not target_ids:
            raise ValueError(
                f"{name}: target_ids is empty; give the root, OU or account ids the SCP "
                "applies to (an unattached SCP protects nothing)"
            )
        child = pulumi.ResourceOptions(parent=self)
        self.document = notebook_policy(config or GuardrailConfig(), "scp", tag_admins)
        self.policy = aws.organizations.Policy(
            name,
            content=json.dumps(self.document),
            type="SERVICE_CONTROL_POLICY",
            description="sm-guardrails: SageMaker notebooks stay off the public internet",
            opts=child,
        )
        self.attachments = [
            aws.organizations.PolicyAttachment(
                f"{name}-{target}", policy_id=self.policy.id, target_id=target, opts=child
            )
            for target in target_ids
        ]
        self.register_outputs({"policy_id": self.policy.id})


class NotebookPermissionsBoundary(pulumi.ComponentResource):
    """An IAM policy to set as the permissions boundary of roles that create notebooks."""

    def __init__(
        self,
        name: str,
        config: GuardrailConfig | None = None,
        tag_admins: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(BOUNDARY_COMPONENT_TYPE, name, None, opts)
        self.document = notebook_policy(config or GuardrailConfig(), "boundary", tag_admins)
        self.policy = aws.iam.Policy(
            name,
            policy=json.dumps(self.document),
            description="sm-guardrails: SageMaker notebooks stay off the public internet",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"arn": self.policy.arn})


class NotebookConfigRules(pulumi.ComponentResource):
    """The AWS Config managed rules matching the catalog (needs a configuration recorder:
    pass it in ``opts.depends_on``). Levels and exemptions as in ``sm_guardrails.cdk``."""

    def __init__(
        self,
        name: str,
        config: GuardrailConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(CONFIG_RULES_COMPONENT_TYPE, name, None, opts)
        self.rules = {
            spec.rule_id: aws.cfg.Rule(
                f"{name}-{spec.name}",
                name=spec.name,
                description=spec.description,
                source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=spec.identifier),
                scope=aws.cfg.RuleScopeArgs(compliance_resource_types=[spec.resource_type]),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for spec in config_rule_specs(config or GuardrailConfig())
        }
        self.register_outputs({"rule_arns": {k: r.arn for k, r in self.rules.items()}})
