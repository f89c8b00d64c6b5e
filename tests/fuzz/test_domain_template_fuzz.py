"""Property-based: random Studio domains in templates go through ``check`` without a crash,
are judged by the domain's rules only, and literal ones get exactly the model's verdicts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sm_guardrails import Verdict
from sm_guardrails.catalog import RULES_BY_KIND
from sm_guardrails.cloudformation import check_paths, resources_in_template
from sm_guardrails.evaluation import evaluate
from sm_guardrails.kinds import NOTEBOOK_INSTANCE, STUDIO_DOMAIN
from tests.corpus.cases import BASE_PROPERTIES_BY_KIND, is_literal
from tests.fuzz.test_template_fuzz import nodes

DOMAIN_RULES = {rule.rule_id for rule in RULES_BY_KIND[STUDIO_DOMAIN]}
NOTEBOOK_RULES = {rule.rule_id for rule in RULES_BY_KIND[NOTEBOOK_INSTANCE]}
META_RULES = {"SMG-0", "SMG-U"}
IDS = st.sampled_from(["subnet-1", "sg-1", "vpc-1", "", " ", "\t", "x"])
literals = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from(["VpcOnly", "vpconly", "VpcOnly ", "PublicInternetOnly", ""]),
        IDS,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["SecurityGroups", "ExecutionRole", "a"]), children),
    ),
    max_leaves=8,
)
id_lists = st.one_of(st.lists(st.one_of(IDS, st.none(), st.integers()), max_size=3), literals)
literal_properties = st.fixed_dictionaries(
    {},
    optional={
        "AppNetworkAccessType": literals,
        "VpcId": st.one_of(IDS, literals),
        "SubnetIds": id_lists,
        "DefaultUserSettings": st.fixed_dictionaries({}, optional={"SecurityGroups": id_lists}),
        "DomainName": literals,
    },
)
random_properties = st.one_of(
    nodes,
    st.dictionaries(
        st.sampled_from([*BASE_PROPERTIES_BY_KIND[STUDIO_DOMAIN], "Tags"]),
        st.one_of(nodes, st.fixed_dictionaries({"SecurityGroups": nodes})),
    ),
)


def _template(properties: object, notebook: object = None) -> dict[str, object]:
    resources: dict[str, object] = {
        "Domain": {"Type": STUDIO_DOMAIN.cloudformation_type, "Properties": properties}
    }
    if notebook is not None:
        resources["Notebook"] = {
            "Type": NOTEBOOK_INSTANCE.cloudformation_type,
            "Properties": notebook,
        }
    return {"Parameters": {"P": {"Type": "String"}}, "Resources": resources}


def _present_id(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _present_ids(value: object) -> bool:
    """The model of a list of ids: a list, no item that is neither null (removed) nor an id,
    and one id at least."""
    if not isinstance(value, list):
        return False
    ids = [item for item in value if item is not None]
    return bool(ids) and all(_present_id(item) for item in ids)


def expected_verdicts(properties: Mapping[str, object]) -> dict[str, Verdict]:
    """SMG-6 and SMG-7 of a domain whose properties are all literals, from docs/semantics.md,
    written apart from the rules."""
    settings_ = properties.get("DefaultUserSettings")
    groups = settings_.get("SecurityGroups") if isinstance(settings_, Mapping) else None
    in_vpc = (
        _present_id(properties.get("VpcId"))
        and _present_ids(properties.get("SubnetIds"))
        and _present_ids(groups)
    )
    vpc_only = properties.get("AppNetworkAccessType") == "VpcOnly"
    return {
        "SMG-6": Verdict.PASS if vpc_only else Verdict.FAIL,
        "SMG-7": Verdict.PASS if in_vpc else Verdict.FAIL,
    }


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("domains")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(literal_properties)
def test_literal_domains_get_the_model_verdicts(properties: dict[str, object]) -> None:
    (domain,) = resources_in_template(_template(properties))
    verdicts = {finding.rule_id: finding.verdict for finding in evaluate(domain.spec)}
    assert verdicts == expected_verdicts(properties)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(random_properties, st.one_of(st.none(), nodes))
def test_random_domains_through_check_never_crash(
    workdir: Path, properties: object, notebook: object
) -> None:
    """``check`` on a file with a random domain (and maybe a notebook) reports errors or
    findings, never a traceback; the domain gets the domain's rules only, each decided."""
    template = _template(properties, notebook)
    path = workdir / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    report = check_paths([path])
    assert all(note.message for note in report.errors)
    for item in report.findings:
        rules = DOMAIN_RULES if item.logical_id == "Domain" else NOTEBOOK_RULES
        assert item.finding.rule_id in rules | META_RULES
        assert item.finding.message and item.finding.fix
    for resource in resources_in_template(template):
        findings = evaluate(resource.spec)
        judged = {finding.rule_id for finding in findings} - META_RULES
        assert judged == {rule.rule_id for rule in RULES_BY_KIND[resource.spec.kind]}
        if resource.spec.kind is STUDIO_DOMAIN:
            smg6 = next(finding for finding in findings if finding.rule_id == "SMG-6")
            if smg6.verdict is Verdict.PASS:  # only exactly 'VpcOnly', in every option
                assert "'VpcOnly'" in repr(resource.spec.value("AppNetworkAccessType"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(random_properties)
def test_literal_random_domains_follow_the_model(properties: object) -> None:
    """Where the random properties happen to be all literals, the model decides them."""
    assume(isinstance(properties, dict) and is_literal(properties))
    assert isinstance(properties, dict)
    assume(isinstance(properties.get("DefaultUserSettings", {}), Mapping))  # wrong shapes: below
    (domain,) = resources_in_template(_template(properties))
    verdicts = {finding.rule_id: finding.verdict for finding in evaluate(domain.spec)}
    assert verdicts == expected_verdicts(properties)


@settings(max_examples=50, deadline=None)
@given(literals.filter(lambda value: not isinstance(value, Mapping)))
def test_default_user_settings_of_the_wrong_shape_fail(settings_: object) -> None:
    """Bad input never passes: DefaultUserSettings that is not a mapping is a known wrong
    shape, which SMG-7 fails."""
    properties = {**BASE_PROPERTIES_BY_KIND[STUDIO_DOMAIN], "DefaultUserSettings": settings_}
    (domain,) = resources_in_template(_template(properties))
    verdicts = {finding.rule_id: finding.verdict for finding in evaluate(domain.spec)}
    assert verdicts["SMG-7"] is Verdict.FAIL
