"""``app.synth()`` under ``enforce``: it fails on an error-level finding, on every release.

``enforce`` (and the aspect) wrap ``cdk.App.synth`` once; the wrapper acts only on an
App they guard. After aws-cdk-lib's synth returns it makes sure the guard's verdict
was acted on:

- before 2.271 (no validation plugin, or one whose failure only prints, or whose
  acknowledgements reach across the app) it judges the written assembly itself
  (:mod:`sm_guardrails.cdk.assembly_report`);
- from 2.271 the plugin judged it; synth still returns after a failed report when the
  context ``@aws-cdk/core:failSynthOnValidationErrors`` is false or ``CDK_APP_MODE`` is
  ``process``, and then the wrapper fails it anyway, from the report CDK wrote.

A failure raises :class:`GuardrailViolationError`; ``python app.py`` then prints the
report and one line of cause, without a traceback (a ``sys.excepthook`` that handles
only this exception type).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import aws_cdk as cdk

from sm_guardrails.cdk import release
from sm_guardrails.cdk.assembly_report import (
    REPORT_FILE,
    PluginReport,
    judge_assembly,
    plugin_report_in,
    report_text,
    write_report,
)
from sm_guardrails.cdk.coverage import Coverage, registered_coverage
from sm_guardrails.cloudformation import TemplateError

_VALIDATION_FAILED = "ValidationFailed:"
"""How a failed validation report reaches Python from aws-cdk-lib (a jsii RuntimeError)."""

_FAIL_SYNTH_CONTEXT = "@aws-cdk/core:failSynthOnValidationErrors"


class GuardrailViolationError(RuntimeError):
    """``app.synth()`` wrote a resource (a notebook, a Studio domain) that breaks a rule at
    error level.

    The message is the report (or, where CDK already printed it, where its copy is).
    """


def guard_app_synth() -> None:
    """Wrap ``cdk.App.synth`` (once) and install the exception hook; idempotent."""
    if getattr(cdk.App.synth, "_sm_guardrails", False):
        return
    jsii_synth: Callable[..., Any] = cdk.App.synth

    def synth(app: cdk.App, *args: Any, **kwargs: Any) -> Any:
        # An aspect registers the App's coverage during synth: look it up before and after.
        guarded = registered_coverage(app)
        if guarded is not None:
            guarded.plugin.succeeded = None
        try:
            assembly = jsii_synth(app, *args, **kwargs)
        except RuntimeError as error:
            coverage = registered_coverage(app)
            message = str(error)
            if (
                coverage is not None
                and coverage.plugin.succeeded is False
                and message.startswith(_VALIDATION_FAILED)
            ):
                raise GuardrailViolationError(message[len(_VALIDATION_FAILED) :].strip()) from None
            raise
        coverage = registered_coverage(app)
        if coverage is not None:
            _act_on_verdict(app, coverage, Path(assembly.directory))
        return assembly

    synth.__doc__ = jsii_synth.__doc__
    synth._sm_guardrails = True  # type: ignore[attr-defined]
    cdk.App.synth = synth  # type: ignore[method-assign,assignment]
    _install_excepthook()


def _act_on_verdict(app: cdk.App, coverage: Coverage, directory: Path) -> None:
    """Raise if the guard's verdict on the assembly in ``directory`` is a failure."""
    if release.USES_PLUGIN and coverage.plugin.succeeded is not None:
        report = plugin_report_in(directory) or PluginReport()
        printed = app.node.try_get_context(_FAIL_SYNTH_CONTEXT) not in (False, "false")
        if report.blocking:  # CDK let synth return: its context or app mode said so
            _fail(report, directory, printed=printed)
        return
    try:
        report = judge_assembly(
            directory, coverage.findings, app, read_acknowledgements=release.NATIVE_ACKNOWLEDGE
        )
        write_report(directory, report)
    except (OSError, ValueError, KeyError, TemplateError) as error:
        raise GuardrailViolationError(
            f"sm-guardrails could not read the cloud assembly in {directory} ({error}), so no "
            "resource of it was judged; run `sm-guardrails check` on it to see why"
        ) from None
    if report.blocking:
        _fail(report, directory, printed=False)
    if report.violations:
        print(report_text(report.violations, release.NATIVE_ACKNOWLEDGE), file=sys.stderr)


def _fail(report: PluginReport, directory: Path, printed: bool) -> None:
    cause = (
        f"sm-guardrails: {report.blocking} finding(s) at error level, so synthesis failed "
        f"(a copy of the report is in {directory / REPORT_FILE})"
    )
    if printed:
        raise GuardrailViolationError(cause)
    text = report_text(report.violations, release.NATIVE_ACKNOWLEDGE)
    raise GuardrailViolationError(f"{text}\n\n{cause}")


def _install_excepthook() -> None:
    previous = sys.excepthook

    def excepthook(
        kind: type[BaseException], error: BaseException, traceback: TracebackType | None
    ) -> None:
        if isinstance(error, GuardrailViolationError):
            _drain_node_output()
            print(error, file=sys.stderr)
        else:
            previous(kind, error, traceback)

    sys.excepthook = excepthook


def _drain_node_output() -> None:
    """Stop jsii's Node.js process, so what it printed (CDK's report) is written first.

    jsii copies Node.js's stderr from a thread of its own; without this, the report can
    come after (or inside) the line the hook prints. The process is ending anyway:
    jsii stops Node.js this same way at exit (stopping twice is harmless). Best effort
    on jsii versions laid out otherwise.
    """
    try:
        from jsii._runtime import kernel

        kernel.provider._process.stop()  # type: ignore[attr-defined]  # synth started it
    except Exception:  # the report is printed either way
        pass
