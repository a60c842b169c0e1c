"""The record's schema and its versioned migrations.

The schema version is SQLite's ``PRAGMA user_version``; ``PRAGMA application_id`` marks the file
as a record of this app, so another program's database is never taken for one. Migrations run in
one ``BEGIN IMMEDIATE`` transaction: a file is either fully at the new version or untouched.

Tables are created through sqlite-utils (STRICT, so SQLite itself refuses a value of the wrong
type). Triggers make ``event`` and ``episode`` append-only in the database itself, and refuse an
event that does not extend its workstation's chain; the hash chain (``verify``) detects anything
done behind the triggers' back.

Several workstation chains can live in one file (a merged record): events are keyed by uuid and
each chain is ``UNIQUE(workstation_id, seq)``.

Version 2 adds the tamper evidence of ``storage.signing``: ``workstation_key`` (which public key
signs a workstation's entries from which entry on) and ``event_signature`` (each entry's
signature), both append-only. Signatures live beside the events, so an entry's hash is what it
always was and a version 1 record reads unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite_utils is imported only to create or migrate a record
    from sqlite_utils import Database

from mgso4.core.episode import GENESIS_HASH, format_utc
from mgso4.storage.errors import NewerSchemaError, NotARecordError, StoreError, translate

#: The schema version this app writes and reads.
SCHEMA_VERSION = 2
#: ``PRAGMA application_id``: "MgS4" in ASCII, so `file` and SQLite tools can tell the file apart.
APPLICATION_ID = 0x4D675334
APPEND_ONLY_MESSAGE = "events are append-only: record an amendment or void instead"
EPISODE_APPEND_ONLY_MESSAGE = "episodes are append-only: record an amendment or void instead"
CHAIN_MESSAGE = "an event must extend the chain of its workstation (next seq, previous hash)"
WORKSTATION_FIXED_MESSAGE = "the workstation id of a record never changes"
SIGNATURE_APPEND_ONLY_MESSAGE = "signatures and registered keys are append-only"

#: Triggers every record of format 1 must have; ``verify`` reports any that are missing.
REQUIRED_TRIGGERS_V1 = (
    "event_no_update",
    "event_no_delete",
    "event_extends_chain",
    "episode_no_update",
    "episode_no_delete",
    "meta_workstation_no_update",
    "meta_workstation_no_delete",
)
#: And those of format 2 (signatures).
REQUIRED_TRIGGERS = (
    *REQUIRED_TRIGGERS_V1,
    "workstation_key_no_update",
    "workstation_key_no_delete",
    "event_signature_no_update",
    "event_signature_no_delete",
)


def required_triggers(version: int) -> tuple[str, ...]:
    """The safeguards a record of a given format must hold."""
    return REQUIRED_TRIGGERS if version >= 2 else REQUIRED_TRIGGERS_V1


#: Indexes whose absence would let a chain hold two entries at one place.
REQUIRED_INDEXES = ("event_chain",)


def newer_schema_error(path: Path, found: int) -> NewerSchemaError:
    """The message for a file written by a newer version of the app."""
    return NewerSchemaError(
        f"The record {path} was made by a newer version of the app (record format {found}; "
        f"this version understands up to {SCHEMA_VERSION}). Update the app to open it. "
        "The file was not changed."
    )


def not_a_record_error(path: Path, why: str) -> NotARecordError:
    """The message for a SQLite file that is not one of this app's records."""
    return NotARecordError(
        f"The file {path} is not a MgSO₄ proforma record ({why}). It was not changed. "
        "Choose the record file, or a new file name to start a new record."
    )


