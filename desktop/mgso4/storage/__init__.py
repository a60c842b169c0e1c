"""The episode record: append-only, hash-chained events in a local SQLite file.

Public API (see each module):

* :class:`Store` — open, append, read, verify, back up (a SQLite file).
* :func:`open_record` — a SQLite file or a PostgreSQL unit record (:class:`RecordStore`).
* Errors — :class:`StoreError` and its subclasses; ``str(error)`` is a sentence for the user.
* :func:`default_db_path`, :func:`check_location` — where the record lives.
* :func:`newest_good_backup`, :func:`restore`, :class:`BackupScheduler` — backups.
* :class:`VerifyReport` — what ``verify`` found.
"""

from __future__ import annotations

from mgso4.storage.backup import (
    DEFAULT_KEEP,
    BackupScheduler,
    RestoreResult,
    list_backups,
    newest_good_backup,
    restore,
    rotate,
)
from mgso4.storage.errors import (
    BackupError,
    BackupNotVerifiedError,
    CorruptDatabaseError,
    DiskFullError,
    EventRefusedError,
    LockedError,
    NewerSchemaError,
    NotARecordError,
    ReadOnlyError,
    RecordUnavailableError,
    RuleRefusedError,
    StoreError,
    UnsafeLocationError,
)
from mgso4.storage.location import check_location, default_db_path
from mgso4.storage.record import RecordStore, is_server_spec, open_record
from mgso4.storage.schema import SCHEMA_VERSION
from mgso4.storage.sqlite_setup import journal_mode_for, wal_is_safe
from mgso4.storage.store import Store
from mgso4.storage.verify import ChainHead, Finding, VerifyReport, verify_path

__all__ = [
    "DEFAULT_KEEP",
    "SCHEMA_VERSION",
    "BackupError",
    "BackupNotVerifiedError",
    "BackupScheduler",
    "ChainHead",
    "CorruptDatabaseError",
    "DiskFullError",
    "EventRefusedError",
    "Finding",
    "LockedError",
    "NewerSchemaError",
    "NotARecordError",
    "ReadOnlyError",
    "RecordStore",
    "RecordUnavailableError",
    "RestoreResult",
    "RuleRefusedError",
    "Store",
    "StoreError",
    "UnsafeLocationError",
    "VerifyReport",
    "check_location",
    "default_db_path",
    "is_server_spec",
    "journal_mode_for",
    "list_backups",
    "newest_good_backup",
    "open_record",
    "restore",
    "rotate",
    "verify_path",
    "wal_is_safe",
]
