"""Config parsing: every mistake is a ConfigError that says where and how to fix it."""

from __future__ import annotations

import pytest

from sm_guardrails import ConfigError, Exemption, GuardrailConfig, Level, UnknownPolicy


def test_from_mapping_reads_levels_unknown_and_exemptions() -> None:
    config = GuardrailConfig.from_mapping(
        {
            "levels": {"SMG-3": "error"},
            "unknown": "warn",
            "exemptions": [{"rule": "SMG-1", "resource": "urn:x", "reason": "lab"}],
        }
    )
    assert config.levels == {"SMG-3": Level.ERROR}
    assert config.unknown is UnknownPolicy.WARN
    assert config.exemptions == (Exemption("SMG-1", "lab", "urn:x"),)
    assert config.exemptions_for(("urn:x",)) == config.exemptions
    assert config.exemptions_for(("urn:y",)) == ()


def test_levels_also_take_pulumis_words_so_one_file_serves_every_layer() -> None:
    config = GuardrailConfig.from_mapping(
        {"levels": {"SMG-1": "advisory", "SMG-3": "mandatory", "SMG-5": "disabled"}}
    )
    assert config.levels == {"SMG-1": Level.WARNING, "SMG-3": Level.ERROR, "SMG-5": Level.OFF}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ([], "expected a mapping"),
        ({"level": {}}, "unknown key(s) ['level']"),
        ({"levels": {"SMG-3": "fatal"}}, "config.levels.SMG-3: 'fatal' is not one of"),
        ({"levels": {"SMG-99": "error"}}, "unknown rule id 'SMG-99'"),
        ({"unknown": "maybe"}, "config.unknown: 'maybe' is not one of fail, warn"),
        ({"exemptions": {"rule": "SMG-1"}}, "expected a list"),
        ({"exemptions": [{"reason": "x"}]}, "config.exemptions[0]: no 'rule'"),
        ({"exemptions": ["SMG-1"]}, "config.exemptions[0]: expected a mapping"),
        ({"exemptions": [{"rule": "SMG-1", "resource": "r"}]}, "has no 'reason'"),
        ({"exemptions": [{"rule": "SMG-1", "reason": " "}]}, "has no 'reason'"),
        # An exemption's misspelt key was silently ignored by the CLI's reader.
        ({"exemptions": [{"rule": "SMG-1", "reason": "x", "expires": 1}]}, "['expires']"),
        ({"exemptions": [{"rule": "SMG-1", "resource": " ", "reason": "x"}]}, "names nothing"),
        # SMG-U is set by `unseen`; a level or exemption for it was accepted and did nothing.
        ({"levels": {"SMG-U": "off"}}, "unknown rule id 'SMG-U'"),
        ({"exemptions": [{"rule": "SMG-0", "reason": "x"}]}, "unknown rule id 'SMG-0'"),
    ],
)
def test_bad_config_says_what_and_where(raw: object, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        GuardrailConfig.from_mapping(raw)
    assert says in str(error.value)


def test_import_of_the_core_pulls_in_no_cloud_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sm_guardrails, sm_guardrails.cloudformation, sm_guardrails.cli;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('aws_cdk','jsii','pulumi','boto3')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_resourceless_exemption_applies_to_every_resource() -> None:
    config = GuardrailConfig.from_mapping({"exemptions": [{"rule": "SMG-2", "reason": "lab"}]})
    assert config.exemptions_for(("anything",)) == (Exemption("SMG-2", "lab"),)


def test_empty_sections_are_the_defaults() -> None:
    assert GuardrailConfig.from_mapping({"levels": None, "exemptions": None}) == GuardrailConfig()
