"""Checking a record: SQLite's own integrity check, every workstation's hash chain, and the
signatures, keys and witnesses of ``storage.signing``.

For each chain, in ``seq`` order, every event is rebuilt from its stored fields and must:

1. be readable as an event, with every field in its one canonical spelling;
2. hash (``Event.computed_hash``) to the stored hash: nothing in it changed after it was saved;
3. carry the next ``seq`` (1, 2, …): nothing removed from the middle;
4. link to the previous event's hash (``GENESIS_HASH`` for the first);
5. carry its workstation's signature, when its workstation signs (record format 2 and later).

The first broken link of each chain is reported (workstation, seq, uuid, what is wrong); events
after it are still counted but not judged, since one break makes every later link suspect.
Given :class:`~mgso4.storage.signing.Anchors` (keys held or trusted on this computer, witnesses
from the backup folder), verify also reports a key nothing outside the record confirms, and a
chain shorter than, or different from, what a witness saw (entries removed, an older copy put
back, a chain rewritten and re-signed).

Before reading anything, the record's objects must be what the app made (tables, not views or
virtual tables), and the work SQLite may do is bounded, so a crafted file cannot hang verify.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mgso4.core.episode import GENESIS_HASH, Event, EventType
from mgso4.storage.findings import (
    BROKEN_LINK,
    CHAIN_KINDS,
    EPISODE_MISMATCH,
    HASH_MISMATCH,
    INTEGRITY,
    NOT_CANONICAL,
    SAFEGUARD_MISSING,
    SCHEMA,
    SEQ_GAP,
    SIGNING_KINDS,
    UNREADABLE,
    Finding,
)
from mgso4.storage.rows import (
    SELECT_EVENT_COLUMNS,
    EventRow,
    RowError,
    event_to_row,
    row_to_event,
)
from mgso4.storage.schema import (
    APPLICATION_ID,
    REQUIRED_INDEXES,
    SCHEMA_VERSION,
    foreign_object_problem,
    read_application_id,
    read_meta,
    read_user_version,
    required_triggers,
)
from mgso4.storage.signing import (
    Anchors,
    ChainEntry,
    Registration,
    SigningResult,
    check_signing,
)
from mgso4.storage.sqlite_setup import bound_work, lenient_text, pragma_text, truncation_problem

__all__ = [
    "BROKEN_LINK",
    "CHAIN_KINDS",
    "EPISODE_MISMATCH",
    "HASH_MISMATCH",
    "INTEGRITY",
    "NOT_CANONICAL",
    "SAFEGUARD_MISSING",
    "SCHEMA",
    "SEQ_GAP",
    "SIGNING_KINDS",
    "UNREADABLE",
    "ChainHead",
    "Finding",
    "VerifyReport",
    "check_chains",
    "failed_report",
    "record_fingerprint",
    "verify_connection",
    "verify_path",
]

#: The files whose bytes a reader of a record file sees: the file, its write-ahead log, and a
#: rollback journal left by a process that died (SQLite replays it at the next open).
RECORD_FILE_SUFFIXES = ("", "-wal", "-journal")
#: Bytes read at a time for a fingerprint.
_FINGERPRINT_BLOCK = 1 << 20

#: integrity_check lines kept in a report (SQLite can list thousands for a badly damaged file).
MAX_INTEGRITY_LINES = 20


@dataclass(frozen=True)
class ChainHead:
    """The newest event of one workstation's chain."""

    workstation_id: str
    seq: int
    hash: str


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found. ``ok`` only when SQLite and every chain check out."""

    ok: bool
    problems: list[str]
    integrity: str
    sqlite_version: str
    journal_mode: str
    synchronous: str
    counts: dict[str, int]
    chain_heads: dict[str, ChainHead]
    findings: list[Finding] = field(default_factory=list)
    path: str = ""
    schema_version: int = 0
    #: Not problems, but what verify could not prove (unsigned entries of older files).
    notes: list[str] = field(default_factory=list)
    #: Registered signing keys and what confirms each (only when checked with anchors).
    keys: list[dict[str, object]] = field(default_factory=list)
    #: Workstation -> (first, last) unsigned entry.
    unsigned: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: True when keys and witnesses from outside the record were checked.
    anchored: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (``mgso4 verify --json``)."""
        return {
            "ok": self.ok,
            "path": self.path,
            "problems": list(self.problems),
            "findings": [
                {
                    "kind": f.kind,
                    "message": f.message,
                    "workstation_id": f.workstation_id,
                    "seq": f.seq,
                    "uuid": f.uuid,
                }
                for f in self.findings
            ],
            "integrity": self.integrity,
            "sqlite_version": self.sqlite_version,
            "journal_mode": self.journal_mode,
            "synchronous": self.synchronous,
            "schema_version": self.schema_version,
            "counts": dict(self.counts),
            "chain_heads": {
                ws: {"seq": head.seq, "hash": head.hash} for ws, head in self.chain_heads.items()
            },
            "notes": list(self.notes),
            "keys": [dict(key) for key in self.keys],
            "unsigned": {ws: list(span) for ws, span in self.unsigned.items()},
            "anchored": self.anchored,
        }


