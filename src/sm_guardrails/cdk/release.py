"""The aws-cdk-lib release installed, and which of its mechanisms ``enforce`` relies on.

Importing this module checks the release (before aws-cdk-lib itself is imported):
below the floor it raises :class:`~sm_guardrails.extras.UnsupportedReleaseError`, one line.
"""

from __future__ import annotations

from sm_guardrails.extras import require_release

FLOOR = (2, 80, 0)
"""The oldest aws-cdk-lib release supported (tested by ``make test-floor``)."""

PLUGIN_RELEASE = (2, 271, 0)
"""The first release whose validation plugins keep enforce()'s promise by themselves.

From 2.262 a failed report makes ``app.synth()`` raise (before, it only prints it), and
from 2.271 an acknowledgement applies only under the construct it was made on (before,
to the rule everywhere in the app). On older releases ``enforce`` judges the written
cloud assembly after ``app.synth()`` instead (:mod:`sm_guardrails.cdk.app_synth`).
"""

FALLBACK = "run `cdk synth`, then `sm-guardrails check cdk.out`"

RELEASE = require_release("sm_guardrails.cdk", "aws-cdk-lib", FLOOR, (3,), FALLBACK)

import aws_cdk as cdk  # noqa: E402  (after the release check, which needs no import)

NATIVE_ACKNOWLEDGE = hasattr(cdk, "Validations")
"""``Validations.of(scope).acknowledge`` exists (from 2.254)."""

USES_PLUGIN = RELEASE >= PLUGIN_RELEASE and NATIVE_ACKNOWLEDGE
"""Whether enforce() registers its validation plugin (else it judges the assembly itself)."""
