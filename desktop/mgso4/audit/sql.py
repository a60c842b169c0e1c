"""Fast read-only SQL reader of the audit facts (100,000 episodes in seconds, not minutes).

Folding every episode with ``core.episode.fold`` validates each event as a pydantic model; that
is right for one episode on screen and too slow for a year of a network's records. This reader
lets SQLite, on a read-only connection (``file:…?mode=ro``) and in one read transaction, reduce
each episode to a few rows with grouped statements (one row per episode for its creation and
its latest assessment, decision and not-given reason, one per course, one per baby), applying
the same rules as the fold:

- an event is ignored when a ``void`` in the same episode targets it;
- events apply in clinical-time order, ties in chain order (``occurred_at``, ``seq``), the
  later replacing the earlier (last assessment, last decision, last not-given reason);
- the episode's creation is its first un-voided ``episode-created`` event in chain order;
- a course exists once its loading dose starts (or its maintenance restarts without a load).

No clinical definition is in the SQL: it only extracts facts; every baby is classified by
``core.outcome`` (``audit.facts.baby_rows``), whichever reader ran.

**Amendments** can change any field of their target (and its clinical time), and an entry that
makes no sense where it stands is not applied by the fold but listed as a data problem
(``core.episode.HANDLERS``). So an episode holding any ``amendment``, or any entry that would
not apply cleanly (a course event out of order, a second load of a course, a birth recorded
twice, a second creation…; see ``_COURSES_SQL``), is read with the core fold itself (its events
only). The result is the same facts by construction; ``tests/audit/test_audit_sql_agreement.py``
checks that both paths give identical facts on demo data with amendments and voids, and on one
hand-built case per rule.

Cancel is checked inside every statement (SQLite's progress handler) and between them, and
every few thousand episodes after.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
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
from mgso4.audit.progress import (
    Cancelled,
    ProgressCallback,
    check_cancel,
    is_cancelled,
    report,
)
from mgso4.core.episode import Dating, EventType, fold
from mgso4.core.timeutil import LONDON
from mgso4.core.vocab import Situation
from mgso4.storage.rows import SELECT_EVENT_COLUMNS, parse_stored_utc, row_to_event
from mgso4.storage.spec import is_server_spec
from mgso4.storage.sqlite_setup import connect


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to a record (``mode=ro``); nothing can be written through it.

    Raises:
        mgso4.storage.errors.StoreError: the file is missing, locked or damaged.
    """
    return connect(path, readonly=True)


_STAGE_SQL: Final = "Reading the record"
_STAGE_LABEL: Final = "Reading episodes"
_PROGRESS_EVERY: Final = 5000
_FOLD_EVERY: Final = 200
#: SQLite virtual-machine steps between cancel checks inside one statement (well under 10 ms).
_CANCEL_STEPS: Final = 20_000

#: Clinical-time order, ties in chain order, as one text that sorts that way: ``occurred_at`` is
#: stored in one fixed-width spelling (``storage.rows.parse_stored_utc``), so text order is time
#: order, and the chain position follows zero-padded.
_KEY: Final = "occurred_at || printf('%020d', seq)"

#: Events that count: of the given types, in an episode without amendments (those are read with
#: the fold), and not voided by a ``void`` in the same episode.
_LIVE: Final = (
    "episode_uuid IS NOT NULL AND type IN ({types}) "
    "AND episode_uuid NOT IN (SELECT episode_uuid FROM temp.audit_amended) "
    "AND NOT EXISTS (SELECT 1 FROM temp.audit_voided AS v "
    "WHERE v.target = event.uuid AND v.episode_uuid = event.episode_uuid)"
)


def _live(*kinds: EventType) -> str:
    return _LIVE.format(types=", ".join(f"'{kind.value}'" for kind in kinds))


_SETUP_SQL: Final = (
    "CREATE TEMP TABLE audit_voided AS SELECT DISTINCT episode_uuid, "
    "json_extract(payload, '$.target') AS target FROM event "
    "WHERE type = 'void' AND episode_uuid IS NOT NULL",
    "CREATE INDEX temp.audit_voided_target ON audit_voided (target, episode_uuid)",
    "CREATE TEMP TABLE audit_amended (episode_uuid TEXT PRIMARY KEY) WITHOUT ROWID",
    "INSERT OR IGNORE INTO temp.audit_amended SELECT episode_uuid FROM event "
    "WHERE type = 'amendment' AND episode_uuid IS NOT NULL",
)

