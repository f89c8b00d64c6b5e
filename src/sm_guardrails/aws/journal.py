"""The remediation journal: the plan and each step, on disk before anything is changed.

A replacement deletes a notebook before it creates the new one, so the journal holds
everything needed to finish it after a crash: the original DescribeNotebookInstance
output and tags, the plan with its exact CreateNotebookInstance request, and every step
as it is requested and as it completes. Each write goes to a temporary file in the same
folder, is fsynced, and renamed over the journal, so the file on disk is always one
complete version.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sm_guardrails.aws.remediation_plan import RemediationPlan

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


FORMAT = "sm-guardrails/remediation-journal"
VERSION = 1

IN_PROGRESS = "in-progress"
INTERRUPTED = "interrupted"
DONE = "done"
STATUSES = (IN_PROGRESS, INTERRUPTED, DONE)


class JournalError(Exception):
    """A journal file cannot be read or is not a journal; the message says which and why."""


@contextlib.contextmanager
def notebook_lock(folder: Path, region: str, name: str) -> Iterator[Path]:
    """Hold the lock on replacing notebook ``name`` of ``region`` among runs sharing ``folder``.

    Two runs on one notebook (a second terminal, a resume while the first still runs)
    would interleave their steps. The lock is an ``flock`` (on Windows a byte-range
    lock) on a file in the journal folder, so the system releases it when a run dies
    and a resume never waits for a stale lock. :class:`JournalError` when another run
    holds it.
    """
    path = folder / f".sm-guardrails-remediate-{region}-{name}.lock"
    handle = path.open("a+", encoding="utf-8")
    try:
        if not _try_lock(handle.fileno()):
            raise JournalError(
                f"{name} ({region}): another sm-guardrails remediate is replacing it now "
                f"(it holds {path}); let it finish, then resume its journal if it stopped"
            )
        yield path
    finally:
        handle.close()  # closing releases the lock


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Journal:
    """One notebook's replacement: its plan, its events, and where it is written."""

    path: Path
    plan: RemediationPlan
    events: list[dict[str, str]] = field(default_factory=list)
    status: str = IN_PROGRESS
    message: str = ""
    started_at: str = field(default_factory=utc_now)

    @classmethod
    def start(cls, path: Path, plan: RemediationPlan) -> Journal:
        """A new journal for ``plan``, written to ``path`` (which must not exist yet)."""
        if path.exists():
            raise JournalError(f"{path}: a journal is already there; resume it or move it away")
        journal = cls(path=path, plan=plan)
        journal.write()
        return journal

    @classmethod
    def load(cls, path: Path) -> Journal:
        """Read the journal at ``path``; :class:`JournalError` says what is wrong with it."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise JournalError(f"{path}: cannot be read ({error.strerror})") from None
        except UnicodeDecodeError:
            raise JournalError(f"{path}: not a journal (not UTF-8 text)") from None
        except json.JSONDecodeError as error:
            raise JournalError(
                f"{path}: not a journal (invalid JSON at line {error.lineno}, "
                f"column {error.colno}); nothing was changed"
            ) from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise JournalError(f"{path}: not an sm-guardrails remediation journal")
        if raw.get("version") != VERSION:
            raise JournalError(
                f"{path}: journal version {raw.get('version')!r}; this sm-guardrails "
                f"reads version {VERSION}"
            )
        try:
            plan = RemediationPlan.from_json(raw["plan"])
            events = [_event(event) for event in raw["events"]]
            status = raw["status"]
            if status not in STATUSES:
                raise TypeError(f"status {status!r} is not one of {', '.join(STATUSES)}")
            return cls(
                path=path,
                plan=plan,
                events=events,
                status=status,
                message=str(raw.get("message", "")),
                started_at=str(raw["started_at"]),
            )
        except (KeyError, TypeError) as error:
            detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
            raise JournalError(
                f"{path}: the journal is damaged ({detail}); nothing was changed"
            ) from None

    def has(self, step: str, phase: str) -> bool:
        """True when the journal records ``step`` at ``phase`` (requested, done, seen)."""
        return any(e["step"] == step and e["phase"] == phase for e in self.events)

    def record(self, step: str, phase: str, detail: str = "") -> None:
        """Append an event and write the journal before returning."""
        event = {"step": step, "phase": phase, "at": utc_now()}
        if detail:
            event["detail"] = detail
        self.events.append(event)
        self.write()

    def finish(self, status: str, message: str = "") -> None:
        """Set the run's status (done or interrupted) and why, and write the journal."""
        self.status, self.message = status, message
        self.write()

    def to_json(self) -> dict[str, Any]:
        """The journal as JSON data."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "started_at": self.started_at,
            "status": self.status,
            "message": self.message,
            "plan": self.plan.to_json(),
            "events": self.events,
        }

    def write(self) -> None:
        """Replace the file atomically: temporary file, fsync, rename, fsync the folder."""
        text = json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _event(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(key), str) for key in ("step", "phase", "at")
    ):
        raise TypeError("an event must be an object with string step, phase and at")
    return {str(key): str(value) for key, value in raw.items()}
