"""The policy-pack baseline: resource policies whose validation does nothing.

One policy by default (the empty pack the targets compare with); the benchmark also
starts it with ``SMG_BENCH_NOOP_POLICIES=2``, as many policies as sm-guardrails has,
to show what the policy SDK itself costs for a pack of that size.
"""

import os

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
            name=f"accept-everything-{index}", description="Does nothing.", validate=_accept
        )
        for index in range(int(os.environ.get("SMG_BENCH_NOOP_POLICIES", "1")))
    ],
)
