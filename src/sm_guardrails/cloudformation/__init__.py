"""The CloudFormation adapter: templates and cloud assemblies into resource specs and findings."""

from sm_guardrails.cloudformation.checker import (
    CheckReport,
    FileNote,
    TemplateFinding,
    check_paths,
    check_template,
    load_with_nested,
)
from sm_guardrails.cloudformation.intrinsics import TemplateContext
from sm_guardrails.cloudformation.loader import LoadedTemplate, TemplateError, load_template
from sm_guardrails.cloudformation.resources import (
    METADATA_KEY,
    TemplateResource,
    exemption_metadata,
    resource_spec,
    resources_in_template,
)

__all__ = [
    "METADATA_KEY",
    "CheckReport",
    "FileNote",
    "LoadedTemplate",
    "TemplateContext",
    "TemplateError",
    "TemplateFinding",
    "TemplateResource",
    "check_paths",
    "check_template",
    "exemption_metadata",
    "load_template",
    "load_with_nested",
    "resource_spec",
    "resources_in_template",
]
