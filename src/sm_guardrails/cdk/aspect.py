"""``NotebookGuardrailAspect``: judge every notebook resource of a construct tree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from sm_guardrails.cdk._findings import acknowledgement_id, severity
from sm_guardrails.cdk._resources import (
    contains_tokens,
    l1_properties,
    logical_id,
    notebook_entry,
    notebook_resource,
    stack_context,
)
from sm_guardrails.cloudformation import METADATA_KEY, TemplateContext, notebook_spec
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG, Finding, evaluate_notebook


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
        """Judge ``node`` if it is a notebook; anything else costs only a Python type check.

        Every read of a construct is a round trip to Node.js, so a notebook is read in
        as few as it takes: its properties and exemptions (two), the stack only when
        a property holds a token or refers to a parameter, and its names (path and
        logical id) only when a finding must be reported.
        """
        resource = notebook_resource(node)
        if resource is None:
            return
        properties = l1_properties(resource)
        stack: cdk.Stack | None = None
        if contains_tokens(properties):
            stack = cdk.Stack.of(resource)
            properties = stack.resolve(properties)
        entry = notebook_entry(resource, properties, resource.get_metadata(METADATA_KEY))
        context = _NO_CONTEXT
        # Only Ref and Fn::Sub reach a CfnParameter; the stack's parameters are read only then.
        if _may_read_parameters(entry):
            stack = stack or cdk.Stack.of(resource)
            context = self._context(stack)
        spec = notebook_spec(_UNNAMED, entry, context)
        if not evaluate_notebook(spec, self._config, passes=False):
            return
        stack = stack or cdk.Stack.of(resource)
        named = replace(spec, names=(resource.node.path, logical_id(resource, stack)))
        annotations = cdk.Annotations.of(resource)
        for finding in evaluate_notebook(named, self._config, passes=False):
            _annotate(annotations, finding)

    def _context(self, stack: cdk.Stack) -> TemplateContext:
        # jsii hands out one Python object per Node.js object, so the stack is its own key.
        if stack not in self._contexts:
            self._contexts[stack] = stack_context(stack)
        return self._contexts[stack]


_NO_CONTEXT = TemplateContext()
_UNNAMED = "<notebook>"
"""A stand-in name: whether a notebook passes does not depend on its names, only messages do."""


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
