"""Fast read-only SQL reader of the audit facts (100,000 episodes in seconds, not minutes).

Folding every episode with ``core.episode.fold`` validates each event as a pydantic model; that
is right for one episode on screen and too slow for a year of a network's records. This reader
asks SQLite, on a read-only connection (``file:…?mode=ro``), for only the events the audit needs
and applies the same rules as the fold:

- an event is ignored when a ``void`` in the same episode targets it;
- events apply in clinical-time order, ties in chain order (``occurred_at``, ``seq``), the
  later replacing the earlier (last assessment, last load start of a course, last birth of a
  baby number, last not-given reason);
- the episode's creation is its first un-voided ``episode-created`` event in chain order;
- a course exists once its loading dose starts (or its maintenance restarts without a load).

**Amendments** can change any field of their target (and its clinical time), and an entry that
makes no sense where it stands is not applied by the fold but listed as a data problem
(``core.episode.HANDLERS``). So an episode holding any ``amendment``, or any entry that would
not apply cleanly (a course event out of order, a second load of a course, a birth recorded
twice…), is read with the core fold itself (its events only). The result
is the same facts by construction; ``tests/audit/test_sql_agreement.py`` checks that both paths
give identical facts on demo data with amendments and voids.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from mgso4.audit.facts import (
    BirthFacts,
    CourseFacts,
    EpisodeFacts,
    episode_facts_from_state,
    safe_gestation,
)
from mgso4.audit.progress import ProgressCallback, check_cancel, report
from mgso4.core.episode import Dating, EventType, fold
from mgso4.core.timeutil import LONDON
from mgso4.core.vocab import Situation
from mgso4.storage.rows import SELECT_EVENT_COLUMNS, parse_stored_utc, row_to_event
from mgso4.storage.spec import is_server_spec
from mgso4.storage.sqlite_setup import connect

#: Event types the audit reads. Course events without a time the audit uses (load finished,
#: rate and syringe changes) are read only because they create a course, as in the fold.
_AUDIT_TYPES: Final = (
    EventType.EPISODE_CREATED,
    EventType.ASSESSED,
    EventType.DECISION,
    EventType.LOAD_STARTED,
    EventType.LOAD_FINISHED,
    EventType.MAINTENANCE_STARTED,
    EventType.RATE_CHANGED,
    EventType.SYRINGE_CHANGED,
    EventType.INFUSION_STOPPED,
    EventType.BIRTH,
    EventType.NOT_GIVEN,
)

_STAGE_LABEL: Final = "Reading episodes"
_PROGRESS_EVERY: Final = 500


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to a record (``mode=ro``); nothing can be written through it.

    Raises:
        mgso4.storage.errors.StoreError: the file is missing, locked or damaged.
    """
    return connect(path, readonly=True)


@dataclass
class _Course:
    number: int
    load_started_at: datetime | None = None
    maintenance_started_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_reason: str | None = None
    load_dose_g: Decimal | None = None
    maintenance_rate_g_per_h: Decimal | None = None
    restarted_without_load: bool = False
    load_finished: bool = False


@dataclass
class _Episode:
    uuid: str
    created_seq: int | None = None
    created_payload: dict[str, Any] | None = None
    created_at: datetime | None = None
    workstation_id: str = ""
    protocol_id: str = ""
    protocol_version: str = ""
    assessed: dict[str, Any] | None = None
    assessed_at: datetime | None = None
    decision_give: bool | None = None
    courses: dict[int, _Course] = field(default_factory=dict)
    births: dict[int, tuple[dict[str, Any], datetime, str]] = field(default_factory=dict)
    not_given: dict[str, Any] | None = None
    not_given_at: datetime | None = None
    creations: int = 0
    running: int | None = None
    #: Something the fold would not apply cleanly: read this episode with the fold instead.
    irregular: bool = False

    def start_course(self, number: int) -> _Course:
        if (
            self.running is not None
            or number in self.courses
            or number != max(self.courses, default=0) + 1
        ):
            self.irregular = True
        course = self.courses.setdefault(number, _Course(number))
        self.running = number
        return course

    def running_course(self, number: int) -> _Course:
        if self.running != number or number not in self.courses:
            self.irregular = True
        return self.courses.setdefault(number, _Course(number))


def read_facts_sql(
    path: Path,
    *,
    tz: ZoneInfo = LONDON,
    progress: ProgressCallback | None = None,
    cancel: object | None = None,
) -> list[EpisodeFacts]:
    """Every episode's audit facts, read with SQL on a read-only connection.

    Args:
        path: The record file.
        tz: Zone for the local calendar date of birth (gestation at birth).
        progress: Called with ("Reading episodes", done, total).
        cancel: A ``threading.Event`` or callable; checked every few hundred episodes.

    Raises:
        Cancelled: the caller cancelled.
        mgso4.storage.errors.StoreError: the file cannot be read.
    """
    connection = open_readonly(path)
    try:
        return list(_read(connection, tz, progress, cancel))
    finally:
        connection.close()


