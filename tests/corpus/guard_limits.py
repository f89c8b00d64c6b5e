"""Where the generated Guard rules cannot follow our semantics: each case, and why.

Every entry is a false positive (Guard blocks a resource the other adapters pass): the
rules fail closed on any value that is not a literal or a plain reference. A false
negative is never a limit; `test_corpus_guard` fails on one.
"""

from __future__ import annotations

_IF = "Fn::If: Guard sees the function, not its branches"
_ALLOWED = "a parameter's AllowedValues: Guard does not follow a Ref into them"
_MAP = "Fn::FindInMap: Guard does not look values up in Mappings"
_FUNCTION = "an intrinsic function (Fn::Sub, Fn::Join, Fn::Select, Fn::Split) Guard cannot evaluate"

_LOOP = "Fn::ForEach: Guard reads the template unexpanded, so every rule fails on a loop"

GUARD_LIMITS: dict[str, str] = {
    "param-dia-allowed-values-all-disabled": _ALLOWED,
    "if-dia-both-branches-disabled": _IF,
    "if-security-group-item-novalue-with-fixed-item": _IF,
    "findinmap-dia-every-entry-disabled": _MAP,
    "findinmap-dia-literal-key-picks-disabled": _MAP,
    "findinmap-subnet": _MAP,
    "sub-dia-literal": _FUNCTION,
    "join-dia-literal-parts": _FUNCTION,
    "sub-subnet-from-parameter": _FUNCTION,
    "select-dia-from-literal-list": _FUNCTION,
    "import-security-group-list-split": _FUNCTION,
    "pulumi-unknown-security-group-list": _FUNCTION,
    "foreach-literal-collection-compliant": _LOOP,
    "foreach-literal-collection-internet-enabled": _LOOP,
    "foreach-identifier-is-the-value": _LOOP,
    "foreach-identifier-in-sub": _LOOP,
    "foreach-nested-loops": _LOOP,
    "foreach-list-parameter-allowed-values": _LOOP,
    "foreach-list-parameter-default-only": _LOOP,
    "foreach-undecidable-collection-identifier-used": _LOOP,
    "foreach-undecidable-collection-identifier-unused": _LOOP,
    "language-extensions-length-as-imds-version": _LOOP,
    "language-extensions-to-json-string": _LOOP,
    "domain-param-network-access-allowed-vpc-only": _ALLOWED,
    "domain-if-network-access-both-vpc-only": _IF,
    "domain-findinmap-network-access-every-entry-vpc-only": _MAP,
    "domain-if-subnet-item-novalue-with-fixed-item": _IF,
    "domain-if-subnets-both-branches-lists": _IF,
    "domain-import-subnets-split": _FUNCTION,
    "domain-foreach-compliant": _LOOP,
    "domain-foreach-identifier-is-the-network-access": _LOOP,
    "domain-foreach-identifier-in-subnets": _LOOP,
}
"""Corpus case id -> why Guard blocks it although it passes (a documented false positive)."""
