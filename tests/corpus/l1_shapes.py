"""What a kind's CDK L1 can hold: each property takes the shape its compliant value has.

A case's base properties (``BASE_PROPERTIES_BY_KIND``) give each property's shape: a
string, a list of strings, or a mapping of such. A value of another shape (a number for a
string) is set through an escape-hatch override instead, as a CDK user must write it.
Kept apart from ``cdk_forms`` so that choosing runners does not start Node.js.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from tests.corpus.cases import Case, is_literal

NAG_BLIND_BUILDERS = {
    "override",
    "acknowledge",
    "stack_set_body",
    "custom_resource",
    "aws_custom_resource",
    "product_asset",
    "stack_asset",
}
"""Builders cdk-nag cannot judge as ``enforce`` does: it reads L1 properties, not the
rendered template (overrides, a resource inside a StackSet's body or in a template file
that is an asset, a notebook that a custom resource creates), and its rule ids
(``SmGuardrails::SmGuardrails-SMG-1``) are not the ones ``Validations.acknowledge`` names
for ``enforce`` (``sm-guardrails::SMG-1``)."""


def is_intrinsic(value: object) -> bool:
    """True for a one-key mapping that is an intrinsic function or a reference."""
    return isinstance(value, Mapping) and len(value) == 1 and not is_literal(value)


def fits(value: object, shape: object) -> bool:
    """True when an L1 property shaped like ``shape`` accepts ``value`` (an intrinsic fits
    anywhere; an absent value fits)."""
    if is_intrinsic(value) or value is None:
        return True
    if isinstance(shape, list):
        return isinstance(value, list) and all(
            isinstance(item, str) or is_intrinsic(item) for item in value
        )
    if isinstance(shape, Mapping):
        return isinstance(value, Mapping) and all(
            name in shape and fits(item, shape[name]) for name, item in value.items()
        )
    return isinstance(value, str)


def nag_applies(case: Case) -> bool:
    """True when ``SmGuardrailsChecks`` (cdk-nag) can see the case's resource.

    It reads the L1 from the construct tree, so the values an L1 cannot hold are out of
    its reach, and so is ``Fn::FindInMap``: a ``CfnMapping``'s contents cannot be read
    from Python through jsii (the pack fails closed on it; docs/cdk.md).
    """
    if case.cdk is None or case.cdk["builder"] in NAG_BLIND_BUILDERS:
        return False
    if case.cfn is None:
        return True
    properties = case.properties()
    base = case.base()
    shaped = all(fits(value, base.get(name, "")) for name, value in properties.items())
    return shaped and "Fn::FindInMap" not in json.dumps(properties)
