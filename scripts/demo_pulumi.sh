# Sourced by scripts/demo.sh: the Pulumi example judged by the policy pack, started the
# way the Pulumi engine starts it and called over its gRPC Analyzer service.
section "Pulumi: the SecureNotebookInstance and SecureStudioDomain example passes the policy pack"
expect 0 python -m sm_guardrails.pulumi.harness examples/pulumi_app --policy-pack policypack
section "Pulumi: a raw notebook with direct internet access and a PublicInternetOnly Studio domain are rejected (SMG-1, SMG-6, mandatory)"
expect 1 python -m sm_guardrails.pulumi.harness examples/pulumi_app --policy-pack policypack --config insecure=true
