"""``enforce``: the one call that makes a CDK app fail synth on a non-compliant notebook
instance or Studio domain."""

from __future__ import annotations

from typing import cast

import aws_cdk as cdk
from constructs import IConstruct

from sm_guardrails.cdk.app_synth import guard_app_synth
from sm_guardrails.cdk.coverage import coverage_of
from sm_guardrails.cdk.validation import GuardrailValidationPlugin
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG


def enforce(app: IConstruct, config: GuardrailConfig | None = None) -> GuardrailValidationPlugin:
    """Check every notebook instance and Studio domain of ``app`` (an App, or one Stage)
    when it is synthesized (every kind in :data:`sm_guardrails.kinds.KINDS`).

    This registers the App's :class:`GuardrailValidationPlugin` (one per App, shared
    with :class:`~sm_guardrails.cdk.NotebookGuardrailAspect`), which judges the rendered
    templates: it sees stages, nested stacks, escape-hatch overrides and included
    templates, and it costs one call per synth instead of one per construct.
    An error-level finding makes ``app.synth()`` raise
    :class:`~sm_guardrails.cdk.GuardrailViolationError` and ``cdk synth`` exit 1, on every
    supported aws-cdk-lib release (:mod:`sm_guardrails.cdk.app_synth` says how).
    Calling it again on the same app returns the same plugin; another config for the
    same App or Stage raises ``ConfigError``.
    """
    if not cdk.Stage.is_stage(app):
        raise TypeError(
            f"enforce() needs the App (or a Stage), got {type(app).__name__} at "
            f"{app.node.path!r}: call enforce(app) on the cdk.App of your app.py"
        )
    guard_app_synth()
    coverage = coverage_of(app, "enforce()")
    coverage.add_stage(cast(cdk.Stage, app), config or DEFAULT_CONFIG, "enforce()")
    return coverage.plugin
