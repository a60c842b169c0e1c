"""Which episodes the ward board need not fold: those the record shows are certainly over.

The board shows the active episodes (``EpisodeState.active``: assessing, loading, awaiting
maintenance or in maintenance). Folding every episode to find them makes the board's first
paint grow with the years of history in the record. :data:`CERTAINLY_INACTIVE_SQL` names the
episodes that cannot be active whatever the fold makes of them, so only the rest are folded.
The state itself is still decided by the one fold in ``core.episode``: this query only skips
episodes, and it errs towards folding.

An episode is skipped only when none of its entries is an amendment or a void (a correction
can undo a stop), and either

- every course it started (a ``load-started`` or ``maintenance-started`` entry, by course
  number) has an ``infusion-stopped`` entry for the same course timed strictly after the
  course's latest start, so whichever course is current is stopped (stage stopped or
  delivered); or
- it started no course and records ``not-given`` (stage not given, or delivered).

Anything else (a decision not to give, a birth with no course, an entry the fold would refuse)
is folded as before. The agreement test in ``tests/storage/test_active.py`` checks that the
board's episodes are the same with and without the skip, on the demo record and on records
built to sit at each edge of the rule.
"""

from __future__ import annotations

from mgso4.core.episode import EventType

_STARTS = (EventType.LOAD_STARTED.value, EventType.MAINTENANCE_STARTED.value)
_CORRECTIONS = (EventType.AMENDMENT.value, EventType.VOID.value)

#: Episode uuids that are certainly not active (see the module docstring). Stored times have
#: one fixed-width spelling (``YYYY-MM-DDTHH:MM:SS.ffffffZ``), so text order is time order.
CERTAINLY_INACTIVE_SQL = f"""
WITH starts AS (
    SELECT episode_uuid, json_extract(payload, '$.course_number') AS course,
           max(occurred_at) AS at
    FROM event
    WHERE type IN ('{_STARTS[0]}', '{_STARTS[1]}') AND episode_uuid IS NOT NULL
    GROUP BY episode_uuid, course
),
stops AS (
    SELECT episode_uuid, json_extract(payload, '$.course_number') AS course,
           max(occurred_at) AS at
    FROM event
    WHERE type = '{EventType.INFUSION_STOPPED.value}' AND episode_uuid IS NOT NULL
    GROUP BY episode_uuid, course
),
every_course_stopped AS (
    SELECT s.episode_uuid
    FROM starts s
    LEFT JOIN stops t ON t.episode_uuid = s.episode_uuid AND t.course = s.course
    GROUP BY s.episode_uuid
    HAVING sum(t.at IS NULL OR t.at <= s.at) = 0
),
not_given_without_course AS (
    SELECT DISTINCT episode_uuid
    FROM event
    WHERE type = '{EventType.NOT_GIVEN.value}' AND episode_uuid IS NOT NULL
      AND episode_uuid NOT IN (SELECT episode_uuid FROM starts)
),
corrected AS (
    SELECT DISTINCT episode_uuid
    FROM event
    WHERE type IN ('{_CORRECTIONS[0]}', '{_CORRECTIONS[1]}') AND episode_uuid IS NOT NULL
)
SELECT episode_uuid FROM every_course_stopped
WHERE episode_uuid NOT IN (SELECT episode_uuid FROM corrected)
UNION
SELECT episode_uuid FROM not_given_without_course
WHERE episode_uuid NOT IN (SELECT episode_uuid FROM corrected)
"""


#: Episode uuids certainly off the ward board (``core.board.on_board``) whatever the time: the
#: latest entry in clinical time is an explicit close with no time to reassess, strictly after
#: every other entry (a later decision or course reopens an episode, a later observation may
#: open an alert), and no entry of the episode is an amendment or a void (a correction can undo
#: the close). Everything else is a candidate the board folds, and core decides.
CERTAINLY_OFF_BOARD_SQL = f"""
WITH last_close AS (
    SELECT episode_uuid, max(occurred_at) AS at
    FROM event
    WHERE type = '{EventType.EPISODE_CLOSED.value}' AND episode_uuid IS NOT NULL
    GROUP BY episode_uuid
)
SELECT l.episode_uuid FROM last_close l
WHERE NOT EXISTS (
    SELECT 1 FROM event e
    WHERE e.episode_uuid = l.episode_uuid
      AND (
        (e.type != '{EventType.EPISODE_CLOSED.value}' AND e.occurred_at >= l.at)
        OR (e.type = '{EventType.EPISODE_CLOSED.value}' AND e.occurred_at = l.at
            AND json_extract(e.payload, '$.reassess_at') IS NOT NULL)
        OR e.type IN ('{_CORRECTIONS[0]}', '{_CORRECTIONS[1]}')
      )
)
"""
