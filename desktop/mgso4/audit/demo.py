"""Synthetic demonstration records: realistic episodes for training, screenshots and tests.

**Every patient here is fictional.** NHS numbers are synthetic test numbers from the 999 range
with valid Modulus 11 check digits (decisions.md §11, reference §8.1 [I5]); names come from a
small invented list; every episode is marked as written by a workstation whose id starts with
``demo-``. Never load demo data into a live clinical record.

What is generated (proportions are illustrative, not sourced figures):

- gestation at decision mostly 24+0 to 33+6, a few at 22–23 weeks and at 34 weeks or more;
- established labour or planned birth mostly, sometimes suspected labour or P-PROM;
- MgSO₄ given to most women offered it: 4 g load over 15 min then 1 g/h (20% ready-to-use,
  decisions.md §3), observations about every 4 h, stopped at birth or after 24 h;
- load-to-birth times from minutes to about 40 h: some late (< 4 h), most inside 4–24 h, some
  longer; some courses stopped because birth was no longer imminent, with birth days later
  (expired, > 24 h); a few repeat courses;
- not given with a coded reason (reference §3.3), including births before arrival;
- about 2% twins (two births from one episode);
- some amendments (a corrected birth or load time, with a reason) and voids (an observation
  entered in error);
- spread over about 24 months before ``end``; episodes still under way at ``end`` have no birth
  yet (pending).

The output is deterministic for a seed: the same seed writes the same episodes, events, event
ids and clinical times (the store still stamps its own ``recorded_at``, so hashes differ).
"""

from __future__ import annotations

import os
import random
import re
import time
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from mgso4.audit.merge import merge_into
from mgso4.audit.progress import AuditError, Cancelled, ProgressCallback, check_cancel, report
from mgso4.core.board import close_finished_drafts
from mgso4.core.episode import (
    Actor,
    Amendment,
    Assessed,
    Birth,
    Dating,
    Decision,
    EpisodeCreated,
    EventDraft,
    EventType,
    InfusionStopped,
    LoadFinished,
    LoadStarted,
    MaintenanceStarted,
    NotGiven,
    Observation,
    Patient,
    Reflexes,
    StopReason,
    Void,
)
from mgso4.core.gestation import DatingMethod, GestationalAge
from mgso4.core.identifiers import modulus_11_check_digit
from mgso4.core.protocol import DEFAULT_PROTOCOL_ID, Protocol, ProtocolLibrary
from mgso4.core.timeutil import LONDON
from mgso4.core.vocab import Band, IdentifierType, Recommendation, Role, Situation
from mgso4.resources import resource_path
from mgso4.storage import Store

#: End of the demo period (fixed so a seed always gives the same record).
DEFAULT_END: Final = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
#: Length of the demo period.
PERIOD: Final = timedelta(days=730)
#: Workstations the demo episodes are spread over, with their shares. Each demo record's
#: workstation ids carry its seed (``demo-<seed>-labour-ward``), so demo records made with
#: different seeds have different chains and merge cleanly.
WORKSTATIONS: Final = (("labour-ward", 0.7), ("triage", 0.3))
#: Episodes written per transaction (one ``append_many`` per workstation per batch).
BATCH_EPISODES: Final = 250
UNIT_NAME: Final = "Demo Maternity Unit"

