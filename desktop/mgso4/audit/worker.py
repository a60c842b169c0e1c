"""Long audit work (exports, merges) in a process of its own: the child half, without Qt.

Why a process and not a thread: an export or a merge is pure Python for tens of seconds. On a
thread of the app it holds the interpreter lock most of that time, and the screen waits for it
(gaps of 100-200 ms between event-loop turns were measured). A child process has its own
interpreter: the app's thread only reads short messages from a pipe. Cancel is immediate: the
app ends the child. What a killed child leaves is safe by construction: an export writes to a
temporary file that is renamed only when complete (``audit.progress.atomic_outputs``; the app
removes the temporary files of a killed export), and a merge writes each source in one SQLite
transaction, which the database rolls back when the process that opened it dies before
``COMMIT``.

The app starts :func:`run_job` in a ``multiprocessing`` "spawn" child (the same on Linux,
macOS and Windows; a fresh interpreter, so no Qt state or open record is inherited) with a
job function of this module and its plain arguments (paths as text, dates, filters). The child
sends tuples through the pipe:

* ``("progress", percent, message)`` — at most one per :data:`PROGRESS_STEP` percent of a stage;
* ``("done", value)`` — the job's return value (an ``ExportResult`` or a ``MergeReport``);
* ``("refused", message, cancelled)`` — the audit's own refusals (``AuditError``, a record that
  cannot be read: ``StoreError``, ``ValueError``) and its own cancel, as sentences for the user;
* ``("failed", kind, message)`` — anything else: ``kind`` is "user" when the message is already
  a sentence (``OSError``), else the error's type name; the traceback goes to the child's
  standard error, never to the screen.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal, Protocol
from zoneinfo import ZoneInfo

from mgso4.audit.progress import AuditError, Cancelled, ProgressCallback
from mgso4.storage import StoreError

#: Smallest step of a progress bar worth a message, in percent.
PROGRESS_STEP: Final = 5
#: How much lower than the app the work runs (POSIX niceness; Windows: below normal).
BACKGROUND_NICENESS: Final = 10

Outcome = tuple[Any, ...]


class Sender(Protocol):
    """The child's end of the pipe (``multiprocessing.connection.Connection``)."""

    def send(self, obj: Any) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Refused:
    """Work that ended with a message for the user (refused, cancelled, record unreadable)."""

    message: str
    cancelled: bool = False


def outcome_of(work: Callable[[], Any]) -> Outcome:
    """Run work; its value or its error as one of the messages above (never a traceback)."""
    try:
        value = work()
    except Cancelled as exc:
        return ("refused", str(exc), True)
    except (AuditError, StoreError, ValueError) as exc:
        return ("refused", str(exc), False)
    except OSError as exc:
        return ("failed", "user", str(exc))
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return ("failed", type(exc).__name__, str(exc))
    return ("done", value)


def throttled(send: Callable[[int, str], None]) -> ProgressCallback:
    """Audit progress (stage, done, total) as (percent, message), only a new stage or a step
    of at least :data:`PROGRESS_STEP` percent passed on (a bar needs no more than twenty)."""
    last: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 0
        previous = last.get(stage)
        if previous is not None and percent - previous < PROGRESS_STEP and percent < 100:
            return
        last[stage] = percent
        send(percent, f"{stage}: {done:,} of {total:,}" if total else stage)

    return progress


def lower_priority() -> None:
    """Give the screen the processor first: this process runs below normal priority.

    On a ward PC with two cores the work and the app would otherwise share them equally, and
    the app's thread could wait a whole time slice for its turn.
    """
    try:
        if sys.platform == "win32":
            import ctypes

            below_normal = 0x4000
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal)
        else:
            os.nice(BACKGROUND_NICENESS)
    except (OSError, AttributeError):
        pass  # a priority is a courtesy, not a condition of the work


def run_job(connection: Sender, job: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """The child's entry point: ``job(progress, *args)``, every report sent through the pipe."""
    lower_priority()
    try:
        progress = throttled(
            lambda percent, message: connection.send(("progress", percent, message))
        )
        connection.send(outcome_of(lambda: job(progress, *args)))
    finally:
        connection.close()


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class ExportJob:
    """What the audit screen asks of an export, in plain values a child process can take."""

    kind: Literal["csv", "xlsx", "fhir"]
    record: str
    out: str
    level: str
    purpose: str | None = None
    reason: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    filters: Any = None
    tz: ZoneInfo | None = None
    recorded_by: Any = None
    protocol: Any = None
    witnesses: tuple[str, ...] = ()
    #: The verification an earlier export of this session passed (``ExportResult.
    #: passed_verification``): the export skips the full check while the file is unchanged.
    reuse_verification: Any = None


def export_job(progress: ProgressCallback, asked: ExportJob) -> Any:
    """Export as the audit screen asks (the record is read afresh: rows and chain heads agree)."""
    from mgso4.audit.export import ExportRequest, export_csv, export_fhir, export_xlsx
    from mgso4.audit.pseudonym import load_or_create_key
    from mgso4.storage.signing import Anchors

    exporters = {"csv": export_csv, "xlsx": export_xlsx, "fhir": export_fhir}
    options: dict[str, Any] = {}
    if asked.tz is not None:
        options["tz"] = asked.tz
    request = ExportRequest(
        level=asked.level,
        purpose=asked.purpose,
        reason=asked.reason,
        key=load_or_create_key(),
        progress=progress,
        date_from=asked.date_from,
        date_to=asked.date_to,
        filters=asked.filters,
        recorded_by=asked.recorded_by,
        protocol=asked.protocol,
        anchors=Anchors.local([Path(folder) for folder in asked.witnesses]),
        reuse_verification=asked.reuse_verification,
        remember_verification=True,
        **options,
    )
    return exporters[asked.kind](asked.record, Path(asked.out), request)


def export_outputs(asked: ExportJob) -> tuple[Path, ...]:
    """The files an export writes (a CSV has its dictionary beside it)."""
    from mgso4.audit.export import dictionary_path_for

    out = Path(asked.out)
    return (out, dictionary_path_for(out)) if asked.kind == "csv" else (out,)


def recover_record(target: str) -> None:
    """Let SQLite finish a killed merge's cleanup now: roll back its unfinished transaction.

    A process ended inside a transaction leaves the record's rollback journal ("hot") beside
    it; SQLite rolls it back at the next read-write open, and a read-only open refuses the file
    until then. Opened and read once here, the record is as it was before that source, for
    every reader. Run by the app right after it ends a merge (off its GUI thread).
    """
    import logging
    import sqlite3

    from mgso4.storage.sqlite_setup import close_quietly, connect

    path = Path(target)
    if not path.exists():
        return
    try:
        connection = connect(path, readonly=False)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            close_quietly(connection)
    except (sqlite3.Error, StoreError) as exc:
        logging.getLogger(__name__).warning("record %s not recovered after a merge: %s", path, exc)


def merge_job(
    progress: ProgressCallback, target: str, sources: Sequence[str], trust: Sequence[str]
) -> Any:
    """Merge ``sources`` into ``target`` (``audit.merge.merge_into``)."""
    from mgso4.audit.merge import merge_into

    return merge_into(
        Path(target), [Path(source) for source in sources], progress=progress, trust=trust
    )
