"""``GuardrailValidationPlugin``: judge the templates CDK rendered, after synthesis."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from sm_guardrails import __version__
from sm_guardrails.catalog import RULES, SMG_U
from sm_guardrails.cdk._findings import PLUGIN_NAME, description, property_paths, severity
from sm_guardrails.cdk.acknowledgements import (
    acknowledgement_violation,
    reasonless_acknowledgements,
)
from sm_guardrails.cloudformation import (
    TemplateFinding,
    check_template,
    load_with_nested,
)
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG

Judge = Callable[[Iterable[str]], Iterable[TemplateFinding]]
"""Turns the stack template paths CDK gives a plugin into the findings to report."""


_INTERFACES = (cdk.IPolicyValidationPlugin,) if hasattr(cdk, "IPolicyValidationPlugin") else ()
"""A validation plugin's interface, which aws-cdk-lib has from 2.254."""


@jsii.implements(*_INTERFACES)
class GuardrailValidationPlugin:
    """Checks every stack template of a stage, its nested stages and nested stacks.

    Register it with ``Validations.of(app).add_plugins(GuardrailValidationPlugin())``
    (or call :func:`sm_guardrails.cdk.enforce`). It reads the final CloudFormation,
    so escape-hatch overrides, ``CfnInclude``d templates and stages are all covered.
    Each finding is a violation of rule ``SMG-n``: errors fail the synth, warnings
    and exemptions (shown as info, with their reason) do not, and
    ``Validations.of(scope).acknowledge(cdk.Acknowledgment(id="sm-guardrails::SMG-1",
    reason=...))`` acknowledges a violation under ``scope``.
    """

    def __init__(
        self,
        config: GuardrailConfig | None = None,
        root: IConstruct | None = None,
        judge: Judge | None = None,
    ) -> None:
        """``root`` (the App or Stage it is added to) lets it reject reasonless acknowledgements.

        ``judge`` (set by :mod:`sm_guardrails.cdk.coverage`) decides which resources of the
        templates are judged, and with which config; without it, all are, with ``config``.
        """
        self.config = config or DEFAULT_CONFIG
        self.root = root
        self._judge = judge or self._judge_all
        self.succeeded: bool | None = None
        """The last report's success, None before CDK runs :meth:`validate` (``enforce``
        resets it before each synth)."""

    @property
    def name(self) -> str:
        """The plugin's name in reports and acknowledgement ids."""
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        """The sm-guardrails version."""
        return __version__

    @property
    def rule_ids(self) -> list[str]:
        """The rules this plugin evaluates."""
        return [rule.rule_id for rule in (*RULES, SMG_U)]

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """Judge the guarded resources of every template in ``context`` and its nested stacks."""
        findings = list(self._judge(context.template_paths))
        violations = [_violation(item) for item in findings]
        violations.extend(self._reasonless_acknowledgements(findings))
        self.succeeded = not any(item.finding.blocking for item in findings)
        return cdk.PolicyValidationPluginReport(
            success=self.succeeded,
            violations=violations,
            plugin_version=__version__,
        )

    def _judge_all(self, template_paths: Iterable[str]) -> Iterator[TemplateFinding]:
        for stack_template in template_paths:
            for loaded in load_with_nested(Path(stack_template)):
                yield from check_template(loaded, self.config, with_lines=False)

    def _reasonless_acknowledgements(
        self, findings: list[TemplateFinding]
    ) -> Iterator[cdk.PolicyViolation]:
        """A fatal violation for each blank acknowledgement that could hide a blocking finding."""
        blocking = [item for item in findings if item.finding.blocking]
        if self.root is None or not blocking:
            return
        rule_ids = {item.finding.rule_id for item in blocking}
        for ack in reasonless_acknowledgements(self.root, rule_ids):
            resources = [
                _resource(item) for item in blocking if item.finding.rule_id == ack.rule_id
            ]
            yield acknowledgement_violation(ack, resources)


def _violation(item: TemplateFinding) -> cdk.PolicyViolation:
    return cdk.PolicyViolation(
        rule_name=item.finding.rule_id,
        description=description(item),
        fix=item.finding.fix,
        severity=severity(item.finding),
        violating_resources=[_resource(item)],
    )


def _resource(item: TemplateFinding) -> cdk.PolicyViolatingResource:
    return cdk.PolicyViolatingResource(
        resource_logical_id=item.logical_id,
        template_path=item.file,
        locations=property_paths(item),
    )
