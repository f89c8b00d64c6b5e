"""The AWS Config managed rules matching the catalog, at the configured levels.

Each rule's AWS Config reference in the catalog names the managed rule, scoped to the
Config type of the rule's kind; a rule turned off, or exempted for every resource, gets
none. AWS Config has no per-resource exception for a managed rule, so a resource exempted
by name still shows NON_COMPLIANT there (the detective control errs on the reporting side).
"""

from __future__ import annotations

from dataclasses import dataclass

from sm_guardrails.catalog import RULES_BY_KIND, Level
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.kinds import KINDS

CONFIG_FRAMEWORK = "AWS Config managed rule"


@dataclass(frozen=True)
class ConfigRuleSpec:
    """One AWS Config managed rule to deploy for one catalog rule."""

    rule_id: str
    identifier: str
    """The managed rule's identifier, e.g. ``SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS``."""
    name: str
    """The Config rule's name, e.g. ``sagemaker-notebook-no-direct-internet-access``."""
    description: str
    resource_type: str
    """The AWS Config resource type the rule is scoped to, e.g. ``AWS::SageMaker::Domain``."""


def config_rule_specs(config: GuardrailConfig) -> list[ConfigRuleSpec]:
    """The managed rules for every catalog rule that is on and not exempted everywhere."""
    specs = []
    for kind in KINDS:
        for rule in RULES_BY_KIND[kind]:
            if config.level_of(rule) is Level.OFF:
                continue
            if any(e.rule_id == rule.rule_id and e.resource is None for e in config.exemptions):
                continue
            specs += [
                ConfigRuleSpec(
                    rule_id=rule.rule_id,
                    identifier=reference.control.upper().replace("-", "_"),
                    name=reference.control,
                    description=f"[{rule.rule_id}] {rule.title}",
                    resource_type=kind.config_type,
                )
                for reference in rule.references
                if reference.framework == CONFIG_FRAMEWORK
            ]
    return specs
