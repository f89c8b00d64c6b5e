# Sourced by scripts/demo.sh: a notebook inside a StackSet's TemplateBody, and a nested
# stack whose template is only at a URL (a notice; an error under --strict).
section "CloudFormation StackSet: the notebook in its TemplateBody is judged"
expect 1 sm-guardrails check examples/templates_held/stackset.yaml
section "A nested stack at a URL is not seen: a notice, and an error under --strict"
expect 0 sm-guardrails check examples/templates_held/remote_nested.yaml
expect 1 sm-guardrails check examples/templates_held/remote_nested.yaml --strict
