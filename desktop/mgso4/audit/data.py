"""Loading the audit data from a record, and the ``compute_metrics`` entry point.

Two readers produce the same :class:`~mgso4.audit.facts.EpisodeFacts`:

- ``"sql"`` (default): ``mgso4.audit.sql``, read-only SQL; fast enough for 100,000 episodes.
- ``"fold"``: every episode through ``Store.events`` and ``core.episode.fold``; the reference
  the SQL reader is tested against.

The loaded :class:`AuditData` holds every baby row once; metrics for another date range or
filter are then computed from memory without reading the file again (the audit screen does
this as the user changes the filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from mgso4.audit.facts import BabyRow, EpisodeFacts, ReasonBook, baby_rows, episode_facts_from_state
from mgso4.audit.metrics import Filters, Metrics, compute_from_rows
from mgso4.audit.progress import ProgressCallback, check_cancel, collector_paused, report
from mgso4.audit.sql import read_facts_sql
from mgso4.core.episode import EventError, fold
from mgso4.core.protocol import ProtocolError, ProtocolLibrary
from mgso4.core.timeutil import LONDON
from mgso4.resources import resource_path
from mgso4.storage import Store, open_record
from mgso4.storage.spec import as_record_path, is_server_spec

Method = Literal["sql", "fold"]
StoreOrPath = Store | Path | str


@dataclass(frozen=True)
class AuditData:
    """Every classified baby and every pending episode of one record, read once."""

    path: Path
    rows: tuple[BabyRow, ...]
    pending: tuple[EpisodeFacts, ...]
    episodes: tuple[EpisodeFacts, ...]
    tz: ZoneInfo
    reasons: ReasonBook

    @property
    def workstations(self) -> list[str]:
        """Workstation ids that created episodes, sorted (for the filter list)."""
        return sorted({episode.workstation_id for episode in self.episodes})

    @property
    def birth_date_range(self) -> tuple[date, date] | None:
        """Earliest and latest local birth date, or None with no births."""
        if not self.rows:
            return None
        dates = [row.birth_date_local for row in self.rows]
        return min(dates), max(dates)

    def metrics(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        filters: Filters | None = None,
    ) -> Metrics:
        """Metrics for a date range (local birth date, inclusive) and filters."""
        with collector_paused():
            return compute_from_rows(
                self.rows, self.pending, date_from=date_from, date_to=date_to, filters=filters
            )


def shipped_reasons() -> ReasonBook:
    """Reason lists of every shipped protocol (episodes resolve codes with their own protocol).

    A shipped protocol that cannot be read is skipped here (the default list then applies);
    the app reports broken protocol files where they are chosen, not in the audit.
    """
    library = ProtocolLibrary(resource_path("protocols"))
    protocols = {}
    for protocol_id in library.ids():
        try:
            protocols[protocol_id] = library.load(protocol_id)
        except ProtocolError:
            continue
    return ReasonBook(protocols)


def read_episode_facts(
    store_or_path: StoreOrPath,
    *,
    method: Method = "sql",
    tz: ZoneInfo = LONDON,
    progress: ProgressCallback | None = None,
    cancel: object | None = None,
) -> list[EpisodeFacts]:
    """Every episode's audit facts (episodes whose creation was voided are left out).

    Raises:
        Cancelled: the caller cancelled.
        mgso4.storage.StoreError: the record cannot be read.
    """
    if method == "sql" and not is_server_spec(path_of(store_or_path)):
        path = (
            store_or_path.path
            if isinstance(store_or_path, Store)
            else as_record_path(store_or_path)
        )
        return read_facts_sql(path, tz=tz, progress=progress, cancel=cancel)
    if isinstance(store_or_path, Store):
        return _read_by_fold(store_or_path, tz, progress, cancel)
    with open_record(as_record_path(store_or_path), readonly=True) as store:
        return _read_by_fold(store, tz, progress, cancel)


def path_of(store_or_path: StoreOrPath) -> Path:
    """The record's path (a server's is its :func:`~mgso4.storage.spec.server_location`)."""
    return store_or_path.path if isinstance(store_or_path, Store) else as_record_path(store_or_path)


def _read_by_fold(
    store: Store, tz: ZoneInfo, progress: ProgressCallback | None, cancel: object | None
) -> list[EpisodeFacts]:
    stage = "Reading episodes"
    uuids = store.episode_uuids()
    facts = []
    for index, episode_uuid in enumerate(uuids, start=1):
        if index % 200 == 0:
            check_cancel(cancel, "Reading the record", "nothing was changed")
            report(progress, stage, index, len(uuids))
        try:
            state = fold(store.events(episode_uuid), tz)
        except EventError:
            continue  # creation voided: entered in error, not an episode
        facts.append(episode_facts_from_state(state))
    report(progress, stage, len(uuids), len(uuids))
    return facts


def load_audit_data(
    store_or_path: StoreOrPath,
    *,
    method: Method = "sql",
    tz: ZoneInfo = LONDON,
    reasons: ReasonBook | None = None,
    progress: ProgressCallback | None = None,
    cancel: object | None = None,
) -> AuditData:
    """Read a record and classify every baby.

    Args:
        store_or_path: An open store or a record path (read through a read-only connection).
        method: "sql" (fast) or "fold" (the core reference path).
        tz: Display zone (local birth dates, gestation on the local date).
        reasons: Reason lists; default the shipped protocols' lists.
        progress: ``progress(stage, done, total)``.
        cancel: ``threading.Event`` or callable.

    Raises:
        Cancelled: the caller cancelled.
        mgso4.storage.StoreError: the record cannot be read.
    """
    with collector_paused():
        return _load(store_or_path, method, tz, reasons, progress, cancel)


def _load(
    store_or_path: StoreOrPath,
    method: Method,
    tz: ZoneInfo,
    reasons: ReasonBook | None,
    progress: ProgressCallback | None,
    cancel: object | None,
) -> AuditData:
    path = path_of(store_or_path)
    episodes = read_episode_facts(
        store_or_path, method=method, tz=tz, progress=progress, cancel=cancel
    )
    # One order whichever reader ran: oldest first, as the episode list shows them.
    episodes.sort(key=lambda facts: (facts.created_at, facts.episode_uuid))
    reasons = reasons or shipped_reasons()
    stage = "Classifying births"
    rows: list[BabyRow] = []
    for index, facts in enumerate(episodes, start=1):
        if index % 1000 == 0:
            check_cancel(cancel, "Reading the record", "nothing was changed")
            report(progress, stage, index, len(episodes))
        rows.extend(baby_rows(facts, reasons, tz))
    report(progress, stage, len(episodes), len(episodes))
    rows.sort(key=lambda row: (row.birth.born_at, row.episode.episode_uuid, row.birth.baby))
    return AuditData(
        path=path,
        rows=tuple(rows),
        pending=tuple(episode for episode in episodes if episode.pending),
        episodes=tuple(episodes),
        tz=tz,
        reasons=reasons,
    )


def compute_metrics(
    store_or_path: StoreOrPath,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    filters: Filters | None = None,
    method: Method = "sql",
    tz: ZoneInfo = LONDON,
    reasons: ReasonBook | None = None,
    progress: ProgressCallback | None = None,
    cancel: object | None = None,
) -> Metrics:
    """Every audit metric for a record, a local birth-date range and filters.

    Each metric is numerator/denominator/percentage with the babies behind both (see
    ``mgso4.audit.metrics``); ``Metrics.as_dict()`` is the JSON form for ``mgso4 report``.

    Raises:
        ValueError: ``date_from`` is after ``date_to``.
        Cancelled: the caller cancelled.
        mgso4.storage.StoreError: the record cannot be read.
    """
    if date_from is not None and date_to is not None and date_from > date_to:
        # Checked before reading: a large record takes a while to read.
        raise ValueError(
            f"The start date {date_from.isoformat()} is after the end date "
            f"{date_to.isoformat()}; swap them or choose another range."
        )
    data = load_audit_data(
        store_or_path, method=method, tz=tz, reasons=reasons, progress=progress, cancel=cancel
    )
    return data.metrics(date_from=date_from, date_to=date_to, filters=filters)
