"""``NotebookGuardrailAspect``: judge every notebook resource of a construct tree."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from sm_guardrails.cdk._findings import acknowledgement_id, severity
from sm_guardrails.cdk._resources import (
    logical_id,
    notebook_resource,
    resource_entry,
    stack_context,
)
from sm_guardrails.cloudformation import TemplateContext, notebook_spec
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG, Finding, evaluate_notebook
from sm_guardrails.rules import Verdict


@jsii.implements(cdk.IAspect)
class NotebookGuardrailAspect:
    """Reports each notebook's findings as annotations on the notebook resource.

    Error-level findings become errors (``cdk synth`` exits non-zero), warnings
    become warnings that ``Validations.of(scope).acknowledge`` can acknowledge
    (``sm-guardrails::SMG-3``), and exempted findings stay visible as info.

    An aspect sees the construct tree, not the template, so two things escape it:
    it never visits what is inside a ``Stage`` when it is added to the App (CDK
    synthesizes stages first), and L1 getters do not show escape-hatch overrides.
    :func:`sm_guardrails.cdk.enforce` checks the rendered templates instead.
    """

    def __init__(self, config: GuardrailConfig | None = None) -> None:
        self._config = config or DEFAULT_CONFIG
        self._contexts: dict[cdk.Stack, TemplateContext] = {}

    def visit(self, node: IConstruct) -> None:
        """Judge ``node`` if it is a notebook; anything else costs only a Python type check."""
        resource = notebook_resource(node)
        if resource is None:
            return
        stack = cdk.Stack.of(resource)
        entry = resource_entry(resource, stack)
        # Only Ref and Fn::Sub reach a CfnParameter; the stack's parameters are read only then.
        context = self._context(stack) if _may_read_parameters(entry) else _NO_CONTEXT
        spec = notebook_spec(logical_id(resource, stack), entry, context)
        findings = [
            f for f in evaluate_notebook(spec, self._config) if f.verdict is not Verdict.PASS
        ]
        if findings:
            annotations = cdk.Annotations.of(resource)
            for finding in findings:
                _annotate(annotations, finding)

    def _context(self, stack: cdk.Stack) -> TemplateContext:
        # jsii hands out one Python object per Node.js object, so the stack is its own key.
        if stack not in self._contexts:
            self._contexts[stack] = stack_context(stack)
        return self._contexts[stack]


_NO_CONTEXT = TemplateContext()


def _may_read_parameters(node: object) -> bool:
    if isinstance(node, Mapping):
        return any(
            key in ("Ref", "Fn::Sub") or _may_read_parameters(value) for key, value in node.items()
        )
    if isinstance(node, list):
        return any(_may_read_parameters(item) for item in node)
    return False


def _annotate(annotations: cdk.Annotations, finding: Finding) -> None:
    text = finding.describe()
    kind = severity(finding)
    if kind == "error":
        annotations.add_error(text)
    elif kind == "warning":
        annotations.add_warning_v2(acknowledgement_id(finding.rule_id), text)
    else:
        annotations.add_info(text)
