"""``enforce``: the one call that makes a CDK app fail synth on a non-compliant notebook."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

from sm_guardrails.cdk.validation import GuardrailValidationPlugin
from sm_guardrails.config import GuardrailConfig


def enforce(app: IConstruct, config: GuardrailConfig | None = None) -> GuardrailValidationPlugin:
    """Check every notebook of ``app`` (an App, or one Stage) when it is synthesized.

    This registers :class:`GuardrailValidationPlugin`, which judges the rendered
    templates: it sees stages, nested stacks, escape-hatch overrides and included
    templates, and it costs one call per synth instead of one per construct.
    An error-level finding makes ``app.synth()`` raise and ``cdk synth`` exit 1.
    """
    if not cdk.Stage.is_stage(app):
        raise TypeError(
            f"enforce() needs the App (or a Stage), got {type(app).__name__} at "
            f"{app.node.path!r}: call enforce(app) on the cdk.App of your app.py"
        )
    plugin = GuardrailValidationPlugin(config)
    cdk.Validations.of(app).add_plugins(plugin)
    return plugin
