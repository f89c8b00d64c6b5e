"""Pulumi layer: the ``SecureNotebookInstance`` and ``SecureStudioDomain`` components and the
policy pack's policies.

Needs the ``sm-guardrails[pulumi]`` extra. ``import sm_guardrails`` never imports this.
The component (and with it ``pulumi_aws``, about 50 ms to import) loads only when one of
its names is used, so a policy pack that imports the policies starts without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sm_guardrails.extras import require_extra

require_extra("pulumi", __name__, "pulumi", "pulumi_policy", "pulumi_aws")

from sm_guardrails.pulumi.policies import ADVISORY_POLICY, MAIN_POLICY, notebook_policies

if TYPE_CHECKING:
    from sm_guardrails.pulumi.controls import (
        NotebookConfigRules,
        NotebookPermissionsBoundary,
        NotebookServiceControlPolicy,
    )
    from sm_guardrails.pulumi.notebook import (
        COMPONENT_TYPE,
        NotebookArgumentError,
        SecureNotebookInstance,
        SecureNotebookInstanceArgs,
    )
    from sm_guardrails.pulumi.studio_domain import (
        STUDIO_DOMAIN_COMPONENT_TYPE,
        SecureStudioDomain,
        SecureStudioDomainArgs,
        StudioDomainArgumentError,
    )

_COMPONENT_NAMES = frozenset(
    {
        "COMPONENT_TYPE",
        "NotebookArgumentError",
        "SecureNotebookInstance",
        "SecureNotebookInstanceArgs",
    }
)


_STUDIO_DOMAIN_NAMES = frozenset(
    {
        "STUDIO_DOMAIN_COMPONENT_TYPE",
        "SecureStudioDomain",
        "SecureStudioDomainArgs",
        "StudioDomainArgumentError",
    }
)

_CONTROL_NAMES = frozenset(
    {"NotebookConfigRules", "NotebookPermissionsBoundary", "NotebookServiceControlPolicy"}
)


def __getattr__(name: str) -> object:
    """Load the component module on first use of one of its names."""
    if name in _CONTROL_NAMES:  # the controls' components, loaded the same way
        return getattr(importlib.import_module("sm_guardrails.pulumi.controls"), name)
    if name in _COMPONENT_NAMES:
        return getattr(importlib.import_module("sm_guardrails.pulumi.notebook"), name)
    if name in _STUDIO_DOMAIN_NAMES:
        return getattr(importlib.import_module("sm_guardrails.pulumi.studio_domain"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ADVISORY_POLICY",
    "COMPONENT_TYPE",
    "MAIN_POLICY",
    "STUDIO_DOMAIN_COMPONENT_TYPE",
    "NotebookArgumentError",
    "NotebookConfigRules",
    "NotebookPermissionsBoundary",
    "NotebookServiceControlPolicy",
    "SecureNotebookInstance",
    "SecureNotebookInstanceArgs",
    "SecureStudioDomain",
    "SecureStudioDomainArgs",
    "StudioDomainArgumentError",
    "notebook_policies",
]
