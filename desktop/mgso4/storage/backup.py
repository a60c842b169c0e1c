"""Backups and restore, always through SQLite's backup API and always verified.

A file copy of a database that is in use can catch it half-written; SQLite's online backup
API copies a consistent snapshot (https://sqlite.org/backup.html). Every copy is written under a
temporary name, opened read-only and verified (integrity check and every hash chain) before it
gets its final name; a copy that does not verify is deleted and the caller told. Restoring never
overwrites: an existing record is first moved aside, kept, and named in the result.

Rotation keeps the backups that hold the most, never the ones with the latest names: a record
only grows, so the backup with the most entries (then the newest entry) is the newest whatever
the clock said when it was named. A computer whose clock went back (a flat CMOS battery) would
otherwise name each new backup "oldest" and delete it as soon as it was written. The backup just
written is never deleted, and a clock behind the record's newest entry is reported.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mgso4.storage.errors import (
    BackupError,
    BackupNotVerifiedError,
    CorruptDatabaseError,
    DiskFullError,
    LockedError,
    StoreError,
    translate,
)
from mgso4.storage.sqlite_setup import create_private_file, fsync_directory
from mgso4.storage.verify import VerifyReport, verify_path

log = logging.getLogger(__name__)

#: Backups kept by rotation unless configured otherwise (two weeks of daily backups).
DEFAULT_KEEP = 14
#: How far the clock may be behind the record's newest entry before it is reported (another
#: PC's clock in a merged record, or a few seconds' drift, is not a clock gone back).
CLOCK_TOLERANCE = timedelta(minutes=5)
BACKUP_PREFIX = "mgso4"
_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


def _backup_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}-(\d{{8}}T\d{{6}}Z)(?:-(\d+))?\.sqlite3$")


@dataclass(frozen=True, order=True)
class BackupFile:
    """A backup in a folder, ordered oldest to newest by (taken_at, counter)."""

    taken_at: datetime
    counter: int
    path: Path


def list_backups(folder: Path, *, prefix: str = BACKUP_PREFIX) -> list[BackupFile]:
    """Backups in a folder named ``<prefix>-YYYYMMDDTHHMMSSZ[-N].sqlite3``, newest first.

    Other files are never listed, so rotation never touches them.
    """
    pattern = _backup_pattern(prefix)
    found = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or not entry.is_file():
            continue
        taken_at = datetime.strptime(match.group(1), _STAMP_FORMAT).replace(tzinfo=UTC)
        found.append(BackupFile(taken_at, int(match.group(2) or 1), entry))
    return sorted(found, reverse=True)


def backup_content(path: Path) -> tuple[int, str]:
    """What a backup holds: (number of entries, newest entry's ``recorded_at``).

    Read-only; a file that cannot be read counts as holding nothing, (-1, "").
    """
    try:
        connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return -1, ""
    try:
        connection.text_factory = lambda data: data.decode("utf-8", "replace")
        connection.execute("PRAGMA trusted_schema = OFF")
        kind = connection.execute("SELECT type FROM sqlite_schema WHERE name = 'event'").fetchone()
        if kind is None or kind[0] != "table":
            return -1, ""
        row = connection.execute("SELECT count(*), max(recorded_at) FROM event").fetchone()
        return int(row[0]), str(row[1] or "")
    except (sqlite3.Error, ValueError, TypeError):
        return -1, ""
    finally:
        connection.close()


def by_content(backups: list[BackupFile]) -> list[BackupFile]:
    """Backups newest first by what they hold (entries, newest entry), then by name."""
    return sorted(
        backups,
        key=lambda b: (*backup_content(b.path), b.taken_at, b.counter),
        reverse=True,
    )


def newest_good_backup(backup_dir: Path | None, *, prefix: str = BACKUP_PREFIX) -> Path | None:
    """The newest backup (by what it holds) in a folder that opens and verifies, or None.

    Each candidate is opened read-only; nothing in the folder is changed.
    """
    if backup_dir is None:
        return None
    for backup in by_content(list_backups(backup_dir, prefix=prefix)):
        if verify_path(backup.path).ok:
            return backup.path
    return None


def last_backup_at(backup_dir: Path, *, prefix: str = BACKUP_PREFIX) -> datetime | None:
    """When the newest backup in a folder was taken (from its name, UTC), or None."""
    backups = list_backups(backup_dir, prefix=prefix)
    return backups[0].taken_at if backups else None


def rotate(
    folder: Path,
    keep: int = DEFAULT_KEEP,
    *,
    prefix: str = BACKUP_PREFIX,
    protect: Path | None = None,
) -> list[Path]:
    """Delete all but the ``keep`` backups that hold the most; return the deleted paths.

    Backups are ranked by what they hold (:func:`by_content`), never by the time in their
    names alone, and ``protect`` (the backup just written) is never deleted.

    Raises:
        ValueError: if keep is less than 1 (the newest backup is always kept).
    """
    if keep < 1:
        raise ValueError("at least one backup must be kept")
    deleted = []
    protected = protect.resolve() if protect is not None else None
    for old in by_content(list_backups(folder, prefix=prefix))[keep:]:
        if protected is not None and old.path.resolve() == protected:
            continue
        try:
            old.path.unlink()
        except FileNotFoundError:
            continue  # another copy of the app rotated it first
        deleted.append(old.path)
        log.info("rotated out backup %s", old.path.name)
    return deleted


def _next_backup_name(folder: Path, now: datetime, prefix: str) -> Path:
    stamp = now.astimezone(UTC).strftime(_STAMP_FORMAT)
    candidate = folder / f"{prefix}-{stamp}.sqlite3"
    counter = 2
    while candidate.exists():
        candidate = folder / f"{prefix}-{stamp}-{counter}.sqlite3"
        counter += 1
    return candidate


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _place_without_overwriting(temporary: Path, final: Path) -> None:
    """Give a finished file its final name, never replacing a file already there.

    A hard link fails if the name exists (POSIX and NTFS); where links are not supported the
    file is renamed after checking the name is free.

    Raises:
        FileExistsError: the final name is taken.
    """
    try:
        os.link(temporary, final)
    except FileExistsError:
        raise
    except OSError:
        if final.exists():
            raise FileExistsError(final) from None
        os.rename(temporary, final)
        return
    temporary.unlink()


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    for suffix in ("-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def copy_database(source: sqlite3.Connection, destination: Path) -> None:
    """Copy an open database into a new private file with SQLite's backup API.

    The copy is left in rollback-journal mode so it is a single self-contained file.

    Raises:
        FileExistsError: if the destination exists.
        sqlite3.Error: if SQLite cannot copy (the caller translates and cleans up).
    """
    create_private_file(destination)
    target = sqlite3.connect(str(destination), isolation_level=None)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        target.execute("PRAGMA synchronous = FULL")
    finally:
        target.close()
    _fsync_file(destination)


def backup_database(
    source: sqlite3.Connection,
    source_path: Path,
    folder: Path,
    *,
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
    prefix: str = BACKUP_PREFIX,
) -> Path:
    """Write a verified backup of an open record into a folder, then rotate old ones.

    Args:
        source: an open connection to the record.
        source_path: the record file, for messages.
        folder: the backup folder (created if missing; may be a network share).
        keep: how many backups to keep after this one is written.
        now: the time for the file name (UTC); defaults to the current time.
        prefix: the file-name prefix (``mgso4``).

    Returns:
        The new backup ``<prefix>-YYYYMMDDTHHMMSSZ[-N].sqlite3``.

    Raises:
        BackupError: the copy could not be written or did not verify (and was deleted).
        StoreError: a more specific reason (disk full, read-only folder …).
    """
    if keep < 1:
        raise ValueError("at least one backup must be kept")
    moment = now if now is not None else datetime.now(UTC)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(
            f"The backup folder {folder} could not be created ({exc.strerror}); no backup was "
            "made. Choose a backup folder you can write to."
        ) from None
    final = _next_backup_name(folder, moment, prefix)
    temporary = folder / f".{final.name}.partial"
    _unlink_quietly(temporary)  # left over from an interrupted attempt: never a finished backup
    try:
        copy_database(source, temporary)
    except sqlite3.Error as exc:
        _unlink_quietly(temporary)
        error = translate(exc, path=source_path, writing=False)
        if isinstance(error, DiskFullError):
            raise DiskFullError(
                f"The backup folder {folder} is full, so no backup was made. The record itself "
                "is safe. Free some space there or choose another backup folder."
            ) from None
        if isinstance(error, CorruptDatabaseError | LockedError):
            raise error from None
        raise BackupError(f"No backup was made in {folder}: {exc}.") from None
    except OSError as exc:
        _unlink_quietly(temporary)
        raise BackupError(
            f"No backup was made: the file could not be written in {folder} ({exc.strerror}). "
            "Check the backup folder and its free space."
        ) from None
    report = verify_path(temporary)
    if not report.ok:
        _unlink_quietly(temporary)
        raise BackupNotVerifiedError(
            f"The backup written to {folder} did not check out ({'; '.join(report.problems)}), "
            "so it was deleted. The record itself was not changed. Run “verify” on the record "
            "and tell IT."
        )
    try:
        _place_without_overwriting(temporary, final)
        fsync_directory(folder)
    except OSError as exc:
        _unlink_quietly(temporary)
        raise BackupError(
            f"The backup could not be given its name {final.name} ({exc}); no backup was made."
        ) from None
    log.info("backup written: %s (%d entries)", final.name, report.counts["events"])
    rotate(folder, keep, prefix=prefix, protect=final)
    return final


def clock_behind_message(source: sqlite3.Connection, now: datetime) -> str | None:
    """Say so if ``now`` is behind the record's newest entry (the clock went back), else None."""
    try:
        row = source.execute("SELECT max(recorded_at) FROM event").fetchone()
    except sqlite3.Error:
        return None
    if not row or not row[0]:
        return None
    try:
        newest = datetime.fromisoformat(str(row[0]).replace("Z", "+00:00"))
    except ValueError:
        return None
    if now + CLOCK_TOLERANCE >= newest:
        return None
    return (
        f"This computer's clock ({now.astimezone(UTC):%Y-%m-%d %H:%M} UTC) is behind the "
        f"newest entry in the record ({newest:%Y-%m-%d %H:%M} UTC): the clock has gone back "
        "(a flat clock battery, or a wrong setting). The backup was kept — backups are kept by "
        "what they hold — but new entries would carry wrong times: ask IT to set the clock."
    )


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did."""

    restored: Path
    #: Where the record that was at the target went (kept, never deleted), if there was one.
    replaced_moved_to: Path | None
    report: VerifyReport


def restore(
    backup_path: Path,
    to_path: Path,
    *,
    overwrite: bool = False,
    now: datetime | None = None,
) -> RestoreResult:
    """Restore a backup to a record file after verifying it.

    Close every copy of the app that uses ``to_path`` first.

    Args:
        backup_path: the backup to restore.
        to_path: where the record should be.
        overwrite: allow replacing an existing file; even then it is first moved aside to
            ``<name>.replaced-<timestamp>`` (with its journal), never deleted.
        now: the time for the moved-aside name (UTC); defaults to the current time.

    Raises:
        BackupError: the backup does not verify, or the target exists and overwrite is False.
        StoreError: a more specific reason.
    """
    backup_path, to_path = Path(backup_path), Path(to_path)
    report = verify_path(backup_path)
    if not report.ok:
        raise BackupNotVerifiedError(
            f"The backup {backup_path} does not check out ({'; '.join(report.problems)}), so it "
            "was not restored. Try the next older backup."
        )
    moment = now if now is not None else datetime.now(UTC)
    moved_to: Path | None = None
    if to_path.exists():
        if not overwrite:
            raise BackupError(
                f"There is already a record at {to_path}; it was not replaced. Restore to a new "
                "file name, or confirm that the existing record should be moved aside."
            )
        moved_to = _move_aside(to_path, moment)
    to_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = to_path.parent / f".{to_path.name}.restoring"
    _unlink_quietly(temporary)
    try:
        source = sqlite3.connect(
            backup_path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None
        )
        try:
            copy_database(source, temporary)
        finally:
            source.close()
        restored_report = verify_path(temporary)
        if not restored_report.ok:
            raise BackupNotVerifiedError(
                f"The restored copy at {to_path.parent} did not check out "
                f"({'; '.join(restored_report.problems)}); nothing was restored."
            )
        _place_without_overwriting(temporary, to_path)
        fsync_directory(to_path.parent)
    except BaseException as exc:
        _unlink_quietly(temporary)
        kept = ""
        if moved_to is not None:
            if to_path.exists():  # something appeared at the target meanwhile: leave both
                kept = f" The record that was there is kept as {moved_to}."
            else:
                _move_back(moved_to, to_path)
        if isinstance(exc, sqlite3.Error):
            error = translate(exc, path=to_path, writing=False)
            raise type(error)(f"{error}{kept}") from None
        if isinstance(exc, OSError):
            raise BackupError(
                f"The backup could not be restored to {to_path} ({exc}).{kept}"
            ) from None
        raise
    log.info("restored backup %s", backup_path.name)
    return RestoreResult(restored=to_path, replaced_moved_to=moved_to, report=restored_report)


def _move_aside(path: Path, moment: datetime) -> Path:
    stamp = moment.astimezone(UTC).strftime(_STAMP_FORMAT)
    aside = path.with_name(f"{path.name}.replaced-{stamp}")
    counter = 2
    while aside.exists():
        aside = path.with_name(f"{path.name}.replaced-{stamp}-{counter}")
        counter += 1
    try:
        # The journal goes with its database: left behind, SQLite would apply it to the
        # restored file as if it were a crashed transaction of that file.
        for suffix in ("-journal", "-wal", "-shm"):
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                os.rename(companion, Path(f"{aside}{suffix}"))
        os.rename(path, aside)
    except PermissionError:
        raise StoreError(
            f"The record {path} is in use (another copy of the app has it open); close every "
            "copy of the app and restore again. Nothing was changed."
        ) from None
    log.info("existing record moved aside to %s", aside.name)
    return aside


def _move_back(aside: Path, path: Path) -> None:
    for suffix in ("-journal", "-wal", "-shm"):
        companion = Path(f"{aside}{suffix}")
        if companion.exists():
            os.rename(companion, Path(f"{path}{suffix}"))
    os.rename(aside, path)


@dataclass(frozen=True)
class BackupScheduler:
    """When a backup is due: the policy only (no threads, no timers).

    The GUI backs up on start, on a clean exit and whenever :meth:`due` says so.
    """

    interval: timedelta = timedelta(days=1)

    def due(self, now: datetime, last_backup_at: datetime | None) -> bool:
        """True when no backup exists, the last is at least ``interval`` old, or the clock went
        backwards past it (a backup "from the future" cannot be trusted to be recent).
        """
        if last_backup_at is None:
            return True
        if last_backup_at > now:
            return True
        return now - last_backup_at >= self.interval
