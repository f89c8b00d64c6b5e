# Sourced by scripts/demo.sh (which defines section and expect): SageMaker Studio domains,
# judged by the same catalog (SMG-6, SMG-7) as notebook instances.
section "Studio: a domain left at PublicInternetOnly (AWS's default) is rejected"
expect 1 sm-guardrails check examples/templates/studio_public.yaml
section "Studio: a VpcOnly domain in private subnets behind a security group passes"
expect 0 sm-guardrails check examples/templates/studio_compliant.yaml
