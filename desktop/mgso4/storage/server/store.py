"""The unit record on a PostgreSQL server: ``storage.store.Store`` speaking to PostgreSQL.

Everything that decides what may be saved is the SQLite store's own code, run unchanged: the
payload checks, the record checks (an episode exists, a correction stays in its episode), the
episode's rules (``core.actions`` through ``Store._check_rules``), the hash chain
(``core.episode.seal``) and this workstation's signature (``storage.signing``). This class
changes only how a transaction starts and ends and what a database error means:

* one transaction per user action; it takes a transaction-scoped advisory lock on this
  workstation's chain and on each episode it touches (in one sorted order, so two PCs never
  deadlock). A second PC acting on the same episode waits a moment, then is checked against
  the first PC's entries: both land, each checked in turn, and a contradiction the rules allow
  to be recorded is shown as a data problem, never overwritten;
* the entries are returned only after COMMIT has returned, with ``synchronous_commit = on``;
* a lost server is :class:`~mgso4.storage.errors.RecordUnavailableError` ("the unit record is
  unavailable — use the blank downtime proforma"); the next action reconnects by itself.

Each ward PC is one workstation with its own chain: its id is kept beside its signing keys
(``<config>/keys/unit-record-workstation``), made once.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from mgso4 import __version__
from mgso4.core.episode import EventDraft
from mgso4.core.timeutil import Clock, utcnow
from mgso4.storage.backup import DEFAULT_KEEP, backup_database
from mgso4.storage.errors import (
    EventRefusedError,
    ReadOnlyError,
    RecordUnavailableError,
    StoreError,
)
from mgso4.storage.rows import INSERT_EVENT_SQL, SELECT_EVENT_COLUMNS, EventRow
from mgso4.storage.schema import SCHEMA_VERSION
from mgso4.storage.server.connection import (
    PgConnection,
    check_spec,
    connect,
    error_text,
    is_connection_problem,
    unavailable,
)
from mgso4.storage.signing import KeyStore
from mgso4.storage.spec import server_location
from mgso4.storage.store import Store, _ensure_signing
from mgso4.storage.verify import VerifyReport, failed_report, verify_path

log = logging.getLogger(__name__)

_INSERT_EPISODE_ROW = (
    "INSERT INTO episode (uuid, created_at, workstation_id, training) VALUES (?, ?, ?, ?)"
)
_INSERT_KEY_ROW = (
    "INSERT INTO workstation_key (workstation_id, from_seq, public_key, registered_at, note) "
    "VALUES (?, ?, ?, ?, ?)"
)
_INSERT_SIGNATURE_ROW = "INSERT INTO event_signature (event_uuid, signature) VALUES (?, ?)"

WORKSTATION_FILE = "unit-record-workstation"


class ServerStore(Store):
    """A unit record on a PostgreSQL server. Open with :meth:`open_uri` (or ``open_record``)."""

    _uri: str
    _pg: PgConnection
    _record_id = ""
    _created = ""
    _known_down = False

    @classmethod
    def open_uri(
        cls,
        uri: str,
        *,
        workstation_id: str | None = None,
        readonly: bool = False,
        backup_dir: Path | None = None,
        clock: Clock = utcnow,
        app_version: str = __version__,
        keys: KeyStore | None = None,
        **_file_only: Any,
    ) -> ServerStore:
        """Connect to the unit record; read-write opens register this PC's signing key.

        Raises:
            RecordUnavailableError: the server cannot be reached.
            StoreError: the database holds no unit record (run ``mgso4 server init``), or a
                newer one, or the URI holds a password.
        """
        check_spec(uri)
        location = server_location(uri)
        pg = PgConnection(connect(uri))
        try:
            meta = _read_server_meta(pg, location)
            key_store = keys if keys is not None else KeyStore.default()
            chosen = workstation_id or _this_workstation(key_store)
            signer = None
            if not readonly:
                try:
                    signer = _ensure_signing(
                        cast(sqlite3.Connection, pg),
                        location,
                        chosen,
                        key_store,
                        clock=clock,
                        upgraded_from=SCHEMA_VERSION,
                    )
                except Exception as exc:
                    raise _server_error(exc, location, writing=False) from None
        except BaseException:
            pg.close()
            raise
        store = cls(
            path=location,
            connection=cast(sqlite3.Connection, pg),
            workstation_id=chosen,
            readonly=readonly,
            clock=clock,
            app_version=app_version,
            backup_dir=backup_dir,
            keys=key_store,
            signer=signer,
        )
        store._uri = uri
        store._pg = pg
        store._record_id = meta.get("record_id", "")
        store._created = meta.get("created_at", "")
        log.info(
            "unit record opened: %s (%s, workstation %s)",
            location,
            "read-only" if readonly else "read-write",
            chosen,
        )
        return store

    # ------------------------------------------------------------------ connection

    def _reconnect_if_lost(self, *, writing: bool = False) -> None:
        """Reconnect after the server was lost (the next action after it is back).

        Raises:
            RecordUnavailableError: it still does not answer.
        """
        if not self._pg.broken:
            return
        if self._known_down:
            raise unavailable("the server did not answer the last check", writing=writing)
        try:
            self._pg.raw = connect(self._uri)
        except RecordUnavailableError as exc:
            log.info("unit record still unavailable: %s", exc)
            raise unavailable(writing=writing) from None
        log.info("unit record reconnected")

    def available(self) -> bool:
        """Whether the server answers now (reconnecting if it had been lost)."""
        with self._lock:
            try:
                self._reconnect_if_lost()
                self._pg.execute("SELECT 1")
            except RecordUnavailableError:
                return False
            except Exception as exc:
                if is_connection_problem(exc):
                    return False
                raise
            return True

    def close(self) -> None:
        with self._lock:
            self._pg.close()

    @property
    def uri(self) -> str:
        """The libpq URI the record was opened with."""
        return self._uri

    def mark_unavailable(self, unavailable: bool) -> None:
        """Told by the watcher (``storage.server.watch``) that the server does not answer: a
        lost connection then refuses at once rather than making the user wait for a timeout."""
        self._known_down = unavailable

    # ------------------------------------------------------------------ writing

    def _begin(self, drafts: Sequence[EventDraft]) -> None:
        if self.readonly:  # pragma: no cover - append_many refuses first
            raise ReadOnlyError("This unit record is open read-only; nothing was saved.")
        self._reconnect_if_lost(writing=True)
        self._pg.execute("BEGIN")
        keys = {f"chain:{self.workstation_id}"}
        keys.update(f"episode:{d.episode_uuid}" for d in drafts if d.episode_uuid is not None)
        for key in sorted(keys):
            self._pg.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (key,))

    def _commit(self) -> None:
        try:
            self._pg.execute("COMMIT")
        except Exception as exc:
            if is_connection_problem(exc):
                # The server may have committed before the answer was lost: never say "not
                # saved" when that is not known. Saving the same entries again is safe (an
                # entry's id is saved once; a repeat is refused as already saved).
                raise RecordUnavailableError(
                    "The unit record became unavailable while this entry was being saved, so "
                    "it is not known whether it was saved. What you typed is still on screen: "
                    "when the record is back, save it again (an entry already saved is never "
                    "saved twice) and check the episode. Meanwhile use the blank downtime "
                    "proforma."
                ) from None
            raise

    def _write_error(self, exc: Exception) -> StoreError | None:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            return None  # not the database's: a fault to report as it is
        return _server_error(exc, self.path, writing=True)

    # ------------------------------------------------------------------ reading

    def _skipped(self, sql: str) -> set[str]:
        """Nothing is skipped on the server: the skip queries are SQLite's SQL (json_extract,
        sums of truth values). Every episode is folded once and then cached by entry count, so
        the board stays right and only its first read grows with history."""
        return set()

    def _read_rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[EventRow]:
        with self._lock:
            try:
                self._reconnect_if_lost()
                return list(self._pg.execute(sql, parameters).fetchall())
            except StoreError:
                raise
            except Exception as exc:
                raise _server_error(exc, self.path, writing=False) from None

    def _format(self) -> int:
        return SCHEMA_VERSION

    def _created_at(self) -> str:
        return self._created

    @property
    def record_id(self) -> str:
        """The unit record's own id (made by ``mgso4 server init``)."""
        return self._record_id

    # ------------------------------------------------------------------ checking and copies

    def snapshot(self, target: Path) -> Path:
        """Copy the whole unit record into a new SQLite record file at ``target``."""
        from mgso4.storage.server.snapshot import write_snapshot

        with self._lock:
            self._reconnect_if_lost()
            try:
                write_snapshot(
                    self._pg,
                    target,
                    record_id=self._record_id,
                    clock=self._clock,
                    prefer=self.workstation_id,
                )
            except StoreError:
                raise
            except Exception as exc:
                raise _server_error(exc, self.path, writing=False) from None
        return target

    def import_record(self, path: Path) -> dict[str, int]:
        """Add to the unit record every row of a verified record file it does not hold yet.

        Used by ``mgso4 merge --into postgresql://…`` after the audit merge has checked every
        source into a copy of the unit record (verified chains and signatures, trusted keys,
        no episode mixing two women). Entries keep their uuid, chain place, hash and signature;
        the server's chain trigger refuses anything that would not extend its chain, and the
        whole import is one transaction: all of it or none.

        Returns:
            How many episodes, entries, keys and signatures were added.
        """
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            episodes = source.execute(
                "SELECT uuid, created_at, workstation_id, training FROM episode "
                "ORDER BY created_at, uuid"
            ).fetchall()
            events = source.execute(
                f"SELECT {SELECT_EVENT_COLUMNS} FROM event ORDER BY workstation_id, seq"
            ).fetchall()
            keys = source.execute(
                "SELECT workstation_id, from_seq, public_key, registered_at, note "
                "FROM workstation_key WHERE workstation_id != ? "
                "ORDER BY workstation_id, from_seq",
                (self._record_id,),
            ).fetchall()
            signatures = dict(
                source.execute("SELECT event_uuid, signature FROM event_signature").fetchall()
            )
        finally:
            source.close()
        added = {"episodes": 0, "events": 0, "keys": 0, "signatures": 0}
        chains = sorted({str(row[8]) for row in events})
        with self._lock:
            self._reconnect_if_lost(writing=True)
            pg = self._pg
            try:
                pg.execute("BEGIN")
                for chain in chains:
                    pg.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (f"chain:{chain}",)
                    )
                held_episodes = {
                    str(r[0]) for r in pg.execute("SELECT uuid FROM episode").fetchall()
                }
                held_events = {
                    str(r[0])
                    for r in pg.execute(
                        "SELECT uuid FROM event WHERE workstation_id = ANY(?)", (chains,)
                    ).fetchall()
                }
                held_keys = {
                    (str(a), int(b), str(c))
                    for a, b, c in pg.execute(
                        "SELECT workstation_id, from_seq, public_key FROM workstation_key"
                    ).fetchall()
                }
                for row in episodes:
                    if str(row[0]) not in held_episodes:
                        pg.execute(_INSERT_EPISODE_ROW, row)
                        added["episodes"] += 1
                for row in keys:
                    if (str(row[0]), int(row[1]), str(row[2])) not in held_keys:
                        pg.execute(_INSERT_KEY_ROW, row)
                        added["keys"] += 1
                for row in events:
                    if str(row[0]) in held_events:
                        continue
                    pg.execute(INSERT_EVENT_SQL, row)
                    added["events"] += 1
                    signature = signatures.get(str(row[0]))
                    if signature is not None:
                        pg.execute(_INSERT_SIGNATURE_ROW, (row[0], signature))
                        added["signatures"] += 1
                self._commit()
            except BaseException:
                self._rollback_quietly()
                raise
        log.info("imported into the unit record: %s", added)
        return added

    def verify(self, anchors: Any = None) -> VerifyReport:
        """The server's safeguards, then every chain and signature, checked on a snapshot in
        the SQLite record format by the same verifier as a record file."""
        from mgso4.storage.server.snapshot import server_problems

        with tempfile.TemporaryDirectory(prefix="mgso4-verify-") as folder:
            try:
                copy = self.snapshot(Path(folder) / "unit-record.sqlite3")
                problems = server_problems(self._pg)
            except StoreError as exc:
                return failed_report(self.path, str(exc))
            report = verify_path(copy, anchors=anchors)
        report = replace(report, path=str(self.path))
        if problems:
            from mgso4.storage.verify import INTEGRITY, Finding

            report = replace(
                report,
                ok=False,
                findings=[*report.findings, *(Finding(INTEGRITY, p) for p in problems)],
            )
        return report

    def backup(self, folder: Path, *, keep: int = DEFAULT_KEEP) -> Path:
        """A verified backup in the SQLite record format (restore, merge and the audit tools
        read it as they read any record's backup)."""
        now = self._clock()
        with tempfile.TemporaryDirectory(prefix="mgso4-backup-") as scratch:
            copy = self.snapshot(Path(scratch) / "unit-record.sqlite3")
            connection = sqlite3.connect(copy, isolation_level=None)
            try:
                written = backup_database(connection, self.path, Path(folder), keep=keep, now=now)
            finally:
                connection.close()
        self.last_backup_warning = None
        self.write_witness(Path(folder), f"backup {written.name}")
        return written


