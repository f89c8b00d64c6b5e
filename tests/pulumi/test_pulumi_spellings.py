"""Every kind's pulumi-aws type token and property paths are the installed pulumi-aws's own.

aws-native is not a dependency; its spellings were checked by hand against
pulumi-aws-native 1.84 (docs/pulumi.md, "Studio domains in the pack").
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from sm_guardrails.kinds import KINDS, Property, ResourceKind, Spelling

PULUMI_AWS_KINDS = [
    (kind, token)
    for kind in KINDS
    for token, spelling in kind.pulumi_types.items()
    if spelling is Spelling.PULUMI_AWS
]


def _resource_class(token: str) -> type:
    """``aws:sagemaker/domain:Domain`` -> ``pulumi_aws.sagemaker.Domain``."""
    _, module_path, class_name = token.split(":")
    module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
    resource: type = getattr(module, class_name)
    return resource


def _getter_names(args_class: type) -> dict[str, str]:
    """The wire names of an input type's properties, by their Python names."""
    return {
        python: member.fget._pulumi_name
        for python, member in vars(args_class).items()
        if isinstance(member, property) and hasattr(member.fget, "_pulumi_name")
    }


@pytest.mark.parametrize(("kind", "token"), PULUMI_AWS_KINDS, ids=lambda v: getattr(v, "noun", v))
def test_the_type_token_is_the_resource_classes(kind: ResourceKind, token: str) -> None:
    assert f"'{token}'" in inspect.getsource(_resource_class(token))


@pytest.mark.parametrize(
    ("token", "prop"),
    [(token, prop) for kind, token in PULUMI_AWS_KINDS for prop in kind.properties],
    ids=lambda v: getattr(v, "name", v),
)
def test_each_property_path_is_spelled_as_pulumi_aws_spells_it(token: str, prop: Property) -> None:
    resource = _resource_class(token)
    module = importlib.import_module(resource.__module__.rsplit(".", 1)[0])
    args_class: type = getattr(module, f"{resource.__name__}Args")
    *parents, leaf = prop.spelled(Spelling.PULUMI_AWS).split(".")
    for part in parents:
        assert part in _getter_names(args_class).values(), (args_class, part)
        # pulumi-aws names a nested input type after the resource and the property.
        args_class = getattr(module, f"{resource.__name__}{part[:1].upper()}{part[1:]}Args")
    assert leaf in _getter_names(args_class).values(), (args_class, leaf)
