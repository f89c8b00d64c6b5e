"""sm-guardrails: keep SageMaker notebook instances and Studio domains off the public internet.

The core (catalog, values, model, config, rules, evaluation) and the CloudFormation
checker import no cloud SDK; ``sm_guardrails.cdk`` and ``sm_guardrails.pulumi`` are
the optional adapters (extras ``[cdk]`` and ``[pulumi]``).
"""

from sm_guardrails.catalog import RULES, RULES_BY_KIND, Level, Rule
from sm_guardrails.config import ConfigError, GuardrailConfig, UnknownPolicy, UnseenPolicy
from sm_guardrails.evaluation import Finding, evaluate
from sm_guardrails.kinds import KINDS, NOTEBOOK_INSTANCE, STUDIO_DOMAIN, ResourceKind
from sm_guardrails.model import Exemption, ResourceSpec
from sm_guardrails.rules import Verdict
from sm_guardrails.values import ABSENT, Known, Unknown

__version__ = "0.1.0"

__all__ = [
    "ABSENT",
    "KINDS",
    "NOTEBOOK_INSTANCE",
    "RULES",
    "RULES_BY_KIND",
    "STUDIO_DOMAIN",
    "ConfigError",
    "Exemption",
    "Finding",
    "GuardrailConfig",
    "Known",
    "Level",
    "ResourceKind",
    "ResourceSpec",
    "Rule",
    "Unknown",
    "UnknownPolicy",
    "UnseenPolicy",
    "Verdict",
    "__version__",
    "evaluate",
]