def _integrity(connection: sqlite3.Connection) -> str:
    lines = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    if lines == ["ok"]:
        return "ok"
    kept = lines[:MAX_INTEGRITY_LINES]
    more = len(lines) - len(kept)
    return "; ".join(kept) + (f"; … and {more} more" if more else "")


def _chain_message(workstation_id: str, seq: object, uuid: object, what: str) -> str:
    return f"Chain of workstation {workstation_id}, entry {seq} ({uuid}): {what}"


def _judge_link(row: EventRow, expected_seq: int, expected_prev: str) -> tuple[str, str] | Event:
    """The event a row holds if it is a sound next link, else (kind, what is wrong)."""
    try:
        event = row_to_event(row)
    except RowError as exc:
        return UNREADABLE, f"cannot be read as an entry ({exc})"
    if event_to_row(event) != tuple(row):
        return NOT_CANONICAL, "a stored field is not in its saved form (the text was altered)"
    if event.computed_hash() != event.hash:
        return (
            HASH_MISMATCH,
            "its contents do not match its hash (the entry was altered after it was saved)",
        )
    if event.seq != expected_seq:
        return (
            SEQ_GAP,
            f"sequence number {event.seq} where {expected_seq} was expected "
            "(an entry is missing or out of order)",
        )
    if event.prev_hash != expected_prev:
        return (
            BROKEN_LINK,
            "its link to the previous entry does not match (an earlier entry was altered, "
            "removed or replaced)",
        )
    return event


def check_chains(
    rows: list[EventRow],
    *,
    sound: dict[str, list[ChainEntry]] | None = None,
) -> tuple[list[Finding], dict[str, ChainHead], dict[str, tuple[str, str, bool]]]:
    """Check every chain in rows sorted by (workstation_id, seq).

    Args:
        rows: every event row, sorted by (workstation_id, seq).
        sound: if given, filled with each chain's entries up to its first broken link (what
            the signature checks then judge).

    Returns:
        The findings (first broken link per chain), the chain heads, and for every sound
        ``episode-created`` event its episode's (created_at, workstation_id, training).
    """
    findings: list[Finding] = []
    heads: dict[str, ChainHead] = {}
    creations: dict[str, tuple[str, str, bool]] = {}
    expected: dict[str, tuple[int, str]] = {}
    broken: set[str] = set()
    for row in rows:
        uuid, workstation_id, seq, stored_hash = str(row[0]), str(row[8]), row[13], str(row[15])
        seq_number = seq if isinstance(seq, int) else None
        heads[workstation_id] = ChainHead(workstation_id, seq_number or -1, stored_hash)
        if workstation_id in broken:
            continue
        expected_seq, expected_prev = expected.get(workstation_id, (1, GENESIS_HASH))
        judged = _judge_link(row, expected_seq, expected_prev)
        if isinstance(judged, tuple):
            kind, what = judged
            message = _chain_message(workstation_id, seq, uuid, what)
            findings.append(Finding(kind, message, workstation_id, seq_number, uuid))
            broken.add(workstation_id)
            continue
        expected[workstation_id] = (judged.seq + 1, judged.hash)
        if sound is not None:
            sound.setdefault(workstation_id, []).append(
                ChainEntry(judged.seq, judged.uuid, judged.hash)
            )
        if judged.type is EventType.EPISODE_CREATED and judged.episode_uuid is not None:
            creations[judged.episode_uuid] = (
                str(row[4]),
                judged.workstation_id,
                bool(judged.payload.get("training", False)),
            )
    return findings, heads, creations


