"""Templates in every form that `sm-guardrails check` blocks, reports as unseen, or cannot
read, each with the SMG rules the generated Guard rules must fail on it.

``default`` is what `sm-guardrails export guard` fails (error-level rules); ``strict``
what `export guard --strict` fails (every rule at error, ``unseen: error``), when it
differs. The parity test also checks each against `check` itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sm_guardrails.catalog import RULES, Level
from sm_guardrails.kinds import STUDIO_DOMAIN
from tests.corpus.cases import BASE_PROPERTIES

NOTEBOOK = "AWS::SageMaker::NotebookInstance"
OPEN = {**BASE_PROPERTIES, "DirectInternetAccess": "Enabled"}
"""A notebook with direct internet access: SMG-1 fails (an error by default)."""
DOMAIN = STUDIO_DOMAIN.cloudformation_type
DOMAIN_PROPERTIES: dict[str, Any] = {
    "DomainName": "studio",
    "AuthMode": "IAM",
    "AppNetworkAccessType": "VpcOnly",
    "VpcId": "vpc-0123456789abcdef0",
    "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    "DefaultUserSettings": {
        "ExecutionRole": "arn:aws:iam::123456789012:role/studio",
        "SecurityGroups": ["sg-0123456789abcdef0"],
    },
}
"""A Studio domain that passes SMG-6 and SMG-7, in CloudFormation names."""
PUBLIC_DOMAIN = {
    key: value for key, value in DOMAIN_PROPERTIES.items() if key != "AppNetworkAccessType"
}
"""A domain left at AWS's default, PublicInternetOnly: SMG-6 fails."""
LOOP_RULES = {rule: f"{rule.rule_id}_{rule.name}_loops".replace("-", "_") for rule in RULES}
"""Each rule's Guard rule failing on a template with ``Fn::ForEach`` under Resources."""
BODIES = "SMG_U_template_bodies"
CODE = "SMG_U_code_made_notebooks"
MACROS = "SMG_U_macros"
UNSEEN = "SMG_U_unseen_templates"
TYPES = "SMG_U_resource_types"


@dataclass(frozen=True)
class Form:
    """One template (a mapping written as JSON, or YAML text) and the Guard rules failing on it."""

    id: str
    template: dict[str, Any] | str
    default: frozenset[str]
    strict: frozenset[str] | None = None

    @property
    def suffix(self) -> str:
        return ".yaml" if isinstance(self.template, str) else ".json"

    def text(self) -> str:
        return self.template if isinstance(self.template, str) else json.dumps(self.template)


def _form(
    id: str, template: dict[str, Any] | str, *default: str, strict: set[str] | None = None
) -> Form:
    return Form(id, template, frozenset(default), None if strict is None else frozenset(strict))