_FIRST_NAMES: Final = (
    "Amara", "Bethan", "Carys", "Delyth", "Eira", "Ffion", "Gwen", "Hollie", "Ilse", "Jorun",
    "Kezia", "Liesel", "Maren", "Nerys", "Orla", "Priya", "Quilla", "Rhian", "Saoirse", "Tamsin",
)  # fmt: skip
_LAST_NAMES: Final = (
    "Abernethy", "Brackenbury", "Cadwallader", "Dunmore", "Elvery", "Fenwick", "Garside",
    "Hollingworth", "Ingleby", "Jessop", "Kettlewell", "Lockyer", "Mawdsley", "Netherwood",
    "Ormerod", "Pennycook", "Quarmby", "Rushworth", "Summerscales", "Thistlethwaite",
)  # fmt: skip
_STAFF: Final = (
    Actor(name="Demo Midwife Ashdown", role=Role.MIDWIFE),
    Actor(name="Demo Midwife Bellamy", role=Role.MIDWIFE),
    Actor(name="Demo Midwife Carver", role=Role.MIDWIFE),
    Actor(name="Demo Dr Dunstan", role=Role.OBSTETRICIAN),
    Actor(name="Demo Dr Ellery", role=Role.OBSTETRICIAN),
)
#: Not-given reasons with illustrative weights (codes from reference §3.3).
_NOT_GIVEN_WEIGHTS: Final = (
    ("NG-BBA", 10),
    ("NG-IMMINENT", 30),
    ("NG-EMERGENCY", 14),
    ("NG-DECLINED", 5),
    ("NG-CONTRAINDICATION", 3),
    ("NG-SENIOR-DECISION", 6),
    ("NG-NOT-ESTABLISHED", 10),
    ("NG-NOT-CONSIDERED", 8),
    ("NG-UNAVAILABLE", 4),
    ("NG-TRANSFER", 4),
)


@dataclass
class DemoReport:
    """What :func:`write_demo_data` wrote."""

    path: Path
    episodes: int = 0
    events: int = 0
    babies: int = 0
    pending: int = 0
    workstations: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "path": str(self.path),
            "episodes": self.episodes,
            "events": self.events,
            "babies": self.babies,
            "pending": self.pending,
            "workstations": list(self.workstations),
        }


def default_protocol() -> Protocol:
    """The shipped default protocol (``uk-nice-ng25``)."""
    return ProtocolLibrary(resource_path("protocols")).load(DEFAULT_PROTOCOL_ID)


def write_demo_data(
    path: Path | str,
    *,
    episodes: int,
    seed: int,
    end: datetime = DEFAULT_END,
    progress: ProgressCallback | None = None,
    cancel: object | None = None,
) -> DemoReport:
    """Write a NEW record holding synthetic demo episodes, through the store API.

    Episodes are written with ``Store.append_many`` in batches of whole episodes. A record has
    one chain per workstation id, fixed when the file is made, so the second demo workstation's
    episodes are written to their own file and merged in (``audit.merge``), exactly as a unit
    would combine two workstations' files.

    All or nothing: the record is built under a temporary name in the same folder and gets its
    name only when complete; on cancel or error the temporary files are deleted.

    Args:
        path: The new record file; refused if it exists (demo data never goes into a record
            that may hold real episodes).
        episodes: How many maternal episodes to write (1 to 1,000,000).
        seed: Random seed; the same seed writes the same content.
        end: End of the 24-month period (aware).
        progress: Called with ("Writing demo episodes", done, total), then merge progress.
        cancel: ``threading.Event`` or callable, checked between batches.

    Raises:
        AuditError: ``episodes`` out of range, ``end`` naive, or the file exists.
        Cancelled: the caller cancelled; no file was left behind.
        mgso4.storage.StoreError: the record cannot be written.
    """
    if not 1 <= episodes <= 1_000_000:
        raise AuditError(f"Choose between 1 and 1,000,000 demo episodes (got {episodes}).")
    if end.tzinfo is None:
        raise AuditError("The end of the demo period must carry a time zone.")
    path = Path(path)
    if path.exists():
        raise AuditError(
            f"{path} already exists. Demo data is only written to a new file, so it can never "
            "mix with real episodes; choose a new file name."
        )
    if not path.parent.is_dir():
        raise AuditError(f"The folder {path.parent} does not exist; choose an existing folder.")
    protocol = default_protocol()
    rng = random.Random(seed)
    remove_stale_partials(path)
    # The writer's process id is in the name, so a later run can tell an abandoned file from
    # one that another run is still writing.
    token = f"{os.getpid()}-{uuid_module.uuid4().hex[:8]}"
    partials = {
        f"demo-{seed}-{name}": path.parent / f".{path.name}.{name}.{token}.partial"
        for name, _ in WORKSTATIONS
    }
    result = DemoReport(path=path, workstations=tuple(partials))
    try:
        stores = {
            workstation_id: Store.open(partial, workstation_id=workstation_id)
            for workstation_id, partial in partials.items()
        }
        try:
            _write_episodes(stores, episodes, rng, end, protocol, result, progress, cancel)
        finally:
            for store in stores.values():
                store.close()
        main, *others = partials.values()
        if others:
            try:
                merged = merge_into(main, others, progress=progress, cancel=cancel)
            except Cancelled:
                raise Cancelled("Writing demo data") from None
            if not merged.ok:  # pragma: no cover - the files were written just now
                raise AuditError(f"The demo files did not merge: {merged.as_dict()}")
        check_cancel(cancel, "Writing demo data")
        os.replace(main, path)
    finally:
        for partial in partials.values():
            for leftover in (partial, *(Path(f"{partial}{s}") for s in _SIDE_FILES)):
                leftover.unlink(missing_ok=True)
    return result


