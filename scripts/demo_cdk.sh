# The CDK part of the demo, sourced by scripts/demo.sh (which defines section and expect):
# the example app through the real `cdk synth`, once as is and once with the insecure stack.
cdk_out=$(mktemp -d)
export CDK_DISABLE_VERSION_CHECK=true
pushd examples/cdk_app >/dev/null || exit 1
section "CDK: cdk synth of an app whose notebook is a SecureNotebookInstance passes"
expect 0 cdk synth --no-notices --quiet --output "$cdk_out/secure"
section "CDK: cdk synth -c insecure=true fails on a raw notebook with internet access"
expect 1 cdk synth --no-notices --quiet --output "$cdk_out/insecure" -c insecure=true
popd >/dev/null || exit 1
section "CDK: the template checker gives the same verdict on that cloud assembly"
expect 1 sm-guardrails check "$cdk_out/insecure"
rm -rf "$cdk_out"
