# The preventive-controls part of the demo, sourced by scripts/demo.sh (which defines
# section and expect): the generated SCP through parliament, the Guard rules through
# the real cfn-guard (from @cdklabs/cdk-validator-cfnguard in .tools/).
controls=$(mktemp -d)
cfn_guard=$(ls .tools/node_modules/@cdklabs/cdk-validator-cfnguard/bin/ubuntu/"$(uname -m)"/cfn-guard)
section "Controls: the generated SCP, and parliament finds nothing in it"
expect 0 sm-guardrails policy scp -o "$controls/scp.json"
cat "$controls/scp.json"
expect 0 parliament --string "$(cat "$controls/scp.json")"
section "Controls: the generated Guard rules reject the insecure template (cfn-guard exits 19)"
expect 0 sm-guardrails export guard -o "$controls/notebooks.guard"
expect 19 "$cfn_guard" validate -r "$controls/notebooks.guard" -d examples/templates/insecure.yaml -S fail
section "Controls: and pass the compliant one"
expect 0 "$cfn_guard" validate -r "$controls/notebooks.guard" -d examples/templates/compliant.yaml
rm -rf "$controls"