def verify_connection(
    connection: sqlite3.Connection,
    *,
    path: Path | str = "",
    anchors: Anchors | None = None,
) -> VerifyReport:
    """Verify an open record (read-only work: nothing is written).

    The rows are read in one read transaction (a consistent snapshot, held briefly) and checked
    after it ends, so a long check never holds up another copy of the app that is saving.

    Args:
        connection: an open connection to the record.
        path: the file, for messages and the length check.
        anchors: keys and witnesses from outside the record (``Anchors.local(...)``); None
            checks signatures against the keys registered in the record only.

    Raises:
        sqlite3.Error: if SQLite cannot read the file at all (the caller translates it).
    """
    findings: list[Finding] = []
    journal_mode = pragma_text(connection, "journal_mode")
    synchronous = pragma_text(connection, "synchronous")
    notes: list[str] = []
    began = False
    if not connection.in_transaction:
        connection.execute("BEGIN")
        began = True
    try:
        try:
            version = read_user_version(connection)
            application_id = read_application_id(connection)
        except sqlite3.DatabaseError:
            version, application_id = -1, 0
        foreign = foreign_object_problem(connection)
        if foreign is not None:
            # Nothing more is read: a view or virtual table can make SQLite work without end.
            findings.append(Finding(SCHEMA, foreign))
            return _report(
                findings, foreign, journal_mode, synchronous, [], [], {}, path, version, notes
            )
        try:
            integrity = _integrity(connection)
            if integrity == "ok" and path:
                integrity = truncation_problem(connection, Path(path)) or "ok"
        except sqlite3.DatabaseError as exc:
            integrity = str(exc)
        except UnicodeDecodeError:
            integrity = "SQLite reports damage it cannot even describe in readable text"
        if integrity != "ok":
            findings.append(Finding(INTEGRITY, f"SQLite integrity check failed: {integrity}"))
        if not 1 <= version <= SCHEMA_VERSION or application_id != APPLICATION_ID:
            findings.append(
                Finding(
                    SCHEMA,
                    f"record format {version} (application id {application_id:#x}); this "
                    f"version reads formats 1 to {SCHEMA_VERSION}",
                )
            )
        elif version < 2:
            notes.append(
                f"Record format {version}: made before entries were signed. Opening it in the "
                "app (not read-only) brings it up to date; entries saved from then on are signed."
            )
        registrations: list[Registration] = []
        signatures: dict[str, str] = {}
        meta: dict[str, str] = {}
        try:
            rows = connection.execute(
                f"SELECT {SELECT_EVENT_COLUMNS} FROM event ORDER BY workstation_id, seq"
            ).fetchall()
            episodes = connection.execute(
                "SELECT uuid, created_at, workstation_id, training FROM episode ORDER BY uuid"
            ).fetchall()
            safeguards = {
                str(row[0])
                for row in connection.execute(
                    "SELECT name FROM sqlite_schema WHERE type IN ('trigger', 'index')"
                )
            }
            orphans = connection.execute(
                "SELECT e.uuid FROM event e LEFT JOIN episode p ON p.uuid = e.episode_uuid "
                "WHERE e.episode_uuid IS NOT NULL AND p.uuid IS NULL"
            ).fetchall()
            meta = read_meta(connection)
            if version >= 2:
                registrations = [
                    Registration(str(a), int(b), str(c), str(d), str(e))
                    for a, b, c, d, e in connection.execute(
                        "SELECT workstation_id, from_seq, public_key, registered_at, note "
                        "FROM workstation_key ORDER BY workstation_id, from_seq"
                    )
                ]
                signatures = {
                    str(uuid): str(signature)
                    for uuid, signature in connection.execute(
                        "SELECT event_uuid, signature FROM event_signature"
                    )
                }
        except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
            findings.append(Finding(INTEGRITY, f"the entries could not be read: {exc}"))
            rows, episodes, orphans = [], [], []
            safeguards = {*required_triggers(version), *REQUIRED_INDEXES}
    finally:
        if began and connection.in_transaction:
            connection.execute("COMMIT")

    sound: dict[str, list[ChainEntry]] = {}
    chain_findings, heads, creations = check_chains(rows, sound=sound)
    findings.extend(chain_findings)
    for (uuid,) in orphans:
        findings.append(
            Finding(
                EPISODE_MISMATCH, f"Entry {uuid} belongs to an episode that is not in the record"
            )
        )
    episode_uuids = set()
    for uuid, created_at, workstation_id, training in episodes:
        episode_uuids.add(uuid)
        creation = creations.get(uuid)
        if creation is not None and creation != (created_at, workstation_id, bool(training)):
            findings.append(
                Finding(
                    EPISODE_MISMATCH,
                    f"Episode {uuid}: its row does not match its creation entry",
                    uuid=uuid,
                )
            )
    for uuid in sorted(set(creations) - episode_uuids):
        findings.append(
            Finding(EPISODE_MISMATCH, f"Episode {uuid} has a creation entry but no episode row")
        )
    missing = [n for n in (*required_triggers(version), *REQUIRED_INDEXES) if n not in safeguards]
    if missing:
        findings.append(
            Finding(
                SAFEGUARD_MISSING,
                "the database safeguards that refuse changes and deletions are missing "
                f"({', '.join(missing)}): something changed the file outside the app",
            )
        )
    signing: SigningResult = check_signing(
        sound,
        signatures,
        registrations,
        record_workstation=meta.get("workstation_id"),
        record_created_at=meta.get("created_at", ""),
        signed_format=version >= 2,
        anchors=anchors,
    )
    findings.extend(signing.findings)
    notes.extend(signing.notes)
    if anchors is not None:
        notes.extend(f"Witness not used: {problem}" for problem in anchors.witness_problems)
    report = _report(
        findings,
        integrity,
        journal_mode,
        synchronous,
        rows,
        episodes,
        heads,
        path,
        version,
        notes,
    )
    report.keys.extend(key.as_dict() for key in signing.keys)
    report.unsigned.update(signing.unsigned)
    return replace(report, anchored=anchors is not None)


