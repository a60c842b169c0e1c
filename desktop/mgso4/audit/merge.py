"""Merge several workstations' records into one file for audit, keeping every chain provable.

Each source is checked before anything of it is written, and is then merged **whole, in one
transaction, or not at all**:

1. It must verify (``storage.verify_path``: SQLite's integrity check, every workstation's hash
   chain and signatures). A source with any problem is refused, naming the file and the first
   broken link.
2. Every workstation key that signs its entries must be known here: held on this computer,
   trusted on it (``storage.signing.TrustStore``), already registered in the target for that
   workstation, or named by the caller (``trust``: a key's fingerprint as ``mgso4 verify``
   prints it on the PC that wrote it, or a workstation id for entries saved before signing).
   Otherwise the source is refused with the fingerprints to check. Keys accepted this way are
   remembered in the trust list, so ``verify`` of the merged record confirms them.
3. It must not conflict with the target. The same episode id with a different episode (its
   row or its creation entry differ — two women under one id), the same entry id with
   different content, or a workstation's chain that diverges from the target's copy of it:
   any of these refuses the **whole source** before anything is written, with a report naming
   each episode and the fields that differ. (Merging one woman's notes into another's episode
   is the harm this prevents.)

Copying keeps provenance: every event keeps its uuid, workstation id, ``seq``, ``prev_hash``,
``hash`` and signature exactly as in its source, and each workstation's registered key goes
with its chain, so every source chain still verifies in the target. An identical event already
in the target is skipped: merging the same sources again changes nothing, and overlapping
copies of one workstation's file merge cleanly (the shared part skipped, the newer part added).

The target's append-only triggers stay in force: this module only INSERTs, and the database
itself refuses an event that does not extend its workstation's chain.

Which records may receive a merge at all is decided once, here, by
:func:`merge_target_refusal`: never a ward's live or training record, nor any record with an
episode still running (the other PCs' episodes would appear on its ward board). The screen and
``mgso4 merge`` both ask it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from mgso4.audit.progress import AuditError, ProgressCallback, check_cancel, report
from mgso4.core.episode import EventType
from mgso4.storage import Store, StoreError, verify_path
from mgso4.storage.errors import translate
from mgso4.storage.rows import EVENT_COLUMNS, INSERT_EVENT_SQL, SELECT_EVENT_COLUMNS, EventRow
from mgso4.storage.schema import read_user_version
from mgso4.storage.signing import (
    KeyStore,
    Registration,
    TrustedKey,
    TrustStore,
    fingerprint,
    key_in_force,
)
from mgso4.storage.sqlite_setup import (
    bound_work,
    close_quietly,
    connect,
    journal_mode_for,
    set_journal_mode,
)
from mgso4.storage.verify import CHAIN_KINDS

#: Conflict messages kept per source (the counts are always complete).
MAX_MESSAGES: Final = 50
_PROGRESS_EVERY: Final = 2000
_EPISODE_COLUMNS: Final = "uuid, created_at, workstation_id, training"
_EPISODE_FIELDS: Final = ("uuid", "created_at", "workstation_id", "training")
_CANCELLED: Final = (
    "nothing of the file being merged was copied; files merged before it stay merged"
)
#: What a cancelled merge leaves (also said when the screen ends a merge's process).
MERGE_CANCELLED: Final = _CANCELLED
_UUID: Final = 0
_EPISODE: Final = 1
_TYPE: Final = 2
_PAYLOAD: Final = 3
_WORKSTATION: Final = 8
_SEQ: Final = 13


@dataclass
class Conflict:
    """One episode (or entry) the target holds differently: what differs."""

    episode_uuid: str | None
    event_uuid: str | None
    fields: list[str]
    what: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "episode_uuid": self.episode_uuid,
            "event_uuid": self.event_uuid,
            "fields": list(self.fields),
            "what": self.what,
        }


@dataclass
class SourceResult:
    """What happened to one source file."""

    path: Path
    refused: str | None = None
    added: int = 0
    skipped: int = 0
    episodes_added: int = 0
    episodes_skipped: int = 0
    messages: list[str] = field(default_factory=list)
    conflict_details: list[Conflict] = field(default_factory=list)
    #: Fingerprints (or workstation ids, for unsigned entries) that were not known here.
    untrusted: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> int:
        """Episodes and entries the target holds differently (the source was then refused)."""
        return len(self.conflict_details)

    @property
    def ok(self) -> bool:
        """Merged (or nothing new to merge), with no refusal."""
        return self.refused is None

    def note(self, message: str) -> None:
        """Keep a message (up to :data:`MAX_MESSAGES`)."""
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "path": str(self.path),
            "ok": self.ok,
            "refused": self.refused,
            "events_added": self.added,
            "events_skipped": self.skipped,
            "conflicts": self.conflicts,
            "conflict_details": [c.as_dict() for c in self.conflict_details[:MAX_MESSAGES]],
            "untrusted": list(self.untrusted),
            "episodes_added": self.episodes_added,
            "episodes_skipped": self.episodes_skipped,
            "messages": list(self.messages),
        }


@dataclass
class MergeReport:
    """Per-source counts of a merge."""

    target: Path
    sources: list[SourceResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every source merged with no refusal."""
        return all(source.ok for source in self.sources)

    @property
    def added(self) -> int:
        """Events added from all sources."""
        return sum(source.added for source in self.sources)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (``mgso4 merge --json``)."""
        return {
            "target": str(self.target),
            "ok": self.ok,
            "sources": [source.as_dict() for source in self.sources],
        }


# --------------------------------------------------------------------------- the target


def merge_target_refusal(target: Store | Path | str) -> str | None:
    """Why a record must not receive other PCs' entries, or None.

    A merge adds other wards' episodes: into a ward's live (or training) record, or any record
    with an episode still running, they would appear on that ward's board beside its own
    patients. Merging is for a separate audit record. A target that does not exist yet is
    fine (it is created as a new audit record).
    """
    from mgso4.storage import default_db_path  # looked up at each call (settings may move it)

    live = {default_db_path().resolve(), default_db_path(training=True).resolve()}
    path = target.path if isinstance(target, Store) else Path(target)
    advice = (
        "Records are not merged into a ward's own record: the other PCs' episodes would appear "
        "on this ward board. Start the app on a separate audit record (mgso4 --db "
        "audit.sqlite3), or use mgso4 merge --into audit.sqlite3 ..., and merge there."
    )
    try:
        if path.resolve() in live:
            return advice
        if isinstance(target, Store):
            active = bool(target.episode_uuids(active_only=True))
        elif path.exists():
            with Store.open(path, readonly=True) as store:
                active = bool(store.episode_uuids(active_only=True))
        else:
            active = False
    except (OSError, StoreError) as exc:
        return f"The record {path} cannot be checked: {exc}"
    return advice if active else None


# --------------------------------------------------------------------------- merging


def merge_into(
    target: Path | str,
    sources: Sequence[Path | str],
    *,
    progress: ProgressCallback | None = None,
    cancel: object | None = None,
    trust: Collection[str] = (),
    keys: KeyStore | None = None,
    trust_store: TrustStore | None = None,
) -> MergeReport:
    """Copy the events of each verified, trusted, non-conflicting source into the target.

    Args:
        target: The combined record. If it does not exist, a new record is created. Callers
            ask :func:`merge_target_refusal` first.
        sources: Records to merge in, in order.
        progress: Called with ("Merging <file name>", done, total) per source.
        cancel: ``threading.Event`` or callable, checked every few thousand events; the current
            source's transaction is rolled back (sources already merged stay merged).
        trust: Key fingerprints (as ``mgso4 verify`` prints them) or workstation ids (for
            entries saved before signing) to accept and remember for this and later merges.
        keys: This computer's signing keys (default: the config folder's).
        trust_store: This computer's trust list (default: the config folder's).

    Returns:
        Per-source counts; a refused source has ``refused`` set and nothing copied.

    Raises:
        AuditError: no source was given.
        Cancelled: the caller cancelled.
        mgso4.storage.StoreError: the target cannot be opened or written.
    """
    if not sources:
        raise AuditError("Choose at least one record file to merge in.")
    target = Path(target)
    key_store = keys if keys is not None else KeyStore.default()
    trusted_list = trust_store if trust_store is not None else TrustStore.default()
    # Store.open checks the target (a record, a known version, not damaged, a safe place),
    # creates it if missing and registers this computer's key in it.
    Store.open(target, keys=key_store).close()
    result = MergeReport(target=target)
    accepted = {item.strip().lower() for item in trust if item.strip()}
    for source in (Path(item) for item in sources):
        check_cancel(cancel, "The merge", _CANCELLED)
        outcome = SourceResult(path=source)
        result.sources.append(outcome)
        refusal = _refusal(target, source)
        if refusal is not None:
            outcome.refused = refusal
            continue
        _merge_one(target, source, outcome, progress, cancel, accepted, key_store, trusted_list)
    return result


def _refusal(target: Path, source: Path) -> str | None:
    """Why a source cannot be merged at all (before reading its content), or None."""
    if source.exists() and target.exists() and source.resolve() == target.resolve():
        return f"{source} is the target itself; a record cannot be merged into itself."
    verified = verify_path(source)
    if verified.ok:
        return None
    chain = next((f for f in verified.findings if f.kind in CHAIN_KINDS), None)
    first = chain or (verified.findings[0] if verified.findings else None)
    detail = first.message if first is not None else "; ".join(verified.problems)
    return (
        f"{source} was not merged: it does not verify. First problem: {detail}. Nothing from "
        "this file was copied; restore it from a backup or ask IT to check it."
    )


@dataclass
class _Source:
    """Everything read from one source file."""

    episodes: dict[str, tuple[Any, ...]]
    events: list[EventRow]
    registrations: list[Registration]
    signatures: dict[str, str]


def _read_source(source: Path) -> _Source:
    connection = connect(source, readonly=True)
    try:
        with bound_work(connection, source):
            episodes = connection.execute(
                f"SELECT {_EPISODE_COLUMNS} FROM episode ORDER BY uuid"
            ).fetchall()
            events: list[EventRow] = connection.execute(
                f"SELECT {SELECT_EVENT_COLUMNS} FROM event ORDER BY workstation_id, seq"
            ).fetchall()
            registrations: list[Registration] = []
            signatures: dict[str, str] = {}
            if read_user_version(connection) >= 2:
                registrations = [
                    Registration(str(a), int(b), str(c), str(d), str(e))
                    for a, b, c, d, e in connection.execute(
                        "SELECT workstation_id, from_seq, public_key, registered_at, note "
                        "FROM workstation_key ORDER BY workstation_id, from_seq, registered_at"
                    )
                ]
                signatures = {
                    str(u): str(s)
                    for u, s in connection.execute(
                        "SELECT event_uuid, signature FROM event_signature"
                    )
                }
    except sqlite3.Error as exc:
        raise translate(exc, path=source, writing=False) from None
    finally:
        connection.close()
    return _Source(
        episodes={str(row[0]): tuple(row) for row in episodes},
        events=events,
        registrations=registrations,
        signatures=signatures,
    )


def _merge_one(
    target: Path,
    source: Path,
    outcome: SourceResult,
    progress: ProgressCallback | None,
    cancel: object | None,
    accepted: set[str],
    keys: KeyStore,
    trust_store: TrustStore,
) -> None:
    stage = f"Merging {source.name}"
    data = _read_source(source)
    report(progress, stage, 0, len(data.events))
    connection = connect(target, readonly=False)
    try:
        set_journal_mode(connection, target, journal_mode_for(sqlite3.sqlite_version))
        connection.execute("BEGIN IMMEDIATE")
        try:
            target_registrations = _target_registrations(connection)
            newly_trusted = _check_trust(
                source, data, target_registrations, accepted, keys, trust_store, outcome
            )
            if outcome.refused is None:
                _find_conflicts(connection, source, data, outcome)
            if outcome.refused is not None:
                connection.execute("ROLLBACK")
                return
            _copy(connection, data, target_registrations, outcome, progress, cancel, stage)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise translate(exc, path=target, writing=True) from None
    finally:
        close_quietly(connection)
    if newly_trusted:
        try:
            trust_store.add(newly_trusted)
        except OSError as exc:
            outcome.note(
                f"The accepted keys could not be remembered ({exc}); verify will ask again."
            )
    report(progress, stage, len(data.events), len(data.events))


def _target_registrations(connection: sqlite3.Connection) -> list[Registration]:
    return [
        Registration(str(a), int(b), str(c), str(d), str(e))
        for a, b, c, d, e in connection.execute(
            "SELECT workstation_id, from_seq, public_key, registered_at, note "
            "FROM workstation_key ORDER BY workstation_id, from_seq, registered_at"
        )
    ]


def _check_trust(
    source: Path,
    data: _Source,
    target_registrations: list[Registration],
    accepted: set[str],
    keys: KeyStore,
    trust_store: TrustStore,
    outcome: SourceResult,
) -> list[TrustedKey]:
    """Refuse the source unless every key (and every unsigned chain) in it is known here.

    Returns the keys accepted through ``accepted`` (to be remembered once the merge commits).
    """
    held = keys.held()
    trusted = trust_store.entries()
    known = {(k.workstation_id, k.public_key) for k in trusted if k.public_key}
    known |= {(ws, key.public_key) for ws, key in held.items()}
    known |= {(r.workstation_id, r.public_key) for r in target_registrations if r.public_key}
    unsigned_to: dict[str, int] = {}
    for item in trusted:
        if not item.public_key:
            unsigned_to[item.workstation_id] = max(
                unsigned_to.get(item.workstation_id, 0), item.up_to_seq
            )
    by_workstation: dict[str, list[Registration]] = {}
    for registration in data.registrations:
        by_workstation.setdefault(registration.workstation_id, []).append(registration)
    last_seq: dict[str, int] = {}
    unsigned_last: dict[str, int] = {}
    for row in data.events:
        workstation_id, seq = str(row[_WORKSTATION]), int(row[_SEQ])
        last_seq[workstation_id] = seq
        if key_in_force(by_workstation.get(workstation_id, []), seq) is None:
            unsigned_last[workstation_id] = seq
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    newly: list[TrustedKey] = []
    unknown: list[str] = []
    for workstation_id, registrations in sorted(by_workstation.items()):
        for registration in registrations:
            if not registration.public_key:
                continue
            if registration.from_seq > last_seq.get(workstation_id, 0):
                continue  # registered, but it signs nothing in this file
            pair = (workstation_id, registration.public_key)
            if pair in known:
                continue
            label = fingerprint(registration.public_key)
            if label in accepted or registration.public_key in accepted:
                newly.append(TrustedKey(workstation_id, registration.public_key, now, str(source)))
                known.add(pair)
            else:
                unknown.append(label)
                outcome.untrusted.append(label)
                outcome.note(
                    f"Workstation {workstation_id} signs its entries in this file with key "
                    f"{label}, which this computer does not know."
                )
    for workstation_id, newest_unsigned in sorted(unsigned_last.items()):
        own = held.get(workstation_id)
        if (
            own is not None
            and own.first_signed_seq is not None
            and (newest_unsigned < own.first_signed_seq)
        ):
            continue  # saved here before this computer signed entries
        if unsigned_to.get(workstation_id, 0) >= newest_unsigned:
            continue
        if workstation_id.lower() in accepted:
            newly.append(TrustedKey(workstation_id, "", now, str(source), newest_unsigned))
            continue
        unknown.append(workstation_id)
        outcome.untrusted.append(workstation_id)
        outcome.note(
            f"Workstation {workstation_id}'s entries up to {newest_unsigned} in this file are "
            "unsigned (saved before signing), and this computer has not accepted them."
        )
    if unknown:
        outcome.refused = (
            f"{source} was not merged: it holds entries signed with keys this computer does not "
            f"know ({', '.join(unknown)}), so nothing shows they came from the ward PCs they "
            "name. Run mgso4 verify on the PC that wrote the file and compare the fingerprints "
            "it prints; if they match, merge again with "
            + " ".join(f"--trust {label}" for label in unknown)
            + ". Nothing from this file was copied."
        )
    return newly


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value}


def _differing_fields(mine: EventRow, theirs: EventRow) -> list[str]:
    """The fields (payload fields dotted, e.g. ``payload.patient.name``) that differ."""
    fields = []
    for index, column in enumerate(EVENT_COLUMNS):
        if column in ("payload", "hash", "prev_hash"):
            continue
        if mine[index] != theirs[index]:
            fields.append(column)
    try:
        left = _flatten(json.loads(str(mine[_PAYLOAD])))
        right = _flatten(json.loads(str(theirs[_PAYLOAD])))
    except ValueError:
        left, right = {"payload": mine[_PAYLOAD]}, {"payload": theirs[_PAYLOAD]}
    fields += [
        f"payload.{k}" for k in sorted(set(left) | set(right)) if left.get(k) != right.get(k)
    ]
    return fields


def _find_conflicts(
    connection: sqlite3.Connection, source: Path, data: _Source, outcome: SourceResult
) -> None:
    """Refuse the whole source if any of its episodes or entries differs from the target's."""
    conflicts: list[Conflict] = []
    creations = {
        str(row[_EPISODE]): row
        for row in data.events
        if row[_TYPE] == EventType.EPISODE_CREATED.value and row[_EPISODE] is not None
    }
    for uuid, row in data.episodes.items():
        existing = connection.execute(
            f"SELECT {_EPISODE_COLUMNS} FROM episode WHERE uuid = ?", (uuid,)
        ).fetchone()
        if existing is None:
            continue
        differing = [
            name for name, a, b in zip(_EPISODE_FIELDS, existing, row, strict=True) if a != b
        ]
        theirs = creations.get(uuid)
        mine = connection.execute(
            f"SELECT {SELECT_EVENT_COLUMNS} FROM event WHERE episode_uuid = ? AND type = ?",
            (uuid, EventType.EPISODE_CREATED.value),
        ).fetchone()
        if theirs is not None and mine is not None and tuple(mine) != tuple(theirs):
            differing += [f for f in _differing_fields(tuple(mine), tuple(theirs)) if f != "uuid"]
            if mine[_UUID] != theirs[_UUID]:
                differing.append("creation entry")
        if differing:
            conflicts.append(
                Conflict(
                    uuid,
                    None,
                    sorted(set(differing)),
                    f"Episode {uuid}: the target holds a different episode under this id "
                    f"(differs in {', '.join(sorted(set(differing)))})",
                )
            )
    for row in data.events:
        uuid, workstation_id, seq = str(row[_UUID]), str(row[_WORKSTATION]), int(row[_SEQ])
        existing = connection.execute(
            f"SELECT {SELECT_EVENT_COLUMNS} FROM event WHERE uuid = ?", (uuid,)
        ).fetchone()
        if existing is not None and tuple(existing) != tuple(row):
            fields = _differing_fields(tuple(existing), tuple(row))
            conflicts.append(
                Conflict(
                    None if row[_EPISODE] is None else str(row[_EPISODE]),
                    uuid,
                    fields,
                    f"Entry {uuid} (workstation {workstation_id}, entry {seq}, episode "
                    f"{row[_EPISODE]}): the target holds different content under this id "
                    f"(differs in {', '.join(fields) or 'its hash'})",
                )
            )
            continue
        if existing is None:
            placed = connection.execute(
                "SELECT uuid FROM event WHERE workstation_id = ? AND seq = ?",
                (workstation_id, seq),
            ).fetchone()
            if placed is not None:
                conflicts.append(
                    Conflict(
                        None if row[_EPISODE] is None else str(row[_EPISODE]),
                        uuid,
                        ["chain"],
                        f"Entry {uuid} (workstation {workstation_id}, entry {seq}): the target's "
                        f"chain of workstation {workstation_id} holds another entry ({placed[0]}) "
                        "at this place: two different files claim to be this workstation's",
                    )
                )
    if not conflicts:
        return
    outcome.conflict_details = conflicts
    for conflict in conflicts:
        outcome.note(conflict.what)
    episodes = sorted({c.episode_uuid for c in conflicts if c.episode_uuid})
    outcome.refused = (
        f"{source} was not merged: it conflicts with the target in {len(conflicts)} place(s)"
        + (f", episode(s) {', '.join(episodes[:5])}" + ("…" if len(episodes) > 5 else ""))
        + f". First: {conflicts[0].what}. Nothing from this file was copied: two different "
        "episodes under one id must never be mixed. Ask IT to find out which file is right."
    )


