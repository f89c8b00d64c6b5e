"""The CloudFormation adapter: templates and cloud assemblies into notebook specs and findings."""

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
from sm_guardrails.cloudformation.notebooks import (
    METADATA_KEY,
    NOTEBOOK_TYPE,
    TemplateNotebook,
    exemption_metadata,
    notebook_spec,
    notebooks_in_template,
)

__all__ = [
    "METADATA_KEY",
    "NOTEBOOK_TYPE",
    "CheckReport",
    "FileNote",
    "LoadedTemplate",
    "TemplateContext",
    "TemplateError",
    "TemplateFinding",
    "TemplateNotebook",
    "check_paths",
    "check_template",
    "exemption_metadata",
    "load_template",
    "load_with_nested",
    "notebook_spec",
    "notebooks_in_template",
]
