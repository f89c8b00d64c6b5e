# Sourced by scripts/demo.sh (which defines section and expect): a live-account audit and
# its remediation against a moto server this script starts on 127.0.0.1 and stops again.
aws_demo_dir=$(mktemp -d)
start_moto "$aws_demo_dir"
aws_demo_url=$moto_url
python - "$aws_demo_url" <<'PY' || exit 1
import sys, time, boto3
client = boto3.client("sagemaker", region_name="eu-west-1", endpoint_url=sys.argv[1])
for _ in range(100):  # wait for the server to listen
    try:
        client.list_notebook_instances()
        break
    except Exception:
        time.sleep(0.1)
client.create_notebook_instance(
    NotebookInstanceName="research", InstanceType="ml.t3.medium",
    RoleArn="arn:aws:iam::123456789012:role/notebook-role", DirectInternetAccess="Enabled",
    SubnetId="subnet-0123456789abcdef0", SecurityGroupIds=["sg-0123456789abcdef0"],
    Tags=[{"Key": "team", "Value": "research"}],
)
PY
section "AWS: audit finds a deployed notebook with direct internet access (moto server)"
expect 1 sm-guardrails audit --region eu-west-1 --endpoint-url "$aws_demo_url"
section "AWS: remediate shows the plan (stop, delete, recreate) and changes nothing"
expect 0 sm-guardrails remediate research --region eu-west-1 --endpoint-url "$aws_demo_url"
section "AWS: remediate --apply replaces it, journaled step by step"
expect 0 sm-guardrails remediate research --region eu-west-1 --endpoint-url "$aws_demo_url" \
  --apply --confirm-data-loss --journal-dir "$aws_demo_dir" --poll-interval 0.2
section "AWS: a second audit has no error left (moto keeps no IMDS setting: SMG-5 warns)"
expect 0 sm-guardrails audit --region eu-west-1 --endpoint-url "$aws_demo_url"
stop_moto
rm -rf "$aws_demo_dir"
