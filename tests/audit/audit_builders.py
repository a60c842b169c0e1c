"""Build small, hand-checkable episodes for the audit tests (times given in UTC)."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from mgso4.audit.demo import default_protocol
from mgso4.core.episode import (
    GENESIS_HASH,
    Actor,
    Amendment,
    Assessed,
    Birth,
    Dating,
    Decision,
    EpisodeCreated,
    Event,
    EventDraft,
    EventType,
    InfusionStopped,
    LoadStarted,
    MaintenanceStarted,
    NotGiven,
    Observation,
    Patient,
    ProtocolRef,
    StopReason,
    Void,
    format_utc,
    seal,
)
from mgso4.core.gestation import DatingMethod
from mgso4.core.vocab import Band, IdentifierType, Recommendation, Role, Situation
from mgso4.storage import Store
from mgso4.storage.rows import INSERT_EVENT_SQL, event_to_row

#: Size of the demo record the SQL/core agreement test reads (at least 10,000 episodes).
AGREEMENT_EPISODES = 10_000

MIDWIFE = Actor(name="Test Midwife", role=Role.MIDWIFE)
AUDITOR = Actor(name="Test Auditor", role=Role.AUDITOR)

_PROTOCOL = default_protocol()
#: The shipped default protocol: its rules check every entry saved (core.actions).
PROTOCOL = _PROTOCOL
PROTOCOL_REF = ProtocolRef.of(_PROTOCOL)


def utc(text: str) -> datetime:
    """'2026-03-29 02:59' → aware UTC datetime."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def edd_for(gestation_days: int, on: date) -> date:
    """The agreed EDD that makes ``on`` the given gestation (EDD = LMP + 280 days)."""
    return on - timedelta(days=gestation_days) + timedelta(days=280)