def _read(
    connection: sqlite3.Connection,
    tz: ZoneInfo,
    progress: ProgressCallback | None,
    cancel: object | None,
) -> Iterator[EpisodeFacts]:
    total = int(connection.execute("SELECT count(*) FROM episode").fetchone()[0])
    report(progress, _STAGE_LABEL, 0, total)
    voided: set[tuple[str, str]] = {
        (str(episode_uuid), str(target))
        for episode_uuid, target in connection.execute(
            "SELECT episode_uuid, json_extract(payload, '$.target') FROM event "
            "WHERE type = ? AND episode_uuid IS NOT NULL",
            [EventType.VOID.value],
        )
    }
    amended: set[str] = {
        str(row[0])
        for row in connection.execute(
            "SELECT DISTINCT episode_uuid FROM event WHERE type = ? AND episode_uuid IS NOT NULL",
            [EventType.AMENDMENT.value],
        )
    }
    placeholders = ", ".join("?" for _ in _AUDIT_TYPES)
    cursor = connection.execute(
        "SELECT episode_uuid, uuid, type, payload, occurred_at, seq, workstation_id, "
        "protocol_id, protocol_version FROM event "
        f"WHERE episode_uuid IS NOT NULL AND type IN ({placeholders}) "
        "ORDER BY episode_uuid, occurred_at, seq",
        [t.value for t in _AUDIT_TYPES],
    )
    done = 0
    current: _Episode | None = None
    for row in cursor:
        episode_uuid = str(row[0])
        if current is None or current.uuid != episode_uuid:
            if current is not None:
                facts = _finish(connection, current, amended, tz)
                if facts is not None:
                    yield facts
                done += 1
                if done % _PROGRESS_EVERY == 0:
                    check_cancel(cancel, "Reading the record", "nothing was changed")
                    report(progress, _STAGE_LABEL, done, total)
            current = _Episode(episode_uuid)
        if episode_uuid in amended or (episode_uuid, str(row[1])) in voided:
            continue
        _apply(current, row)
    if current is not None:
        facts = _finish(connection, current, amended, tz)
        if facts is not None:
            yield facts
        done += 1
    report(progress, _STAGE_LABEL, done, total)


def _decimal(value: Any) -> Decimal:
    # Payload decimals are stored as JSON strings ("0.2"); str() also keeps a JSON number exact.
    return Decimal(str(value))


def _apply(episode: _Episode, row: tuple[Any, ...]) -> None:
    _, event_uuid, kind, payload_text, occurred_text, seq, workstation_id, protocol_id, version = (
        row
    )
    kind = EventType(kind)
    payload: dict[str, Any] = json.loads(payload_text)
    at = parse_stored_utc(occurred_text, "occurred_at")
    if kind is EventType.EPISODE_CREATED:
        episode.creations += 1
        # The first in chain order, as the fold takes it (not the first in clinical time).
        if episode.created_seq is None or int(seq) < episode.created_seq:
            episode.created_seq = int(seq)
            episode.created_payload = payload
            episode.created_at = at
            episode.workstation_id = str(workstation_id)
            episode.protocol_id = str(protocol_id)
            episode.protocol_version = str(version)
    elif kind is EventType.ASSESSED:
        episode.assessed, episode.assessed_at = payload, at
    elif kind is EventType.DECISION:
        episode.decision_give = bool(payload["give"])
    elif kind is EventType.LOAD_STARTED:
        course = episode.start_course(int(payload["course_number"]))
        course.load_started_at = at
        course.load_dose_g = _decimal(payload["dose_g"])
    elif kind is EventType.MAINTENANCE_STARTED:
        number = int(payload["course_number"])
        if payload.get("restart_without_load"):
            course = episode.start_course(number)
            course.restarted_without_load = True
        else:
            course = episode.running_course(number)
            if course.load_started_at is None or course.maintenance_started_at is not None:
                episode.irregular = True
        course.maintenance_started_at = at
        course.maintenance_rate_g_per_h = _decimal(payload["rate_ml_per_h"]) * _decimal(
            payload["concentration_g_per_ml"]
        )
    elif kind is EventType.INFUSION_STOPPED:
        course = episode.running_course(int(payload["course_number"]))
        course.stopped_at, course.stop_reason = at, str(payload["reason"])
        episode.running = None
    elif kind is EventType.LOAD_FINISHED:
        course = episode.running_course(int(payload["course_number"]))
        if (
            course.load_started_at is None
            or course.load_finished
            or course.maintenance_started_at is not None
        ):
            episode.irregular = True
        course.load_finished = True
    elif kind in (EventType.RATE_CHANGED, EventType.SYRINGE_CHANGED):
        course = episode.running_course(int(payload["course_number"]))
        if course.maintenance_started_at is None:
            episode.irregular = True
    elif kind is EventType.BIRTH:
        baby = int(payload["baby"])
        if baby in episode.births:
            episode.irregular = True
        episode.births[baby] = (payload, at, str(event_uuid))
    elif kind is EventType.NOT_GIVEN:
        episode.not_given, episode.not_given_at = payload, at


