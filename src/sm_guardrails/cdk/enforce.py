"""``enforce``: the one call that makes a CDK app fail synth on a non-compliant notebook."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

from sm_guardrails.cdk.validation import GuardrailValidationPlugin
from sm_guardrails.config import ConfigError, GuardrailConfig


def enforce(app: IConstruct, config: GuardrailConfig | None = None) -> GuardrailValidationPlugin:
    """Check every notebook of ``app`` (an App, or one Stage) when it is synthesized.

    This registers :class:`GuardrailValidationPlugin`, which judges the rendered
    templates: it sees stages, nested stacks, escape-hatch overrides and included
    templates, and it costs one call per synth instead of one per construct.
    An error-level finding makes ``app.synth()`` raise and ``cdk synth`` exit 1.
    Calling it again on the same app returns the plugin already registered.
    """
    if not cdk.Stage.is_stage(app):
        raise TypeError(
            f"enforce() needs the App (or a Stage), got {type(app).__name__} at "
            f"{app.node.path!r}: call enforce(app) on the cdk.App of your app.py"
        )
    registered = getattr(app, _PLUGIN_ATTRIBUTE, None)
    if isinstance(registered, GuardrailValidationPlugin):
        if config is not None and config != registered.config:
            raise ConfigError(
                f"enforce() was already called on {app.node.path or 'the app'!r} with "
                "another config: call it once, with the config you want"
            )
        return registered
    plugin = GuardrailValidationPlugin(config, root=app)
    cdk.Validations.of(app).add_plugins(plugin)
    setattr(app, _PLUGIN_ATTRIBUTE, plugin)
    return plugin


_PLUGIN_ATTRIBUTE = "_sm_guardrails_plugin"
"""Where enforce() keeps the plugin it registered, on the App or Stage's Python object."""
