"""Merge several workstations' records into one file for audit, keeping every chain provable.

Each source is checked first (``storage.verify_path``: SQLite's integrity check and every
workstation's hash chain). A source with any problem is **refused whole**, with a message naming
the file and the first broken link; nothing of it is copied.

Copying keeps provenance: every event keeps its uuid, workstation id, ``seq``, ``prev_hash`` and
``hash`` exactly as in its source, so every source chain still verifies in the target. Events are
de-duplicated by uuid: an identical event already in the target is skipped; an event whose uuid
is in the target with different content is a **conflict**: it is reported and not copied (and
the rest of its chain, which can no longer link, is reported as blocked). Episode rows are
copied the same way.

One transaction per source: a source is merged completely or not at all. Merging the same
sources again changes nothing (everything is skipped). Overlapping sources (an older and a newer
copy of one workstation's file) merge cleanly: the shared part is skipped, the newer part added.

The target's append-only triggers stay in force: this module only INSERTs, and the database
itself refuses an event that does not extend its workstation's chain. (``storage`` has no
insert-raw-event API yet; this module uses its own connection with the store's pragmas.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from mgso4.audit.progress import AuditError, ProgressCallback, check_cancel, report
from mgso4.storage import Store, verify_path
from mgso4.storage.errors import translate
from mgso4.storage.rows import INSERT_EVENT_SQL, SELECT_EVENT_COLUMNS, EventRow
from mgso4.storage.sqlite_setup import close_quietly, connect, journal_mode_for, set_journal_mode
from mgso4.storage.verify import CHAIN_KINDS

#: Conflict messages kept per source (the counts are always complete).
MAX_MESSAGES: Final = 50
_PROGRESS_EVERY: Final = 2000
_EPISODE_COLUMNS: Final = "uuid, created_at, workstation_id, training"
_CANCELLED: Final = (
    "nothing of the file being merged was copied; files merged before it stay merged"
)


@dataclass
class SourceResult:
    """What happened to one source file."""

    path: Path
    refused: str | None = None
    added: int = 0
    skipped: int = 0
    conflicts: int = 0
    episodes_added: int = 0
    episodes_skipped: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Merged with no refusal and no conflict."""
        return self.refused is None and self.conflicts == 0

    def note(self, message: str) -> None:
        """Keep a conflict message (up to :data:`MAX_MESSAGES`)."""
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
        """Every source merged with no refusal and no conflict."""
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


