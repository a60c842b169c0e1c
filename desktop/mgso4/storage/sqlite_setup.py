"""How the record's SQLite connections are opened: journal mode, durability, locking.

Decisions, each with its reason:

* Write-ahead logging (WAL) only on SQLite builds where the WAL-reset bug is fixed. That bug
  (present from 3.7.0 to 3.51.2; https://sqlite.org/wal.html#walresetbug) can corrupt a database
  when two connections write or checkpoint at the same moment, which is exactly what two copies
  of the app on one computer do. It is fixed in 3.51.3 and in the 3.50.7 and 3.44.6 backports.
  Elsewhere the record uses the rollback journal (``journal_mode=DELETE``), which has no such bug.
* ``synchronous=FULL`` in WAL mode and ``EXTRA`` with the rollback journal: a COMMIT that has
  returned survives a power cut (EXTRA also syncs the folder after the journal is deleted).
* ``busy_timeout``: a second copy of the app waits for the first to finish instead of failing.
* ``trusted_schema=OFF``: triggers and views in the file cannot call functions with side effects.
* ``foreign_keys=ON``: every event's episode exists.
* ``isolation_level=None``: the store issues ``BEGIN IMMEDIATE``/``COMMIT`` itself, so there is
  exactly one transaction per user action and nothing is committed behind its back.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from mgso4.storage.errors import ReadOnlyError, StoreError, corrupt_error, translate

#: STRICT tables need 3.37 (2021-11-27).
MIN_SQLITE_VERSION = (3, 37, 0)
#: How long a second copy of the app waits for the first, in seconds.
DEFAULT_BUSY_TIMEOUT_S = 10.0

JournalMode = Literal["wal", "delete"]

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def parse_sqlite_version(text: str) -> tuple[int, int, int]:
    """``"3.40.1"`` → ``(3, 40, 1)``.

    Raises:
        ValueError: if the text is not a SQLite version.
    """
    match = _VERSION.match(text.strip())
    if match is None:
        raise ValueError(f"not a SQLite version: {text!r}")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def wal_is_safe(version: str) -> bool:
    """True when this SQLite version has the WAL-reset bug fix (see the module docstring)."""
    parsed = parse_sqlite_version(version)
    return (
        (3, 44, 6) <= parsed < (3, 45, 0)
        or (3, 50, 7) <= parsed < (3, 51, 0)
        or parsed >= (3, 51, 3)
    )


def journal_mode_for(version: str) -> JournalMode:
    """The journal mode the record uses with this SQLite version."""
    return "wal" if wal_is_safe(version) else "delete"


def synchronous_for(journal_mode: JournalMode) -> Literal["FULL", "EXTRA"]:
    """Durability level for a journal mode (see the module docstring)."""
    return "FULL" if journal_mode == "wal" else "EXTRA"


def check_sqlite_version(version: str = sqlite3.sqlite_version) -> None:
    """Refuse a SQLite library too old to read the record's tables.

    Raises:
        StoreError: naming the version found and the version needed.
    """
    if parse_sqlite_version(version) < MIN_SQLITE_VERSION:
        needed = ".".join(str(part) for part in MIN_SQLITE_VERSION)
        raise StoreError(
            f"This computer's SQLite library is version {version}; the record needs {needed} or "
            "newer. Install the app's own package, which brings a suitable version."
        )


def create_private_file(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600), whatever the umask.

    Raises:
        FileExistsError: if the file already exists (it is never truncated).
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        # The umask can only remove bits from 0600; setting the mode again makes it exact.
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
    if not hasattr(os, "fchmod"):
        os.chmod(path, 0o600)


def fsync_directory(folder: Path) -> None:
    """Make a new or renamed file's directory entry durable (POSIX; a no-op on Windows)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def connect(
    path: Path,
    *,
    readonly: bool,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
) -> sqlite3.Connection:
    """Open a connection with the record's pragmas, without writing anything to the file.

    Read-write connections do not set the journal mode here: that can write to the file, and a
    file must be checked before anything is written to it (:func:`set_journal_mode`).

    Raises:
        StoreError: the specific subclass for the failure.
    """
    if readonly:
        target = path.resolve().as_uri() + "?mode=ro"
    else:
        target = path.resolve().as_uri() + "?mode=rw"
    try:
        connection = sqlite3.connect(
            target,
            uri=True,
            timeout=busy_timeout_s,
            isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        if readonly and not path.exists():
            raise StoreError(f"There is no record file at {path}.") from None
        raise translate(exc, path=path, writing=False) from None
    # A damaged file can hold bytes that are not UTF-8, even in PRAGMA quick_check's answer:
    # they read as U+FFFD instead of raising UnicodeDecodeError (which is not a sqlite3.Error).
    connection.text_factory = lenient_text
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA recursive_triggers = ON")
    except sqlite3.Error as exc:
        connection.close()
        raise translate(exc, path=path, writing=False) from None
    except UnicodeDecodeError:  # SQLite's error message quoted damaged bytes
        connection.close()
        raise corrupt_error(path, detail="SQLite reports damage it cannot even describe") from None
    return connection


def lenient_text(data: bytes) -> str:
    """Decode SQLite text as UTF-8, showing bytes that are not UTF-8 as U+FFFD."""
    return data.decode("utf-8", "replace")


#: SQLite virtual-machine steps allowed per page of the file, and in all, for one piece of
#: read-only work on a file that may be hostile (verify, a merge source). Reading a record
#: takes a few thousand steps per page; a crafted file that makes SQLite loop is stopped.
WORK_STEPS_PER_PAGE = 200_000
WORK_STEPS_MINIMUM = 50_000_000
_STEPS_PER_CHECK = 10_000


@contextlib.contextmanager
def bound_work(connection: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Stop any statement on ``connection`` that runs far longer than a record of this size
    needs (an ``interrupted`` error), for the duration of the block."""
    try:
        pages = max(1, path.stat().st_size // 512)
    except OSError:
        pages = 1
    budget = max(WORK_STEPS_MINIMUM, pages * WORK_STEPS_PER_PAGE) // _STEPS_PER_CHECK
    calls = 0

    def handler() -> int:
        nonlocal calls
        calls += 1
        return 1 if calls > budget else 0

    connection.set_progress_handler(handler, _STEPS_PER_CHECK)
    try:
        yield
    finally:
        connection.set_progress_handler(None, 0)


def set_journal_mode(connection: sqlite3.Connection, path: Path, mode: JournalMode) -> str:
    """Set the journal mode and matching ``synchronous`` level; return the mode in force.

    Raises:
        StoreError: if SQLite refuses (for example another copy holds the file).
    """
    try:
        row = connection.execute(f"PRAGMA journal_mode = {mode}").fetchone()
        in_force = str(row[0]).lower() if row else ""
        if in_force != mode:
            raise StoreError(
                f"The record ({path}) could not be switched to journal mode {mode} "
                f"(it stayed {in_force or 'unknown'}). Close other copies of the app and "
                "open it again."
            )
        connection.execute(f"PRAGMA synchronous = {synchronous_for(mode)}")
    except sqlite3.Error as exc:
        raise translate(exc, path=path, writing=False) from None
    return in_force


def pragma_text(connection: sqlite3.Connection, name: str) -> str:
    """The value of a pragma as text (``synchronous`` by name: OFF/NORMAL/FULL/EXTRA)."""
    row = connection.execute(f"PRAGMA {name}").fetchone()
    value = row[0] if row else ""
    if name == "synchronous":
        return {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(int(value), str(value))
    return str(value)


def truncation_problem(connection: sqlite3.Connection, path: Path) -> str | None:
    """Say so if the file is shorter than its own header says (a truncated copy or disk).

    SQLite reads missing bytes at the end of a file as zeros, so a file cut short can open
    and pass a quick check. In rollback-journal mode the file holds every page, so its size is
    at least page_count × page_size; in WAL mode recent pages may still be in the -wal file,
    and the check does not apply.
    """
    if pragma_text(connection, "journal_mode").lower() == "wal":
        return None
    page_count = int(connection.execute("PRAGMA page_count").fetchone()[0])
    page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if size < page_count * page_size:
        return (
            f"the file is {size} bytes but SQLite expects {page_count * page_size}: "
            "it has been cut short"
        )
    return None


def ensure_writable_location(path: Path) -> None:
    """Refuse early when the file or its folder is plainly read-only for this user.

    SQLite would otherwise fail only at the first save. (Running as an administrator, the
    operating system reports everything writable; SQLite's own error is then translated.)

    Raises:
        ReadOnlyError: naming the file or folder.
    """
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        raise ReadOnlyError(
            f"The record file {path} is read-only on this computer, so nothing could be saved. "
            "Ask IT to make it writable, or open it read-only to view it."
        )
    if not os.access(folder, os.W_OK):
        raise ReadOnlyError(
            f"The folder {folder} is read-only on this computer, so the record cannot be saved "
            "there (SQLite needs to write a journal file next to it). Choose a folder you can "
            "write to, or open the record read-only to view it."
        )


def recover_hot_journal(path: Path, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> bool:
    """Roll back a save that a crash or power cut left half-done, before a read-only open.

    Such a save leaves a "hot" rollback journal beside the record. A read-only connection
    cannot roll it back and SQLite then reports the file as read-only; a read-write open rolls
    it back at its first read (https://sqlite.org/atomiccommit.html §4.2), restoring the
    record exactly as it was after its last completed save. Returns True when there was a
    journal to deal with.

    Raises:
        ReadOnlyError: there is a journal to roll back but this account cannot write there
            (the message says what happened and what to do).
        StoreError: another failure, translated.
    """
    journal = Path(f"{path}-journal")
    try:
        if journal.stat().st_size == 0:
            return False
    except OSError:
        return False
    try:
        connection = sqlite3.connect(
            path.resolve().as_uri() + "?mode=rw",
            uri=True,
            timeout=busy_timeout_s,
            isolation_level=None,
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (8, 14) or not os.access(
            path.parent, os.W_OK
        ):
            raise ReadOnlyError(hot_journal_message(path)) from None
        raise translate(exc, path=path, writing=False) from None
    return True


def hot_journal_message(path: Path) -> str:
    """What to say when a half-done save cannot be rolled back by this account."""
    return (
        f"The record {path} was left in the middle of a save by a crash or power cut (its "
        f"journal file {path.name}-journal is still beside it). Nothing saved before is lost: "
        "opening the record normally rolls the unfinished save back, but this account cannot "
        "write to its folder. Start the app once as a user who can write there, or ask IT for "
        "write access; do not delete the journal file."
    )


def close_quietly(connection: sqlite3.Connection) -> None:
    """Close a connection while another error is already being reported."""
    with contextlib.suppress(sqlite3.Error):
        connection.close()