@dataclass
class EpisodeBuilder:
    """One episode's drafts, added in clinical order; ``save`` writes them in one transaction."""

    created_at: datetime
    gestation_days_at_birth_date: int
    birth_date: date
    identifier: str = "9990000026"
    name: str = "Test Patient"
    date_of_birth: date | None = date(1990, 5, 17)
    plurality: int = 1
    situation: Situation = Situation.ESTABLISHED_LABOUR
    assess: bool = True
    episode_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    drafts: list[EventDraft] = field(default_factory=list)

    def __post_init__(self) -> None:
        edd = edd_for(self.gestation_days_at_birth_date, self.birth_date)
        self.dating = Dating(method=DatingMethod.AGREED_EDD, edd=edd)
        self._add(
            EventType.EPISODE_CREATED,
            EpisodeCreated(
                patient=Patient(
                    id_type=IdentifierType.NHS,
                    identifier=self.identifier,
                    name=self.name,
                    date_of_birth=self.date_of_birth,
                ),
                dating=self.dating,
                preparation_id="20pct-ready",
                unit_name="Test Unit",
                plurality=self.plurality,
            ),
            self.created_at,
        )
        if self.assess:
            days = self.dating.gestation_on(self.created_at.date()).total_days
            self._add(
                EventType.ASSESSED,
                Assessed(
                    gestation_days=days,
                    situation=self.situation,
                    band=Band.OFFER,
                    recommendation=Recommendation.OFFER,
                    senior_decision_required=False,
                ),
                self.created_at,
            )

    def _add(self, kind: EventType, payload: BaseModel | dict[str, Any], at: datetime) -> str:
        draft = EventDraft.make(
            kind, payload, episode_uuid=self.episode_uuid, occurred_at=at, recorded_by=MIDWIFE
        )
        self.drafts.append(draft)
        return draft.uuid

    def course(
        self,
        load_at: datetime,
        stop_at: datetime | None = None,
        *,
        number: int = 1,
        reason: StopReason = StopReason.BIRTH,
    ) -> str:
        """Load (4 g at 80 mL/h), maintenance 15 min later, optional stop; returns the load id."""
        self._add(
            EventType.DECISION,
            Decision(give=True, decided_by=MIDWIFE, course_number=number),
            load_at,
        )
        load_uuid = self._add(
            EventType.LOAD_STARTED,
            LoadStarted(
                course_number=number,
                preparation_id="20pct-ready",
                dose_g=Decimal(4),
                concentration_g_per_ml=Decimal("0.2"),
                volume_ml=Decimal(20),
                rate_ml_per_h=Decimal(80),
                duration_min=Decimal(15),
                given_by=MIDWIFE,
                checked_by=MIDWIFE,
            ),
            load_at,
        )
        maintenance_at = load_at + timedelta(minutes=15)
        if stop_at is None or stop_at > maintenance_at:
            self._add(
                EventType.MAINTENANCE_STARTED,
                MaintenanceStarted(
                    course_number=number,
                    preparation_id="20pct-ready",
                    concentration_g_per_ml=Decimal("0.2"),
                    rate_ml_per_h=Decimal(5),
                    container_volume_ml=Decimal(50),
                    given_by=MIDWIFE,
                    checked_by=MIDWIFE,
                ),
                maintenance_at,
            )
        if stop_at is not None:
            self._add(
                EventType.INFUSION_STOPPED,
                InfusionStopped(
                    course_number=number,
                    reason=reason,
                    text="Stopped on review" if reason is StopReason.OTHER else "",
                ),
                stop_at,
            )
        return load_uuid

    def not_given(self, code: str | None, at: datetime, text: str = "") -> None:
        """Decision not to give, with a coded reason (None = no reason recorded)."""
        self._add(EventType.DECISION, Decision(give=False, decided_by=MIDWIFE), at)
        if code is not None:
            self._add(EventType.NOT_GIVEN, NotGiven(reason_code=code, text=text), at)

    def birth(self, at: datetime, baby: int = 1) -> str:
        """A baby's birth."""
        return self._add(EventType.BIRTH, Birth(baby=baby), at)

    def observation(self, at: datetime) -> str:
        """One set of observations."""
        return self._add(EventType.OBSERVATION, Observation(pulse_per_min=80), at)

    def amend_time(self, target: str, corrected: datetime, at: datetime) -> None:
        """Correct an entry's clinical time."""
        self._add(
            EventType.AMENDMENT,
            Amendment(target=target, reason="Corrected from the notes", occurred_at=corrected),
            at,
        )

    def void(self, target: str, at: datetime) -> None:
        """Mark an entry as entered in error."""
        self._add(EventType.VOID, Void(target=target, reason="Entered in error"), at)

    def save(self, store: Store) -> list[Event]:
        """Write every draft in one transaction.

        A stop at birth is recorded after the births at its instant, as at the bedside: the
        rules refuse a stop "at birth" while a baby is still expected (decisions.md §13).
        """
        births_at = {d.occurred_at for d in self.drafts if d.type is EventType.BIRTH}
        held = [
            d
            for d in self.drafts
            if d.type is EventType.INFUSION_STOPPED and d.occurred_at in births_at
        ]
        ordered = [d for d in self.drafts if d not in held] + held
        return store.append_many(ordered, PROTOCOL)

    def save_unchecked(self, store: Store) -> None:
        """Write the drafts as an older version of the app could have, without today's rules.

        The record then holds entries the rules refuse (a data problem): what a record written
        before the rules, or merged in from elsewhere, can hold. Sealed on the store's chain, so
        the record still verifies.
        """
        connection = sqlite3.connect(store.path)
        try:
            head = connection.execute(
                "SELECT seq, hash FROM event WHERE workstation_id = ? ORDER BY seq DESC LIMIT 1",
                (store.workstation_id,),
            ).fetchone()
            seq, prev_hash = (int(head[0]), str(head[1])) if head else (0, GENESIS_HASH)
            for draft in self.drafts:
                seq += 1
                event = seal(
                    draft,
                    seq=seq,
                    prev_hash=prev_hash,
                    recorded_at=datetime(2027, 1, 1, tzinfo=UTC),
                    workstation_id=store.workstation_id,
                    app_version="0.old",
                    protocol=PROTOCOL_REF,
                )
                if event.type is EventType.EPISODE_CREATED:
                    connection.execute(
                        "INSERT INTO episode (uuid, created_at, workstation_id, training) "
                        "VALUES (?, ?, ?, 0)",
                        (event.episode_uuid, format_utc(event.occurred_at), store.workstation_id),
                    )
                connection.execute(INSERT_EVENT_SQL, event_to_row(event))
                prev_hash = event.hash
            connection.commit()
        finally:
            connection.close()
