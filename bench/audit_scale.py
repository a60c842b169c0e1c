"""Audit at scale: demo episodes written, then metrics and CSV export vs hand-written SQL.

1. ``write_demo_data`` writes ``BENCH_EPISODES`` synthetic episodes (default 100,000) to a new
   record and is timed once (it is the set-up, and it must fit the 15-minute budget of
   ``make bench``). If the projected time does not fit the time allowed for it, the run is
   cancelled early and the largest number of episodes that fits is written instead; the
   result says so.
2. **Metrics**: ``compute_metrics(path)`` (the app's fast SQL reader, then classification of
   every baby through ``core.outcome``) vs one hand-written SQL query over the same file that
   counts the NNAP, QS135 (a)/(b) and BAPM numerators and denominators.
3. **CSV export**: ``export_csv(path, out, key=...)`` (de-identified, per baby, with its data
   dictionary) vs the same hand-written SQL's per-baby rows written with ``csv.writer``, as
   the audit screen runs it after its first export of the session: the record's full
   verification is reused because the file is byte-for-byte unchanged (its SHA-256 is taken
   again, which is timed; ``audit.export.check_record``).
4. **First CSV export of a session** (``audit_csv_first``): the same export with the record's
   full verification (SQLite's integrity check, every hash and every signature), once, beside
   one run of the same baseline.

The hand-written SQL is what an analyst would write against the file: it reads the same
events, leaves out voided ones, takes the latest entry of each kind as the fold does,
computes the gestation on the local (Europe/London) date of birth and the 24 h / 4 h windows
in whole seconds. It does not apply amendments (the app folds amended episodes in full), so
its counts can differ from the app's by the few amended episodes; both sets of counts are
in the results.

Targets (issue #8): metrics ≤ 1.5 × the SQL; CSV export ≤ 1.5 × SQL + csv writer.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import Result, interleave, ratio_result, scratch_folder, timed

from mgso4.audit import Cancelled, Metrics, compute_metrics, export_csv, write_demo_data
from mgso4.core.timeutil import LONDON

METRICS_TARGET = 1.5
CSV_TARGET = 1.5
DEMO_SEED = 8
#: A fixed pseudonym key (any 32 bytes): the benchmark never touches the user's key file.
BENCH_KEY = bytes(range(32))
#: Writing slows as the file grows, and the second workstation's file is merged at the end:
#: on the bench machine, busy with other work, 100,000 episodes took 428 s, 1.9 × the 222 s
#: projected from the rate of the first 4.5 % (163 s when the machine was quiet). A projection
#: from the early rate is multiplied by this before it is trusted.
GROWTH_ALLOWANCE = 2.0
#: The projection is checked while this share of the episodes is being written (later, a
#: cancelled run would waste too much of the budget).
CHECK_SHARE = (0.04, 0.25)


def bst_periods(first_year: int, last_year: int) -> list[tuple[str, str]]:
    """UTC instants (stored spelling) when British Summer Time starts and ends, per year.

    An analyst would paste this small table in; here it is worked out from the time zone
    database so the query's local dates match the app's.
    """
    periods = []
    for year in range(first_year, last_year + 1):
        moments = []
        moment = datetime(year, 1, 1, tzinfo=UTC)
        offset = moment.astimezone(LONDON).utcoffset()
        while moment.year == year:
            following = moment + timedelta(hours=1)
            if following.astimezone(LONDON).utcoffset() != offset:
                moments.append(following)
                offset = following.astimezone(LONDON).utcoffset()
            moment = following
        start, end = moments
        periods.append(
            (start.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), end.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        )
    return periods


#: The hand-written SQL, as an analyst would run it: a few temporary tables (each indexed on
#: the episode), then one SELECT for the counts or the per-baby rows. It reads the same events
#: as the app, leaves out voided ones and takes the latest entry of each kind by clinical time
#: (ties in chain order), the episode's creation first in chain order, as the fold does.
SETUP_SQL = """
CREATE TEMP TABLE live AS
    SELECT episode_uuid, uuid, type, payload, occurred_at, seq, workstation_id,
           protocol_id, protocol_version
    FROM event
    WHERE episode_uuid IS NOT NULL
      AND type IN ('episode-created', 'assessed', 'load-started', 'infusion-stopped', 'birth',
                   'not-given')
      AND uuid NOT IN (SELECT json_extract(payload, '$.target') FROM event
                       WHERE type = 'void' AND episode_uuid IS NOT NULL);
