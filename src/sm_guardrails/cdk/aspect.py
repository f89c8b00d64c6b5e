"""``NotebookGuardrailAspect``: judge every guarded resource under a scope (notebook
instances, Studio domains: every kind the registry declares), as it will be deployed."""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from sm_guardrails.cdk._resources import guarded_resource
from sm_guardrails.cdk.app_synth import guard_app_synth
from sm_guardrails.cdk.coverage import VisitedResources, coverage_of
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG


@jsii.implements(cdk.IAspect)
class NotebookGuardrailAspect:
    """Judges the notebook instances and Studio domains under the scope it is added to
    (every kind in :data:`sm_guardrails.kinds.KINDS`), in the templates CDK renders.

    An aspect's visit runs before other aspects are done and before escape-hatch
    overrides are applied, so this one does not judge there: it hands its scope to the
    App's :class:`~sm_guardrails.cdk.GuardrailValidationPlugin` (the one
    :func:`~sm_guardrails.cdk.enforce` uses), which judges the final templates after
    every aspect has run. Added to the App or a Stage, it covers every stack of it,
    nested Stages and nested stacks included; added to a Stack or another construct, it
    covers the resources it visits there. Findings are reported once, in CDK's
    validation report, even when ``enforce(app)`` is used as well.
    """

    def __init__(self, config: GuardrailConfig | None = None) -> None:
        guard_app_synth()
        self.config = config or DEFAULT_CONFIG
        self._visited: VisitedResources | None = None
        self._started = False

    def visit(self, node: IConstruct) -> None:
        """Hand ``node`` to the App's plugin if it is a Stage, the first node or a resource
        of a declared kind.

        CDK calls this for every construct under the scope, so anything else costs only
        Python checks: no round trip to Node.js.
        """
        if isinstance(node, cdk.Stage):
            coverage_of(node, _CALLER).add_stage(node, self.config, _CALLER)
        elif not self._started:
            # The first node visited is the scope the aspect was added to.
            self._visited = VisitedResources(self.config, node.node.path)
            coverage_of(node, _CALLER).add_visited(self._visited)
        self._started = True
        if self._visited is not None:
            guarded = guarded_resource(node)
            if guarded is not None:
                self._visited.resources[guarded[0]] = None


_CALLER = "NotebookGuardrailAspect"