def _this_workstation(keys: KeyStore) -> str:
    """This PC's workstation id for unit records: made once, kept beside its signing keys."""
    path = keys.folder / WORKSTATION_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return str(uuid_module.UUID(text))
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"This computer's workstation id for the unit record ({path}) cannot be read "
            f"({exc}). Ask IT to check the app's settings folder."
        ) from None
    chosen = str(uuid_module.uuid4())
    try:
        keys.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid_module.uuid4().hex}")
        temporary.write_text(chosen + "\n", encoding="utf-8")
        try:
            temporary.rename(path) if not path.exists() else temporary.unlink()
        finally:
            if temporary.exists():
                temporary.unlink()
        return str(uuid_module.UUID(path.read_text(encoding="utf-8").strip()))
    except OSError as exc:
        raise StoreError(
            f"This computer's workstation id for the unit record could not be kept in {path} "
            f"({exc.strerror}). Ask IT to check the app's settings folder."
        ) from None


def _read_server_meta(pg: PgConnection, location: Path) -> dict[str, str]:
    try:
        rows = pg.execute("SELECT key, value FROM meta").fetchall()
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.errors.UndefinedTable):
            raise StoreError(
                f"The database {location} holds no unit record yet: a DBA runs “mgso4 server "
                "init --db …” once to make it (see docs/server-admin.md)."
            ) from None
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            raise StoreError(
                f"This login may not read the unit record at {location}: ask the DBA to make "
                "it a member of mgso4_app (ward PCs) or mgso4_audit (audit)."
            ) from None
        raise _server_error(exc, location, writing=False) from None
    meta = {str(key): str(value) for key, value in rows}
    found = int(meta.get("schema_version", "0") or 0)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"The unit record at {location} was made by a newer version of the app (record "
            f"format {found}; this version understands up to {SCHEMA_VERSION}). Update the app."
        )
    return meta


def _server_error(exc: BaseException, location: Path, *, writing: bool) -> StoreError:
    """A psycopg error in the user's words (the same words as the SQLite store's)."""
    import psycopg
    from psycopg import errors

    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, errors.UniqueViolation) and "event_pkey" in str(exc):
        return EventRefusedError(
            "This entry has already been saved (its id is in the record); it was not saved twice."
        )
    if isinstance(exc, errors.IntegrityConstraintViolation | errors.RaiseException):
        text = error_text(exc)
        return StoreError(f"The record refused the change: {text}. Nothing was saved.")
    if isinstance(exc, errors.InsufficientPrivilege):
        return ReadOnlyError(
            f"This login may not do that on the unit record ({location}): "
            f"{error_text(exc)}. Nothing was saved."
        )
    if is_connection_problem(exc):
        log.warning("unit record unavailable: %s", type(exc).__name__)
        return unavailable(error_text(exc), writing=writing)
    if isinstance(exc, psycopg.Error):
        return StoreError(
            f"The unit record ({location}) refused this: {error_text(exc)}."
            + (" Nothing was saved." if writing else "")
        )
    return StoreError(f"The unit record ({location}) could not be used: {error_text(exc)}.")