def _copy(
    connection: sqlite3.Connection,
    data: _Source,
    target_registrations: Iterable[Registration],
    outcome: SourceResult,
    progress: ProgressCallback | None,
    cancel: object | None,
    stage: str,
) -> None:
    registered = {(r.workstation_id, r.from_seq, r.public_key) for r in target_registrations}
    last_seq: dict[str, int] = {}
    for row in data.events:
        last_seq[str(row[_WORKSTATION])] = int(row[_SEQ])
    for registration in data.registrations:
        if (
            registration.workstation_id,
            registration.from_seq,
            registration.public_key,
        ) in registered:
            continue
        if registration.from_seq > last_seq.get(registration.workstation_id, 0):
            continue  # it signs nothing that is merged
        connection.execute(
            "INSERT INTO workstation_key (workstation_id, from_seq, public_key, registered_at, "
            "note) VALUES (?, ?, ?, ?, ?)",
            (
                registration.workstation_id,
                registration.from_seq,
                registration.public_key,
                registration.registered_at,
                registration.note,
            ),
        )
    present = {
        str(row[0])
        for row in connection.execute("SELECT uuid FROM episode")
        if str(row[0]) in data.episodes
    }
    outcome.episodes_skipped = len(present)
    for index, row in enumerate(data.events, start=1):
        if index % _PROGRESS_EVERY == 0:
            check_cancel(cancel, "The merge", _CANCELLED)
            report(progress, stage, index, len(data.events))
        uuid = str(row[_UUID])
        if connection.execute("SELECT 1 FROM event WHERE uuid = ?", (uuid,)).fetchone():
            outcome.skipped += 1
            continue
        episode_uuid = None if row[_EPISODE] is None else str(row[_EPISODE])
        if episode_uuid is not None and episode_uuid not in present:
            episode = data.episodes.get(episode_uuid)
            if episode is not None:
                connection.execute(
                    f"INSERT INTO episode ({_EPISODE_COLUMNS}) VALUES (?, ?, ?, ?)", episode
                )
                present.add(episode_uuid)
                outcome.episodes_added += 1
        connection.execute(INSERT_EVENT_SQL, tuple(row))
        signature = data.signatures.get(uuid)
        if signature is not None:
            connection.execute(
                "INSERT INTO event_signature (event_uuid, signature) VALUES (?, ?)",
                (uuid, signature),
            )
        outcome.added += 1
