"""sm-guardrails as a cdk-nag ``NagPack`` (extra ``nag``): the same verdicts, cdk-nag's reports.

For teams that already run cdk-nag and manage ``NagSuppressions``; with cdk-nag 3, whose
packs are validation plugins::

    Validations.of(app).add_plugins(SmGuardrailsChecks(app))

with cdk-nag 2, whose packs are aspects (``NagSuppressions`` work as for its own packs)::

    Aspects.of(app).add(SmGuardrailsChecks())

Every verdict comes from :func:`sm_guardrails.evaluation.evaluate`; this module
only hands them to cdk-nag. cdk-nag 3 walks the construct tree after synthesis and
reads each ``CfnResource``'s L1 properties, so an escape-hatch override
(``add_property_override``) is not seen; ``enforce(app)``, which reads the rendered
templates, sees it (docs/cdk.md).
"""

from __future__ import annotations

from typing import cast

from sm_guardrails.extras import require_extra

require_extra("nag", __name__, "cdk_nag")

import aws_cdk as cdk
import cdk_nag
import jsii
from constructs import IConstruct

from sm_guardrails import __version__
from sm_guardrails.catalog import RULES_BY_KIND, SMG_0, Level, Rule
from sm_guardrails.cdk._resources import guarded_resource, logical_id
from sm_guardrails.cdk.l1_resource import resource_entry, stack_context
from sm_guardrails.cloudformation import resource_spec
from sm_guardrails.config import GuardrailConfig
from sm_guardrails.evaluation import DEFAULT_CONFIG, Finding, evaluate

PACK_NAME = "SmGuardrails"
ASPECT_PACK = hasattr(cdk_nag.NagPack, "visit")
"""cdk-nag 2: a pack is an aspect that visits each construct (cdk-nag 3: a plugin)."""
_NAG_LEVEL = {
    Level.ERROR: cdk_nag.NagMessageLevel.ERROR,
    Level.WARNING: cdk_nag.NagMessageLevel.WARN,
}


@jsii.implements(cdk_nag.IApplyRule)
class _RuleResult:
    """One rule's verdict on one resource, in the shape ``NagPack.applyRule`` takes."""

    def __init__(self, rule: Rule, node: cdk.CfnResource, finding: Finding | None) -> None:
        self._rule = rule
        self._node = node
        self._finding = finding

    @property
    def rule_suffix_override(self) -> str:
        """The rule id, so cdk-nag names it ``SmGuardrails-SMG-1``."""
        return self._rule.rule_id

    @property
    def info(self) -> str:
        """The rule's title."""
        return self._rule.title

    @property
    def explanation(self) -> str:
        """The finding (what is wrong, the fix), or the rule's rationale when it passes."""
        return self._finding.describe() if self._finding else self._rule.rationale

    @property
    def level(self) -> cdk_nag.NagMessageLevel:
        """Error or warning, as the finding (or the rule) is configured."""
        if self._finding is None:
            return _NAG_LEVEL.get(self._rule.default_level, cdk_nag.NagMessageLevel.WARN)
        if self._finding.exemption:  # cdk-nag has no info level: shown, never blocking
            return cdk_nag.NagMessageLevel.WARN
        return _NAG_LEVEL.get(self._finding.level, cdk_nag.NagMessageLevel.WARN)

    @property
    def node(self) -> cdk.CfnResource:
        """The resource judged."""
        return self._node

    def rule(self, node: cdk.CfnResource) -> cdk_nag.NagRuleCompliance:
        """The verdict the rule core gave (an exempted finding is reported as a warning)."""
        if self._finding is None:
            return cdk_nag.NagRuleCompliance.COMPLIANT
        return cdk_nag.NagRuleCompliance.NON_COMPLIANT


class SmGuardrailsChecks(cdk_nag.NagPack):
    """The SMG rules as a cdk-nag pack; rule ids ``SmGuardrails-SMG-n``.

    Each resource of a kind the registry declares (notebook instances, Studio domains)
    is judged by its kind's rules (``catalog.RULES_BY_KIND``). A rule at level off is
    not applied. cdk-nag has no info level, so an exempted finding (``exempt()``), which
    ``enforce(app)`` shows as info, is a warning here with its reason: shown, never
    blocking.
    """

    def __init__(
        self,
        scope: cdk.App | None = None,
        *,
        config: GuardrailConfig | None = None,
        verbose: bool | None = None,
    ) -> None:
        if ASPECT_PACK:  # cdk-nag 2 packs take no scope: they are added to one as an aspect
            super().__init__(verbose=verbose)
        else:
            super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        self._config = config or DEFAULT_CONFIG

    @property
    def name(self) -> str:
        """The plugin's name in CDK's validation report."""
        return PACK_NAME

    @property
    def version(self) -> str:
        """sm-guardrails' version."""
        return __version__

    if ASPECT_PACK:

        @jsii.member(jsii_name="visit")
        def visit(self, node: IConstruct) -> None:
            """cdk-nag 2: judge ``node`` if it is a resource of a declared kind."""
            self._judge(node)

    else:

        @jsii.member(jsii_name="checkResource")
        def _check_resource(self, node: cdk.CfnResource) -> None:
            self._judge(node)

    def _judge(self, node: IConstruct) -> None:
        guarded = guarded_resource(node)
        if guarded is None:
            return
        resource, kind = guarded
        stack = cdk.Stack.of(resource)
        entry = resource_entry(resource, kind, stack)
        spec = resource_spec(kind, logical_id(resource, stack), entry, stack_context(stack))
        findings = {f.rule_id: f for f in evaluate(spec, self._config, passes=False)}
        rules = RULES_BY_KIND[kind]
        checked = (*rules, SMG_0) if SMG_0.rule_id in findings else rules
        for rule in checked:
            if self._config.level_of(rule) is not Level.OFF:
                result = _RuleResult(rule, resource, findings.get(rule.rule_id))
                # jsii reads an interface's members through getters: read-only is enough.
                self._apply_rule(cast(cdk_nag.IApplyRule, result))
