"""Append one event: ``Store.append`` vs a raw sqlite3 INSERT + COMMIT of the same row.

The app side is the store's whole save path: ``BEGIN IMMEDIATE``, read the chain head, seal
(SHA-256 over the canonical event), insert (with the table's indexes, the append-only and
chain triggers), ``COMMIT``. The drafts are built before timing, as the screen builds them
before it saves.

The baseline is the floor: a plain sqlite3 connection to another file in the same folder,
set to the same journal mode, ``synchronous`` level and page size as the store uses on this
SQLite build, inserting the same kind of row (an observation's 16 stored fields, the row the
store itself wrote for an equal event, with a fresh uuid) into a table of the same columns
with only its primary key, in its own ``BEGIN IMMEDIATE … COMMIT``.

Target (issue #8): ≤ 2 × the baseline.
"""

from __future__ import annotations

import sqlite3
import uuid as uuid_module
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import Result, interleave, ratio_result, scratch_folder, timed

from mgso4.core.episode import (
    Actor,
    Dating,
    EpisodeCreated,
    EventDraft,
    EventType,
    Observation,
    Patient,
)
from mgso4.core.gestation import DatingMethod
from mgso4.core.protocol import ProtocolLibrary
from mgso4.core.vocab import IdentifierType, Role
from mgso4.storage import Store
from mgso4.storage.rows import EVENT_COLUMNS, event_to_row

TARGET = 2.0
#: The shipped UK protocol: the store checks every entry against its rules (core.actions).
PROTOCOL = ProtocolLibrary(Path(__file__).resolve().parents[1] / "resources" / "protocols").load(
    "uk-nice-ng25"
)
MIDWIFE = Actor(name="Bench Midwife", role=Role.MIDWIFE)
STARTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def creation_draft(episode_uuid: str) -> EventDraft:
    """A new episode (synthetic test NHS number, fictional name)."""
    return EventDraft.make(
        EventType.EPISODE_CREATED,
        EpisodeCreated(
            patient=Patient(id_type=IdentifierType.NHS, identifier="9434765919", name="Bench Case"),
            dating=Dating(
                method=DatingMethod.WEEKS_DAYS, stated_gestation="27+3", stated_on=STARTED.date()
            ),
            preparation_id="20pct-ready",
        ),
        episode_uuid=episode_uuid,
        occurred_at=STARTED,
        recorded_by=MIDWIFE,
    )


def observation_draft(episode_uuid: str, minute: int) -> EventDraft:
    """One set of observations (the commonest entry on the ward)."""
    return EventDraft.make(
        EventType.OBSERVATION,
        Observation(pulse_per_min=84, systolic_mmhg=118, diastolic_mmhg=72, rr_per_min=16),
        episode_uuid=episode_uuid,
        occurred_at=STARTED + timedelta(minutes=minute),
        recorded_by=MIDWIFE,
    )


def read_pragmas(path: Path) -> dict[str, str]:
    """Journal mode, synchronous level (as a number) and page size of an open record."""
    connection = sqlite3.connect(path)
    try:
        return {
            name: str(connection.execute(f"PRAGMA {name}").fetchone()[0])
            for name in ("journal_mode", "page_size")
        }
    finally:
        connection.close()


def open_baseline(
    path: Path, *, journal_mode: str, synchronous: str, page_size: str
) -> sqlite3.Connection:
    """A raw connection with the store's pragmas and a plain table of the event columns."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA page_size = {int(page_size)}")
    connection.execute(f"PRAGMA journal_mode = {journal_mode}")
    connection.execute(f"PRAGMA synchronous = {synchronous}")
    columns = ", ".join(
        f"{name} {'INTEGER' if name == 'seq' else 'TEXT'}"
        + (" PRIMARY KEY" if name == "uuid" else "")
        for name in EVENT_COLUMNS
    )
    connection.execute(f"CREATE TABLE IF NOT EXISTS event ({columns}) STRICT")
    return connection


def bench_append(*, events: int = 1000, warmup: int = 20) -> list[Result]:
    """Median milliseconds per saved event, app vs baseline, alternating event by event.

    One app append and one baseline insert are taken in turn (the order swapping every
    pair), so a burst of disk activity from elsewhere falls on both sides alike.

    Args:
        events: Appends per side.
        warmup: Unrecorded pairs first (statements compiled, pages cached).
    """
    with scratch_folder("append") as folder:
        store = Store.open(folder / "record.sqlite3")
        try:
            episode_uuid = str(uuid_module.uuid4())
            store.append(creation_draft(episode_uuid), PROTOCOL)
            sample_event = store.append(observation_draft(episode_uuid, 0), PROTOCOL)
            pragmas = read_pragmas(store.path)
            synchronous = store_synchronous(store)
            template = list(event_to_row(sample_event))
            baseline = open_baseline(
                folder / "baseline.sqlite3",
                journal_mode=pragmas["journal_mode"],
                synchronous=synchronous,
                page_size=pragmas["page_size"],
            )
            insert = (
                f"INSERT INTO event ({', '.join(EVENT_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
            )
            minute = [0]

            def app_once() -> float:
                minute[0] += 1
                draft = observation_draft(episode_uuid, minute[0])  # built before timing
                return timed(lambda: store.append(draft, PROTOCOL)) * 1000

            def baseline_once() -> float:
                row = list(template)
                row[0] = str(uuid_module.uuid4())

                def save() -> None:
                    baseline.execute("BEGIN IMMEDIATE")
                    baseline.execute(insert, row)
                    baseline.execute("COMMIT")

                return timed(save) * 1000

            try:
                app_samples, baseline_samples = interleave(
                    app_once, baseline_once, runs=events, warmup=warmup
                )
            finally:
                baseline.close()
        finally:
            store.close()
    return [
        ratio_result(
            key="append",
            title="Append one event (observation), saved and committed",
            unit="ms",
            app_samples=app_samples,
            baseline_samples=baseline_samples,
            target=TARGET,
            baseline_title=(
                "raw sqlite3 INSERT + COMMIT of the same row, same journal mode, synchronous "
                "and page size"
            ),
            details={
                "events_per_side": events,
                "journal_mode": pragmas["journal_mode"],
                "synchronous": synchronous,
                "page_size": int(pragmas["page_size"]),
                "sqlite_version": sqlite3.sqlite_version,
            },
        )
    ]


def store_synchronous(store: Store) -> str:
    """The ``synchronous`` level the store set for its journal mode (by name)."""
    from mgso4.storage.sqlite_setup import synchronous_for

    mode = "wal" if store.journal_mode == "wal" else "delete"
    return synchronous_for(mode)