CREATE TEMP TABLE created AS
    SELECT * FROM (
        SELECT episode_uuid, workstation_id, protocol_id, protocol_version,
               occurred_at AS created_at,
               json_extract(payload, '$.plurality') AS plurality,
               json_extract(payload, '$.dating.method') AS method,
               json_extract(payload, '$.dating.edd') AS edd,
               json_extract(payload, '$.dating.lmp') AS lmp,
               json_extract(payload, '$.dating.stated_gestation') AS stated,
               json_extract(payload, '$.dating.stated_on') AS stated_on,
               row_number() OVER (PARTITION BY episode_uuid ORDER BY seq) AS pick
        FROM live WHERE type = 'episode-created'
    ) WHERE pick = 1;
CREATE INDEX temp.created_episode ON created (episode_uuid);
CREATE TEMP TABLE assessed AS
    SELECT * FROM (
        SELECT episode_uuid, occurred_at AS assessed_at,
               json_extract(payload, '$.gestation_days') AS decision_days,
               json_extract(payload, '$.situation') AS situation,
               row_number() OVER (PARTITION BY episode_uuid ORDER BY occurred_at DESC, seq DESC)
                   AS pick
        FROM live WHERE type = 'assessed'
    ) WHERE pick = 1;
CREATE INDEX temp.assessed_episode ON assessed (episode_uuid);
CREATE TEMP TABLE stops AS
    SELECT * FROM (
        SELECT episode_uuid, json_extract(payload, '$.course_number') AS course,
               CAST(strftime('%s', occurred_at) AS INTEGER) AS stop_s,
               row_number() OVER (
                   PARTITION BY episode_uuid, json_extract(payload, '$.course_number')
                   ORDER BY occurred_at DESC, seq DESC) AS pick
        FROM live WHERE type = 'infusion-stopped'
    ) WHERE pick = 1;
CREATE INDEX temp.stops_course ON stops (episode_uuid, course);
CREATE TEMP TABLE courses AS
    SELECT loads.episode_uuid, loads.course, loads.load_s, stops.stop_s FROM (
        SELECT episode_uuid, json_extract(payload, '$.course_number') AS course,
               CAST(strftime('%s', occurred_at) AS INTEGER) AS load_s,
               row_number() OVER (
                   PARTITION BY episode_uuid, json_extract(payload, '$.course_number')
                   ORDER BY occurred_at DESC, seq DESC) AS pick
        FROM live WHERE type = 'load-started'
    ) AS loads
    LEFT JOIN stops ON stops.episode_uuid = loads.episode_uuid AND stops.course = loads.course
    WHERE loads.pick = 1;
CREATE INDEX temp.courses_episode ON courses (episode_uuid);
CREATE TEMP TABLE not_given AS
    SELECT * FROM (
        SELECT episode_uuid, json_extract(payload, '$.reason_code') AS not_given_code,
               row_number() OVER (PARTITION BY episode_uuid ORDER BY occurred_at DESC, seq DESC)
                   AS pick
        FROM live WHERE type = 'not-given'
    ) WHERE pick = 1;
CREATE INDEX temp.not_given_episode ON not_given (episode_uuid);
CREATE TEMP TABLE babies AS
    SELECT b.episode_uuid, b.baby, c.plurality, c.workstation_id, c.protocol_id,
           c.protocol_version, c.created_at, a.assessed_at, a.situation, a.decision_days,
           b.born_at, b.born_on, b.born_s,
           CAST(CASE c.method
               WHEN 'agreed-edd' THEN 280 - (julianday(c.edd) - julianday(b.born_on))
               WHEN 'lmp' THEN julianday(b.born_on) - julianday(c.lmp)
               ELSE CAST(substr(c.stated, 1, instr(c.stated, '+') - 1) AS INTEGER) * 7
                    + CAST(substr(c.stated, instr(c.stated, '+') + 1) AS INTEGER)
                    + julianday(b.born_on) - julianday(c.stated_on)
           END AS INTEGER) AS birth_days,
           (SELECT max(load_s) FROM courses k
             WHERE k.episode_uuid = b.episode_uuid AND k.load_s <= b.born_s) AS latest_load_s,
           EXISTS (SELECT 1 FROM courses k WHERE k.episode_uuid = b.episode_uuid
                   AND k.load_s <= b.born_s) AS given_at_all,
           EXISTS (SELECT 1 FROM courses k WHERE k.episode_uuid = b.episode_uuid
                   AND k.load_s <= b.born_s
                   AND (k.stop_s IS NULL OR k.stop_s > b.born_s - 86400)) AS given_in_window,
           EXISTS (SELECT 1 FROM courses k WHERE k.episode_uuid = b.episode_uuid
                   AND k.load_s > b.born_s - 86400 AND k.load_s < b.born_s - 14400) AS optimal,
           n.not_given_code
    FROM (
        SELECT episode_uuid, json_extract(payload, '$.baby') AS baby,
               occurred_at AS born_at, CAST(strftime('%s', occurred_at) AS INTEGER) AS born_s,
               date(occurred_at, CASE WHEN EXISTS (
                   SELECT 1 FROM bst WHERE occurred_at >= bst.starts AND occurred_at < bst.ends
               ) THEN '+1 hours' ELSE '+0 hours' END) AS born_on,
               row_number() OVER (
                   PARTITION BY episode_uuid, json_extract(payload, '$.baby')
                   ORDER BY occurred_at DESC, seq DESC) AS pick
        FROM live WHERE type = 'birth'
    ) AS b
    JOIN created c ON c.episode_uuid = b.episode_uuid
    LEFT JOIN assessed a ON a.episode_uuid = b.episode_uuid
    LEFT JOIN not_given n ON n.episode_uuid = b.episode_uuid
    WHERE b.pick = 1;