#: The creation: the first un-voided ``episode-created`` in chain order (SQLite takes the bare
#: columns from the row holding ``min(seq)``), and how many there are (more than one: fold).
_CREATED_SQL: Final = (
    "SELECT episode_uuid, count(*), min(seq), occurred_at, workstation_id, protocol_id, "
    "protocol_version, json_extract(payload, '$.dating'), json_extract(payload, '$.plurality'), "
    "json_extract(payload, '$.unit_name'), json_extract(payload, '$.training'), "
    "json_extract(payload, '$.patient.id_type'), json_extract(payload, '$.patient.identifier'), "
    "json_extract(payload, '$.patient.name'), json_extract(payload, '$.patient.date_of_birth') "
    f"FROM event WHERE {_live(EventType.EPISODE_CREATED)} GROUP BY episode_uuid"
)


def _latest_sql(kind: EventType, *fields: str) -> str:
    """The latest entry of a kind per episode (bare columns from the row holding the max)."""
    extracted = "".join(f", json_extract(payload, '$.{name}')" for name in fields)
    return (
        f"SELECT episode_uuid, max({_KEY}), occurred_at{extracted} FROM event "
        f"WHERE {_live(kind)} GROUP BY episode_uuid"
    )


#: One row per baby number; a number recorded twice (count > 1) is read with the fold.
_BIRTHS_SQL: Final = (
    "SELECT episode_uuid, json_extract(payload, '$.baby') AS baby, count(*), occurred_at, uuid, "
    "json_extract(payload, '$.label'), json_extract(payload, '$.neonatal_care') FROM event "
    f"WHERE {_live(EventType.BIRTH)} GROUP BY episode_uuid, baby"
)

_COURSE_TYPES: Final = (
    EventType.LOAD_STARTED,
    EventType.LOAD_FINISHED,
    EventType.MAINTENANCE_STARTED,
    EventType.RATE_CHANGED,
    EventType.SYRINGE_CHANGED,
    EventType.INFUSION_STOPPED,
)

#: One row per course: its times and doses, and whether the fold would apply every entry of it
#: cleanly, as the fold's handlers decide (``core.episode``). A course starts with its load (or
#: a maintenance restarted without one), which is its first entry; a load may finish once,
#: before maintenance; maintenance starts once, after a load; rate and syringe changes come
#: after maintenance starts; the stop, if any, is its last entry. Courses are numbered 1, 2, …
#: in time order, each stopped before the next starts. Anything else (or two entries at the
#: same instant and chain place) is not "regular": the episode is read with the fold, which
#: lists the entry as a data problem.
_COURSES_SQL: Final = f"""
WITH x AS MATERIALIZED (
    SELECT episode_uuid, type, occurred_at, {_KEY} AS k,
           json_extract(payload, '$.course_number') AS course,
           CASE type WHEN 'maintenance-started'
               THEN coalesce(json_extract(payload, '$.restart_without_load'), 0) != 0
               ELSE 0 END AS restart,
           CASE type WHEN 'load-started' THEN json_extract(payload, '$.dose_g')
                     WHEN 'maintenance-started' THEN json_extract(payload, '$.rate_ml_per_h')
                     WHEN 'infusion-stopped' THEN json_extract(payload, '$.reason') END AS v1,
           CASE type WHEN 'maintenance-started'
               THEN json_extract(payload, '$.concentration_g_per_ml') END AS v2
    FROM event WHERE {_live(*_COURSE_TYPES)}
),
c AS (
    SELECT episode_uuid, course, count(*) AS entries, count(DISTINCT k) AS distinct_keys,
           min(k) AS first, max(k) AS last,
           sum(type = 'load-started') AS loads,
           sum(restart) AS restarts,
           sum(type = 'maintenance-started' AND NOT restart) AS maintenances,
           sum(type = 'load-finished') AS finished,
           sum(type = 'infusion-stopped') AS stops,
           max(CASE WHEN type = 'load-started' OR restart THEN k END) AS start_k,
           max(CASE WHEN type = 'maintenance-started' THEN k END) AS maintenance_k,
           max(CASE WHEN type = 'load-finished' THEN k END) AS finished_k,
           min(CASE WHEN type IN ('rate-changed', 'syringe-changed') THEN k END) AS change_k,
           max(CASE WHEN type = 'infusion-stopped' THEN k END) AS stop_k,
           max(CASE WHEN type = 'load-started' THEN occurred_at END) AS load_at,
           max(CASE WHEN type = 'load-started' THEN v1 END) AS dose,
           max(CASE WHEN type = 'maintenance-started' THEN occurred_at END) AS maintenance_at,
           max(CASE WHEN type = 'maintenance-started' THEN v1 END) AS rate,
           max(v2) AS concentration,
           max(CASE WHEN type = 'infusion-stopped' THEN occurred_at END) AS stop_at,
           max(CASE WHEN type = 'infusion-stopped' THEN v1 END) AS stop_reason
    FROM x GROUP BY episode_uuid, course
)
SELECT episode_uuid, course,
       entries = distinct_keys
       AND loads + restarts = 1 AND start_k = first
       AND (stops = 0 OR (stops = 1 AND stop_k = last))
       AND (restarts = 0 OR (maintenances = 0 AND finished = 0))
       AND maintenances <= 1 AND finished <= 1
       AND (finished_k IS NULL OR maintenance_k IS NULL OR finished_k < maintenance_k)
       AND (change_k IS NULL OR (maintenance_k IS NOT NULL AND change_k > maintenance_k))
       AND CASE WHEN lag(course) OVER w IS NULL THEN course = 1
                ELSE lag(course) OVER w = course - 1 AND lag(stops) OVER w = 1
                     AND lag(last) OVER w < first END AS regular,
       load_at, dose, maintenance_at, rate, concentration, stop_at, stop_reason, restarts
FROM c WINDOW w AS (PARTITION BY episode_uuid ORDER BY course)
"""


