"""What ``sm-guardrails remediate`` was asked to do, as the command line gave it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sm_guardrails.aws.journal import default_journal_dir
from sm_guardrails.config import GuardrailConfig


@dataclass(frozen=True)
class RemediateOptions:
    """One ``remediate`` run: a notebook ``name``, a ``domain`` id, ``resume`` a journal, or
    ``all_failing`` (notebooks)."""

    config: GuardrailConfig
    """Levels and exemptions (the audit's ``--config``): an exempted notebook is spared."""
    name: str | None = None
    resume: Path | None = None
    all_failing: bool = False
    region: tuple[str, ...] = ()
    """Several only with ``all_failing``; none: the profile's region."""
    profile: str | None = None
    endpoint_url: str | None = None
    subnet_id: tuple[str, ...] = ()
    """One for a notebook; a domain's subnets (several)."""
    security_group_id: tuple[str, ...] = ()
    domain: str | None = None
    vpc_id: str | None = None
    """Only for a domain that has no VPC yet (UpdateDomain sets it on no other)."""
    delete_apps: bool = False
    """A domain's running apps may be deleted so that its network access can change."""
    keep_root_access: bool = False
    apply: bool = False
    confirm_data_loss: bool = False
    journal_dir: Path = field(default_factory=default_journal_dir)
    poll_interval: float = 15.0
    """Seconds between looks while a state changes."""
    timeout: float = 1800.0
    """Longest wait in seconds for one state change."""
