"""The policy-pack baseline: one resource policy whose validation does nothing."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def _accept(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Accept every resource."""


PolicyPack(
    name="bench-empty",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="accept-everything", description="Does nothing.", validate=_accept
        )
    ],
)
