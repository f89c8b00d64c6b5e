"""What a check could not see: templates held elsewhere, rewritten by macros, or unreadable.

Every adapter reports these through :func:`unseen_finding`, as findings of ``SMG-U``,
so the CLI, the CDK plugin and the policy pack decide their level the same way.
"""

from __future__ import annotations

from enum import Enum

from sm_guardrails.catalog import SMG_U, Level
from sm_guardrails.config import GuardrailConfig, UnknownPolicy, UnseenPolicy
from sm_guardrails.evaluation import Finding
from sm_guardrails.rules import Verdict


class Unseen(str, Enum):
    """Why a template (or part of one) was not judged."""

    ELSEWHERE = "elsewhere"
    """The template exists apart from this one (a URL, a remote nested stack) or is
    given at deployment (a body that is not a literal): it can be checked on its own."""
    MACRO = "macro"
    """A macro rewrites the template when it is deployed: what it deploys is unknown."""
    UNREADABLE = "unreadable"
    """A body that does not parse, is not a template, or is nested too deeply."""
    CODE = "code"
    """Code run at deployment (a custom resource's) creates a notebook whose settings
    the template does not pass: what it deploys is unknown."""


FIXES = {
    Unseen.ELSEWHERE: (
        "Check that template on its own (sm-guardrails check FILE), or give the body "
        "inline as a literal string."
    ),
    Unseen.MACRO: (
        "Check the processed template: `aws cloudformation get-template --stack-name STACK "
        "--template-stage Processed` after creating a change set, or with CDK the template "
        "in cdk.out. To accept it, set unknown to warn (--unknown warn)."
    ),
    Unseen.UNREADABLE: "Make the body a valid JSON or YAML CloudFormation template.",
    Unseen.CODE: (
        "Pass the notebook's settings (DirectInternetAccess: Disabled, SubnetId, "
        "SecurityGroupIds, ...) as the custom resource's properties so they are judged, or "
        "create the notebook as an AWS::SageMaker::NotebookInstance. Whatever code creates "
        "the notebook, the SCP (sm-guardrails policy scp) is the layer that holds it."
    ),
}


def unseen_level(kind: Unseen, config: GuardrailConfig) -> Level:
    """The level an unseen template of ``kind`` is reported at under ``config``.

    Unreadable is an error; what a macro returns, or a notebook code creates with
    settings the template does not pass, is unknown, so it fails closed unless unknown
    values are only warned about; a template elsewhere is a notice (a
    warning) unless ``unseen`` is ``error``.
    """
    if kind is Unseen.UNREADABLE or config.unseen is UnseenPolicy.ERROR:
        return Level.ERROR
    if kind in (Unseen.MACRO, Unseen.CODE) and config.unknown is UnknownPolicy.FAIL:
        return Level.ERROR
    return Level.WARNING


def unseen_finding(resource: str, message: str, kind: Unseen, config: GuardrailConfig) -> Finding:
    """The ``SMG-U`` finding that ``resource`` holds a template of ``kind``, as ``message`` says."""
    level = unseen_level(kind, config)
    verdict = Verdict.FAIL if kind is Unseen.UNREADABLE else Verdict.UNKNOWN
    if verdict is Verdict.UNKNOWN and level is Level.ERROR:
        message += " (what is not seen fails closed)"
    return Finding(
        rule=SMG_U,
        resource=resource,
        verdict=verdict,
        level=level,
        message=message,
        fix=FIXES[kind],
        unknown_reason=message if verdict is Verdict.UNKNOWN else None,
    )