CREATE TEMP VIEW classified AS
    SELECT *,
           birth_days < 210 AS nnap_eligible,
           CASE WHEN decision_days BETWEEN 168 AND 209 AND situation = 'established-labour'
                THEN 'a'
                WHEN decision_days BETWEEN 168 AND 209
                     AND situation = 'planned-birth-within-24h' THEN 'b' END AS qs135_measure
    FROM babies;
"""

#: NNAP (born before 30+0 = day 210; given in the 24 h before birth), QS135 (24+0 to 29+6 at
#: decision = days 168-209; (a) established labour, given at all; (b) planned birth, given in
#: the 24 h window), BAPM optimal (load started > 4 h and < 24 h before birth).
METRICS_SQL = """
SELECT count(*) AS babies,
       sum(nnap_eligible) AS nnap_d,
       sum(nnap_eligible AND given_in_window) AS nnap_n,
       sum(qs135_measure = 'a') AS qs135_a_d,
       sum(qs135_measure = 'a' AND given_at_all) AS qs135_a_n,
       sum(qs135_measure = 'b') AS qs135_b_d,
       sum(qs135_measure = 'b' AND given_in_window) AS qs135_b_n,
       sum(nnap_eligible) AS bapm_optimal_d,
       sum(nnap_eligible AND optimal) AS bapm_optimal_n,
       sum(nnap_eligible AND NOT given_at_all) AS missed
FROM classified
"""

CSV_SQL = """
SELECT episode_uuid, baby, plurality, workstation_id, protocol_id, protocol_version,
       created_at, assessed_at, situation, decision_days, born_at, born_on, birth_days,
       (birth_days / 7) || '+' || (birth_days % 7) AS gestation_at_birth,
       CASE WHEN given_at_all THEN 'Yes' ELSE 'No' END AS given_before_birth,
       datetime(latest_load_s, 'unixepoch') AS latest_load_utc,
       round((born_s - latest_load_s) / 3600.0, 2) AS hours_load_to_birth,
       CASE WHEN nnap_eligible THEN 'Yes' ELSE 'No' END AS nnap_eligible,
       CASE WHEN NOT nnap_eligible THEN 'N/A' WHEN given_in_window THEN 'Yes' ELSE 'No' END
           AS nnap_met,
       coalesce(qs135_measure, '') AS qs135_measure,
       CASE WHEN NOT nnap_eligible THEN 'N/A' WHEN optimal THEN 'Yes' ELSE 'No' END
           AS bapm_optimal,
       CASE WHEN nnap_eligible AND NOT given_at_all THEN 'Yes' ELSE 'No' END AS missed_case,
       not_given_code
FROM classified
ORDER BY born_at, episode_uuid, baby
"""


def open_with_bst(path: Path) -> sqlite3.Connection:
    """A read-only connection with the British Summer Time table and the temporary tables."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.execute("CREATE TEMP TABLE bst (starts TEXT, ends TEXT)")
    connection.executemany("INSERT INTO temp.bst VALUES (?, ?)", bst_periods(2000, 2040))
    connection.executescript(SETUP_SQL)
    return connection


def sql_metrics(path: Path) -> dict[str, int]:
    """The hand-written SQL's counts (one query)."""
    connection = open_with_bst(path)
    try:
        cursor = connection.execute(METRICS_SQL)
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    finally:
        connection.close()
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