def _report(
    findings: list[Finding],
    integrity: str,
    journal_mode: str,
    synchronous: str,
    rows: list[EventRow],
    episodes: list[Any],
    heads: dict[str, ChainHead],
    path: Path | str,
    version: int,
    notes: list[str],
) -> VerifyReport:
    return VerifyReport(
        ok=not findings,
        problems=[f.message for f in findings],
        integrity=integrity,
        sqlite_version=sqlite3.sqlite_version,
        journal_mode=journal_mode,
        synchronous=synchronous,
        counts={"episodes": len(episodes), "events": len(rows), "chains": len(heads)},
        chain_heads=heads,
        findings=findings,
        path=str(path),
        schema_version=version,
        notes=notes,
    )


def failed_report(path: Path | str, problem: str) -> VerifyReport:
    """A report for a file that could not be opened or read at all."""
    return VerifyReport(
        ok=False,
        problems=[problem],
        integrity=problem,
        sqlite_version=sqlite3.sqlite_version,
        journal_mode="",
        synchronous="",
        counts={"episodes": 0, "events": 0, "chains": 0},
        chain_heads={},
        findings=[Finding(INTEGRITY, problem)],
        path=str(path),
    )


def verify_path(
    path: Path,
    *,
    busy_timeout_s: float = 10.0,
    anchors: Anchors | None = None,
) -> VerifyReport:
    """Open a file read-only, verify it and close it; never raises for a bad file.

    A file that is missing, not a database, unreadable, damaged beyond reading or crafted to
    make SQLite work without end gives a report with ``ok=False``.
    """
    if not path.is_file():
        return failed_report(path, f"there is no file at {path}")
    if path.stat().st_size == 0:
        return failed_report(path, f"the file {path} is empty")
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(
            uri, uri=True, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        return failed_report(path, f"the file {path} could not be opened: {exc}")
    try:
        connection.text_factory = lenient_text
        connection.execute("PRAGMA trusted_schema = OFF")
        with bound_work(connection, path):
            return verify_connection(connection, path=path, anchors=anchors)
    except UnicodeDecodeError:
        # SQLite's error message quoted damaged bytes (the text factory covers values only).
        return failed_report(
            path,
            f"the file {path} is damaged beyond reading (SQLite's own report of it is not "
            "readable text)",
        )
    except sqlite3.Error as exc:
        if "interrupted" in str(exc):
            return failed_report(
                path,
                f"the file {path} makes SQLite work far longer than any record needs, so "
                "reading it was stopped (a crafted or badly damaged file)",
            )
        return failed_report(path, f"the file {path} could not be read: {exc}")
    finally:
        connection.close()


def record_fingerprint(path: Path) -> str:
    """SHA-256 over the bytes of a record file and of its write-ahead log and rollback journal
    (each named, sized and marked absent or present): two fingerprints are equal only when
    a reader of the record sees byte-for-byte the same files, so a verification of the one
    holds for the other.

    About a second for a 1.2 GB record (100,000 episodes) once the file is in the system's
    cache; the full verification it can spare takes minutes at that size.

    Raises:
        OSError: a file that exists cannot be read.
    """
    digest = hashlib.sha256()
    for suffix in RECORD_FILE_SUFFIXES:
        part = path.with_name(path.name + suffix)
        try:
            handle = part.open("rb")
        except FileNotFoundError:
            digest.update(f"{suffix or 'record'}:absent;".encode("ascii"))
            continue
        with handle:
            size = os.fstat(handle.fileno()).st_size
            digest.update(f"{suffix or 'record'}:{size};".encode("ascii"))
            read = 0
            while block := handle.read(_FINGERPRINT_BLOCK):
                digest.update(block)
                read += len(block)
            # A file that grew or shrank while it was read is not one state of the record.
            digest.update(f";read:{read}".encode("ascii"))
    return digest.hexdigest()
