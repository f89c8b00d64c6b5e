"""The ``sm-guardrails`` policy's config: its schema, and the core's reader applied to it.

The shape is the one :func:`~sm_guardrails.config_reader.read_config` reads for every
adapter (``sm-guardrails check --config``, the CDK), under the policy's name; the engine
strips ``enforcementLevel`` before the policy sees it::

    {"levels": {"SMG-3": "error", "SMG-5": "disabled"},
     "unknown": "fail",
     "exemptions": [{"rule": "SMG-1", "resource": "<URN or name>", "reason": "<why>"}]}

A level is ``error``/``warning``/``off`` or the Pulumi words ``mandatory``/``advisory``/
``disabled``. A mistake never raises: it becomes a problem the policy reports, the
entry it names has no effect, and the rest of the config still applies. Here an exemption
must name its resource. ``tag_exemptions`` is accepted so one file serves every adapter;
the pack reads no exemption tags, so it changes nothing here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sm_guardrails.config import (
    CONFIGURABLE_RULE_IDS,
    LEVEL_WORDS,
    UnknownPolicy,
    UnseenPolicy,
)
from sm_guardrails.config_reader import (
    EXEMPTION_KEYS,
    ConfigProblem,
    ConfigRead,
    read_config,
)

CONFIG_SCHEMA: dict[str, dict[str, Any]] = {
    "levels": {
        "type": "object",
        "description": (
            "Level per rule: error (mandatory) blocks, warning (advisory) is shown, "
            "off (disabled) is not checked. Rules not named keep their default."
        ),
        "properties": {
            rule_id: {"type": "string", "enum": list(LEVEL_WORDS)}
            for rule_id in CONFIGURABLE_RULE_IDS
        },
        "additionalProperties": False,
    },
    "unknown": {
        "type": "string",
        "enum": [policy.value for policy in UnknownPolicy],
        "description": (
            "What a value unknown at preview counts as: 'fail' reports it at the rule's "
            "level (fail closed), 'warn' reports it as an advisory."
        ),
    },
    "unseen": {
        "type": "string",
        "enum": [policy.value for policy in UnseenPolicy],
        "description": (
            "What a CloudFormation template this pack cannot read (a stack's templateUrl, "
            "a templateBody unknown at preview) counts as: 'notice' reports it as an "
            "advisory, 'error' blocks, so every resource must have been seen."
        ),
    },
    "tag_exemptions": {
        "type": "boolean",
        "description": (
            "false stops sm-guardrails audit from honouring exemption tags on deployed "
            "resources; the pack reads no tags, so here it changes nothing."
        ),
    },
    "exemptions": {
        "type": "array",
        "description": "Resources exempted from one rule each, with the reason.",
        "items": {
            "type": "object",
            "properties": {
                "rule": {"type": "string", "enum": list(CONFIGURABLE_RULE_IDS)},
                "resource": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The resource's URN or its Pulumi name.",
                },
                "reason": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Why, e.g. a ticket a reviewer can check.",
                },
            },
            "required": list(EXEMPTION_KEYS),
            "additionalProperties": False,
        },
    },
}
"""The JSON schema of the policy's config properties, for the engine and for readers."""


def read_pack_settings(raw: Mapping[str, Any], where: str) -> ConfigRead:
    """The settings in the policy config ``raw``; ``where`` names it in problems."""
    return read_config(raw, where, resource_required=True)


def problem_line(problem: ConfigProblem) -> str:
    """How the pack reports ``problem``: it says what the entry does meanwhile."""
    return f"{problem.message}; {problem.effect}"