def sql_csv(path: Path, out: Path) -> int:
    """The hand-written SQL's per-baby rows written with ``csv.writer``; returns the rows."""
    connection = open_with_bst(path)
    rows = 0
    try:
        cursor = connection.execute(CSV_SQL)
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([column[0] for column in cursor.description])
            for row in cursor:
                writer.writerow(row)
                rows += 1
    finally:
        connection.close()
    return rows


def app_counts(metrics: Metrics) -> dict[str, int]:
    """The same counts from the app's metrics."""
    counts = {"babies": metrics.babies}
    for key in ("nnap", "qs135_a", "qs135_b", "bapm_optimal"):
        value = metrics.measures[key]
        counts[f"{key}_n"] = value.n
        counts[f"{key}_d"] = value.d
    return counts


@dataclass
class DemoRun:
    """How the demo record was written."""

    path: Path
    requested: int
    written: int
    seconds: float
    events: int
    file_mb: float
    cancelled_after_s: float = 0.0
    note: str = ""


def reuse_demo(record: Path, requested: int) -> DemoRun:
    """An existing demo record (``BENCH_AUDIT_RECORD``), read as it is: nothing is written.

    For repeated measurements of the audit alone; writing 100,000 episodes takes minutes.
    """
    connection = sqlite3.connect(f"{record.resolve().as_uri()}?mode=ro", uri=True)
    try:
        episodes = int(connection.execute("SELECT count(*) FROM episode").fetchone()[0])
        events = int(connection.execute("SELECT count(*) FROM event").fetchone()[0])
    finally:
        connection.close()
    note = f"the demo record {record.name} was reused (BENCH_AUDIT_RECORD), not written in this run"
    if episodes != requested:
        note += f"; it holds {episodes:,} episodes, not the {requested:,} asked for"
    return DemoRun(
        path=record,
        requested=requested,
        written=episodes,
        seconds=0.0,
        events=events,
        file_mb=record.stat().st_size / 1e6,
        note=note,
    )