def _migration_1(db: Database, workstation_id: str, created_at: datetime, app_version: str) -> None:
    """Version 1: meta, episode and event tables, indexes, append-only and chain triggers."""
    db.table("meta").create(
        {"key": str, "value": str}, pk="key", not_null={"key", "value"}, strict=True
    )
    db.table("episode").create(
        {"uuid": str, "created_at": str, "workstation_id": str, "training": int},
        pk="uuid",
        not_null={"uuid", "created_at", "workstation_id", "training"},
        strict=True,
    )
    db.table("event").create(
        {
            "uuid": str,
            "episode_uuid": str,
            "type": str,
            "payload": str,
            "occurred_at": str,
            "recorded_at": str,
            "recorded_by_name": str,
            "recorded_by_role": str,
            "workstation_id": str,
            "app_version": str,
            "protocol_id": str,
            "protocol_version": str,
            "protocol_sha256": str,
            "seq": int,
            "prev_hash": str,
            "hash": str,
        },
        pk="uuid",
        # Only episode_uuid may be NULL (an export that covers many episodes).
        not_null={
            "uuid",
            "type",
            "payload",
            "occurred_at",
            "recorded_at",
            "recorded_by_name",
            "recorded_by_role",
            "workstation_id",
            "app_version",
            "protocol_id",
            "protocol_version",
            "protocol_sha256",
            "seq",
            "prev_hash",
            "hash",
        },
        foreign_keys=[("episode_uuid", "episode", "uuid")],
        strict=True,
    )
    db.table("event").create_index(["workstation_id", "seq"], index_name="event_chain", unique=True)
    db.table("event").create_index(["episode_uuid"], index_name="event_episode")
    db.table("event").create_index(["type"], index_name="event_type")
    for statement in (
        f"""CREATE TRIGGER event_no_update BEFORE UPDATE ON event
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
        f"""CREATE TRIGGER event_no_delete BEFORE DELETE ON event
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
        f"""CREATE TRIGGER episode_no_update BEFORE UPDATE ON episode
            BEGIN SELECT RAISE(ABORT, '{EPISODE_APPEND_ONLY_MESSAGE}'); END""",
        f"""CREATE TRIGGER episode_no_delete BEFORE DELETE ON episode
            BEGIN SELECT RAISE(ABORT, '{EPISODE_APPEND_ONLY_MESSAGE}'); END""",
        # The database itself refuses a gap, a repeat or a wrong link in a chain.
        f"""CREATE TRIGGER event_extends_chain BEFORE INSERT ON event
            WHEN NEW.seq IS NOT COALESCE(
                    (SELECT seq FROM event WHERE workstation_id = NEW.workstation_id
                     ORDER BY seq DESC LIMIT 1), 0) + 1
              OR NEW.prev_hash IS NOT COALESCE(
                    (SELECT hash FROM event WHERE workstation_id = NEW.workstation_id
                     ORDER BY seq DESC LIMIT 1), '{GENESIS_HASH}')
            BEGIN SELECT RAISE(ABORT, '{CHAIN_MESSAGE}'); END""",
        f"""CREATE TRIGGER meta_workstation_no_update BEFORE UPDATE ON meta
            WHEN OLD.key = 'workstation_id'
            BEGIN SELECT RAISE(ABORT, '{WORKSTATION_FIXED_MESSAGE}'); END""",
        f"""CREATE TRIGGER meta_workstation_no_delete BEFORE DELETE ON meta
            WHEN OLD.key = 'workstation_id'
            BEGIN SELECT RAISE(ABORT, '{WORKSTATION_FIXED_MESSAGE}'); END""",
    ):
        db.execute(statement)
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?), (?, ?), (?, ?), (?, ?)",
        [
            "workstation_id",
            workstation_id,
            "application",
            "mgso4-proforma",
            "created_at",
            format_utc(created_at),
            "created_by_app_version",
            app_version,
        ],
    )


def _migration_2(db: Database, workstation_id: str, created_at: datetime, app_version: str) -> None:
    """Version 2: registered signing keys and entry signatures, both append-only.

    Existing entries stay as they are (unsigned); the store registers this workstation's key
    from the next entry on when it opens the file (``storage.signing``).
    """
    db.table("workstation_key").create(
        {
            "workstation_id": str,
            "from_seq": int,
            "public_key": str,
            "registered_at": str,
            "note": str,
        },
        pk=("workstation_id", "from_seq", "public_key"),
        not_null={"workstation_id", "from_seq", "public_key", "registered_at", "note"},
        strict=True,
    )
    db.table("event_signature").create(
        {"event_uuid": str, "signature": str},
        pk="event_uuid",
        not_null={"event_uuid", "signature"},
        foreign_keys=[("event_uuid", "event", "uuid")],
        strict=True,
    )
    for table in ("workstation_key", "event_signature"):
        for action in ("update", "delete"):
            db.execute(
                f"""CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table}
                BEGIN SELECT RAISE(ABORT, '{SIGNATURE_APPEND_ONLY_MESSAGE}'); END"""
            )


