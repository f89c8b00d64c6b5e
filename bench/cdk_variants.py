"""What each CDK synth variant adds to an app before ``app.synth()`` is timed."""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from bench.cdk_bench import ASPECT, BASELINE, CDK_NAG, ENFORCE, FLOOR, VALIDATION
from sm_guardrails.cdk import GuardrailValidationPlugin, NotebookGuardrailAspect, enforce


@jsii.implements(cdk.IAspect)
class NoOpAspect:
    """The floor of any Python aspect: a visit that does nothing still crosses from Node.js."""

    def visit(self, node: IConstruct) -> None:
        """Do nothing."""


def _nothing(app: cdk.App) -> None:
    """Plain synth."""


def _floor(app: cdk.App) -> None:
    cdk.Aspects.of(app).add(NoOpAspect())


def _aspect(app: cdk.App) -> None:
    cdk.Aspects.of(app).add(NotebookGuardrailAspect())


def _validation(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(GuardrailValidationPlugin())


def _enforce(app: cdk.App) -> None:
    enforce(app)


def _cdk_nag(app: cdk.App) -> None:
    from cdk_nag import AwsSolutionsChecks  # optional: `make bench` installs it

    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))


SETUPS: dict[str, Callable[[cdk.App], None]] = {
    BASELINE: _nothing,
    FLOOR: _floor,
    ASPECT: _aspect,
    VALIDATION: _validation,
    ENFORCE: _enforce,
    CDK_NAG: _cdk_nag,
}
"""Variant name to setup (the names and their order are in :mod:`bench.cdk_bench`)."""

FAILS_SYNTH = {CDK_NAG}
"""Variants whose findings on the generated app make ``app.synth()`` raise after validating."""
