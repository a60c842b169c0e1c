"""The unit record copied into the SQLite record format, and the server's own checks.

A snapshot is read in one REPEATABLE READ transaction (one consistent moment of the server)
and written as a new SQLite record (``storage.store``'s own creation: same schema, same
triggers), whose chain triggers check every entry as it is copied. ``verify`` and ``backup``
then use the SQLite record's verifier and backup code unchanged, so a server's backup is the
same verified file a PC's is, and restore, merge and the audit tools read it as any other.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mgso4 import __version__
from mgso4.core.episode import format_utc
from mgso4.core.timeutil import Clock
from mgso4.storage.rows import INSERT_EVENT_SQL, SELECT_EVENT_COLUMNS
from mgso4.storage.server.connection import SCHEMA, PgConnection
from mgso4.storage.server.schema import APP_ROLE, REQUIRED_TRIGGERS
from mgso4.storage.sqlite_setup import DEFAULT_BUSY_TIMEOUT_S
from mgso4.storage.store import _create_record

_READS = (
    (
        "SELECT uuid, created_at, workstation_id, training FROM episode ORDER BY created_at, uuid",
        "INSERT INTO episode (uuid, created_at, workstation_id, training) VALUES (?, ?, ?, ?)",
    ),
    (f"SELECT {SELECT_EVENT_COLUMNS} FROM event ORDER BY workstation_id, seq", INSERT_EVENT_SQL),
    (
        "SELECT workstation_id, from_seq, public_key, registered_at, note FROM workstation_key "
        "ORDER BY workstation_id, from_seq, registered_at",
        "INSERT INTO workstation_key (workstation_id, from_seq, public_key, registered_at, note) "
        "VALUES (?, ?, ?, ?, ?)",
    ),
    (
        "SELECT event_uuid, signature FROM event_signature ORDER BY event_uuid",
        "INSERT INTO event_signature (event_uuid, signature) VALUES (?, ?)",
    ),
)


def write_snapshot(
    pg: PgConnection, target: Path, *, record_id: str, clock: Clock, prefer: str = ""
) -> None:
    """Write the whole unit record, as of one moment, as a new SQLite record at ``target``.

    The copy's own workstation (a record file has one) is ``prefer`` (this PC) when it has a
    registered key in the record, else the first PC with one, so the copy's every chain is
    one a PC signs; only a record no PC has written to yet gets the unit record's own id.
    """
    pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        tables = [list(pg.execute(read).fetchall()) for read, _ in _READS]
    finally:
        pg.execute("ROLLBACK")
    registered = [str(row[0]) for row in tables[2]]
    own = prefer if prefer in registered else (registered[0] if registered else record_id)
    _create_record(
        target,
        workstation_id=own,
        created_at=clock(),
        app_version=__version__,
        busy_timeout_s=DEFAULT_BUSY_TIMEOUT_S,
    )
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        for (_, write), rows in zip(_READS, tables, strict=True):
            connection.executemany(write, rows)
        if own != record_id:
            connection.execute("COMMIT")
            return
        # The copy's own id is the unit record's, which signs nothing: its registered key is
        # one made for this copy and thrown away, so nothing can ever be signed as it.
        throwaway = Ed25519PrivateKey.generate().public_key()
        connection.execute(
            "INSERT INTO workstation_key (workstation_id, from_seq, public_key, registered_at, "
            "note) VALUES (?, 1, ?, ?, ?)",
            (
                record_id,
                throwaway.public_bytes(Encoding.Raw, PublicFormat.Raw).hex(),
                format_utc(clock()),
                "copy of the unit record (server): this id signs nothing",
            ),
        )
        connection.execute("COMMIT")
    finally:
        connection.close()


def server_problems(pg: PgConnection) -> list[str]:
    """What is missing from the server's own safeguards (triggers, least privilege)."""
    problems = []
    present = {
        str(row[0])
        for row in pg.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?",
            (SCHEMA,),
        ).fetchall()
    }
    for trigger in REQUIRED_TRIGGERS:
        if trigger not in present:
            problems.append(
                f"the server's safeguard {trigger} is missing: entries could be changed there"
            )
    for table in ("event", "episode", "workstation_key", "event_signature", "meta"):
        for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
            row = pg.execute(
                "SELECT has_table_privilege(?, ?, ?)",
                (APP_ROLE, f"{SCHEMA}.{table}", privilege),
            ).fetchone()
            if row is not None and row[0]:
                problems.append(
                    f"the role {APP_ROLE} may {privilege} {table} on the server: the ward PCs' "
                    "logins must only read and add (run “mgso4 server init” again)"
                )
    return problems
