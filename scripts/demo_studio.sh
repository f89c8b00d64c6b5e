# Sourced by scripts/demo.sh (which defines section and expect): SageMaker Studio domains,
# judged by the same catalog (SMG-6, SMG-7) as notebook instances, at every layer.
section "Studio: a domain left at PublicInternetOnly (AWS's default) is rejected by check"
expect 1 sm-guardrails check examples/templates/studio_public.yaml
section "Studio: a VpcOnly domain in private subnets behind a security group passes"
expect 0 sm-guardrails check examples/templates/studio_compliant.yaml

studio_out=$(mktemp -d)
pushd examples/cdk_studio_app >/dev/null || exit 1
section "Studio, CDK: cdk synth of an app whose domain is a SecureStudioDomain passes"
expect 0 cdk synth --no-notices --quiet --output "$studio_out/secure"
section "Studio, CDK: cdk synth -c insecure=true fails on a raw CfnDomain (SMG-6)"
expect 1 cdk synth --no-notices --quiet --output "$studio_out/insecure" -c insecure=true
popd >/dev/null || exit 1

section "Studio, controls: the generated Guard rules reject the public domain and pass the VpcOnly one"
studio_guard=$(ls .tools/node_modules/@cdklabs/cdk-validator-cfnguard/bin/ubuntu/"$(uname -m)"/cfn-guard)
expect 0 sm-guardrails export guard -o "$studio_out/rules.guard"
expect 19 "$studio_guard" validate -r "$studio_out/rules.guard" -d examples/templates/studio_public.yaml -S fail
expect 0 "$studio_guard" validate -r "$studio_out/rules.guard" -d examples/templates/studio_compliant.yaml

# A live account: a moto server on 127.0.0.1, started here and stopped again.
start_moto "$studio_out"
studio_url=$moto_url
studio_domain=$(python - "$studio_url" <<'PY'
import sys, time, boto3
client = boto3.client("sagemaker", region_name="eu-west-1", endpoint_url=sys.argv[1])
for _ in range(100):  # wait for the server to listen
    try:
        client.list_domains()
        break
    except Exception:
        time.sleep(0.1)
settings = {"ExecutionRole": "arn:aws:iam::123456789012:role/studio",
            "SecurityGroups": ["sg-0123456789abcdef0"]}
tags = [{"Key": "team", "Value": "research"}]  # moto answers ListTags on an untagged domain with 500
client.create_domain(
    DomainName="research", AuthMode="IAM", DefaultUserSettings=settings,
    SubnetIds=["subnet-0123456789abcdef0"], VpcId="vpc-0123456789abcdef0", Tags=tags,
    AppNetworkAccessType="VpcOnly",
)
client.create_domain(
    DomainName="open", AuthMode="IAM", DefaultUserSettings=settings,
    SubnetIds=["subnet-0123456789abcdef0"], VpcId="vpc-0123456789abcdef0", Tags=tags,
)
print(next(d["DomainId"] for d in client.list_domains()["Domains"] if d["DomainName"] == "open"))
PY
) || exit 1
section "Studio, AWS: audit finds the deployed domain left at PublicInternetOnly (moto server)"
expect 1 sm-guardrails audit --region eu-west-1 --endpoint-url "$studio_url"
section "Studio, AWS: remediate --domain shows the in-place UpdateDomain plan and changes nothing"
expect 0 sm-guardrails remediate --domain "$studio_domain" --region eu-west-1 --endpoint-url "$studio_url" \
  --journal-dir "$studio_out"
stop_moto
rm -rf "$studio_out"
