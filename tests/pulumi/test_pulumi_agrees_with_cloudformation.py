"""The Pulumi adapter and the CloudFormation adapter give the same verdicts on the same notebook.

Each example is one notebook written twice: as a CloudFormation resource (judged in
process by the template checker's adapter) and as Pulumi inputs, pulumi-aws and
aws-native spellings, sent over gRPC to the running pack. A value decided later is a
``Fn::ImportValue`` in the template and the engine's unknown sentinel in Pulumi.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sm_guardrails.cloudformation.resources import resources_in_template
from sm_guardrails.evaluation import evaluate
from sm_guardrails.pulumi.engine import AnalyzerClient
from sm_guardrails.rules import Verdict

AWS = "aws:sagemaker/notebookInstance:NotebookInstance"
NATIVE = "aws-native:sagemaker:NotebookInstance"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ABSENT = object()
LATER = object()
"""A value decided later: an import in CloudFormation, unknown at preview in Pulumi."""

TEXT = ["Disabled", "Enabled", "disabled", " Disabled", "", " ", "2", 1, True, None, LATER, ABSENT]
IDS = ["subnet-1", "sg-1", "", "  ", 5, None, LATER, ABSENT]
GROUPS = [[], ["sg-1"], ["sg-1", ""], [LATER], [LATER, "sg-2"], "sg-1", None, LATER, ABSENT]
IMDS = [{"v": "2"}, {"v": "1"}, {"v": 2}, {"v": LATER}, {"v": ABSENT}, {}, LATER, ABSENT]

# CloudFormation name, Pulumi name (None: the resource type's security group key), values
PROPERTIES: list[tuple[str, str | None, list[object]]] = [
    ("DirectInternetAccess", "directInternetAccess", TEXT),
    ("SubnetId", "subnetId", IDS),
    ("SecurityGroupIds", None, GROUPS),
    ("RootAccess", "rootAccess", TEXT),
    ("KmsKeyId", "kmsKeyId", IDS),
    ("InstanceMetadataServiceConfiguration", "instanceMetadataServiceConfiguration", IMDS),
]

notebooks = st.fixed_dictionaries({cfn: st.sampled_from(values) for cfn, _, values in PROPERTIES})


def to_template(value: object, name: str) -> object:
    if value is LATER:
        return {"Fn::ImportValue": f"shared-{name}"}
    if isinstance(value, list):
        return [to_template(item, name) for item in value]
    if isinstance(value, dict):
        inner = value.get("v", ABSENT)
        return (
            {}
            if inner is ABSENT
            else {"MinimumInstanceMetadataServiceVersion": to_template(inner, name)}
        )
    return value


def to_pulumi(value: object) -> object:
    if value is LATER:
        return UNKNOWN
    if isinstance(value, list):
        return [to_pulumi(item) for item in value]
    if isinstance(value, dict):
        inner = value.get("v", ABSENT)
        return (
            {} if inner is ABSENT else {"minimumInstanceMetadataServiceVersion": to_pulumi(inner)}
        )
    return value


def cloudformation_verdicts(notebook: dict[str, object]) -> set[tuple[str, Verdict]]:
    properties = {
        name: to_template(value, name) for name, value in notebook.items() if value is not ABSENT
    }
    resource = {"Type": "AWS::SageMaker::NotebookInstance", "Properties": properties}
    [found] = resources_in_template({"Resources": {"Notebook": resource}})
    return {
        (finding.rule_id, finding.verdict)
        for finding in evaluate(found.spec)
        if finding.verdict is not Verdict.PASS
    }


def pulumi_verdicts(
    client: AnalyzerClient, resource_type: str, notebook: dict[str, object]
) -> set[tuple[str, Verdict]]:
    groups = "securityGroups" if resource_type == AWS else "securityGroupIds"
    props: dict[str, Any] = {}
    for cfn, name, _ in PROPERTIES:
        if notebook[cfn] is not ABSENT:
            props[name or groups] = to_pulumi(notebook[cfn])
    urn = f"urn:pulumi:dev::agree::{resource_type}::notebook"
    verdicts = set()
    for diagnostic in client.analyze(resource_type, props, urn, "notebook"):
        rule_id = diagnostic.message.split("[", 1)[1].split("]", 1)[0]
        undecided = "cannot be decided before deployment" in diagnostic.message
        verdicts.add((rule_id, Verdict.UNKNOWN if undecided else Verdict.FAIL))
    return verdicts


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notebook=notebooks)
def test_same_notebook_same_verdicts(analyzer: AnalyzerClient, notebook: dict[str, object]) -> None:
    expected = cloudformation_verdicts(notebook)
    assert pulumi_verdicts(analyzer, AWS, notebook) == expected
    assert pulumi_verdicts(analyzer, NATIVE, notebook) == expected
