"""Controls generated from the catalog and the config: cfn-guard rules, SCPs and boundaries.

Nothing here imports a cloud SDK; the CDK constructs and Pulumi components that deploy
these documents live in ``sm_guardrails.cdk.controls`` and ``sm_guardrails.pulumi.controls``.
"""
