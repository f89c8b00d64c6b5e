"""DescribeNotebookInstance output (from a real HTTP endpoint) becomes the spec the rules judge."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sm_guardrails.aws import AwsSettings, deployed_resource, make_session, sagemaker_client
from sm_guardrails.config import ConfigError, GuardrailConfig
from sm_guardrails.deployed import DeployedLocation
from sm_guardrails.evaluation import evaluate
from sm_guardrails.kinds import NOTEBOOK_INSTANCE
from sm_guardrails.model import Exemption
from sm_guardrails.rules import Verdict
from tests.aws.conftest import COMPLIANT, AwsEnv, make_notebook

REGION = "eu-west-1"


def _failing(notebook_findings: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {f.rule_id: f.message for f in notebook_findings if f.verdict is not Verdict.PASS}


def _read(env: AwsEnv, name: str, honour: bool = True):  # type: ignore[no-untyped-def]
    settings = AwsSettings(endpoint_url=env.endpoint)
    client = sagemaker_client(make_session(settings), REGION, settings)
    description = client.describe_notebook_instance(NotebookInstanceName=name)
    tags = client.list_tags(ResourceArn=description["NotebookInstanceArn"])["Tags"]
    return deployed_resource(
        NOTEBOOK_INSTANCE, description, tags, REGION, honour_exemption_tags=honour
    )


def test_a_compliant_notebook_fails_only_the_imds_rule_moto_does_not_keep(
    moto_state: AwsEnv,
) -> None:
    arn = make_notebook(moto_state.client("sagemaker", REGION), "good", **COMPLIANT)
    notebook = _read(moto_state, "good")
    assert (notebook.name, notebook.arn, notebook.region) == ("good", arn, REGION)
    assert notebook.spec.names == ("good", arn)
    failing = _failing(evaluate(notebook.spec))
    assert list(failing) == ["SMG-5"]
    assert "InstanceMetadataServiceConfiguration" in failing["SMG-5"]


def test_absent_fields_mean_the_aws_defaults(moto_state: AwsEnv) -> None:
    make_notebook(moto_state.client("sagemaker", REGION), "bare")
    failing = _failing(evaluate(_read(moto_state, "bare").spec))
    assert set(failing) == {"SMG-1", "SMG-2", "SMG-3", "SMG-4", "SMG-5"}
    assert "SecurityGroups" in failing["SMG-2"]  # the API's name, not SecurityGroupIds


def test_internet_access_enabled_with_a_vpc_fails_only_smg1(moto_state: AwsEnv) -> None:
    settings = {**COMPLIANT, "DirectInternetAccess": "Enabled"}
    make_notebook(moto_state.client("sagemaker", REGION), "open", **settings)
    failing = _failing(evaluate(_read(moto_state, "open").spec))
    assert set(failing) == {"SMG-1", "SMG-5"}
    assert "'Enabled'" in failing["SMG-1"]


def test_exemption_tags_exempt_and_a_blank_reason_is_smg0(moto_state: AwsEnv) -> None:
    tags = [
        {"Key": "sm-guardrails:exempt:SMG-5", "Value": "ticket SEC-7: IMDS not in moto"},
        {"Key": "sm-guardrails:exempt:SMG-3", "Value": " "},
        {"Key": "team", "Value": "ml"},
    ]
    make_notebook(moto_state.client("sagemaker", REGION), "tagged", Tags=tags, **COMPLIANT)
    findings = evaluate(_read(moto_state, "tagged").spec, passes=False)
    by_rule = {f.rule_id: f for f in findings}
    assert by_rule["SMG-5"].exemption == "ticket SEC-7: IMDS not in moto"
    assert "exemption of SMG-3 has no reason" in by_rule["SMG-0"].message
    assert by_rule["SMG-0"].blocking


def test_tag_exemptions_turned_off_are_ignored_and_named(moto_state: AwsEnv) -> None:
    tags = [{"Key": "sm-guardrails:exempt:SMG-5", "Value": "because"}]
    make_notebook(moto_state.client("sagemaker", REGION), "tagged", Tags=tags, **COMPLIANT)
    notebook = _read(moto_state, "tagged", honour=False)
    assert notebook.ignored_exemption_tags == ("sm-guardrails:exempt:SMG-5=because",)
    (finding,) = evaluate(notebook.spec, passes=False)
    assert finding.rule_id == "SMG-5" and finding.exemption is None


def test_a_config_exemption_may_name_the_notebook_or_its_arn(moto_state: AwsEnv) -> None:
    arn = make_notebook(moto_state.client("sagemaker", REGION), "byarn")
    spec = _read(moto_state, "byarn").spec
    config = GuardrailConfig(
        exemptions=(
            Exemption("SMG-1", "lab notebook", resource=arn),
            Exemption("SMG-3", "vendor agent", resource="byarn"),
            Exemption("SMG-4", "other notebook", resource="someone-else"),
        )
    )
    exempted = {f.rule_id: f.exemption for f in evaluate(spec, config, passes=False)}
    assert exempted["SMG-1"] == "lab notebook"
    assert exempted["SMG-3"] == "vendor agent"
    assert exempted["SMG-4"] is None


def test_the_imds_setting_moto_does_not_keep_is_read_from_the_api_shape() -> None:
    description = {
        "NotebookInstanceName": "nb",
        "NotebookInstanceArn": "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/nb",
        "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
        "SecurityGroups": [],
    }
    notebook = deployed_resource(NOTEBOOK_INSTANCE, description, [], REGION)
    failing = _failing(evaluate(notebook.spec))
    assert "SMG-5" not in failing
    assert "SecurityGroups" in failing["SMG-2"]


def test_the_core_imports_no_cloud_sdk() -> None:
    probe = "import sys, sm_guardrails, sm_guardrails.cli; print('boto3' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


def test_tag_exemptions_in_a_config_must_be_true_or_false() -> None:
    assert GuardrailConfig.from_mapping({"tag_exemptions": False}).tag_exemptions is False
    with pytest.raises(ConfigError, match=r"config\.tag_exemptions: expected true or false"):
        GuardrailConfig.from_mapping({"tag_exemptions": "no"})


@pytest.mark.parametrize(
    ("arn", "account"),
    [
        ("arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/a:b", "123456789012"),
        ("arn:aws-cn:sagemaker:cn-north-1:210987654321:notebook-instance/x", "210987654321"),
        ("arn:aws:sagemaker:eu-west-1::notebook-instance/x", None),
        ("", None),
    ],
)
def test_a_deployed_location_takes_the_account_from_the_arn(arn: str, account: str | None) -> None:
    assert DeployedLocation.of(arn, "eu-west-1", "x") == DeployedLocation(
        account, "eu-west-1", arn, "x"
    )
