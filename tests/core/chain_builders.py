"""Build one episode's chain of sealed events without a database, as the store would.

Doses follow decisions.md §3: ``20pct-ready`` loads 4 g = 20 mL of 20% over 15 min at
80 mL/h, maintenance 1 g/h = 5 mL/h of 20%; ``20pct-load-10pct-maint`` keeps the load and runs
maintenance at 10 mL/h of 10%.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from mgso4.core.episode import (
    GENESIS_HASH,
    Actor,
    Amendment,
    Assessed,
    Birth,
    Dating,
    Decision,
    EpisodeCreated,
    EpisodeState,
    Event,
    EventDraft,
    EventType,
    InfusionStopped,
    LoadFinished,
    LoadStarted,
    MaintenanceStarted,
    Observation,
    Patient,
    ProtocolRef,
    RateChanged,
    Reflexes,
    StopReason,
    SyringeChanged,
    Void,
    fold,
    seal,
)
from mgso4.core.gestation import DatingMethod
from mgso4.core.protocol import ProtocolLibrary
from mgso4.core.vocab import Band, IdentifierType, Recommendation, Role, Situation
from mgso4.resources import resource_path

LIBRARY = ProtocolLibrary(resource_path("protocols"))
NICE = LIBRARY.load("uk-nice-ng25")
REF = ProtocolRef.of(NICE)
MIDWIFE = Actor(name="Alex Midwife", role=Role.MIDWIFE)
CHECKER = Actor(name="Sam Checker", role=Role.MIDWIFE)
SENIOR = Actor(name="Dr Jo Consultant", role=Role.OBSTETRICIAN)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
T0 = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)

#: A complete NICE 1.10.5 set with nothing abnormal.
NORMAL = Observation(
    pulse_per_min=88, systolic_mmhg=120, diastolic_mmhg=75, rr_per_min=16, reflexes=Reflexes.PRESENT
)


def load_payload(course: int = 1, **changes: object) -> LoadStarted:
    values: dict[str, object] = {
        "course_number": course,
        "preparation_id": "20pct-ready",
        "dose_g": Decimal(4),
        "concentration_g_per_ml": Decimal("0.2"),
        "volume_ml": Decimal(20),
        "rate_ml_per_h": Decimal(80),
        "duration_min": Decimal(15),
        "given_by": MIDWIFE,
        "checked_by": CHECKER,
    }
    values.update(changes)
    return LoadStarted.model_validate(values)


def maintenance_payload(
    course: int = 1,
    *,
    rate: str = "5",
    concentration: str = "0.2",
    restart: bool = False,
    **changes: object,
) -> MaintenanceStarted:
    values: dict[str, object] = {
        "course_number": course,
        "preparation_id": "20pct-ready",
        "concentration_g_per_ml": Decimal(concentration),
        "rate_ml_per_h": Decimal(rate),
        "container_volume_ml": Decimal(50),
        "given_by": MIDWIFE,
        "checked_by": CHECKER,
        "restart_without_load": restart,
    }
    values.update(changes)
    return MaintenanceStarted.model_validate(values)


class Chain:
    """One episode's events, sealed in order; ``state()`` folds them."""

    def __init__(self, *, plurality: int = 1, created_at: datetime = T0) -> None:
        self.uuid = "episode-1"
        self.events: list[Event] = []
        self.add(
            EventType.EPISODE_CREATED,
            EpisodeCreated(
                patient=Patient(
                    id_type=IdentifierType.NHS, identifier="9434765919", name="Test Patient"
                ),
                dating=Dating(method=DatingMethod.AGREED_EDD, edd=date(2026, 4, 15)),
                preparation_id="20pct-ready",
                plurality=plurality,
            ),
            created_at,
        )

    def draft(self, event_type: EventType, payload: BaseModel, at: datetime) -> EventDraft:
        return EventDraft.make(
            event_type, payload, episode_uuid=self.uuid, occurred_at=at, recorded_by=MIDWIFE
        )

    def add(self, event_type: EventType, payload: BaseModel, at: datetime) -> Event:
        event = seal(
            self.draft(event_type, payload, at),
            seq=len(self.events) + 1,
            prev_hash=self.events[-1].hash if self.events else GENESIS_HASH,
            recorded_at=at,
            workstation_id="ws-test",
            app_version="test",
            protocol=REF,
        )
        self.events.append(event)
        return event

    def state(self, until: datetime | None = None) -> EpisodeState:
        return fold(self.events, until=until)

    # -- the usual steps -----------------------------------------------------------------

    def assess(self, at: datetime = T0) -> Chain:
        self.add(
            EventType.ASSESSED,
            Assessed(
                gestation_days=27 * 7 + 3,
                situation=Situation.ESTABLISHED_LABOUR,
                band=Band.OFFER,
                recommendation=Recommendation.OFFER,
                senior_decision_required=False,
            ),
            at,
        )
        return self

    def decide(
        self, at: datetime, *, course: int = 1, give: bool = True, senior: Actor | None = None
    ) -> Event:
        return self.add(
            EventType.DECISION,
            Decision(give=give, decided_by=MIDWIFE, senior=senior, course_number=course),
            at,
        )

    def load(self, at: datetime, course: int = 1, **changes: object) -> Event:
        return self.add(EventType.LOAD_STARTED, load_payload(course, **changes), at)

    def load_end(self, at: datetime, course: int = 1) -> Event:
        return self.add(EventType.LOAD_FINISHED, LoadFinished(course_number=course), at)

    def maintenance(self, at: datetime, course: int = 1, **kwargs: object) -> Event:
        return self.add(
            EventType.MAINTENANCE_STARTED,
            maintenance_payload(course, **kwargs),  # type: ignore[arg-type]
            at,
        )

    def rate(self, at: datetime, rate: str, course: int = 1) -> Event:
        return self.add(
            EventType.RATE_CHANGED,
            RateChanged(course_number=course, rate_ml_per_h=Decimal(rate), reason="review"),
            at,
        )

    def syringe(self, at: datetime, concentration: str, course: int = 1) -> Event:
        return self.add(
            EventType.SYRINGE_CHANGED,
            SyringeChanged(
                course_number=course,
                concentration_g_per_ml=Decimal(concentration),
                volume_ml=Decimal(50),
            ),
            at,
        )

    def stop(self, at: datetime, course: int = 1, reason: StopReason = StopReason.BIRTH) -> Event:
        return self.add(
            EventType.INFUSION_STOPPED, InfusionStopped(course_number=course, reason=reason), at
        )

    def birth(self, at: datetime, baby: int = 1) -> Event:
        return self.add(EventType.BIRTH, Birth(baby=baby), at)

    def observe(self, at: datetime, observation: Observation = NORMAL) -> Event:
        return self.add(EventType.OBSERVATION, observation, at)

    def void(self, target: Event, at: datetime) -> Event:
        return self.add(EventType.VOID, Void(target=target.uuid, reason="entered in error"), at)

    def amend(self, target: Event, at: datetime, **kwargs: object) -> Event:
        return self.add(
            EventType.AMENDMENT,
            Amendment(target=target.uuid, reason="corrected", **kwargs),  # type: ignore[arg-type]
            at,
        )

    def running_course(self, start: datetime = T0) -> Chain:
        """Assessed, decided, loaded 09:10, load end and maintenance 09:25."""
        self.assess(start)
        self.decide(start + 5 * MINUTE)
        self.load(start + 10 * MINUTE)
        self.load_end(start + 25 * MINUTE)
        self.maintenance(start + 25 * MINUTE)
        return self
