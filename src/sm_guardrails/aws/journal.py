"""The remediation journal: the plan and each step, on disk before anything is changed.

A replacement deletes a notebook before it creates the new one, so the journal holds
everything needed to finish it after a crash: the original DescribeNotebookInstance
output and tags, the plan with its exact CreateNotebookInstance request, and every step
as it is requested and as it completes. Each write goes to a temporary file in the same
folder, is fsynced, and renamed over the journal, so the file on disk is always one
complete version.

Each version carries the SHA-256 of its own content (canonical JSON), so a journal
changed after it was written (by hand, by an editor's autosave, by another program) is
refused rather than carried out. A checksum stops mistakes, not an attacker, who can
compute it again: the runner judges the create request again before it sends anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sm_guardrails.aws import domain_plan
from sm_guardrails.aws.domain_plan import DomainPlan
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


Plan = RemediationPlan | DomainPlan
"""What a journal carries out: a notebook's replacement or a domain's update in place."""

FORMAT = "sm-guardrails/remediation-journal"
VERSION = 2
"""2: each version carries its checksum."""

CrashHook = Callable[[str, Callable[[], object]], None]
"""Called at each named point of a remediation (``STEP:requested``, ``STEP:called``,
``STEP:done``, and ``STEP:PHASE:writing`` halfway through writing that event's journal
version) with the last words to say there before a crash. The shipped command installs
none; tests install one that kills the process there (tests/aws/crashing_cli.py)."""

_crash_hook: list[CrashHook] = []


def install_crash_hook(hook: CrashHook) -> None:
    """Call ``hook`` at every :func:`crash_point` of this process (fault injection)."""
    _crash_hook[:] = [hook]


def default_journal_dir() -> Path:
    """Where journals go unless ``--journal-dir`` says otherwise: the user's state folder
    (``$XDG_STATE_HOME/sm-guardrails/remediation``, by default under ``~/.local/state``),
    outside any checkout, so a journal (an account's settings) is never committed."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "sm-guardrails" / "remediation"


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


def crash_point(point: str, last_words: Callable[[], object] = lambda: None) -> None:
    """A point a crash can be injected at: the installed :data:`CrashHook`, if any, decides."""
    for hook in _crash_hook:
        hook(point, last_words)


def checksum(content: dict[str, Any]) -> str:
    """``sha256:`` and the hex digest of ``content`` as canonical JSON (sorted, compact)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Journal:
    """One remediation (a notebook's replacement, a domain's update): its plan, its events,
    and where it is written."""

    path: Path
    plan: Plan
    events: list[dict[str, str]] = field(default_factory=list)
    status: str = IN_PROGRESS
    message: str = ""
    started_at: str = field(default_factory=utc_now)

    @classmethod
    def start(cls, path: Path, plan: Plan) -> Journal:
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
                f"reads version {VERSION}; nothing was changed"
            )
        _check_sum(path, raw)
        try:
            plan = _plan(raw["plan"])
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
        self.write(f"{step}:{phase}:writing")

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

    def write(self, crash_at: str = "") -> None:
        """Replace the file atomically: temporary file, fsync, rename, fsync the folder.

        ``crash_at`` names this write for :func:`crash_point` (killed halfway through).
        """
        content = self.to_json()
        content["checksum"] = checksum(content)
        text = json.dumps(content, indent=2, sort_keys=True) + "\n"
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with temporary.open("w", encoding="utf-8") as handle:

            def half_written() -> None:
                handle.write(text[: len(text) // 2])
                handle.flush()

            crash_point(crash_at, half_written)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _check_sum(path: Path, raw: dict[str, Any]) -> None:
    """:class:`JournalError` unless ``raw`` holds the checksum of the rest of itself."""
    written = raw.pop("checksum", None)
    if written != checksum(raw):
        raise JournalError(
            f"{path}: the journal does not match its checksum ("
            + ("it has none" if written is None else "it was changed after it was written")
            + "); nothing was changed. Put back the file as sm-guardrails wrote it, or plan "
            "again with `sm-guardrails remediate NAME` (plan.original and plan.tags in it are "
            "the notebook as it was)"
        )


def _plan(raw: object) -> Plan:
    """The journal's plan, of the remediation its ``kind`` names (none: a notebook's)."""
    if not isinstance(raw, dict):
        raise TypeError("the plan must be an object")
    if raw.get("kind") == domain_plan.KIND:
        return DomainPlan.from_json(raw)
    return RemediationPlan.from_json(raw)


def _event(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(key), str) for key in ("step", "phase", "at")
    ):
        raise TypeError("an event must be an object with string step, phase and at")
    return {str(key): str(value) for key, value in raw.items()}