def _resources(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


def _notebook(properties: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Type": NOTEBOOK, "Properties": properties or OPEN}


def _domain(properties: dict[str, Any]) -> dict[str, Any]:
    return {"Type": DOMAIN, "Properties": properties}


def _stack_set(body: object) -> dict[str, Any]:
    return {"Type": "AWS::CloudFormation::StackSet", "Properties": {"TemplateBody": body}}


def _from_url(kind: str) -> dict[str, Any]:
    return {"Type": kind, "Properties": {"TemplateURL": "https://example.com/t.json"}}


def _body(**resources: dict[str, Any]) -> str:
    return json.dumps(_resources(**resources))


_INCLUDE = {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/snippet.yaml"}}
_BUCKET = {"Type": "AWS::S3::Bucket"}
_ESCAPED_BODY = _body(Lab=_notebook()).replace("NotebookInstance", "Notebook\\u0049nstance")


def _split_at_the_type(text: str) -> list[str]:
    """``text`` in two pieces that split the notebook type between its words."""
    middle = text.index("NotebookInstance") + len("Notebook")
    return [text[:middle], text[middle:]]


_LAMBDA_CODE = (
    "import boto3\n"
    "def handler(event, context):\n"
    "    boto3.client('sagemaker').create_notebook_instance(**event['ResourceProperties'])\n"
)


def _custom(properties: dict[str, Any], kind: str = "Custom::NotebookMaker") -> dict[str, Any]:
    token = {"Fn::GetAtt": ["Provider", "Arn"]}
    return {"Type": kind, "Properties": {"ServiceToken": token, **properties}}


def _nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    for level in range(depth):
        leaf = {f"Level{level}": [leaf]} if level % 2 else {f"Level{level}": leaf}
    return leaf


FORMS: tuple[Form, ...] = (
    # notebooks Guard reads: its JSON and YAML parsers decode escapes
    _form(
        "escaped-type-json",
        json.dumps(_resources(Lab=_notebook())).replace(
            "NotebookInstance", "Notebook\\u0049nstance"
        ),
        "SMG_1_no_direct_internet_access",
    ),
    _form(
        "escaped-type-yaml",
        f'Resources:\n  Lab:\n    Type: "AWS::SageMaker::Notebook\\x49nstance"\n'
        f"    Properties: {json.dumps(OPEN)}\n",
        "SMG_1_no_direct_internet_access",
    ),
    # template bodies: strings Guard cannot parse
    _form("body-declares-notebook", _resources(Rollout=_stack_set(_body(Lab=_notebook()))), BODIES),
    _form(
        "body-compliant-notebook",  # a false positive: check passes it
        _resources(Rollout=_stack_set(_body(Lab=_notebook(BASE_PROPERTIES)))),
        BODIES,
    ),
    _form(
        "body-json-escaped-type",
        _resources(Rollout=_stack_set(_ESCAPED_BODY)),
        BODIES,
    ),
    _form(
        "body-yaml-escaped-type",
        _resources(
            Rollout=_stack_set(
                'Resources: {Lab: {Type: "AWS::SageMaker::Notebook\\x49nstance", '
                f"Properties: {json.dumps(OPEN)}}}}}"
            )
        ),
        BODIES,
    ),
    _form(
        "body-yaml-escaped-line-break",
        _resources(
            Rollout=_stack_set(
                'Resources:\n  Lab:\n    Type: "AWS::SageMaker::Notebook\\\n      Instance"\n'
                f"    Properties: {json.dumps(OPEN)}\n"
            )
        ),
        BODIES,
    ),
    _form(
        "body-join-of-literals",
        _resources(
            Rollout=_stack_set({"Fn::Join": ["", _split_at_the_type(_body(Lab=_notebook()))]})
        ),
        BODIES,
    ),
    _form(
        "body-sub-of-parameter",  # a false positive: check only notes it (decided at deployment)
        {
            "Parameters": {"Body": {"Type": "String"}},
            **_resources(Rollout=_stack_set({"Fn::Sub": "${Body}"})),
        },
        BODIES,
    ),
    _form(
        "body-ref-to-parameter",
        {
            "Parameters": {"Body": {"Type": "String"}},
            **_resources(Rollout=_stack_set({"Ref": "Body"})),
        },
        strict={BODIES},
    ),
    _form(
        "body-as-object",  # check notes it as decided at deployment; Guard blocks it
        _resources(Rollout=_stack_set(_resources(Lab=_notebook()))),
        BODIES,
    ),
    _form(
        "body-with-macro",
        _resources(
            Rollout=_stack_set(json.dumps({"Transform": "Org-Macro", **_resources(Logs=_BUCKET)}))
        ),
        BODIES,
    ),
    _form(
        "body-with-include",
        _resources(Rollout=_stack_set(json.dumps(_resources(**{"Fn::Transform": _INCLUDE})))),
        BODIES,
    ),
    _form(
        "body-loop-builds-the-type",
        _resources(
            Rollout=_stack_set(
                json.dumps(
                    {
                        "Transform": "AWS::LanguageExtensions",
                        "Resources": {
                            "Fn::ForEach::Kinds": [
                                "Kind",
                                ["Notebook"],
                                {
                                    "Lab${Kind}": {
                                        "Type": "AWS::SageMaker::${Kind}Instance",
                                        "Properties": OPEN,
                                    }
                                },
                            ]
                        },
                    }
                )
            )
        ),
        BODIES,
    ),
    _form(
        "body-custom-resource-settings",
        _resources(Rollout=_stack_set(_body(Maker=_custom({"direct_internet_access": "Enabled"})))),
        BODIES,
    ),
    _form(
        "body-module",
        _resources(Rollout=_stack_set(_body(Lab={"Type": "Org::Lab::Notebook::MODULE"}))),
        strict={BODIES},
    ),
    _form(
        "body-nested-template-url",
        _resources(Rollout=_stack_set(_body(Inner=_from_url("AWS::CloudFormation::Stack")))),
        strict={BODIES},
    ),
    _form("body-without-notebook", _resources(Rollout=_stack_set(_body(Logs=_BUCKET)))),
    # macros
    _form(
        "macro-transform",
        {"Transform": "Org-Macro", **_resources(Lab=_notebook(BASE_PROPERTIES))},
        MACROS,
    ),
    _form(
        "macro-in-a-list",
        {
            "Transform": ["AWS::LanguageExtensions", "Org-Macro"],
            **_resources(Lab=_notebook(BASE_PROPERTIES)),
        },
        MACROS,
    ),
    _form(
        "macro-include-section",
        {"Transform": _INCLUDE, **_resources(Lab=_notebook(BASE_PROPERTIES))},
        MACROS,
    ),
    _form(
        "macro-include-over-resources",
        _resources(**{"Fn::Transform": _INCLUDE, "Lab": _notebook(BASE_PROPERTIES)}),
        MACROS,
    ),
    _form(
        "macro-in-notebook-properties",
        _resources(Lab=_notebook({**BASE_PROPERTIES, "Fn::Transform": _INCLUDE})),
        "SMG_1_no_direct_internet_access",
        strict={"SMG_1_no_direct_internet_access", "SMG_3_no_root_access", "SMG_5_imdsv2_only"},
    ),
    _form(
        "macro-in-imds-configuration",
        _resources(
            Lab=_notebook(
                {
                    **BASE_PROPERTIES,
                    "InstanceMetadataServiceConfiguration": {
                        "Fn::Transform": _INCLUDE,
                        "MinimumInstanceMetadataServiceVersion": "2",
                    },
                }
            )
        ),
        strict={"SMG_5_imdsv2_only"},
    ),
    _form(
        "transforms-the-reader-expands",
        {
            "Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
            **_resources(Lab=_notebook(BASE_PROPERTIES)),
        },
    ),
    # templates deployed from elsewhere: notices by default, errors under unseen: error
    _form(
        "stack-template-url",
        _resources(Inner=_from_url("AWS::CloudFormation::Stack")),
        strict={UNSEEN},
    ),
    _form(
        "stack-set-template-url",
        _resources(Rollout=_from_url("AWS::CloudFormation::StackSet")),
        strict={UNSEEN},
    ),
    _form(
        "module",
        _resources(Lab={"Type": "Org::Lab::Notebook::MODULE", "Properties": {}}),
        strict={UNSEEN},
    ),
    _form(
        "sam-application",
        _resources(
            App={"Type": "AWS::Serverless::Application", "Properties": {"Location": "https://x/t"}}
        ),
        strict={UNSEEN},
    ),
    _form(
        "service-catalog-product",
        _resources(
            Product={
                "Type": "AWS::ServiceCatalog::CloudFormationProduct",
                "Properties": {
                    "Name": "lab",
                    "Owner": "platform",
                    "ProvisioningArtifactParameters": [
                        {"Info": {"LoadTemplateFromURL": "https://x/t.json"}}
                    ],
                },
            }
        ),
        strict={UNSEEN},
    ),
    # resources without a type
    _form("resource-without-type", _resources(Lab={"Properties": OPEN}), TYPES),
    # notebooks created by code
    _form("custom-resource-settings", _resources(Maker=_custom(dict(OPEN))), CODE),
    _form(
        "custom-resource-settings-snake-case-deep",
        _resources(
            Maker=_custom(
                {
                    "Spec": {
                        "Notebooks": [
                            {"notebook_instance_name": "lab", "direct_internet_access": "Disabled"}
                        ]
                    }
                }
            )
        ),
        CODE,
    ),
    _form(
        "custom-resource-cloudformation-type",
        _resources(
            Maker=_custom({"NotebookInstanceName": "lab"}, "AWS::CloudFormation::CustomResource")
        ),
        CODE,
    ),
    _form(
        "custom-resource-setting-at-the-depth-limit",
        _resources(Maker=_custom(_nested(9, {"RootAccess": "Enabled"}))),
        CODE,
    ),
    _form(
        "custom-resource-nested-deeper-than-guard-reads",
        _resources(Maker=_custom(_nested(11, {"Size": 1}))),
        CODE,
    ),
    _form(
        "aws-custom-resource-sdk-call",
        _resources(
            Maker={
                "Type": "Custom::AWS",
                "Properties": {
                    "ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]},
                    "Create": {
                        "Fn::Join": [
                            "",
                            [
                                '{"service":"SageMaker","action":"createNotebookInstance","parameters":{"NotebookInstanceName":"',
                                {"Ref": "AWS::StackName"},
                                '"}}',
                            ],
                        ]
                    },
                },
            }
        ),
        CODE,
    ),
    _form(
        "lambda-inline-code",
        _resources(
            Maker=_custom({"Size": "small"}),
            Provider={
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Code": {"ZipFile": _LAMBDA_CODE},
                },
            },
        ),
        CODE,
    ),
    _form(
        "sam-function-inline-code",
        _resources(
            Provider={
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "InlineCode": {"Fn::Join": ["", _LAMBDA_CODE.splitlines(True)]},
                },
            },
        ),
        CODE,
    ),
    _form(
        "custom-resource-for-an-endpoint",  # no false positive on other SageMaker resources
        _resources(
            Maker=_custom(
                {
                    "EndpointName": "scoring",
                    "EndpointConfigName": "cfg",
                    "DomainId": "d-1",
                    "KmsKeyId": "k",
                    "SubnetIds": ["subnet-1"],
                }
            ),
            Provider={
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"ZipFile": "boto3.client('sagemaker').create_endpoint(**e)"}
                },
            },
        ),
    ),
    # Studio domains, beside notebooks and in the forms Guard cannot read
    _form("domain-compliant", _resources(Studio=_domain(DOMAIN_PROPERTIES))),
    _form("domain-public", _resources(Studio=_domain(PUBLIC_DOMAIN)), "SMG_6_studio_vpc_only"),
    _form(
        "domain-without-security-groups",
        _resources(
            Studio=_domain({**DOMAIN_PROPERTIES, "DefaultUserSettings": {"ExecutionRole": "arn:x"}})
        ),
        "SMG_7_studio_in_vpc",
    ),
    _form(
        "domain-and-notebook",
        _resources(Studio=_domain(PUBLIC_DOMAIN), Lab=_notebook()),
        "SMG_1_no_direct_internet_access",
        "SMG_6_studio_vpc_only",
    ),
    _form(
        "domain-escaped-type-json",
        json.dumps(_resources(Studio=_domain(PUBLIC_DOMAIN))).replace("Domain", "\\u0044omain"),
        "SMG_6_studio_vpc_only",
    ),
    _form(
        "domain-macro-in-properties",
        _resources(Studio=_domain({**DOMAIN_PROPERTIES, "Fn::Transform": _INCLUDE})),
        "SMG_6_studio_vpc_only",
    ),
    _form(
        "domain-in-a-loop",
        {
            "Transform": "AWS::LanguageExtensions",
            "Resources": {
                "Fn::ForEach::Domains": [
                    "Name",
                    ["Studio"],
                    {"${Name}": _domain(PUBLIC_DOMAIN)},
                ]
            },
        },
        *(name for rule, name in LOOP_RULES.items() if rule.default_level is Level.ERROR),
        strict=set(LOOP_RULES.values()),
    ),
    _form(
        "body-declares-domain",
        _resources(Rollout=_stack_set(_body(Studio=_domain(PUBLIC_DOMAIN)))),
        BODIES,
    ),
    _form(
        "body-compliant-domain",  # a false positive: check passes it
        _resources(Rollout=_stack_set(_body(Studio=_domain(DOMAIN_PROPERTIES)))),
        BODIES,
    ),
)
"""Every form, each in one template."""
