"""sm-guardrails for AWS CDK (``pip install 'sm-guardrails[cdk]'``).

- :class:`SecureNotebookInstance`: a notebook that is always in a private subnet,
  behind a security group, without direct internet access.
- :class:`SecureStudioDomain`: a Studio domain whose apps reach nothing outside its
  VPC (``VpcOnly``), in private subnets, behind a security group, with the endpoints
  Studio needs and its storage encrypted with a customer managed key.
- :func:`enforce`: fail synthesis on any notebook instance or Studio domain of the app
  that breaks a rule
  (:class:`GuardrailViolationError`), on aws-cdk-lib 2.80 and newer.
- :class:`NotebookGuardrailAspect`: the same check, added as an aspect to a scope
  (it hands the scope to the plugin ``enforce`` uses, so findings are reported once).
- :class:`GuardrailValidationPlugin`: the validation plugin itself.
- :func:`exempt`: exempt the notebooks and domains under a scope from one rule, with a reason.
- :class:`NotebookServiceControlPolicy`, :class:`NotebookPermissionsBoundary`,
  :class:`NotebookConfigRules`: the same rules as an SCP, a boundary and Config rules.
"""

from sm_guardrails.extras import require_extra

require_extra("cdk", __name__, "aws_cdk", "constructs")

from sm_guardrails.cdk import release as release  # checks the aws-cdk-lib release first
from sm_guardrails.cdk._findings import PLUGIN_NAME
from sm_guardrails.cdk.app_synth import GuardrailViolationError
from sm_guardrails.cdk.aspect import NotebookGuardrailAspect
from sm_guardrails.cdk.controls import (
    NotebookConfigRules,
    NotebookPermissionsBoundary,
    NotebookServiceControlPolicy,
)
from sm_guardrails.cdk.enforce import enforce
from sm_guardrails.cdk.exemptions import exempt
from sm_guardrails.cdk.notebook import SecureNotebookInstance
from sm_guardrails.cdk.studio import SecureStudioDomain, StudioConfigurationError
from sm_guardrails.cdk.validation import GuardrailValidationPlugin

__all__ = [
    "PLUGIN_NAME",
    "GuardrailValidationPlugin",
    "GuardrailViolationError",
    "NotebookConfigRules",
    "NotebookGuardrailAspect",
    "NotebookPermissionsBoundary",
    "NotebookServiceControlPolicy",
    "SecureNotebookInstance",
    "SecureStudioDomain",
    "StudioConfigurationError",
    "enforce",
    "exempt",
]
