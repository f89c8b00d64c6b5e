"""sm-guardrails for AWS CDK (``pip install 'sm-guardrails[cdk]'``).

- :class:`SecureNotebookInstance`: a notebook that is always in a private subnet,
  behind a security group, without direct internet access.
- :func:`enforce`: fail synthesis on any notebook of the app that breaks a rule.
- :class:`NotebookGuardrailAspect` and :class:`GuardrailValidationPlugin`: the two
  mechanisms, for apps that want to wire them up themselves.
- :func:`exempt`: exempt the notebooks under a scope from one rule, with a reason.
"""

from sm_guardrails.extras import require_extra

require_extra("cdk", __name__, "aws_cdk", "constructs")

from sm_guardrails.cdk._findings import PLUGIN_NAME
from sm_guardrails.cdk.aspect import NotebookGuardrailAspect
from sm_guardrails.cdk.enforce import enforce
from sm_guardrails.cdk.exemptions import exempt
from sm_guardrails.cdk.notebook import SecureNotebookInstance
from sm_guardrails.cdk.validation import GuardrailValidationPlugin

__all__ = [
    "PLUGIN_NAME",
    "GuardrailValidationPlugin",
    "NotebookGuardrailAspect",
    "SecureNotebookInstance",
    "enforce",
    "exempt",
]