@dataclass(frozen=True, slots=True)
class _CourseRow:
    """One course as ``_COURSES_SQL`` returns it (times as stored)."""

    number: int
    regular: int | None
    load_at: str | None
    dose: Any
    maintenance_at: str | None
    rate: Any
    concentration: Any
    stop_at: str | None
    stop_reason: Any
    restarts: int


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
        progress: Called with ("Reading the record", statement, statements) while SQLite works,
            then ("Reading episodes", done, total).
        cancel: A ``threading.Event`` or callable; checked inside every statement and every few
            thousand episodes.

    Raises:
        Cancelled: the caller cancelled.
        mgso4.storage.errors.StoreError: the file cannot be read.
    """
    try:
        return _read_once(path, tz, progress, cancel, lenient=False)
    except _NotUtf8:
        # Text that is not UTF-8 (a damaged file): read again, showing such bytes as U+FFFD
        # as every other reader of the record does; the fast path decodes in C.
        return _read_once(path, tz, progress, cancel, lenient=True)


class _NotUtf8(Exception):
    """A stored text is not UTF-8."""


def _read_once(
    path: Path,
    tz: ZoneInfo,
    progress: ProgressCallback | None,
    cancel: object | None,
    *,
    lenient: bool,
) -> list[EpisodeFacts]:
    connection = open_readonly(path)
    if not lenient:
        connection.text_factory = str
    connection.set_progress_handler(lambda: int(is_cancelled(cancel)), _CANCEL_STEPS)
    try:
        connection.execute("BEGIN")  # one snapshot for every statement below
        return _read(connection, tz, progress, cancel)
    except sqlite3.OperationalError as exc:
        if is_cancelled(cancel):  # interrupted by the progress handler
            raise Cancelled("Reading the record", "nothing was changed") from None
        if not lenient and "decode" in str(exc):
            raise _NotUtf8 from None
        raise
    finally:
        connection.close()


def _read(
    connection: sqlite3.Connection,
    tz: ZoneInfo,
    progress: ProgressCallback | None,
    cancel: object | None,
) -> list[EpisodeFacts]:
    steps = len(_SETUP_SQL) + 6
    done_steps = 0

    def step() -> None:
        nonlocal done_steps
        done_steps += 1
        check_cancel(cancel, "Reading the record", "nothing was changed")
        report(progress, _STAGE_SQL, done_steps, steps)

    report(progress, _STAGE_SQL, 0, steps)
    for statement in _SETUP_SQL:
        connection.execute(statement)
        step()
    created = {row[0]: row for row in connection.execute(_CREATED_SQL)}
    step()
    assessed = {
        row[0]: row
        for row in connection.execute(
            _latest_sql(EventType.ASSESSED, "gestation_days", "situation")
        )
    }
    step()
    decided = {
        row[0]: row[3] for row in connection.execute(_latest_sql(EventType.DECISION, "give"))
    }
    step()
    not_given = {
        row[0]: row
        for row in connection.execute(_latest_sql(EventType.NOT_GIVEN, "reason_code", "text"))
    }
    step()
    births: dict[str, list[tuple[Any, ...]]] = {}
    for row in connection.execute(_BIRTHS_SQL):
        births.setdefault(row[0], []).append(row)
    step()
    courses: dict[str, list[_CourseRow]] = {}
    for row in connection.execute(_COURSES_SQL):
        courses.setdefault(row[0], []).append(_CourseRow(*row[1:]))
    step()
    amended = [
        str(row[0]) for row in connection.execute("SELECT episode_uuid FROM temp.audit_amended")
    ]

    total = len(created) + len(amended)
    report(progress, _STAGE_LABEL, 0, total)
    facts: list[EpisodeFacts] = []
    datings = _Datings()
    irregular: list[str] = []
    done = 0
    for episode_uuid, creation in created.items():
        done += 1
        if done % _PROGRESS_EVERY == 0:
            check_cancel(cancel, "Reading the record", "nothing was changed")
            report(progress, _STAGE_LABEL, done, total)
        episode = _episode_facts(
            creation,
            assessed.get(episode_uuid),
            decided.get(episode_uuid),
            not_given.get(episode_uuid),
            births.get(episode_uuid, []),
            courses.get(episode_uuid, []),
            datings,
            tz,
        )
        if episode is None:
            irregular.append(episode_uuid)
        else:
            facts.append(episode)
    done -= len(irregular)  # counted when read with the fold, below
    for index, episode_uuid in enumerate(amended + irregular, start=1):
        if index % _FOLD_EVERY == 0:
            check_cancel(cancel, "Reading the record", "nothing was changed")
            report(progress, _STAGE_LABEL, done + index, total)
        folded = _facts_by_fold(connection, episode_uuid, tz)
        if folded is not None:
            facts.append(folded)
    report(progress, _STAGE_LABEL, total, total)
    return facts


def _decimal(value: Any) -> Decimal:
    # Payload decimals are stored as JSON strings ("0.2"); str() also keeps a JSON number exact.
    return Decimal(str(value))


def _utc(text: str) -> datetime:
    """A stored UTC time (``parse_stored_utc``, with its checks, for anything unusual)."""
    if len(text) == 27 and text[10] == "T" and text[26] == "Z":
        return datetime.fromisoformat(text)  # the stored spelling; aware, in UTC
    return parse_stored_utc(text, "occurred_at")


class _Datings(dict[str, Dating]):
    """Datings by their stored JSON text: many episodes share one (the same agreed EDD)."""

    def __missing__(self, text: str) -> Dating:
        dating = self[text] = Dating.model_validate(json.loads(text))
        return dating


def _episode_facts(
    creation: tuple[Any, ...],
    assessed: tuple[Any, ...] | None,
    decision_give: Any,
    not_given: tuple[Any, ...] | None,
    births: list[tuple[Any, ...]],
    courses: list[_CourseRow],
    datings: _Datings,
    tz: ZoneInfo,
) -> EpisodeFacts | None:
    """One episode's facts from its SQL rows, or None when the fold must read it."""
    (
        episode_uuid,
        creations,
        _,
        created_text,
        workstation_id,
        protocol_id,
        protocol_version,
        dating_text,
        plurality,
        unit_name,
        training,
        id_type,
        identifier,
        name,
        date_of_birth,
    ) = creation
    plurality = 1 if plurality is None else int(plurality)
    if (
        creations > 1
        or any(row[2] > 1 or int(row[1]) > max(plurality, 1) for row in births)
        or not all(course.regular for course in courses)
    ):
        return None
    dating = datings[dating_text]
    birth_facts = []
    for _, baby, _, born_text, event_uuid, label, neonatal_care in sorted(
        births, key=lambda row: int(row[1])
    ):
        born_at = _utc(born_text)
        birth_facts.append(
            BirthFacts(
                baby=int(baby),
                label=str(label or f"Baby {baby}"),
                born_at=born_at,
                gestation=safe_gestation(dating, born_at, tz),
                event_uuid=str(event_uuid),
                neonatal_care=neonatal_care,
            )
        )
    course_facts = tuple(
        CourseFacts(
            number=course.number,
            load_started_at=None if course.load_at is None else _utc(course.load_at),
            maintenance_started_at=(
                None if course.maintenance_at is None else _utc(course.maintenance_at)
            ),
            stopped_at=None if course.stop_at is None else _utc(course.stop_at),
            stop_reason=None if course.stop_reason is None else str(course.stop_reason),
            load_dose_g=None if course.dose is None else _decimal(course.dose),
            maintenance_rate_g_per_h=(
                None
                if course.maintenance_at is None
                else _decimal(course.rate) * _decimal(course.concentration)
            ),
            restarted_without_load=bool(course.restarts),
        )
        for course in sorted(courses, key=lambda course: course.number)
    )
    return EpisodeFacts(
        episode_uuid=str(episode_uuid),
        workstation_id=str(workstation_id),
        created_at=_utc(created_text),
        assessed_at=None if assessed is None else _utc(assessed[2]),
        protocol_id=str(protocol_id),
        protocol_version=str(protocol_version),
        unit_name="" if unit_name is None else str(unit_name),
        training=bool(training),
        plurality=plurality,
        id_type=str(id_type),
        identifier=str(identifier),
        name=str(name),
        date_of_birth=(None if date_of_birth is None else date.fromisoformat(str(date_of_birth))),
        dating=dating,
        gestation_days_at_decision=None if assessed is None else int(assessed[3]),
        situation=None if assessed is None else Situation(assessed[4]),
        courses=course_facts,
        births=tuple(birth_facts),
        not_given_code=None if not_given is None else str(not_given[3]),
        not_given_text="" if not_given is None or not_given[4] is None else str(not_given[4]),
        not_given_at=None if not_given is None else _utc(not_given[2]),
        decision_give=None if decision_give is None else bool(decision_give),
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
