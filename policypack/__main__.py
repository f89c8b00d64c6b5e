"""The sm-guardrails policy pack: rules at level error are mandatory, the others advisory.

Two policies: ``sm-guardrails`` reports what blocks, ``sm-guardrails-advisory`` what is
only shown. Change a level or add exemptions in the config of ``sm-guardrails``
(``pulumi policy enable ... --config`` or ``--policy-pack-config``; see docs/pulumi.md).
Add policies of your own to the list.
"""

from pulumi_policy import PolicyPack

from sm_guardrails.pulumi import notebook_policies

PolicyPack(
    name="sm-guardrails",
    description=(
        "Keeps Amazon SageMaker notebook instances and Studio domains off the public internet."
    ),
    policies=notebook_policies(),
)