def merge_into(
    target: Path | str,
    sources: Sequence[Path | str],
    *,
    progress: ProgressCallback | None = None,
    cancel: object | None = None,
) -> MergeReport:
    """Copy the events of each verified source into the target record (created if missing).

    Args:
        target: The combined record. If it does not exist, a new record is created.
        sources: Records to merge in, in order.
        progress: Called with ("Merging <file name>", done, total) per source.
        cancel: ``threading.Event`` or callable, checked every few thousand events; the current
            source's transaction is rolled back (sources already merged stay merged).

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
    # Store.open checks the target (a record, a known version, not damaged, a safe place) and
    # creates it if missing; the copy then uses a connection with the store's own pragmas.
    Store.open(target).close()
    result = MergeReport(target=target)
    for source in (Path(item) for item in sources):
        check_cancel(cancel, "The merge", _CANCELLED)
        outcome = SourceResult(path=source)
        result.sources.append(outcome)
        refusal = _refusal(target, source)
        if refusal is not None:
            outcome.refused = refusal
            continue
        _merge_one(target, source, outcome, progress, cancel)
    return result


def _refusal(target: Path, source: Path) -> str | None:
    """Why a source cannot be merged, or None."""
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


def _merge_one(
    target: Path,
    source: Path,
    outcome: SourceResult,
    progress: ProgressCallback | None,
    cancel: object | None,
) -> None:
    stage = f"Merging {source.name}"
    source_connection = connect(source, readonly=True)
    try:
        episodes = source_connection.execute(
            f"SELECT {_EPISODE_COLUMNS} FROM episode ORDER BY uuid"
        ).fetchall()
        events: list[EventRow] = source_connection.execute(
            f"SELECT {SELECT_EVENT_COLUMNS} FROM event ORDER BY workstation_id, seq"
        ).fetchall()
    except sqlite3.Error as exc:
        raise translate(exc, path=source, writing=False) from None
    finally:
        source_connection.close()
    report(progress, stage, 0, len(events))
    connection = connect(target, readonly=False)
    try:
        set_journal_mode(connection, target, journal_mode_for(sqlite3.sqlite_version))
        connection.execute("BEGIN IMMEDIATE")
        try:
            by_uuid, present = _copy_episodes(connection, episodes, outcome)
            _copy_events(connection, events, by_uuid, present, outcome, progress, cancel, stage)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise translate(exc, path=target, writing=True) from None
    finally:
        close_quietly(connection)
    report(progress, stage, len(events), len(events))


def _copy_episodes(
    connection: sqlite3.Connection, episodes: Sequence[tuple[object, ...]], outcome: SourceResult
) -> tuple[dict[str, tuple[object, ...]], set[str]]:
    """Compare the source's episode rows with the target's.

    Returns the source rows by uuid and the uuids the target already holds. New episode rows
    are not inserted here: each goes in together with the first of its events that is copied
    (so a source whose events all conflict leaves no empty episode behind).
    """
    by_uuid = {str(row[0]): tuple(row) for row in episodes}
    present: set[str] = set()
    for uuid, row in by_uuid.items():
        existing = connection.execute(
            f"SELECT {_EPISODE_COLUMNS} FROM episode WHERE uuid = ?", (uuid,)
        ).fetchone()
        if existing is None:
            continue
        present.add(uuid)
        if tuple(existing) == row:
            outcome.episodes_skipped += 1
        else:
            outcome.conflicts += 1
            outcome.note(
                f"Episode {uuid}: the target holds a different episode row with this id "
                "(creation time, workstation or training flag differ); kept the target's."
            )
    return by_uuid, present


def _copy_events(
    connection: sqlite3.Connection,
    events: Sequence[EventRow],
    episodes: dict[str, tuple[object, ...]],
    present: set[str],
    outcome: SourceResult,
    progress: ProgressCallback | None,
    cancel: object | None,
    stage: str,
) -> None:
    blocked: dict[str, str] = {}  # workstation id → uuid of the first entry that could not link
    for index, row in enumerate(events, start=1):
        if index % _PROGRESS_EVERY == 0:
            check_cancel(cancel, "The merge", _CANCELLED)
            report(progress, stage, index, len(events))
        uuid, workstation_id, seq = str(row[0]), str(row[8]), int(row[13])
        existing = connection.execute(
            f"SELECT {SELECT_EVENT_COLUMNS} FROM event WHERE uuid = ?", (uuid,)
        ).fetchone()
        if existing is not None:
            if tuple(existing) == tuple(row):
                outcome.skipped += 1
                continue
            outcome.conflicts += 1
            blocked.setdefault(workstation_id, uuid)
            outcome.note(
                f"Entry {uuid} (workstation {workstation_id}, entry {seq}): the target holds "
                "different content under this id; not copied."
            )
            continue
        if workstation_id in blocked:
            outcome.conflicts += 1
            outcome.note(
                f"Entry {uuid} (workstation {workstation_id}, entry {seq}): not copied, because "
                f"an earlier entry of its chain ({blocked[workstation_id]}) was not copied and "
                "it could no longer link to it."
            )
            continue
        episode_uuid = None if row[1] is None else str(row[1])
        new_episode = (
            episodes.get(episode_uuid)
            if episode_uuid is not None and episode_uuid not in present
            else None
        )
        # When the entry brings a new episode row, both go in under a savepoint, so the
        # database refusing the entry also undoes its episode row. Otherwise the refused
        # statement alone is undone. Either way the source's transaction and everything copied
        # so far stand.
        if new_episode is not None:
            connection.execute("SAVEPOINT merge_entry")
        try:
            if new_episode is not None:
                connection.execute(
                    f"INSERT INTO episode ({_EPISODE_COLUMNS}) VALUES (?, ?, ?, ?)", new_episode
                )
            connection.execute(INSERT_EVENT_SQL, tuple(row))
        except sqlite3.IntegrityError as exc:
            if new_episode is not None:
                connection.execute("ROLLBACK TO merge_entry")
                connection.execute("RELEASE merge_entry")
            outcome.conflicts += 1
            blocked.setdefault(workstation_id, uuid)
            outcome.note(
                f"Entry {uuid} (workstation {workstation_id}, entry {seq}): the target refused "
                f"it ({exc}); its chain for that workstation holds a different entry here, or "
                "its episode is missing. Not copied."
            )
            continue
        if new_episode is not None and episode_uuid is not None:
            connection.execute("RELEASE merge_entry")
            present.add(episode_uuid)
            outcome.episodes_added += 1
        outcome.added += 1