def write_demo(folder: Path, requested: int, budget_s: float) -> DemoRun:
    """Write ``requested`` demo episodes, or the largest number that fits ``budget_s``.

    The projection (elapsed ÷ share done × :data:`GROWTH_ALLOWANCE`) is checked while
    :data:`CHECK_SHARE` of the run is written; when it says the run cannot finish in the
    budget, the run is cancelled (``write_demo_data`` leaves no file) and a smaller one, sized
    from the rate seen so far and the time left, is written instead.
    """
    path = folder / f"demo-{requested}.sqlite3"
    started = time.perf_counter()
    cancelled_after = 0.0
    episodes = requested
    stop: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        share = done / total if total else 0.0
        if (
            stop
            or stage != "Writing demo episodes"
            or not CHECK_SHARE[0] <= share <= CHECK_SHARE[1]
        ):
            return
        elapsed = time.perf_counter() - started
        if elapsed / share * GROWTH_ALLOWANCE > budget_s:
            stop["rate"] = done / elapsed

    try:
        report = write_demo_data(
            path, episodes=episodes, seed=DEMO_SEED, progress=progress, cancel=lambda: bool(stop)
        )
    except Cancelled:
        cancelled_after = time.perf_counter() - started
        left = max(budget_s - cancelled_after, 0.0)
        episodes = max(1000, int(stop["rate"] * left / GROWTH_ALLOWANCE) // 1000 * 1000)
        path = folder / f"demo-{episodes}.sqlite3"
        started = time.perf_counter()
        report = write_demo_data(path, episodes=episodes, seed=DEMO_SEED)
    seconds = time.perf_counter() - started
    note = ""
    if episodes != requested:
        note = (
            f"{requested:,} demo episodes were projected not to fit the {budget_s:.0f} s allowed "
            f"for writing them (run cancelled after {cancelled_after:.0f} s); "
            f"{episodes:,} were written instead."
        )
    return DemoRun(
        path=path,
        requested=requested,
        written=report.episodes,
        seconds=seconds,
        events=report.events,
        file_mb=path.stat().st_size / 1e6,
        cancelled_after_s=cancelled_after,
        note=note,
    )


def bench_audit(
    *,
    episodes: int = 100_000,
    runs: int = 3,
    demo_budget_s: float = 420.0,
    after: Callable[[Path, Path], list[Result]] | None = None,
    record: Path | None = None,
) -> list[Result]:
    """Demo generation (timed once), metrics and CSV export vs hand-written SQL.

    ``after`` (if given) is called with the demo record and the scratch folder once these are
    measured, so another benchmark can use the same record; its results are added. ``record``
    (if given) is an existing demo record to measure instead of writing one; the generation
    is then not measured (its result says so).
    """
    with scratch_folder("audit") as folder:
        if record is not None:
            demo = reuse_demo(record, episodes)
        else:
            demo = write_demo(folder, episodes, demo_budget_s)
        notes = [demo.note] if demo.note else []
        sizes: dict[str, Any] = {
            "episodes_requested": demo.requested,
            "episodes": demo.written,
            "events": demo.events,
            "file_mb": round(demo.file_mb, 1),
        }
        generation = Result(
            key="demo_generation",
            title=f"Write {demo.written:,} demo episodes (write_demo_data)",
            unit="s",
            app=demo.seconds,
            baseline=None,
            ratio=None,
            target=demo_budget_s,
            target_kind="value_max",
            met=record is None and demo.written == demo.requested and demo.seconds <= demo_budget_s,
            app_samples=[demo.seconds],
            baseline_title=(
                "none: the target is the share of the 15-minute budget left for writing it"
            ),
            notes=notes,
            error="not measured: an existing record was reused" if record is not None else None,
            details={
                **sizes,
                "episodes_per_s": round(demo.written / demo.seconds, 1) if demo.seconds else 0,
                "cancelled_after_s": round(demo.cancelled_after_s, 1),
            },
        )
        app_numbers: dict[str, int] = {}
        sql_numbers: dict[str, int] = {}
        metrics_app, metrics_sql = interleave(
            lambda: timed(lambda: app_numbers.update(app_counts(compute_metrics(demo.path)))),
            lambda: timed(lambda: sql_numbers.update(sql_metrics(demo.path))),
            runs=runs,
            warmup=0,
        )
        metrics = ratio_result(
            key="audit_metrics",
            title=f"Audit metrics over {demo.written:,} episodes (compute_metrics)",
            unit="s",
            app_samples=metrics_app,
            baseline_samples=metrics_sql,
            target=METRICS_TARGET,
            baseline_title=(
                "hand-written SQL over the same file (indexed temporary tables, then one SELECT)"
            ),
            notes=list(notes),
            details={**sizes, "runs": runs, "app_counts": app_numbers, "sql_counts": sql_numbers},
        )
        out = folder / "export"
        out.mkdir()
        csv_rows = {"app": 0, "sql": 0}
        session: dict[str, Any] = {}

        def first_export() -> None:
            result = export_csv(
                demo.path, out / "first.csv", key=BENCH_KEY, remember_verification=True
            )
            session["passed"] = result.passed_verification

        def app_export() -> None:
            result = export_csv(
                demo.path,
                out / "app.csv",
                key=BENCH_KEY,
                reuse_verification=session["passed"],
                remember_verification=True,
            )
            if result.passed_verification != session["passed"]:
                raise RuntimeError("the record changed between exports: the check ran again")
            csv_rows["app"] = result.rows

        def sql_export() -> None:
            csv_rows["sql"] = sql_csv(demo.path, out / "sql.csv")

        first_app = timed(first_export)
        first_sql = timed(sql_export)
        if session["passed"] is None:
            raise RuntimeError("the first export's verification was not offered for reuse")
        first = ratio_result(
            key="audit_csv_first",
            title=(
                f"First CSV export of a session over {demo.written:,} episodes, with the "
                "record's full verification"
            ),
            unit="s",
            app_samples=[first_app],
            baseline_samples=[first_sql],
            target=CSV_TARGET,
            baseline_title="the same hand-written SQL export, once, beside it",
            notes=list(notes),
            details={**sizes, "runs": 1},
        )
        export_app, export_sql = interleave(
            lambda: timed(app_export), lambda: timed(sql_export), runs=runs, warmup=0
        )
        export = ratio_result(
            key="audit_csv",
            title=(
                f"CSV export over {demo.written:,} episodes (export_csv, de-identified; the "
                "session's verification reused)"
            ),
            unit="s",
            app_samples=export_app,
            baseline_samples=export_sql,
            target=CSV_TARGET,
            baseline_title="the hand-written SQL's per-baby rows through csv.writer",
            notes=list(notes),
            details={
                **sizes,
                "runs": runs,
                "rows": csv_rows,
                "app_csv_mb": round((out / "app.csv").stat().st_size / 1e6, 1),
                "sql_csv_mb": round((out / "sql.csv").stat().st_size / 1e6, 1),
            },
        )
        extra = after(demo.path, folder) if after is not None else []
    return [generation, metrics, export, first, *extra]