Migration = Callable[["Database", str, datetime, str], None]

#: Migration to each version from the one before; index 0 brings an empty file to version 1.
MIGRATIONS: tuple[Migration, ...] = (_migration_1, _migration_2)


def read_user_version(connection: sqlite3.Connection) -> int:
    """``PRAGMA user_version`` (0 for a new, empty file)."""
    row = connection.execute("PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def read_application_id(connection: sqlite3.Connection) -> int:
    """``PRAGMA application_id`` (0 when unset)."""
    row = connection.execute("PRAGMA application_id").fetchone()
    return int(row[0]) if row else 0


#: Tables a record may hold (by format); anything else of type table is another program's.
RECORD_TABLES = frozenset({"meta", "episode", "event", "workstation_key", "event_signature"})


def foreign_object_problem(connection: sqlite3.Connection) -> str | None:
    """Why the file's schema is not one the app made, or None.

    Read from ``sqlite_schema`` alone, before any table is read: a record holds no views and
    no virtual tables, and its own tables are real tables. A crafted file that replaces a
    table with, say, an endlessly recursive view is refused here rather than read.
    """
    rows = connection.execute("SELECT type, name, sql FROM sqlite_schema").fetchall()
    for kind, name, sql in rows:
        text = str(sql or "").lstrip().upper()
        if kind == "view":
            return f"the file holds a view ({name}); a record never does (altered or not a record)"
        if kind == "table" and text.startswith("CREATE VIRTUAL"):
            return f"the file holds a virtual table ({name}); a record never does"
        if kind == "trigger" and name in RECORD_TABLES:
            return f"the file holds a trigger named like a table ({name}); a record never does"
    for kind, name, _ in rows:
        if name in RECORD_TABLES and kind != "table":
            return f"{name} is a {kind}, not a table; a record's {name} is always a table"
    return None


def check_is_record(connection: sqlite3.Connection, path: Path) -> int:
    """Check a file is this app's record at a version this app can read; return its version.

    Reads only; nothing is written.

    Raises:
        NewerSchemaError: the file is from a newer version of the app.
        NotARecordError: the file is another program's database.
        sqlite3.Error: for the caller to translate (damaged file, locked …).
    """
    version = read_user_version(connection)
    if version > SCHEMA_VERSION:
        raise newer_schema_error(path, version)
    application_id = read_application_id(connection)
    if application_id not in (0, APPLICATION_ID):
        raise not_a_record_error(path, f"it belongs to another program, id {application_id:#x}")
    if version == 0:
        tables = connection.execute(
            "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
        ).fetchone()
        if tables and int(tables[0]) > 0:
            raise not_a_record_error(path, "it holds tables of another program")
    elif application_id != APPLICATION_ID:
        raise not_a_record_error(path, "it is not marked as a record of this app")
    foreign = foreign_object_problem(connection)
    if foreign is not None:
        raise not_a_record_error(path, foreign)
    return version


def migrate(
    connection: sqlite3.Connection,
    path: Path,
    *,
    workstation_id: str,
    created_at: datetime,
    app_version: str,
) -> int:
    """Bring the file to :data:`SCHEMA_VERSION` in one transaction; return the version before.

    Args:
        connection: a read-write connection with ``isolation_level=None``.
        path: the file, for messages.
        workstation_id: stored in ``meta`` when the file is new.
        created_at: stored in ``meta`` when the file is new (UTC).
        app_version: stored in ``meta`` when the file is new.

    Raises:
        StoreError: the specific subclass; the file is unchanged.
    """
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            # Read again inside the transaction: another copy may have migrated meanwhile.
            version = check_is_record(connection, path)
            if version < SCHEMA_VERSION:
                from sqlite_utils import Database

                db = Database(connection, recursive_triggers=True, execute_plugins=False)
                for migration in MIGRATIONS[version:]:
                    migration(db, workstation_id, created_at, app_version)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                connection.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                    [str(SCHEMA_VERSION)],
                )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise translate(exc, path=path, writing=False) from None
    except StoreError:
        raise
    return version


def read_meta(connection: sqlite3.Connection) -> dict[str, str]:
    """All of the ``meta`` table."""
    return {str(k): str(v) for k, v in connection.execute("SELECT key, value FROM meta")}
