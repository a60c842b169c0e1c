"""Errors of the record store, each a sentence the user can act on.

Every failure of the database layer reaches the caller as one of these, never as a raw
``sqlite3`` exception: the GUI shows ``str(error)`` as it is. Each message says what happened,
that nothing was lost or changed (when that is true), and what to do next.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(Exception):
    """A problem with the record; ``str()`` is a user-facing sentence saying what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DiskFullError(StoreError):
    """The disk holding the record is full; the entry was not saved."""


class ReadOnlyError(StoreError):
    """The record cannot be written here (opened read-only, or a read-only file or folder)."""


class CorruptDatabaseError(StoreError):
    """The file is damaged or is not a database; it has not been changed."""

    def __init__(self, message: str, *, newest_backup: Path | None = None) -> None:
        super().__init__(message)
        self.newest_backup = newest_backup


class NewerSchemaError(StoreError):
    """The file was made by a newer version of the app."""


class LockedError(StoreError):
    """Another copy of the app held the record for longer than the wait allowed."""


class UnsafeLocationError(StoreError):
    """The live record would be on a network share or a cloud-synced folder."""


class NotARecordError(StoreError):
    """The file is a valid SQLite database but not a record made by this app."""


#: What every action says while the unit record's server cannot be reached.
UNAVAILABLE_MESSAGE = "the unit record is unavailable — use the blank downtime proforma"


class RecordUnavailableError(StoreError):
    """The unit record's server cannot be reached: nothing was saved, nothing can be read."""


class EventRefusedError(StoreError):
    """An entry the record cannot accept as given (e.g. an amendment of a missing entry)."""


class RuleRefusedError(EventRefusedError):
    """An entry the episode's rules refuse (``core.actions``): nothing of the action was saved.

    Attributes:
        draft_uuid: The refused entry (or the one that would make a later entry impossible).
        action: The action's key (``core.actions.ACTIONS``), when known.
    """

    def __init__(
        self, message: str, *, draft_uuid: str | None = None, action: str | None = None
    ) -> None:
        super().__init__(message)
        self.draft_uuid = draft_uuid
        self.action = action


class BackupError(StoreError):
    """A backup or restore could not be made or did not verify."""


class BackupNotVerifiedError(BackupError):
    """A backup file (written or to be restored) failed its integrity or chain check."""


# SQLite primary result codes (https://sqlite.org/rescode.html); the extended code's low byte.
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
SQLITE_IOERR_SHORT_READ = 522
#: A read-only connection found a hot journal it may not roll back (SQLITE_READONLY_ROLLBACK).
SQLITE_READONLY_ROLLBACK = 776


def sqlite_code(exc: sqlite3.Error) -> int | None:
    """The extended SQLite result code carried by an exception, if any."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def translate(exc: sqlite3.Error, *, path: Path, writing: bool) -> StoreError:
    """Turn a ``sqlite3`` exception into the specific :class:`StoreError` for the user.

    Args:
        exc: the exception SQLite raised.
        path: the record file, named in the message.
        writing: True when the failed action was saving an entry, so the message can say
            that nothing was saved and that the entry can be saved again.
    """
    code = sqlite_code(exc)
    primary = code & 0xFF if code is not None else None
    text = str(exc)
    not_saved = " Nothing was saved; earlier entries are safe." if writing else ""
    if primary == SQLITE_FULL or "database or disk is full" in text:
        return DiskFullError(
            f"The disk holding the record ({path}) is full, so this entry was not saved. "
            "Everything saved earlier is safe and what you typed is still on screen: "
            "free some disk space (or ask IT to), then save again."
        )
    if code == SQLITE_READONLY_ROLLBACK:
        return ReadOnlyError(
            f"The record ({path}) was left in the middle of a save by a crash or power cut (its "
            "journal file is still beside it). Nothing saved before is lost: open it normally "
            "(not read-only) once, as a user who can write to its folder, and the unfinished "
            f"save is rolled back.{not_saved}"
        )
    if primary == SQLITE_READONLY or "readonly database" in text:
        return ReadOnlyError(
            f"The record ({path}) can only be read on this computer (the file or its folder "
            f"is read-only).{not_saved} Ask IT to give write access to the folder, or open "
            "the record from a folder you can write to."
        )
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text:
        return LockedError(
            f"Another copy of the app is using the record ({path}); close it or wait a "
            f"moment, then try again.{not_saved}"
        )
    if (
        primary in (SQLITE_CORRUPT, SQLITE_NOTADB)
        or code == SQLITE_IOERR_SHORT_READ
        or "malformed" in text
        or "not a database" in text
    ):
        return corrupt_error(path, detail=text)
    if primary == SQLITE_CANTOPEN and writing:
        # While saving, SQLite opens only its journal next to the record: the folder refused it.
        return ReadOnlyError(
            f"The journal file next to the record ({path}) could not be created, so nothing was "
            "saved; earlier entries are safe. The folder is probably read-only on this "
            "computer: ask IT to give write access to it."
        )
    if primary == SQLITE_CANTOPEN:
        return StoreError(
            f"The record ({path}) could not be opened: check that the folder exists and that "
            f"you may write to it.{not_saved}"
        )
    if primary == SQLITE_IOERR:
        return StoreError(
            f"The computer could not read or write the record ({path}): the disk reported an "
            f"error ({text}).{not_saved} Ask IT to check the disk before carrying on."
        )
    return StoreError(f"The record ({path}) could not be used: {text}.{not_saved}")


def corrupt_error(
    path: Path, *, detail: str, newest_backup: Path | None = None, backup_dir: Path | None = None
) -> CorruptDatabaseError:
    """The message for a damaged record, naming the newest good backup when one is known."""
    if newest_backup is not None:
        where = f"The newest backup that checks out is {newest_backup}."
    elif backup_dir is not None:
        where = f"No backup that checks out was found in {backup_dir}."
    else:
        where = "Restore it from the newest backup."
    return CorruptDatabaseError(
        f"The record file {path} is damaged ({detail}). It has not been changed or repaired. "
        "Do not delete it. Stop entering data in it and ask IT or the system owner to "
        f"restore a backup. {where}",
        newest_backup=newest_backup,
    )
