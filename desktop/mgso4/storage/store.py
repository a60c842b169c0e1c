"""The episode record: an append-only SQLite file of hash-chained events.

One user action is one ``BEGIN IMMEDIATE … COMMIT`` transaction. Inside it the chain head of
this file's workstation is read, the drafts are checked against the record and against the
episode's rules (``core.actions.check_drafts``: the same rules every front end obeys), then
each draft is sealed (``core.episode.seal``) with the next ``seq`` and the previous hash, and
inserted. The events are returned only after COMMIT has
returned, so the caller may say "saved" exactly when the entry is on disk. On any error the
transaction is rolled back, nothing of the action is kept, and a specific
:class:`~mgso4.storage.errors.StoreError` says what to do; the drafts are untouched and can be
saved again.

Logs name events by uuid and type only, never by anything that identifies a patient.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
import uuid as uuid_module
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mgso4 import __version__
from mgso4.core.actions import ActionRefused, check_drafts
from mgso4.core.episode import (
    GENESIS_HASH,
    EpisodeState,
    Event,
    EventDraft,
    EventError,
    EventType,
    ProtocolRef,
    extend,
    fold,
    format_utc,
    seal,
    validate_payload,
)
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import Clock, utcnow
from mgso4.storage.active import CERTAINLY_INACTIVE_SQL, CERTAINLY_OFF_BOARD_SQL
from mgso4.storage.backup import (
    DEFAULT_KEEP,
    backup_database,
    clock_behind_message,
    newest_good_backup,
)
from mgso4.storage.errors import (
    CorruptDatabaseError,
    DiskFullError,
    EventRefusedError,
    ReadOnlyError,
    RuleRefusedError,
    StoreError,
    corrupt_error,
    translate,
)
from mgso4.storage.location import MOUNTS_FILE, check_location
from mgso4.storage.rows import (
    INSERT_EVENT_SQL,
    SELECT_EVENT_COLUMNS,
    EventRow,
    RowError,
    event_to_row,
    row_to_event,
)
from mgso4.storage.schema import (
    SCHEMA_VERSION,
    check_is_record,
    migrate,
    not_a_record_error,
    read_meta,
    read_user_version,
)
from mgso4.storage.signing import (
    ChainPoint,
    KeyStore,
    Registration,
    SigningKeyError,
    TrustedKey,
    TrustStore,
    WorkstationKey,
    key_in_force,
    write_witness,
)
from mgso4.storage.sqlite_setup import (
    DEFAULT_BUSY_TIMEOUT_S,
    check_sqlite_version,
    close_quietly,
    connect,
    create_private_file,
    ensure_writable_location,
    fsync_directory,
    journal_mode_for,
    pragma_text,
    recover_hot_journal,
    set_journal_mode,
    truncation_problem,
)
from mgso4.storage.verify import VerifyReport, failed_report, verify_connection

if TYPE_CHECKING:
    from mgso4.storage.signing import Anchors

log = logging.getLogger(__name__)

#: Event types that may stand outside any episode (an audit export covers many episodes; a
#: blank downtime proforma belongs to none).
EPISODELESS_TYPES = frozenset({EventType.EXPORTED, EventType.PRINTED})
#: Event types that change another event (checked as the action they correct).
CORRECTION_TYPES = frozenset({EventType.AMENDMENT, EventType.VOID})
#: The protocol in force for an episode's entries (by episode uuid; None for entries outside).
_ProtocolFor = Callable[[str | None], "Protocol | ProtocolRef"]
#: Rows read per query by :meth:`Store.iter_events` (short reads never hold up a writer).
ITER_BATCH = 500

_HEAD_SQL = "SELECT seq, hash FROM event WHERE workstation_id = ? ORDER BY seq DESC LIMIT 1"
_INSERT_EPISODE_SQL = (
    "INSERT INTO episode (uuid, created_at, workstation_id, training) VALUES (?, ?, ?, ?)"
)
_INSERT_SIGNATURE_SQL = "INSERT INTO event_signature (event_uuid, signature) VALUES (?, ?)"
#: Workstation ids of demo data (``audit.demo``): never a ward PC's.
DEMO_WORKSTATION_PREFIX = "demo-"
#: Entries that record what was done with the record, not care: a demo record takes these.
_NOT_CLINICAL = frozenset({EventType.PRINTED, EventType.EXPORTED})
#: ``Store.record_kind`` of a demo record and of a record merged from several workstations.
DEMO_RECORD = "demo"
MERGED_RECORD = "merged"
_HEADS_SQL = (
    "SELECT e.workstation_id, e.seq, e.hash FROM event e JOIN "
    "(SELECT workstation_id, max(seq) AS seq FROM event GROUP BY workstation_id) h "
    "ON h.workstation_id = e.workstation_id AND h.seq = e.seq ORDER BY e.workstation_id"
)


class Store:
    """An open record file. Use :meth:`open`; close with :meth:`close` or ``with``."""

    def __init__(
        self,
        *,
        path: Path,
        connection: sqlite3.Connection,
        workstation_id: str,
        readonly: bool,
        clock: Clock,
        app_version: str,
        backup_dir: Path | None,
        keys: KeyStore,
        signer: WorkstationKey | None,
    ) -> None:
        self.path = path
        self.workstation_id = workstation_id
        self.readonly = readonly
        self.sqlite_version = sqlite3.sqlite_version
        self.backup_dir = backup_dir
        # A server record passes a connection that speaks the same SQL (storage.server).
        self._conn = connection
        self._clock = clock
        self._app_version = app_version
        self._lock = threading.RLock()
        self._known_episodes: set[str] = set()
        self._state_cache: dict[str, tuple[int, EpisodeState]] = {}
        self.journal_mode = (
            pragma_text(connection, "journal_mode").lower()
            if isinstance(connection, sqlite3.Connection)
            else "server"
        )
        self._keys = keys
        #: This workstation's signing key (read-write stores only; ``storage.signing``).
        self.signer = signer
        #: Set by :meth:`backup` when the clock is behind the record's newest entry.
        self.last_backup_warning: str | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        workstation_id: str | None = None,
        readonly: bool = False,
        backup_dir: Path | None = None,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        clock: Clock = utcnow,
        app_version: str = __version__,
        check_location_safe: bool = True,
        mounts_file: Path = MOUNTS_FILE,
        keys: KeyStore | None = None,
    ) -> Store:
        """Open a record, creating it (owner-only, 0600) if it does not exist.

        Args:
            path: the record file.
            workstation_id: this file's chain id, stored once when the file is created (a new
                uuid4 when None). For an existing file it must match, or be None.
            readonly: open with ``mode=ro``: nothing can be written, the file must exist.
            backup_dir: the backup folder, named in the message if the file is damaged.
            busy_timeout_s: how long to wait for another copy of the app, in seconds.
            clock: gives ``recorded_at`` (aware UTC); injectable for tests.
            app_version: stored with every event.
            check_location_safe: refuse network shares and cloud-synced folders for a
                writable record (see :func:`~mgso4.storage.location.check_location`).
            mounts_file: the mounts table for that check (Linux).
            keys: where this computer's signing keys are (default ``<config>/keys``). A
                read-write open registers this workstation's key in the record (making the
                key if there is none yet) and signs every entry saved from then on.

        Raises:
            StoreError: the specific subclass (CorruptDatabaseError, NewerSchemaError,
                LockedError, ReadOnlyError, UnsafeLocationError, NotARecordError …).
        """
        path = Path(path)
        check_sqlite_version()
        existed = True
        if not readonly:
            if check_location_safe:
                check_location(path, mounts_file=mounts_file)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"The folder for the record ({path.parent}) could not be created "
                    f"({exc.strerror}). Choose a folder you can write to."
                ) from None
            existed = path.exists()
            if not existed:
                _create_record(
                    path,
                    workstation_id=workstation_id or str(uuid_module.uuid4()),
                    created_at=clock(),
                    app_version=app_version,
                    busy_timeout_s=busy_timeout_s,
                )
            ensure_writable_location(path)
        elif not path.exists():
            raise StoreError(f"There is no record file at {path}.")
        _check_not_empty(path, backup_dir)
        if readonly:
            # A crash mid-save leaves a hot journal that only a read-write open can roll back.
            recover_hot_journal(path)
        connection = connect(path, readonly=readonly, busy_timeout_s=busy_timeout_s)
        try:
            version = _check_file(connection, path, backup_dir)
            if readonly:
                if version < 1:
                    raise StoreError(
                        f"The record {path} was never finished (it holds no tables); open it "
                        "normally once (not read-only) so the app can make it."
                    )
            else:
                if version == 0 and existed:
                    # Only the app makes records, whole, under a temporary name: an existing
                    # database with no tables is someone else's file (or a mistake), never a
                    # record to be made here.
                    raise not_a_record_error(
                        path,
                        "it is an empty SQLite database; the app makes new records itself, so "
                        "give a file name that does not exist yet",
                    )
                set_journal_mode(connection, path, journal_mode_for(sqlite3.sqlite_version))
                if version < SCHEMA_VERSION:
                    migrate(
                        connection,
                        path,
                        workstation_id=workstation_id or str(uuid_module.uuid4()),
                        created_at=clock(),
                        app_version=app_version,
                    )
            try:
                stored_workstation = read_meta(connection).get("workstation_id")
            except sqlite3.Error as exc:
                raise translate(exc, path=path, writing=False) from None
            if stored_workstation is None:
                raise CorruptDatabaseError(
                    f"The record {path} has no workstation id; it has not been changed. "
                    "Ask IT to check it."
                )
            if workstation_id is not None and workstation_id != stored_workstation:
                raise StoreError(
                    f"The record {path} belongs to workstation {stored_workstation}, not "
                    f"{workstation_id}. Open it without a workstation id, or choose the right "
                    "file."
                )
            key_store = keys if keys is not None else KeyStore.default()
            signer = None
            if not readonly:
                signer = _ensure_signing(
                    connection,
                    path,
                    stored_workstation,
                    key_store,
                    clock=clock,
                    upgraded_from=version,
                )
        except BaseException:
            close_quietly(connection)
            raise
        store = cls(
            path=path,
            connection=connection,
            workstation_id=stored_workstation,
            readonly=readonly,
            clock=clock,
            app_version=app_version,
            backup_dir=backup_dir,
            keys=key_store,
            signer=signer,
        )
        log.info(
            "record opened: %s (%s, journal_mode=%s, sqlite %s, workstation %s%s)",
            path,
            "read-only" if readonly else "read-write",
            store.journal_mode,
            store.sqlite_version,
            stored_workstation,
            f", signing key {signer.fingerprint}" if signer is not None else "",
        )
        return store

    def close(self) -> None:
        """Close the file (safe to call twice)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def append(self, draft: EventDraft, protocol: Protocol | ProtocolRef) -> Event:
        """Save one entry in its own transaction; return it only once it is on disk.

        Raises:
            StoreError: the specific subclass; nothing was saved and the draft can be saved again.
        """
        return self.append_many([draft], protocol)[0]

    def append_many(
        self,
        drafts: Sequence[EventDraft],
        protocol: Protocol | ProtocolRef,
        *,
        protocols: Mapping[str, Protocol] | None = None,
    ) -> list[Event]:
        """Save several entries of one user action in one transaction: all or none.

        Args:
            drafts: The entries, in the order they are recorded.
            protocol: The protocol in force: its rules and limits check the entries
                (``core.actions``), and its id, version and hash are recorded on them. Entries
                outside any episode (an export log) may give only its ``ProtocolRef``.
            protocols: Protocols for particular episodes (by uuid) when one transaction spans
                episodes kept under different protocols; ``protocol`` for the rest.

        Raises:
            RuleRefusedError: an entry the episode's rules refuse (says which and why).
            StoreError: the specific subclass; nothing was saved and the drafts can be saved
                again.
        """
        if self.readonly:
            raise ReadOnlyError(
                f"The record {self.path} is open read-only, so nothing was saved. Open it "
                "normally to add entries."
            )
        if not drafts:
            return []
        clinical = [d for d in drafts if d.episode_uuid and d.type not in _NOT_CLINICAL]
        if clinical and self.record_kind() == DEMO_RECORD:
            raise EventRefusedError(
                f"{self.path.name} is a demo record (made by “mgso4 demo-data”, workstation ids "
                "starting “demo-”): it takes no clinical entries, so nothing was saved. Open "
                "the ward record to record care, or the training record to practise."
            )
        for draft in drafts:
            _check_draft_payload(draft)
        chosen = dict(protocols or {})
        if isinstance(protocol, ProtocolRef) and any(
            draft.episode_uuid is not None and draft.episode_uuid not in chosen for draft in drafts
        ):
            raise TypeError(
                "an episode's entries are checked against its Protocol; a ProtocolRef is not enough"
            )

        def protocol_for(episode_uuid: str | None) -> Protocol | ProtocolRef:
            return chosen.get(episode_uuid or "", protocol)

        with self._lock:
            events = self._append_in_transaction(drafts, protocol_for)
            for event in events:
                if event.type is EventType.EPISODE_CREATED and event.episode_uuid is not None:
                    self._known_episodes.add(event.episode_uuid)
        log.info("saved %s", ", ".join(f"{e.type.value} {e.uuid} (seq {e.seq})" for e in events))
        if any(event.type is EventType.PRINTED for event in events):
            self._witness_quietly("printed")
        return events

    def _sign(self, connection: sqlite3.Connection, event: Event) -> None:
        """Store this workstation's signature of a new entry, in the entry's transaction."""
        if self.signer is None:  # pragma: no cover - read-write stores always have a signer
            raise StoreError("This record was opened without a signing key; nothing was saved.")
        connection.execute(_INSERT_SIGNATURE_SQL, (event.uuid, self.signer.sign_event(event.hash)))

    def _begin(self, drafts: Sequence[EventDraft]) -> None:
        """Start an action's write transaction (SQLite: take the file's write lock now)."""
        self._conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        """End an action's write transaction; the entries are saved once this returns."""
        self._conn.execute("COMMIT")

    def _write_error(self, exc: Exception) -> StoreError | None:
        """The user's message for a database error while saving, or None to re-raise it."""
        if isinstance(exc, sqlite3.IntegrityError):
            return _integrity_refusal(exc, self.path)
        if isinstance(exc, sqlite3.Error):
            error = translate(exc, path=self.path, writing=True)
            log.warning("save refused: %s", type(error).__name__)
            return error
        return None

    def _append_in_transaction(
        self, drafts: Sequence[EventDraft], protocol_for: _ProtocolFor
    ) -> list[Event]:
        connection = self._conn
        try:
            self._begin(drafts)
            try:
                head = connection.execute(_HEAD_SQL, (self.workstation_id,)).fetchone()
                seq, prev_hash = (int(head[0]), str(head[1])) if head else (0, GENESIS_HASH)
                recorded_at = self._clock()
                batch: dict[str, str | None] = {}
                created: set[str] = set()
                for draft in drafts:
                    self._check_draft_in_record(draft, batch, created)
                    batch[draft.uuid] = draft.episode_uuid
                    if draft.type is EventType.EPISODE_CREATED:
                        created.add(str(draft.episode_uuid))
                # Check before sealing: the episode's rules, as every front end sees them.
                known = self._check_rules(drafts, protocol_for, recorded_at)
                events = []
                for draft in drafts:
                    seq += 1
                    event = seal(
                        draft,
                        seq=seq,
                        prev_hash=prev_hash,
                        recorded_at=recorded_at,
                        workstation_id=self.workstation_id,
                        app_version=self._app_version,
                        protocol=_ref(protocol_for(draft.episode_uuid)),
                    )
                    if event.type is EventType.EPISODE_CREATED:
                        connection.execute(
                            _INSERT_EPISODE_SQL,
                            (
                                event.episode_uuid,
                                format_utc(event.occurred_at),
                                self.workstation_id,
                                1 if event.payload.get("training", False) else 0,
                            ),
                        )
                    connection.execute(INSERT_EVENT_SQL, event_to_row(event))
                    self._sign(connection, event)
                    prev_hash = event.hash
                    events.append(event)
                self._commit()
                self._remember_states(known, events)
            except BaseException:
                self._rollback_quietly()
                raise
        except (EventError, ValidationError) as exc:
            raise EventRefusedError(
                f"This entry cannot be saved: {_short(exc)}. Nothing was saved."
            ) from None
        except StoreError:
            raise
        except Exception as exc:
            error = self._write_error(exc)
            if error is None:
                raise
            raise error from None
        return events

    def _rollback_quietly(self) -> None:
        connection = self._conn
        try:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        except Exception:
            # The database has already ended the transaction; the original error stands.
            log.warning("rollback after a failed save reported an error")

    def _check_draft_in_record(
        self, draft: EventDraft, batch: dict[str, str | None], created: set[str]
    ) -> None:
        """Refuse a draft that does not fit the record (inside the write transaction)."""
        connection = self._conn
        if draft.type is EventType.EPISODE_CREATED:
            if draft.episode_uuid is None:
                raise EventRefusedError("A new episode needs an episode id. Nothing was saved.")
            exists = connection.execute(
                "SELECT 1 FROM episode WHERE uuid = ?", (draft.episode_uuid,)
            ).fetchone()
            if exists or draft.episode_uuid in created:
                raise EventRefusedError(
                    f"Episode {draft.episode_uuid} already exists; it cannot be created twice. "
                    "Nothing was saved."
                )
            return
        if draft.episode_uuid is None:
            if draft.type in EPISODELESS_TYPES:
                return
            raise EventRefusedError(
                f"A “{draft.type.value}” entry must belong to an episode. Nothing was saved."
            )
        if draft.episode_uuid not in self._known_episodes and draft.episode_uuid not in created:
            exists = connection.execute(
                "SELECT 1 FROM episode WHERE uuid = ?", (draft.episode_uuid,)
            ).fetchone()
            if not exists:
                raise EventRefusedError(
                    f"There is no episode {draft.episode_uuid} in this record, so the "
                    f"“{draft.type.value}” entry cannot be saved. Nothing was saved."
                )
            self._known_episodes.add(draft.episode_uuid)
        if draft.type in CORRECTION_TYPES:
            target = str(draft.payload.get("target", ""))
            if target in batch:
                target_episode: object = batch[target]
            else:
                row = connection.execute(
                    "SELECT episode_uuid FROM event WHERE uuid = ?", (target,)
                ).fetchone()
                if row is None:
                    raise EventRefusedError(
                        f"The entry to correct ({target}) is not in the record, so the "
                        f"{draft.type.value} cannot be saved. Nothing was saved."
                    )
                target_episode = row[0]
            if target_episode != draft.episode_uuid:
                raise EventRefusedError(
                    f"The entry to correct ({target}) belongs to another episode; a "
                    f"{draft.type.value} must be recorded in the same episode. Nothing was saved."
                )

    def _check_rules(
        self, drafts: Sequence[EventDraft], protocol_for: _ProtocolFor, recorded_at: datetime
    ) -> dict[str, tuple[int, EpisodeState | None]]:
        """Refuse drafts the episode's rules refuse (inside the write transaction, before any
        draft is sealed): each episode's new entries are checked as their actions, in the
        state just before each (``core.actions.check_drafts``).

        An episode whose state is remembered and whose new entries simply follow it is checked
        without reading and folding its whole record again.

        Returns:
            Each episode's state before the new entries (count of entries, state), or
            (0, None) for a new episode.
        """
        by_episode: dict[str, list[EventDraft]] = {}
        for draft in drafts:
            if draft.episode_uuid is not None:
                by_episode.setdefault(draft.episode_uuid, []).append(draft)
        known: dict[str, tuple[int, EpisodeState | None]] = {}
        for episode_uuid, episode_drafts in by_episode.items():
            count = int(
                self._conn.execute(
                    "SELECT count(*) FROM event WHERE episode_uuid = ?", (episode_uuid,)
                ).fetchone()[0]
            )
            cached = self._state_cache.get(episode_uuid)
            current = cached[1] if cached is not None and cached[0] == count else None

            def existing(episode_uuid: str = episode_uuid) -> list[Event]:
                rows = self._conn.execute(
                    f"SELECT {SELECT_EVENT_COLUMNS} FROM event WHERE episode_uuid = ? "
                    "ORDER BY workstation_id, seq",
                    (episode_uuid,),
                ).fetchall()
                try:
                    return [row_to_event(row) for row in rows]
                except RowError as exc:
                    raise EventRefusedError(
                        f"Episode {episode_uuid} cannot be read ({exc}), so nothing can be "
                        "added to it. Nothing was saved. Run “verify” on the record and tell IT."
                    ) from None

            if current is None and count:
                # Fold once and remember it: the next entries are checked without folding.
                try:
                    current = fold(existing())
                except EventError as exc:
                    raise EventRefusedError(
                        f"Episode {episode_uuid} cannot be shown ({exc}), so nothing can be "
                        "added to it. Nothing was saved. Run “verify” on the record and tell IT."
                    ) from None
            known[episode_uuid] = (count, current) if current is not None else (0, None)
            protocol = protocol_for(episode_uuid)
            assert isinstance(protocol, Protocol)  # append_many refused a bare reference
            try:
                check_drafts(
                    existing,
                    episode_drafts,
                    protocol,
                    workstation_id=self.workstation_id,
                    recorded_at=recorded_at,
                    current=current,
                )
            except ActionRefused as exc:
                log.info("entry refused by the rules: %s %s", exc.action, exc.draft_uuid)
                raise RuleRefusedError(
                    f"Not saved: {exc} Nothing of this action was saved.",
                    draft_uuid=exc.draft_uuid,
                    action=exc.action,
                ) from None
        return known

    def _remember_states(
        self, known: dict[str, tuple[int, EpisodeState | None]], events: Sequence[Event]
    ) -> None:
        """After a COMMIT: bring remembered states up to date with the entries just saved (or
        forget them, to be folded again when next read). Never raises: the entries are saved
        whatever happens here."""
        by_episode: dict[str, list[Event]] = {}
        for event in events:
            if event.episode_uuid is not None:
                by_episode.setdefault(event.episode_uuid, []).append(event)
        for episode_uuid, saved in by_episode.items():
            count, before = known.get(episode_uuid, (0, None))
            try:
                if before is not None:
                    state = extend(before, saved)
                else:
                    state = fold(saved) if count == 0 else None
            except Exception:  # a cache: fold again on the next read
                log.warning("remembered state not brought up to date; it will be folded again")
                state = None
            if state is None:
                self._state_cache.pop(episode_uuid, None)
            else:
                self._state_cache[episode_uuid] = (count + len(saved), state)

    # ------------------------------------------------------------------ reading

    def _read_rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[EventRow]:
        with self._lock:
            try:
                return list(self._conn.execute(sql, parameters).fetchall())
            except sqlite3.Error as exc:
                raise self._read_error(exc) from None
            except UnicodeDecodeError:  # SQLite's error message quoted damaged bytes
                raise corrupt_error(
                    self.path,
                    detail="SQLite reports damage it cannot even describe",
                    newest_backup=newest_good_backup(self.backup_dir),
                    backup_dir=self.backup_dir,
                ) from None

    def _read_error(self, exc: sqlite3.Error) -> StoreError:
        error = translate(exc, path=self.path, writing=False)
        if isinstance(error, CorruptDatabaseError):
            return corrupt_error(
                self.path,
                detail=str(exc),
                newest_backup=newest_good_backup(self.backup_dir),
                backup_dir=self.backup_dir,
            )
        return error

    def _events_from_rows(self, rows: list[EventRow]) -> list[Event]:
        events = []
        for row in rows:
            try:
                events.append(row_to_event(row))
            except RowError as exc:
                raise corrupt_error(
                    self.path,
                    detail=f"entry {row[0]} cannot be read: {exc}",
                    newest_backup=newest_good_backup(self.backup_dir),
                    backup_dir=self.backup_dir,
                ) from None
        return events

    def events(self, episode_uuid: str) -> list[Event]:
        """An episode's events in chain order ((workstation_id, seq))."""
        rows = self._read_rows(
            f"SELECT {SELECT_EVENT_COLUMNS} FROM event WHERE episode_uuid = ? "
            "ORDER BY workstation_id, seq",
            (episode_uuid,),
        )
        return self._events_from_rows(rows)

    def event(self, event_uuid: str) -> Event | None:
        """One event by uuid, or None."""
        rows = self._read_rows(
            f"SELECT {SELECT_EVENT_COLUMNS} FROM event WHERE uuid = ?", (event_uuid,)
        )
        events = self._events_from_rows(rows)
        return events[0] if events else None

    def episode(self, episode_uuid: str) -> EpisodeState:
        """An episode's current state: the fold of its events.

        Raises:
            StoreError: if there is no such episode.
        """
        rows = self._read_rows("SELECT count(*) FROM event WHERE episode_uuid = ?", (episode_uuid,))
        count = int(rows[0][0])
        with self._lock:
            cached = self._state_cache.get(episode_uuid)
        if cached is not None and count and cached[0] == count:
            return cached[1]  # entries are append-only: same count, same state
        events = self.events(episode_uuid)
        if not events:
            raise StoreError(f"There is no episode {episode_uuid} in this record.")
        return self._fold(episode_uuid, events)

    def _fold(self, episode_uuid: str, events: list[Event]) -> EpisodeState:
        try:
            state = fold(events)
        except EventError as exc:
            raise StoreError(
                f"Episode {episode_uuid} cannot be shown: {exc}. Run “verify” on the record "
                "and tell IT."
            ) from None
        with self._lock:
            self._state_cache[episode_uuid] = (len(events), state)
        return state

    def episode_uuids(self, *, active_only: bool = False) -> list[str]:
        """Episode ids, oldest first (by creation time); only active ones if asked."""
        if not active_only:
            rows = self._read_rows("SELECT uuid FROM episode ORDER BY created_at, uuid")
            return [str(row[0]) for row in rows]
        return [state.uuid for state in self.active_episodes()]

    def active_episodes(self) -> list[EpisodeState]:
        """States of the episodes still running by their stage, oldest first.

        (The ward board's membership rule, with open alerts and explicit closes, is
        ``core.board.on_board`` over :meth:`board_candidates`.)
        """
        # Episodes the record shows are over are not folded (storage/active.py), so the
        # board's cost follows the active episodes, not the years of history.
        skip = self._skipped(CERTAINLY_INACTIVE_SQL)
        return [state for state in self._states(skip) if state.active]

    def board_candidates(self) -> list[EpisodeState]:
        """States of the episodes that may be on the ward board, oldest first.

        Episodes the record shows are closed for good (storage/active.py
        ``CERTAINLY_OFF_BOARD_SQL``) are not folded; whether each of the rest is on the board
        at a given moment is ``core.board.on_board``'s to say. Folds are cached by entry count,
        so a second call folds only episodes that changed.
        """
        skip = self._skipped(CERTAINLY_OFF_BOARD_SQL)
        return self._states(skip)

    def _skipped(self, sql: str) -> set[str]:
        """Episode uuids a storage/active.py query says need not be folded (SQLite's SQL)."""
        return {str(row[0]) for row in self._read_rows(sql)}

    def episode_states(self) -> list[EpisodeState]:
        """Every episode's state, oldest first.

        Events are append-only, so an episode whose event count is unchanged since it was last
        folded has the same state; only changed episodes are folded again.
        """
        return self._states(frozenset())

    def _states(self, skip: Collection[str]) -> list[EpisodeState]:
        """The states of every episode but those in ``skip``, oldest first."""
        rows = self._read_rows(
            "SELECT p.uuid, count(e.uuid) FROM episode p JOIN event e ON e.episode_uuid = p.uuid "
            "GROUP BY p.uuid ORDER BY p.created_at, p.uuid"
        )
        states = []
        for episode_uuid, count in rows:
            if episode_uuid in skip:
                continue
            with self._lock:
                cached = self._state_cache.get(str(episode_uuid))
            if cached is not None and cached[0] == int(count):
                state = cached[1]
            else:
                state = self._fold(str(episode_uuid), self.events(str(episode_uuid)))
            states.append(state)
        return states

    def iter_events(self) -> Iterator[Event]:
        """Every event in the file in (workstation_id, seq) order, read in short batches."""
        after: tuple[str, int] | None = None
        while True:
            if after is None:
                rows = self._read_rows(
                    f"SELECT {SELECT_EVENT_COLUMNS} FROM event "
                    f"ORDER BY workstation_id, seq LIMIT {ITER_BATCH}"
                )
            else:
                rows = self._read_rows(
                    f"SELECT {SELECT_EVENT_COLUMNS} FROM event WHERE (workstation_id, seq) > "
                    f"(?, ?) ORDER BY workstation_id, seq LIMIT {ITER_BATCH}",
                    after,
                )
            if not rows:
                return
            yield from self._events_from_rows(rows)
            last = rows[-1]
            after = (str(last[8]), int(last[13]))

    def chain_head(self, workstation_id: str | None = None) -> str:
        """Hash of the newest event of a chain (this file's own by default); GENESIS if none."""
        rows = self._read_rows(_HEAD_SQL, (workstation_id or self.workstation_id,))
        return str(rows[0][1]) if rows else GENESIS_HASH

    def find_hash(self, prefix: str) -> tuple[str, int] | None:
        """The (workstation, seq) of the entry whose hash starts with ``prefix`` (at least 12
        hex digits, e.g. a chain head copied from paper), or None."""
        text = prefix.strip().lower()
        if len(text) < 12 or any(c not in "0123456789abcdef" for c in text):
            return None
        rows = self._read_rows(
            "SELECT workstation_id, seq FROM event WHERE substr(hash, 1, ?) = ? LIMIT 1",
            (len(text), text),
        )
        return (str(rows[0][0]), int(rows[0][1])) if rows else None

    def counts(self) -> dict[str, int]:
        """Numbers of episodes and events in the file."""
        episodes = self._read_rows("SELECT count(*) FROM episode")
        events = self._read_rows("SELECT count(*) FROM event")
        return {"episodes": int(episodes[0][0]), "events": int(events[0][0])}

    # ------------------------------------------------------------------ checking and copies

    def verify(self, anchors: Anchors | None = None) -> VerifyReport:
        """SQLite's integrity check, every workstation's hash chain and signatures, and given
        ``anchors`` the keys and witnesses from outside the record (see ``verify``)."""
        with self._lock:
            try:
                return verify_connection(self._conn, path=self.path, anchors=anchors)
            except sqlite3.Error as exc:
                return failed_report(self.path, str(self._read_error(exc)))
            except UnicodeDecodeError:
                return failed_report(
                    self.path,
                    f"the file {self.path} is damaged beyond reading (SQLite's "
                    "own report of it is not readable text)",
                )

    def registrations(self) -> list[Registration]:
        """Every signing key registered in the record (none in a format 1 file)."""
        if self._format() < 2:
            return []
        rows = self._read_rows(
            "SELECT workstation_id, from_seq, public_key, registered_at, note "
            "FROM workstation_key ORDER BY workstation_id, from_seq, registered_at"
        )
        return [Registration(str(a), int(b), str(c), str(d), str(e)) for a, b, c, d, e in rows]

    def _format(self) -> int:
        """The record's format (schema version)."""
        with self._lock:
            return read_user_version(self._conn)

    def _created_at(self) -> str:
        """When the record was made (from its meta table), for witnesses."""
        with self._lock:
            return read_meta(self._conn).get("created_at", "")

    def workstation_ids(self) -> list[str]:
        """The workstation chains with entries in this record (several after a merge)."""
        return [str(row[0]) for row in self._read_rows(_HEADS_SQL)]

    def record_kind(self) -> str:
        """What kind of record this is, from its chains: :data:`DEMO_RECORD` when it holds a
        demo workstation's entries that are not its own (``mgso4 demo-data`` writes each demo
        workstation's chain as its own, then merges them), :data:`MERGED_RECORD` when it holds
        another workstation's entries, else "" (a ward PC's own record)."""
        others = [w for w in self.workstation_ids() if w != self.workstation_id]
        if any(w.startswith(DEMO_WORKSTATION_PREFIX) for w in others):
            return DEMO_RECORD
        return MERGED_RECORD if others else ""

    def chain_points(self) -> list[ChainPoint]:
        """Every chain's newest entry with the key that signs it (what a witness records)."""
        registrations: dict[str, list[Registration]] = {}
        for registration in self.registrations():
            registrations.setdefault(registration.workstation_id, []).append(registration)
        points = []
        for workstation_id, seq, event_hash in self._read_rows(_HEADS_SQL):
            in_force = key_in_force(registrations.get(str(workstation_id), []), int(seq))
            points.append(
                ChainPoint(
                    str(workstation_id),
                    int(seq),
                    str(event_hash),
                    in_force.public_key if in_force is not None else "",
                )
            )
        return points

    def write_witness(self, folder: Path, reason: str) -> Path:
        """Append a note of every chain's head to the record's witness file in ``folder``.

        Signed with this workstation's key when this computer holds it.

        Raises:
            StoreError: the witness could not be written (the record itself is unchanged).
        """
        key = self.signer
        if key is None:
            try:
                key = self._keys.load(self.workstation_id)
            except SigningKeyError as exc:
                log.warning("witness not signed: %s", exc)
        created_at = self._created_at()
        try:
            return write_witness(
                Path(folder),
                record_workstation=self.workstation_id,
                record_created_at=created_at,
                chains=self.chain_points(),
                reason=reason,
                key=key,
                now=self._clock(),
            )
        except OSError as exc:
            raise StoreError(
                f"The chain-head witness could not be written in {folder} ({exc.strerror}). "
                "The record is safe; check the backup folder."
            ) from None

    def _witness_quietly(self, reason: str) -> None:
        if self.backup_dir is None:
            return
        try:
            self.write_witness(self.backup_dir, reason)
        except StoreError as exc:
            log.warning("%s", exc)

    def backup(self, folder: Path, *, keep: int = DEFAULT_KEEP) -> Path:
        """Write a verified backup with SQLite's backup API and keep the newest ``keep``.

        Raises:
            BackupError: the copy did not verify (it was deleted) or could not be written.
        """
        now = self._clock()
        with self._lock:
            written = backup_database(self._conn, self.path, Path(folder), keep=keep, now=now)
            self.last_backup_warning = clock_behind_message(self._conn, now)
        if self.last_backup_warning is not None:
            log.warning("%s", self.last_backup_warning)
        self.write_witness(Path(folder), f"backup {written.name}")
        return written