#: SQLite's companion files of a record (rollback journal, write-ahead log, shared memory).
_SIDE_FILES: Final = ("-journal", "-wal", "-shm")
#: Where process ids cannot be checked, a partial file untouched for this long is abandoned.
STALE_AFTER_S: Final = 600
_PARTIAL_NAME: Final = re.compile(r"\.(?P<pid>\d+)-[0-9a-f]{8}\.partial")


def remove_stale_partials(path: Path) -> list[Path]:
    """Delete what an interrupted demo-data run for ``path`` left behind; return what went.

    A partial file is abandoned when the process that wrote it has ended (its id is in the
    name) or, where that cannot be checked, when it has not been touched for
    :data:`STALE_AFTER_S` seconds. Files of a run still going are left alone.
    """
    removed: list[Path] = []
    prefix = f".{path.name}."
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith((prefix, f".{prefix}"))]
    except OSError:
        return removed
    for candidate in candidates:
        match = _PARTIAL_NAME.search(candidate.name)
        if match is None or not _abandoned(candidate, int(match.group("pid"))):
            continue
        try:
            candidate.unlink()
        except OSError:
            continue
        removed.append(candidate)
    return removed


def _abandoned(candidate: Path, pid: int) -> bool:
    if pid == os.getpid():
        return False
    if os.name == "posix":
        try:
            os.kill(pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # it exists (another user's process)
        return False
    try:
        return time.time() - candidate.stat().st_mtime > STALE_AFTER_S
    except OSError:
        return False


def _write_episodes(
    stores: dict[str, Store],
    episodes: int,
    rng: random.Random,
    end: datetime,
    protocol: Protocol,
    result: DemoReport,
    progress: ProgressCallback | None,
    cancel: object | None,
) -> None:
    stage = "Writing demo episodes"
    workstation_ids = list(stores)
    shares = [share for _, share in WORKSTATIONS]
    report(progress, stage, 0, episodes)
    written = 0
    while written < episodes:
        check_cancel(cancel, "Writing demo data")
        batch: dict[str, list[EventDraft]] = {workstation_id: [] for workstation_id in stores}
        for _ in range(min(BATCH_EPISODES, episodes - written)):
            workstation_id = rng.choices(workstation_ids, weights=shares)[0]
            drafts, births = generate_episode(rng, end, protocol)
            batch[workstation_id].extend(drafts)
            result.episodes += 1
            result.events += len(drafts)
            result.babies += births
            result.pending += births == 0
            written += 1
        for workstation_id, drafts in batch.items():
            stores[workstation_id].append_many(drafts, protocol)
            closes = _closes(stores[workstation_id], drafts, end, protocol)
            stores[workstation_id].append_many(closes, protocol)
            result.events += len(closes)
        report(progress, stage, written, episodes)


#: A finished episode is closed this long after its last entry, as a ward would close it.
CLOSE_AFTER: Final = timedelta(hours=2)


def _closes(
    store: Store, drafts: list[EventDraft], end: datetime, protocol: Protocol
) -> list[EventDraft]:
    """A close for each episode just written that core says is finished and closable, timed
    :data:`CLOSE_AFTER` its last entry (if that is before ``end``), so the demo's past episodes
    leave the ward board as real ones do. Episodes still running, with an alert open or with
    babies still expected at ``end`` stay open. No random draw: the demo's stream is unchanged.
    """
    last: dict[str, datetime] = {}
    for draft in drafts:
        if draft.episode_uuid is not None:
            seen = last.get(draft.episode_uuid)
            if seen is None or draft.occurred_at > seen:
                last[draft.episode_uuid] = draft.occurred_at
    closes: list[EventDraft] = []
    for episode_uuid, at in last.items():
        close_at = at + CLOSE_AFTER
        if close_at > end:
            continue
        state = store.episode(episode_uuid)
        if not state.all_born:
            continue
        closes.extend(
            close_finished_drafts([(state, protocol)], _STAFF[0], close_at, _DEMO_CLOSE_REASON)
        )
    return closes


_DEMO_CLOSE_REASON: Final = "Delivered and care handed over."


def generate_episode(
    rng: random.Random, end: datetime, protocol: Protocol
) -> tuple[list[EventDraft], int]:
    """One synthetic episode's drafts (in recording order) and its number of births recorded."""
    return _EpisodeBuilder(rng, end, protocol).build()


class _EpisodeBuilder:
    """Builds one episode's events on a clinical timeline."""

    def __init__(self, rng: random.Random, end: datetime, protocol: Protocol) -> None:
        self.rng = rng
        self.end = end
        self.protocol = protocol
        self.episode_uuid = self._uuid()
        self.drafts: list[tuple[datetime, EventDraft]] = []
        #: The course stopped at birth, recorded after the last baby's birth (decisions.md §13).
        self._stop_at_birth: int | None = None

    def _uuid(self) -> str:
        return str(uuid_module.UUID(int=self.rng.getrandbits(128), version=4))

    def _actor(self, role: Role | None = None) -> Actor:
        staff = [a for a in _STAFF if role is None or a.role is role]
        return self.rng.choice(staff)

    def _add(
        self, event_type: EventType, payload: BaseModel | dict[str, Any], at: datetime
    ) -> EventDraft:
        draft = EventDraft.make(
            event_type,
            payload,
            episode_uuid=self.episode_uuid,
            occurred_at=at,
            recorded_by=self._actor(),
        ).model_copy(update={"uuid": self._uuid()})
        self.drafts.append((at, draft))
        return draft

    # -- the story ------------------------------------------------------------------------

    def build(self) -> tuple[list[EventDraft], int]:
        rng = self.rng
        created_at = _minute(self.end - PERIOD * rng.random())
        decision_days = self._decision_gestation_days()
        twins = rng.random() < 0.02
        situation = rng.choices(
            [
                Situation.ESTABLISHED_LABOUR,
                Situation.PLANNED_BIRTH_WITHIN_24H,
                Situation.SUSPECTED_LABOUR,
                Situation.PPROM_NOT_IN_LABOUR,
            ],
            weights=[70, 25, 4, 1],
        )[0]
        assessed_at = created_at + timedelta(minutes=rng.randint(5, 30))
        dating = self._dating(assessed_at, decision_days)
        decision_gestation = dating.gestation_on(assessed_at.astimezone(LONDON).date())
        self._add(
            EventType.EPISODE_CREATED,
            EpisodeCreated(
                patient=self._patient(created_at),
                dating=dating,
                preparation_id="20pct-ready",
                training=False,
                unit_name=UNIT_NAME,
                plurality=2 if twins else 1,
            ),
            created_at,
        )
        band = self.protocol.band_for(decision_gestation)
        qualifying = situation in self.protocol.qualifying_situations
        recommendation = (
            Recommendation(band.value)
            if qualifying and band is not Band.OUTSIDE
            else Recommendation.NOT_INDICATED
        )
        self._add(
            EventType.ASSESSED,
            Assessed(
                gestation_days=decision_gestation.total_days,
                situation=situation,
                band=band,
                recommendation=recommendation,
                senior_decision_required=band is Band.DISCUSS,
            ),
            assessed_at,
        )
        offered = recommendation in (Recommendation.OFFER, Recommendation.CONSIDER)
        give_probability = 0.93 if recommendation is Recommendation.OFFER else 0.6
        give = offered and rng.random() < give_probability
        decided_at = assessed_at + timedelta(minutes=rng.randint(5, 30))
        self._add(
            EventType.DECISION,
            Decision(give=give, decided_by=self._actor(Role.OBSTETRICIAN)),
            decided_at,
        )
        if give:
            born_at = self._course_and_birth(decided_at)
        else:
            born_at = self._not_given(decided_at, created_at, offered, band)
        births = self._births(born_at, twins)
        self._amend_and_void()
        kept = [draft for at, draft in self.drafts if at <= self.end]
        kept_uuids = {draft.uuid for draft in kept}
        # Corrections of entries not yet made (after the end) are dropped with them.
        kept = [
            draft
            for draft in kept
            if draft.type not in (EventType.AMENDMENT, EventType.VOID)
            or draft.payload["target"] in kept_uuids
        ]
        recorded_births = sum(1 for draft in kept if draft.type is EventType.BIRTH)
        del births
        return kept, recorded_births

    def _decision_gestation_days(self) -> int:
        rng = self.rng
        weeks = rng.choices(
            [22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35],
            weights=[0.5, 1.5, 7, 8, 8, 9, 11, 12, 11, 10, 9, 8, 2, 1],
        )[0]
        return weeks * 7 + rng.randint(0, 6)

    def _dating(self, assessed_at: datetime, decision_days: int) -> Dating:
        rng = self.rng
        on = assessed_at.astimezone(LONDON).date()
        method = rng.choices(
            [DatingMethod.AGREED_EDD, DatingMethod.WEEKS_DAYS, DatingMethod.LMP],
            weights=[80, 15, 5],
        )[0]
        lmp = on - timedelta(days=decision_days)
        if method is DatingMethod.AGREED_EDD:
            return Dating(method=method, edd=lmp + timedelta(days=280))
        if method is DatingMethod.LMP:
            return Dating(method=method, lmp=lmp)
        return Dating(
            method=method,
            stated_gestation=GestationalAge(decision_days).label,
            stated_on=on,
        )

    def _patient(self, created_at: datetime) -> Patient:
        rng = self.rng
        while True:
            first_nine = "999" + f"{rng.randrange(1_000_000):06d}"
            check = modulus_11_check_digit(first_nine)
            if check is not None and len(set(first_nine + str(check))) > 1:
                break
        age_days = rng.randint(18 * 365, 44 * 365)
        return Patient(
            id_type=IdentifierType.NHS,
            identifier=first_nine + str(check),
            name=f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
            date_of_birth=created_at.date() - timedelta(days=age_days),
        )

    def _course(
        self, number: int, load_at: datetime, stop_by: datetime | None
    ) -> tuple[datetime, datetime]:
        """Load, maintenance and observations of one course; returns (maintenance start, limit)."""
        rng = self.rng
        self._add(
            EventType.LOAD_STARTED,
            LoadStarted(
                course_number=number,
                preparation_id="20pct-ready",
                dose_g=Decimal(4),
                concentration_g_per_ml=Decimal("0.2"),
                volume_ml=Decimal(20),
                rate_ml_per_h=Decimal(80),
                duration_min=Decimal(15),
                given_by=self._actor(Role.MIDWIFE),
                checked_by=self._actor(Role.MIDWIFE),
            ),
            load_at,
        )
        load_done = load_at + timedelta(minutes=15)
        if stop_by is not None and stop_by <= load_done:
            # Stopped (born) while the load ran: no load end, no maintenance.
            return load_done, load_done + timedelta(hours=24)
        self._add(EventType.LOAD_FINISHED, LoadFinished(course_number=number), load_done)
        self._add(
            EventType.MAINTENANCE_STARTED,
            MaintenanceStarted(
                course_number=number,
                preparation_id="20pct-ready",
                concentration_g_per_ml=Decimal("0.2"),
                rate_ml_per_h=Decimal(5),
                container_volume_ml=Decimal(50),
                given_by=self._actor(Role.MIDWIFE),
                checked_by=self._actor(Role.MIDWIFE),
            ),
            load_done,
        )
        limit = load_done + timedelta(hours=24)
        observe_until = min(limit, stop_by) if stop_by is not None else limit
        at = load_done + timedelta(minutes=rng.randint(30, 60))
        while at < observe_until:
            self._add(EventType.OBSERVATION, self._observation(), at)
            at += timedelta(minutes=rng.randint(200, 250))
        return load_done, limit

    def _observation(self) -> Observation:
        rng = self.rng
        return Observation(
            pulse_per_min=rng.randint(68, 112),
            systolic_mmhg=rng.randint(100, 142),
            diastolic_mmhg=rng.randint(58, 90),
            rr_per_min=rng.randint(13, 20),
            reflexes=Reflexes.PRESENT if rng.random() < 0.95 else Reflexes.REDUCED,
            urine_ml=rng.randint(110, 320),
            urine_period_h=Decimal(4),
            spo2_percent=rng.randint(95, 100),
        )

    def _stop(self, number: int, at: datetime, reason: StopReason) -> None:
        if reason is StopReason.BIRTH:
            # Recorded after the births, at the last baby's (the store refuses a stop "at
            # birth" while a baby is still expected).
            self._stop_at_birth = number
            return
        self._add(
            EventType.INFUSION_STOPPED, InfusionStopped(course_number=number, reason=reason), at
        )

    def _course_and_birth(self, decided_at: datetime) -> datetime:
        rng = self.rng
        load_at = _minute(decided_at + timedelta(minutes=rng.randint(5, 60)))
        pattern = rng.choices(["late", "optimal", "long", "expired"], weights=[20, 56, 14, 10])[0]
        if pattern == "expired":
            stop_at = _minute(load_at + timedelta(hours=rng.uniform(6, 20)))
            self._course(1, load_at, stop_at)
            self._stop(1, stop_at, StopReason.NO_LONGER_IMMINENT)
            born_at = _minute(stop_at + timedelta(hours=rng.uniform(26, 120)))
            if rng.random() < 0.06:
                # Labour came back within the protocol's 6 h: maintenance restarted without a
                # new load, by a named senior (decisions.md §8).
                restart_at = _minute(stop_at + timedelta(hours=rng.uniform(1, 5)))
                self._add(
                    EventType.DECISION,
                    Decision(
                        give=True,
                        decided_by=self._actor(Role.OBSTETRICIAN),
                        senior=self._actor(Role.OBSTETRICIAN),
                        course_number=2,
                    ),
                    restart_at - timedelta(minutes=10),
                )
                self._add(
                    EventType.MAINTENANCE_STARTED,
                    MaintenanceStarted(
                        course_number=2,
                        preparation_id="20pct-ready",
                        concentration_g_per_ml=Decimal("0.2"),
                        rate_ml_per_h=Decimal(5),
                        container_volume_ml=Decimal(50),
                        given_by=self._actor(Role.MIDWIFE),
                        checked_by=self._actor(Role.MIDWIFE),
                        restart_without_load=True,
                    ),
                    restart_at,
                )
                born_at = _minute(restart_at + timedelta(hours=rng.uniform(1, 20)))
                self._stop(2, born_at, StopReason.BIRTH)
            elif rng.random() < 0.2:
                # A repeat course for labour that came back (decisions.md §8): usually late,
                # decided by a named senior shortly before its new loading dose.
                second_load = _minute(born_at - timedelta(hours=rng.uniform(0.5, 8)))
                self._add(
                    EventType.DECISION,
                    Decision(
                        give=True,
                        decided_by=self._actor(Role.OBSTETRICIAN),
                        senior=self._actor(Role.OBSTETRICIAN),
                        course_number=2,
                    ),
                    second_load - timedelta(minutes=10),
                )
                self._course(2, second_load, born_at)
                self._stop(2, born_at, StopReason.BIRTH)
            return born_at
        hours = {
            "late": rng.uniform(0.2, 3.9),
            "optimal": rng.uniform(4.1, 23.9),
            "long": rng.uniform(24.5, 40),
        }[pattern]
        born_at = _minute(load_at + timedelta(hours=hours))
        _, limit = self._course(1, load_at, born_at)
        if born_at <= limit:
            self._stop(1, born_at, StopReason.BIRTH)
        else:
            self._stop(1, limit, StopReason.MAX_DURATION)
        return born_at

    def _not_given(
        self, decided_at: datetime, created_at: datetime, offered: bool, band: Band
    ) -> datetime:
        rng = self.rng
        codes, weights = zip(*_NOT_GIVEN_WEIGHTS, strict=True)
        if offered:
            code = rng.choices(codes, weights=weights)[0]
        elif band is Band.DISCUSS:
            code = "NG-SENIOR-DECISION"
        else:
            code = "NG-NOT-ESTABLISHED"
        if rng.random() < 0.04:
            code = ""  # reason not recorded: counts as UNKNOWN
        if code:
            rule = self.protocol.missed_reason(code)
            text = "Details in the demo notes" if rule is not None and rule.needs_text else ""
            self._add(EventType.NOT_GIVEN, NotGiven(reason_code=code, text=text), decided_at)
        if code == "NG-BBA":
            return _minute(created_at - timedelta(minutes=rng.randint(10, 90)))
        if code in ("NG-IMMINENT", "NG-EMERGENCY"):
            return _minute(decided_at + timedelta(minutes=rng.randint(10, 150)))
        return _minute(decided_at + timedelta(hours=rng.uniform(1, 72)))

    def _births(self, born_at: datetime, twins: bool) -> list[EventDraft]:
        births = [self._add(EventType.BIRTH, Birth(baby=1), born_at)]
        if twins:
            second = born_at + timedelta(minutes=self.rng.randint(2, 40))
            births.append(self._add(EventType.BIRTH, Birth(baby=2), second))
        if self._stop_at_birth is not None:
            last = second if twins else born_at
            self._add(
                EventType.INFUSION_STOPPED,
                InfusionStopped(course_number=self._stop_at_birth, reason=StopReason.BIRTH),
                last,
            )
        return births

    def _amend_and_void(self) -> None:
        rng = self.rng
        by_type: dict[EventType, list[tuple[datetime, EventDraft]]] = {}
        for at, draft in self.drafts:
            by_type.setdefault(draft.type, []).append((at, draft))
        if rng.random() < 0.03 and by_type.get(EventType.BIRTH):
            at, birth = by_type[EventType.BIRTH][0]
            corrected = at + timedelta(minutes=rng.choice([-20, -10, 5, 15]))
            started = [when for when, _ in by_type.get(EventType.LOAD_STARTED, []) if when <= at]
            if started and corrected <= max(started):
                # Never before the loading dose it followed (the rules refuse that).
                corrected = at + timedelta(minutes=5)
            stops = [when for when, _ in by_type.get(EventType.INFUSION_STOPPED, [])]
            if corrected > at and any(at <= when < corrected for when in stops):
                # Never after a stop recorded at birth: the rules refuse a stop "at birth"
                # while a baby is still expected (decisions.md §13).
                corrected = at - timedelta(minutes=5)
            self._add(
                EventType.AMENDMENT,
                Amendment(
                    target=birth.uuid,
                    reason="Time corrected from the delivery notes",
                    occurred_at=corrected,
                ),
                at + timedelta(hours=2),
            )
        if rng.random() < 0.02 and by_type.get(EventType.LOAD_STARTED):
            at, load = by_type[EventType.LOAD_STARTED][0]
            corrected = at - timedelta(minutes=rng.choice([5, 10]))
            decided = [when for when, _ in by_type.get(EventType.DECISION, []) if when <= at]
            if decided and corrected <= max(decided):
                # Never before the decision to give it (the rules refuse that).
                corrected = at + timedelta(minutes=2)
            self._add(
                EventType.AMENDMENT,
                Amendment(
                    target=load.uuid,
                    reason="Start time corrected from the pump log",
                    occurred_at=corrected,
                ),
                at + timedelta(hours=1),
            )
        if rng.random() < 0.02 and by_type.get(EventType.OBSERVATION):
            at, observation = rng.choice(by_type[EventType.OBSERVATION])
            self._add(
                EventType.VOID,
                Void(target=observation.uuid, reason="Entered for the wrong woman"),
                at + timedelta(minutes=20),
            )


def _minute(moment: datetime) -> datetime:
    """Clinical times are recorded to the minute."""
    return moment.replace(second=0, microsecond=0)
