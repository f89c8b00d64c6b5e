"""Guard rules (SMG-U) for what Guard cannot read as a notebook: each blocks the whole construct.

``sm-guardrails check`` reads template bodies, expands what it can and reports the
rest as SMG-U (docs/semantics.md). Guard sees a template as written, with no parser
for a body and no way to follow code, so for each such form these rules fail closed
on the construct as a whole (a false positive where ``check`` would pass it, never
a false negative): a template body that could hold a notebook, a macro, a custom
resource or inline Lambda code that could create one, a template deployed from
elsewhere, a resource without a type. docs/preventive.md has the table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from sm_guardrails.cloudformation.custom_resources import NOTEBOOK_SETTINGS
from sm_guardrails.cloudformation.held import (
    MODULE_SUFFIX,
    SAM_APPLICATION_TYPE,
    STACK_SET_TYPE,
    STACK_TYPE,
)
from sm_guardrails.cloudformation.intrinsics import TRANSFORM
from sm_guardrails.cloudformation.judge import UNDERSTOOD_TRANSFORMS
from sm_guardrails.kinds import KINDS

CUSTOM_RESOURCE_TYPES = r"/^(Custom::.+|AWS::CloudFormation::CustomResource)$/"
INLINE_CODE = {"AWS::Lambda::Function": "Code", "AWS::Serverless::Function": "InlineCode"}
"""Function types, with the property holding their inline code."""
CODE_DEPTH = 10
"""How many levels below a custom resource's properties (or a function's code) Guard
looks; anything nested deeper fails the rule rather than go unread."""
SERVICE_CATALOG_TYPES = (
    "AWS::ServiceCatalog::CloudFormationProduct",
    "AWS::ServiceCatalog::CloudFormationProvisionedProduct",
)
_REFERENCE_KEYS = ("Ref", "Fn::GetAtt", "Fn::ImportValue")
"""A body given as one of these alone is decided at deployment: `check` reports it as unseen."""
_CREATE_CALL = "create[_-]?notebook[_-]?instance"


def _loose(name: str) -> str:
    """A regex for ``name`` with any ``_`` or ``-`` between its letters, as ``check`` reads keys."""
    return "[_-]*".join(name)


_SETTINGS = "|".join(_loose(name) for name in sorted(NOTEBOOK_SETTINGS))
"""A custom resource passing one of these, in any case and with any ``_`` or ``-``, is
taken to create a notebook."""
_BODY_MARKS = [
    _loose("NotebookInstance"),
    *(re.escape(kind.cloudformation_type) for kind in KINDS),
    _SETTINGS,
    "transform",  # a macro, AWS::Include or Fn::Transform: check reads what it can, Guard nothing
    "foreach",  # Fn::ForEach can build a type from a parameter
    r"\\[uUx]",  # a JSON or YAML escape can spell any of the above
    r"\\\r?\n",  # a YAML escaped line break joins the words around it
]
"""What in a template body's text makes Guard block it: anything that can make a notebook
or another resource of a kind the rules judge (its CloudFormation type)."""
_UNSEEN_BODY_MARKS = [
    "templateurl",
    "templatebody",
    "::module",
    "serverless::application",
    "servicecatalog::",
]
"""What else blocks a body when templates deployed from elsewhere block (``unseen: error``)."""


def _message(text: str) -> str:
    return f"<<[SMG-U] error: {text}>>"


_BODY_MESSAGE = _message(
    "Guard reads a TemplateBody as a string, not a template, and this one may deploy a "
    "notebook or a Studio domain (it names one or a notebook's settings, a macro, a loop, an "
    "escape) or is built by an intrinsic function; check it with sm-guardrails check, which "
    "judges the resources in it, or validate the body's template on its own"
)


def _body_rule(elsewhere: bool) -> str:
    """SMG-U: a stack's or StackSet's TemplateBody that could deploy a notebook fails."""
    marks = _BODY_MARKS + (_UNSEEN_BODY_MARKS if elsewhere else [])
    lines = [
        "# SMG-U (error): a template body Guard cannot read that may deploy a notebook",
        "rule smg_u_readable_body(body) {",
        "    %body is_string",
        f"    %body != /(?i){'|'.join(marks)}/",
        "}",
        "",
    ]
    alternative = ""
    if not elsewhere:  # `check` only notes a body decided at deployment; so does Guard
        lines += [
            "rule smg_u_deployment_body(body) {",
            "    %body is_struct",
            "    %body not empty",
            f"    %body[ keys !in {json.dumps(list(_REFERENCE_KEYS))} ] empty",
            "}",
            "",
        ]
        alternative = " or smg_u_deployment_body(this)"
    kinds = json.dumps([STACK_TYPE, STACK_SET_TYPE])
    clauses = []
    for suffix, type_key, properties in _FORMS:
        variable = f"smg_u_bodies{suffix}"
        lines += [
            f"let {variable} = Resources.*[",
            f"    {type_key} in {kinds}",
            f"    {properties}.TemplateBody exists",
            "]",
        ]
        clauses += [
            f"    when %{variable} not empty {{",
            f"        %{variable}.{properties}.TemplateBody {{",
            f"            smg_u_readable_body(this){alternative} {_BODY_MESSAGE}",
            "        }",
            "    }",
        ]
    return "\n".join([*lines, "", "rule SMG_U_template_bodies {", *clauses, "}", ""])


_FORMS = (("", "Type", "Properties"), ("_hook", "ResourceType", "ResourceProperties"))
"""A template's resources, and a Guard hook's resource input."""


def _macro_rule() -> str:
    """SMG-U: a macro (a Transform other than the two the reader understands) fails."""
    message = _message(
        "a macro (Transform, or Fn::Transform over Resources, AWS::Include among them) "
        "rewrites this template when it is deployed, so the deployed template is not "
        "this one; check the processed template (aws cloudformation get-template "
        "--template-stage Processed)"
    )
    understood = json.dumps(sorted(UNDERSTOOD_TRANSFORMS))
    return "\n".join(
        [
            "# SMG-U: a template that a macro rewrites when it is deployed",
            "rule SMG_U_macros {",
            f"    Transform not exists or Transform is_string or Transform is_list {message}",
            "    when Transform exists {",
            f"        Transform[*] {{ this in {understood} {message} }}",
            "    }",
            f"    Resources.'{TRANSFORM}' not exists {message}",
            "}",
            "",
        ]
    )


def _unseen_rule() -> str:
    """SMG-U: a template deployed from elsewhere (a URL, a module, a product) fails."""
    message = _message(
        "this resource deploys a template that is not in this one (a TemplateURL, a "
        "module, a SAM application, a Service Catalog product), which may hold a "
        "notebook; check that template on its own"
    )
    kinds = json.dumps([STACK_TYPE, STACK_SET_TYPE])
    others = json.dumps([SAM_APPLICATION_TYPE, *SERVICE_CATALOG_TYPES])
    lines = ["# SMG-U: templates deployed from elsewhere (error under unseen: error)"]
    clauses = []
    for suffix, type_key, properties in _FORMS:
        lines += [
            f"let smg_u_urls{suffix} = Resources.*[",
            f"    {type_key} in {kinds}",
            f"    {properties}.TemplateBody not exists",
            "]",
            f"let smg_u_elsewhere{suffix} = Resources.*[",
            f"    {type_key} in {others} or {type_key} == /{MODULE_SUFFIX}$/",
            "]",
        ]
        clauses += [
            f"    %smg_u_urls{suffix} empty {message}",
            f"    %smg_u_elsewhere{suffix} empty {message}",
        ]
    return "\n".join([*lines, "", "rule SMG_U_unseen_templates {", *clauses, "}", ""])


def _no_notebook_marks() -> Iterator[str]:
    """A rule over a tree of values: no notebook setting as a key, no call creating one
    as a string, down to :data:`CODE_DEPTH` levels, and nothing deeper."""
    yield "rule smg_u_no_notebook_marks(tree) {"
    for depth in range(CODE_DEPTH + 1):
        below = ".*" * depth
        yield f"    let keys_{depth} = %tree{below}[ keys == /(?i)^({_SETTINGS})$/ ]"
        yield f"    %keys_{depth} empty"
        call = f"this is_string  this == /(?i){_CREATE_CALL}/"
        yield f"    let calls_{depth} = %tree{below}[*][ {call} ]"
        yield f"    %calls_{depth} empty"
    yield f"    let deeper = %tree{'.*' * CODE_DEPTH}[*][ this is_struct or this is_list ]"
    yield "    %deeper empty"
    yield "}"


def _code_rule() -> str:
    """SMG-U: a custom resource or inline Lambda code that may create a notebook fails."""
    message = _message(
        "this custom resource passes a notebook's settings or calls CreateNotebookInstance, "
        "or this function's inline code does (or nests deeper than Guard reads, "
        f"{CODE_DEPTH} levels): code creates the notebook, which Guard cannot judge; create "
        "it as AWS::SageMaker::NotebookInstance, and keep the SCP (sm-guardrails policy "
        "scp) on the account: it holds whatever code creates a notebook"
    )
    lines = [
        "# SMG-U (error): custom resources and inline Lambda code that may create a notebook",
        *_no_notebook_marks(),
        "",
    ]
    clauses = []
    for suffix, type_key, properties in _FORMS:
        sources = [(f"smg_u_custom{suffix}", f"{type_key} == {CUSTOM_RESOURCE_TYPES}", "")]
        sources += [
            (f"smg_u_code_{index}{suffix}", f'{type_key} == "{kind}"', f".{code}")
            for index, (kind, code) in enumerate(INLINE_CODE.items())
        ]
        for variable, selector, below in sources:
            lines.append(f"let {variable} = Resources.*[ {selector} ]")
            tree = f"{properties}{below}"
            clauses += [
                f"    when %{variable} not empty {{",
                f"        %{variable} {{",
                f"            {tree} not exists or smg_u_no_notebook_marks({tree}) {message}",
                "        }",
                "    }",
            ]
    return "\n".join([*lines, "", "rule SMG_U_code_made_notebooks {", *clauses, "}", ""])


def _type_rule() -> str:
    """SMG-U: a template resource without a string Type (it may be a notebook) fails."""
    message = _message(
        "a resource without a Type is not a CloudFormation resource, and it may be a notebook"
    )
    return "\n".join(
        [
            "# SMG-U (error): resources without a type",
            "let smg_u_entries = Resources[ keys != /^Fn::(ForEach::.*|Transform)$/ ]",
            "let smg_u_untyped = %smg_u_entries[ Type !is_string  ResourceType !is_string ]",
            "rule SMG_U_resource_types {",
            f"    %smg_u_untyped empty {message}",
            "}",
            "",
        ]
    )


def unseen_rules(macros: bool, elsewhere: bool) -> str:
    """The SMG-U rules: always bodies, code and types; ``macros`` and templates from
    ``elsewhere`` when their level (:func:`sm_guardrails.coverage.unseen_level`) is exported."""
    parts = [_body_rule(elsewhere), _code_rule(), _type_rule()]
    if macros:
        parts.append(_macro_rule())
    if elsewhere:
        parts.append(_unseen_rule())
    return "\n".join(parts)
