"""Checking a record: SQLite's own integrity check, then every workstation's hash chain.

For each chain, in ``seq`` order, every event is rebuilt from its stored fields and must:

1. be readable as an event, with every field in its one canonical spelling;
2. hash (``Event.computed_hash``) to the stored hash: nothing in it changed after it was saved;
3. carry the next ``seq`` (1, 2, …): nothing removed from the middle;
4. link to the previous event's hash (``GENESIS_HASH`` for the first).

The first broken link of each chain is reported (workstation, seq, uuid, what is wrong); events
after it are still counted but not judged, since one break makes every later link suspect.
Removing the newest events of a chain leaves a shorter valid chain: the chain head printed on
every proforma and export is what proves the length.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mgso4.core.episode import GENESIS_HASH, Event, EventType
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
    REQUIRED_TRIGGERS,
    SCHEMA_VERSION,
    read_application_id,
    read_user_version,
)
from mgso4.storage.sqlite_setup import pragma_text, truncation_problem

#: integrity_check lines kept in a report (SQLite can list thousands for a badly damaged file).
MAX_INTEGRITY_LINES = 20


@dataclass(frozen=True)
class ChainHead:
    """The newest event of one workstation's chain."""

    workstation_id: str
    seq: int
    hash: str


@dataclass(frozen=True)
class Finding:
    """One problem found, with where it is (when it is in a chain)."""

    kind: str
    message: str
    workstation_id: str | None = None
    seq: int | None = None
    uuid: str | None = None


# Kinds of finding.
INTEGRITY = "integrity"
SCHEMA = "schema"
UNREADABLE = "unreadable"
NOT_CANONICAL = "not-canonical"
HASH_MISMATCH = "hash-mismatch"
SEQ_GAP = "seq-gap"
BROKEN_LINK = "broken-link"
EPISODE_MISMATCH = "episode-mismatch"
SAFEGUARD_MISSING = "safeguard-missing"
CHAIN_KINDS = frozenset({UNREADABLE, NOT_CANONICAL, HASH_MISMATCH, SEQ_GAP, BROKEN_LINK})


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
) -> tuple[list[Finding], dict[str, ChainHead], dict[str, tuple[str, str, bool]]]:
    """Check every chain in rows sorted by (workstation_id, seq).

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
        if judged.type is EventType.EPISODE_CREATED and judged.episode_uuid is not None:
            creations[judged.episode_uuid] = (
                str(row[4]),
                judged.workstation_id,
                bool(judged.payload.get("training", False)),
            )
    return findings, heads, creations


def verify_connection(connection: sqlite3.Connection, *, path: Path | str = "") -> VerifyReport:
    """Verify an open record (read-only work: nothing is written).

    The rows are read in one read transaction (a consistent snapshot, held briefly) and checked
    after it ends, so a long check never holds up another copy of the app that is saving.

    Raises:
        sqlite3.Error: if SQLite cannot read the file at all (the caller translates it).
    """
    findings: list[Finding] = []
    journal_mode = pragma_text(connection, "journal_mode")
    synchronous = pragma_text(connection, "synchronous")
    began = False
    if not connection.in_transaction:
        connection.execute("BEGIN")
        began = True
    try:
        try:
            integrity = _integrity(connection)
            if integrity == "ok" and path:
                integrity = truncation_problem(connection, Path(path)) or "ok"
        except sqlite3.DatabaseError as exc:
            integrity = str(exc)
        if integrity != "ok":
            findings.append(Finding(INTEGRITY, f"SQLite integrity check failed: {integrity}"))
        try:
            version = read_user_version(connection)
            application_id = read_application_id(connection)
        except sqlite3.DatabaseError:
            version, application_id = -1, 0
        if version != SCHEMA_VERSION or application_id != APPLICATION_ID:
            findings.append(
                Finding(
                    SCHEMA,
                    f"record format {version} (application id {application_id:#x}); this "
                    f"version expects format {SCHEMA_VERSION}",
                )
            )
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
        except sqlite3.DatabaseError as exc:
            findings.append(Finding(INTEGRITY, f"the entries could not be read: {exc}"))
            rows, episodes, orphans = [], [], []
            safeguards = {*REQUIRED_TRIGGERS, *REQUIRED_INDEXES}
    finally:
        if began and connection.in_transaction:
            connection.execute("COMMIT")

    chain_findings, heads, creations = check_chains(rows)
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
    missing = [n for n in (*REQUIRED_TRIGGERS, *REQUIRED_INDEXES) if n not in safeguards]
    if missing:
        findings.append(
            Finding(
                SAFEGUARD_MISSING,
                "the database safeguards that refuse changes and deletions are missing "
                f"({', '.join(missing)}): something changed the file outside the app",
            )
        )
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


def verify_path(path: Path, *, busy_timeout_s: float = 10.0) -> VerifyReport:
    """Open a file read-only, verify it and close it; never raises for a bad file.

    A file that is missing, not a database or unreadable gives a report with ``ok=False``.
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
        connection.execute("PRAGMA trusted_schema = OFF")
        return verify_connection(connection, path=path)
    except sqlite3.Error as exc:
        return failed_report(path, f"the file {path} could not be read: {exc}")
    finally:
        connection.close()
