"""Pulumi layer: the ``SecureNotebookInstance`` component and the policy pack's policies.

Needs the ``sm-guardrails[pulumi]`` extra. ``import sm_guardrails`` never imports this.
"""

from sm_guardrails.pulumi.notebook import (
    COMPONENT_TYPE,
    NotebookArgumentError,
    SecureNotebookInstance,
    SecureNotebookInstanceArgs,
)
from sm_guardrails.pulumi.policies import (
    CONFIG_POLICY,
    NOTICES_POLICY,
    notebook_policies,
    policy_name,
)

__all__ = [
    "COMPONENT_TYPE",
    "CONFIG_POLICY",
    "NOTICES_POLICY",
    "NotebookArgumentError",
    "SecureNotebookInstance",
    "SecureNotebookInstanceArgs",
    "notebook_policies",
    "policy_name",
]