def _ref(protocol: Protocol | ProtocolRef) -> ProtocolRef:
    return protocol if isinstance(protocol, ProtocolRef) else ProtocolRef.of(protocol)


def _short(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_draft_payload(draft: EventDraft) -> None:
    """Refuse a draft whose payload is not the validated, canonical form of its type."""
    try:
        canonical = validate_payload(draft.type, draft.payload)
    except EventError as exc:
        raise EventRefusedError(f"This entry cannot be saved: {exc}. Nothing was saved.") from None
    if canonical != draft.payload:
        raise EventRefusedError(
            f"The “{draft.type.value}” entry was not built in its checked form "
            "(use EventDraft.make); nothing was saved."
        )


def _integrity_refusal(exc: sqlite3.IntegrityError, path: Path) -> StoreError:
    text = str(exc)
    if "event.uuid" in text:
        return EventRefusedError(
            "This entry has already been saved (its id is in the record); it was not saved twice."
        )
    if "append-only" in text or "chain" in text:
        return StoreError(f"The record refused the change: {text}. Nothing was saved.")
    return StoreError(f"The record ({path}) refused the entry: {text}. Nothing was saved.")


def _check_not_empty(path: Path, backup_dir: Path | None) -> None:
    """An existing empty file is a record that lost its contents, never a new record."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        return
    if empty:
        raise corrupt_error(
            path,
            detail="the file is empty",
            newest_backup=newest_good_backup(backup_dir),
            backup_dir=backup_dir,
        )


def _check_file(connection: sqlite3.Connection, path: Path, backup_dir: Path | None) -> int:
    """Read-only checks before anything is written: a record, a known version, not damaged."""
    try:
        version = check_is_record(connection, path)
        problems = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
        truncated = truncation_problem(connection, path)
        if truncated is not None and problems == ["ok"]:
            problems = [truncated]
    except UnicodeDecodeError:
        # SQLite's own error message quoted damaged bytes that are not text.
        raise corrupt_error(
            path,
            detail="SQLite reports damage in its structure (its message is not even readable)",
            newest_backup=newest_good_backup(backup_dir),
            backup_dir=backup_dir,
        ) from None
    except sqlite3.Error as exc:
        error = translate(exc, path=path, writing=False)
        if isinstance(error, CorruptDatabaseError):
            raise corrupt_error(
                path,
                detail=str(exc),
                newest_backup=newest_good_backup(backup_dir),
                backup_dir=backup_dir,
            ) from None
        raise error from None
    if problems != ["ok"]:
        raise corrupt_error(
            path,
            detail=f"SQLite's check found: {'; '.join(problems[:5])}",
            newest_backup=newest_good_backup(backup_dir),
            backup_dir=backup_dir,
        )
    return version


def _create_record(
    path: Path,
    *,
    workstation_id: str,
    created_at: datetime,
    app_version: str,
    busy_timeout_s: float,
) -> None:
    """Create a new record whole under a temporary name, then give it its name.

    A record is never seen half-made: if the app stops while creating it, only the temporary
    file is left, and an empty file at the record's name is always treated as damage.
    If another copy of the app created the record meanwhile, that one is kept.
    """
    temporary = path.parent / f".{path.name}.{uuid_module.uuid4().hex}.creating"
    try:
        create_private_file(temporary)
    except OSError as exc:
        raise translate_os_error(exc, path) from None
    try:
        connection = connect(temporary, readonly=False, busy_timeout_s=busy_timeout_s)
        try:
            set_journal_mode(connection, temporary, journal_mode_for(sqlite3.sqlite_version))
            migrate(
                connection,
                temporary,
                workstation_id=workstation_id,
                created_at=created_at,
                app_version=app_version,
            )
        finally:
            connection.close()
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another copy of the app created it first: use that one
        except OSError:
            if not path.exists():
                os.rename(temporary, path)
        fsync_directory(path.parent)
        log.info("new record created")
    except OSError as exc:
        raise translate_os_error(exc, path) from None
    finally:
        for leftover in (
            temporary,
            *(Path(f"{temporary}{x}") for x in ("-journal", "-wal", "-shm")),
        ):
            if leftover.exists():
                leftover.unlink()


def translate_os_error(exc: OSError, path: Path) -> StoreError:
    """A file-system error while creating the record, in the user's words."""
    if exc.errno == errno.ENOSPC:
        return DiskFullError(
            f"The disk is full, so the record could not be created at {path}. Free some space "
            "and try again."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ReadOnlyError(
            f"The record cannot be created in {path.parent}: the folder is read-only on this "
            "computer. Choose a folder you can write to."
        )
    return StoreError(f"The record could not be created at {path} ({exc.strerror}).")


def _ensure_signing(
    connection: sqlite3.Connection,
    path: Path,
    workstation_id: str,
    keys: KeyStore,
    *,
    clock: Clock,
    upgraded_from: int,
) -> WorkstationKey:
    """Register this workstation's signing key in the record, making the key if needed.

    The key signs every entry of the workstation's chain from the next one on. A key is never
    replaced in the record: if this computer holds another key for the workstation (the old
    one was lost, or the record came from elsewhere), the new key is registered from the next
    entry and verify shows both. When a format 1 record is brought up to date here, the chains
    of other workstations already in it are accepted, unsigned, on this computer.

    Raises:
        StoreError: the key cannot be made or read, or the record cannot be written.
    """
    trusted: list[TrustedKey] = []
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            head = connection.execute(
                "SELECT coalesce(max(seq), 0) FROM event WHERE workstation_id = ?",
                (workstation_id,),
            ).fetchone()
            next_seq = int(head[0]) + 1
            key = keys.load_or_create(workstation_id, first_signed_seq=next_seq)
            current = connection.execute(
                "SELECT public_key FROM workstation_key WHERE workstation_id = ? "
                "ORDER BY from_seq DESC, registered_at DESC LIMIT 1",
                (workstation_id,),
            ).fetchone()
            now = format_utc(clock())
            if current is None or str(current[0]) != key.public_key:
                note = (
                    "signing started"
                    if current is None
                    else "another key on this computer (the previous key is not held here)"
                )
                connection.execute(
                    "INSERT INTO workstation_key (workstation_id, from_seq, public_key, "
                    "registered_at, note) VALUES (?, ?, ?, ?, ?)",
                    (workstation_id, next_seq, key.public_key, now, note),
                )
                log.info(
                    "signing key %s registered for workstation %s from entry %d (%s)",
                    key.fingerprint,
                    workstation_id,
                    next_seq,
                    note,
                )
            if upgraded_from < 2:
                for other, newest in connection.execute(
                    "SELECT workstation_id, max(seq) FROM event WHERE workstation_id != ? "
                    "GROUP BY workstation_id",
                    (workstation_id,),
                ):
                    trusted.append(
                        TrustedKey(
                            str(other),
                            "",
                            now,
                            f"unsigned entries in {path.name} when it was brought up to date",
                            int(newest),
                        )
                    )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise translate(exc, path=path, writing=False) from None
    if trusted:
        try:
            TrustStore(keys.folder.parent / "trusted-keys.json").add(trusted)
        except OSError as exc:
            log.warning("unsigned chains of %s not remembered as accepted: %s", path.name, exc)
    return key
