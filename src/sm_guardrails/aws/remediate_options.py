"""What ``sm-guardrails remediate`` was asked to do, as the command line gave it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sm_guardrails.config import GuardrailConfig


@dataclass(frozen=True)
class RemediateOptions:
    """One ``remediate`` run: a notebook ``name``, ``resume`` a journal, or ``all_failing``."""

    config: GuardrailConfig
    """Levels and exemptions (the audit's ``--config``): an exempted notebook is spared."""
    name: str | None = None
    resume: Path | None = None
    all_failing: bool = False
    region: tuple[str, ...] = ()
    """Several only with ``all_failing``; none: the profile's region."""
    profile: str | None = None
    endpoint_url: str | None = None
    subnet_id: str | None = None
    security_group_id: tuple[str, ...] = ()
    keep_root_access: bool = False
    apply: bool = False
    confirm_data_loss: bool = False
    journal_dir: Path = Path(".")
    poll_interval: float = 15.0
    """Seconds between looks while a state changes."""
    timeout: float = 1800.0
    """Longest wait in seconds for one state change."""