def _finish(
    connection: sqlite3.Connection, episode: _Episode, amended: set[str], tz: ZoneInfo
) -> EpisodeFacts | None:
    created = episode.created_payload
    plurality = 1 if created is None else max(int(created.get("plurality", 1)), 1)
    if (
        episode.uuid in amended
        or episode.irregular
        or episode.creations > 1
        or any(baby > plurality for baby in episode.births)
    ):
        return _facts_by_fold(connection, episode.uuid, tz)
    if created is None or episode.created_at is None:
        return None  # creation voided: entered in error, not an episode
    dating = Dating.model_validate(created["dating"])
    patient = created["patient"]
    date_of_birth = patient.get("date_of_birth")
    births = tuple(
        BirthFacts(
            baby=baby,
            label=str(payload.get("label") or f"Baby {baby}"),
            born_at=at,
            gestation=safe_gestation(dating, at, tz),
            event_uuid=event_uuid,
            neonatal_care=payload.get("neonatal_care"),
        )
        for baby, (payload, at, event_uuid) in sorted(episode.births.items())
    )
    courses = tuple(
        CourseFacts(
            number=course.number,
            load_started_at=course.load_started_at,
            maintenance_started_at=course.maintenance_started_at,
            stopped_at=course.stopped_at,
            stop_reason=course.stop_reason,
            load_dose_g=course.load_dose_g,
            maintenance_rate_g_per_h=course.maintenance_rate_g_per_h,
            restarted_without_load=course.restarted_without_load,
        )
        for _, course in sorted(episode.courses.items())
    )
    assessed = episode.assessed
    return EpisodeFacts(
        episode_uuid=episode.uuid,
        workstation_id=episode.workstation_id,
        created_at=episode.created_at,
        assessed_at=episode.assessed_at,
        protocol_id=episode.protocol_id,
        protocol_version=episode.protocol_version,
        unit_name=str(created.get("unit_name", "")),
        training=bool(created.get("training", False)),
        plurality=int(created.get("plurality", 1)),
        id_type=str(patient["id_type"]),
        identifier=str(patient["identifier"]),
        name=str(patient["name"]),
        date_of_birth=(None if date_of_birth is None else date.fromisoformat(str(date_of_birth))),
        dating=dating,
        gestation_days_at_decision=None if assessed is None else int(assessed["gestation_days"]),
        situation=None if assessed is None else Situation(assessed["situation"]),
        courses=courses,
        births=births,
        not_given_code=None if episode.not_given is None else str(episode.not_given["reason_code"]),
        not_given_text="" if episode.not_given is None else str(episode.not_given.get("text", "")),
        not_given_at=episode.not_given_at,
        decision_give=episode.decision_give,
    )


def _facts_by_fold(
    connection: sqlite3.Connection, episode_uuid: str, tz: ZoneInfo
) -> EpisodeFacts | None:
    """An amended episode, read with the core fold (exactly as the episode screen shows it)."""
    events = [
        row_to_event(tuple(row))
        for row in connection.execute(
            f"SELECT {SELECT_EVENT_COLUMNS} FROM event WHERE episode_uuid = ? ORDER BY seq",
            [episode_uuid],
        )
    ]
    try:
        state = fold(events, tz)
    except ValueError:
        return None  # creation voided: entered in error, not an episode
    return episode_facts_from_state(state)


def chain_heads(path: Path) -> dict[str, str]:
    """The newest hash of every workstation chain in a record (printed on every export).

    Raises:
        mgso4.storage.errors.StoreError: the file cannot be read.
    """
    if is_server_spec(path):
        from mgso4.storage import open_record

        with open_record(path, readonly=True) as store:
            return {point.workstation_id: point.hash for point in store.chain_points()}
    connection = open_readonly(path)
    try:
        rows = connection.execute(
            "SELECT e.workstation_id, e.hash FROM event e JOIN "
            "(SELECT workstation_id, max(seq) AS seq FROM event GROUP BY workstation_id) h "
            "ON h.workstation_id = e.workstation_id AND h.seq = e.seq ORDER BY e.workstation_id"
        ).fetchall()
    finally:
        connection.close()
    return {str(workstation_id): str(head) for workstation_id, head in rows}
