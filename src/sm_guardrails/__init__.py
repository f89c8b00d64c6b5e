"""sm-guardrails: keep Amazon SageMaker notebook instances off the public internet.

The core (catalog, values, model, config, rules, evaluation) and the CloudFormation
checker import no cloud SDK; ``sm_guardrails.cdk`` and ``sm_guardrails.pulumi`` are
the optional adapters (extras ``[cdk]`` and ``[pulumi]``).
"""

from sm_guardrails.catalog import RULES, Level, Rule
from sm_guardrails.config import ConfigError, GuardrailConfig, UnknownPolicy, UnseenPolicy
from sm_guardrails.evaluation import Finding, evaluate_notebook
from sm_guardrails.model import Exemption, NotebookSpec
from sm_guardrails.rules import Verdict

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "ConfigError",
    "Exemption",
    "Finding",
    "GuardrailConfig",
    "Level",
    "NotebookSpec",
    "Rule",
    "UnknownPolicy",
    "UnseenPolicy",
    "Verdict",
    "__version__",
    "evaluate_notebook",
]
