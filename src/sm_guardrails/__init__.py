"""sm-guardrails: keep SageMaker notebook instances and Studio domains off the public internet.

The core (catalog, values, model, config, rules, evaluation) and the CloudFormation
checker import no cloud SDK; ``sm_guardrails.cdk`` and ``sm_guardrails.pulumi`` are
the optional adapters (extras ``[cdk]`` and ``[pulumi]``).
"""

from sm_guardrails.catalog import RULES, Level, Rule
from sm_guardrails.config import ConfigError, GuardrailConfig, UnknownPolicy, UnseenPolicy
from sm_guardrails.evaluation import Finding, evaluate
from sm_guardrails.kinds import KINDS, ResourceKind
from sm_guardrails.model import Exemption, ResourceSpec
from sm_guardrails.rules import Verdict

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "RULES",
    "ConfigError",
    "Exemption",
    "Finding",
    "GuardrailConfig",
    "Level",
    "ResourceKind",
    "ResourceSpec",
    "Rule",
    "UnknownPolicy",
    "UnseenPolicy",
    "Verdict",
    "__version__",
    "evaluate",
]
