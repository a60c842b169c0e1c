"""Demo episodes for the report tests, built as sealed event chains without a database.

Imported by the tests directly (``from report_builders import ...``) and through the fixtures in
conftest.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from pypdf import PdfReader

from mgso4.core.episode import (
    GENESIS_HASH,
    Actor,
    AlertAcknowledged,
    AlertRaised,
    Amendment,
    AntenatalSteroids,
    Assessed,
    Birth,
    Dating,
    Decision,
    EpisodeCreated,
    EpisodeState,
    Event,
    EventDraft,
    EventType,
    InformationGiven,
    InfusionStopped,
    InteractionAcknowledged,
    LabourEvidence,
    LoadFinished,
    LoadStarted,
    MaintenanceStarted,
    NeonatalTeamInformed,
    Note,
    Observation,
    Patient,
    PreLoadChecks,
    Prescribed,
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
from mgso4.core.protocol import (
    Protocol,
)
from mgso4.core.vocab import (
    Band,
    IdentifierType,
    MedicationId,
    Recommendation,
    Role,
    Situation,
)

MIDWIFE = Actor(name="Sam Patel", role=Role.MIDWIFE)
CHECKER = Actor(name="Chris Doe", role=Role.MIDWIFE)
OBSTETRICIAN = Actor(name="Dr Ada Obi", role=Role.OBSTETRICIAN)
PRINTED_AT = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
UNIT = "Rivermouth Maternity Unit"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """A March 2026 instant in UTC (the clocks go forward at 01:00 UTC on the 29th)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


class EpisodeBuilder:
    """Appends sealed events to one chain, as the store would."""

    def __init__(
        self, protocol: Protocol, episode_uuid: str = "e0a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b"
    ):
        self.episode_uuid = episode_uuid
        self.protocol_ref = ProtocolRef(
            id=protocol.id, version=protocol.version, sha256=protocol.sha256
        )
        self.events: list[Event] = []

    def add(
        self,
        event_type: EventType,
        payload: BaseModel | dict[str, Any],
        at: datetime,
        by: Actor = MIDWIFE,
        recorded_after: timedelta = timedelta(minutes=2),
    ) -> Event:
        draft = EventDraft.make(
            event_type,
            payload,
            episode_uuid=self.episode_uuid,
            occurred_at=at,
            recorded_by=by,
        )
        event = seal(
            draft,
            seq=len(self.events) + 1,
            prev_hash=self.events[-1].hash if self.events else GENESIS_HASH,
            recorded_at=at + recorded_after,
            workstation_id="ws-labour-ward-1",
            app_version="0.1.0",
            protocol=self.protocol_ref,
        )
        self.events.append(event)
        return event

    @property
    def head(self) -> str:
        return self.events[-1].hash

    def state(self) -> EpisodeState:
        return fold(self.events)


def create(
    builder: EpisodeBuilder, *, name: str = "Amelia Jane O'Neill", training: bool = False
) -> None:
    builder.add(
        EventType.EPISODE_CREATED,
        EpisodeCreated(
            patient=Patient(
                id_type=IdentifierType.NHS,
                identifier="9434765919",
                name=name,
                date_of_birth=date(1994, 7, 14),
            ),
            dating=Dating(method=DatingMethod.AGREED_EDD, edd=date(2026, 6, 20)),
            preparation_id="20pct-ready",
            unit_name=UNIT,
            plurality=2,
            training=training,
        ),
        utc(28, 21, 30),
    )


def assess_and_decide(builder: EpisodeBuilder) -> None:
    builder.add(
        EventType.ASSESSED,
        Assessed(
            gestation_days=196,
            situation=Situation.ESTABLISHED_LABOUR,
            medications=(MedicationId.NIFEDIPINE,),
            band=Band.OFFER,
            recommendation=Recommendation.OFFER,
            senior_decision_required=False,
            reasons=("28+0 is in the offer band 24+0 to 29+6 [N1] 1.10.2",),
            warnings=("Nifedipine: profound hypotension has been reported [D3]",),
            citations=("[N1] 1.10.2", "[D3]"),
        ),
        utc(28, 21, 40),
    )
    builder.add(
        EventType.INTERACTION_ACKNOWLEDGED,
        InteractionAcknowledged(
            medication=MedicationId.NIFEDIPINE, warning="Profound hypotension reported"
        ),
        utc(28, 21, 42),
    )
    builder.add(
        EventType.DECISION,
        Decision(give=True, decided_by=OBSTETRICIAN, course_number=1),
        utc(28, 21, 45),
        by=OBSTETRICIAN,
    )


def start_course(builder: EpisodeBuilder) -> None:
    builder.add(
        EventType.LOAD_STARTED,
        LoadStarted(
            course_number=1,
            preparation_id="20pct-ready",
            dose_g=Decimal("4"),
            concentration_g_per_ml=Decimal("0.2"),
            volume_ml=Decimal("20"),
            rate_ml_per_h=Decimal("80"),
            duration_min=Decimal("15"),
            given_by=MIDWIFE,
            checked_by=CHECKER,
        ),
        utc(28, 22, 0),
    )
    builder.add(EventType.LOAD_FINISHED, LoadFinished(course_number=1), utc(28, 22, 15))
    builder.add(
        EventType.MAINTENANCE_STARTED,
        MaintenanceStarted(
            course_number=1,
            preparation_id="20pct-ready",
            concentration_g_per_ml=Decimal("0.2"),
            rate_ml_per_h=Decimal("5"),
            container_volume_ml=Decimal("50"),
            given_by=MIDWIFE,
            checked_by=CHECKER,
        ),
        utc(28, 22, 15),
    )


def observation(**values: Any) -> Observation:
    base: dict[str, Any] = {
        "pulse_per_min": 88,
        "systolic_mmhg": 118,
        "diastolic_mmhg": 72,
        "rr_per_min": 16,
        "reflexes": Reflexes.PRESENT,
        "spo2_percent": 98,
    }
    base.update(values)
    return Observation(**base)


@dataclass
class Scenario:
    """A built episode plus the values the tests look for on paper."""

    builder: EpisodeBuilder
    state: EpisodeState
    head: str
    expected_text: list[str] = field(default_factory=list)


def build_standard(protocol: Protocol) -> Scenario:
    """Load, maintenance, hourly observations, a low RR with its alert, a rate change, a syringe
    change, an amended observation, a voided entry, twin births and a stop at birth; it runs
    across the spring clock change (29 Mar 2026)."""
    builder = EpisodeBuilder(protocol)
    create(builder)
    assess_and_decide(builder)
    start_course(builder)
    builder.add(EventType.OBSERVATION, observation(baseline_rr_per_min=16), utc(28, 22, 30))
    typo = builder.add(EventType.OBSERVATION, observation(pulse_per_min=188), utc(28, 23, 30))
    wrong = builder.add(
        EventType.OBSERVATION, observation(pulse_per_min=131, rr_per_min=22), utc(29, 0, 30)
    )
    builder.add(
        EventType.OBSERVATION,
        observation(urine_ml=140, urine_period_h=Decimal("4")),
        utc(29, 1, 30),
    )
    builder.add(
        EventType.OBSERVATION,
        observation(rr_per_min=11, baseline_rr_per_min=16, spo2_percent=93),
        utc(29, 2, 30),
        by=CHECKER,
    )
    builder.add(
        EventType.ALERT_RAISED,
        AlertRaised(
            key="rr-low-0230",
            kind="toxicity",
            message=(
                "Respiratory rate 11/min is below 12/min: stop the infusion and call the registrars"
            ),
            severity="critical",
        ),
        utc(29, 2, 31),
    )
    builder.add(
        EventType.ALERT_ACKNOWLEDGED,
        AlertAcknowledged(
            key="rr-low-0230",
            action_taken="Infusion paused; registrar reviewed; RR 14/min on recheck",
        ),
        utc(29, 2, 40),
        by=OBSTETRICIAN,
    )
    builder.add(
        EventType.RATE_CHANGED,
        RateChanged(
            course_number=1,
            rate_ml_per_h=Decimal("2.5"),
            reason="Reduced after low respiratory rate",
        ),
        utc(29, 2, 45),
        by=OBSTETRICIAN,
    )
    builder.add(
        EventType.SYRINGE_CHANGED,
        SyringeChanged(
            course_number=1,
            concentration_g_per_ml=Decimal("0.2"),
            volume_ml=Decimal("50"),
            checked_by=CHECKER,
        ),
        utc(29, 4, 0),
    )
    builder.add(
        EventType.AMENDMENT,
        Amendment(
            target=typo.uuid,
            reason="Typing error: pulse was 88/min",
            changes={"pulse_per_min": 86},
        ),
        utc(29, 0, 5),
        by=CHECKER,
    )
    builder.add(
        EventType.VOID,
        Void(target=wrong.uuid, reason="Entered on the wrong woman's record"),
        utc(29, 0, 50),
    )
    builder.add(EventType.BIRTH, Birth(baby=1, label="Twin 1"), utc(29, 6, 30))
    builder.add(EventType.BIRTH, Birth(baby=2, label="Twin 2"), utc(29, 6, 41))
    builder.add(
        EventType.INFUSION_STOPPED,
        InfusionStopped(course_number=1, reason=StopReason.BIRTH),
        utc(29, 6, 45),
    )
    builder.add(
        EventType.NOTE,
        Note(text="Parents informed & agreed <in writing>"),
        utc(29, 7, 0),
    )
    expected = [
        "Amelia Jane O'Neill",
        "943 476 5919",
        "14 Jul 1994",
        "28 Mar 22:00 GMT",  # load started (before the clock change)
        "Sun 29 Mar 2026 07:30 BST",  # twin 1 born (after it)
        "Sun 29 Mar 2026 07:41 BST",  # twin 2
        "80 mL/h",
        "2.5 mL/h",
        "0.5 g/h",
        "5 mL/h",
        "1 g/h",
        "4 g",
        "20 mL",
        "Sam Patel",
        "Chris Doe",
        "Dr Ada Obi",
        "Typing error: pulse was 88/min",
        "Entered on the wrong woman's record",
        "Twin 1",
        "Twin 2",
        "Reduced after low respiratory rate",
        "Infusion paused; registrar reviewed; RR 14/min on recheck",
        "Parents informed & agreed <in writing>",
        "MgSO₄",
        "▼ LOW",
        "▼ FALL",
        "28+1 weeks",
    ]
    return Scenario(builder, builder.state(), builder.head, expected)


def build_wc1(protocol: Protocol) -> Scenario:
    """The standard case (reference §9 WC-1): 27+3 in established labour (cervix 5 cm), OFFER,
    4 g load of 20% at 80 mL/h from 10:00, 1 g/h of 10% at 10 mL/h, six observation sets, one
    syringe change, one baby born at 16:00 and the infusion stopped at birth. Printed on two
    A4 pages (issue 16)."""
    builder = EpisodeBuilder(protocol, episode_uuid="c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f")
    day = 10

    def at(hour: int, minute: int = 0) -> datetime:
        return utc(day, hour, minute)

    builder.add(
        EventType.EPISODE_CREATED,
        EpisodeCreated(
            patient=Patient(
                id_type=IdentifierType.NHS,
                identifier="9434765919",
                name="Amelia Jane O'Neill",
                date_of_birth=date(1994, 7, 14),
            ),
            dating=Dating(method=DatingMethod.AGREED_EDD, edd=date(2026, 6, 6)),
            preparation_id="20pct-load-10pct-maint",
            unit_name=UNIT,
            plurality=1,
        ),
        at(9, 30),
    )
    builder.add(
        EventType.ASSESSED,
        Assessed(
            gestation_days=27 * 7 + 3,
            situation=Situation.ESTABLISHED_LABOUR,
            band=Band.OFFER,
            recommendation=Recommendation.OFFER,
            senior_decision_required=False,
            reasons=("27+3 is in the offer band 24+0 to 29+6 [N1] 1.10.2",),
            citations=("[N1] 1.10.2",),
        ),
        at(9, 40),
    )
    builder.add(
        EventType.LABOUR_EVIDENCE,
        LabourEvidence(kind="established-labour", dilatation_cm=Decimal("5")),
        at(9, 35),
    )
    builder.add(
        EventType.DECISION,
        Decision(give=True, decided_by=OBSTETRICIAN, course_number=1),
        at(9, 45),
        by=OBSTETRICIAN,
    )
    builder.add(
        EventType.PRESCRIBED, Prescribed(prescriber=OBSTETRICIAN), at(9, 46), by=OBSTETRICIAN
    )
    builder.add(
        EventType.ANTENATAL_STEROIDS,
        AntenatalSteroids(status="given", first_dose_at=utc(9, 20, 0)),
        at(9, 47),
    )
    builder.add(
        EventType.INFORMATION_GIVEN,
        InformationGiven(
            agreement="agreed", off_label_discussed=True, given_to="the woman and her partner"
        ),
        at(9, 48),
    )
    builder.add(EventType.OBSERVATION, observation(pulse_per_min=90), at(9, 50))
    builder.add(
        EventType.NEONATAL_TEAM_INFORMED, NeonatalTeamInformed(told="neonatal registrar"), at(9, 52)
    )
    builder.add(
        EventType.PRE_LOAD_CHECKS,
        PreLoadChecks(
            calcium_gluconate_available=True, pump="Syringe pump SP-4471", batch="MG24-118"
        ),
        at(9, 55),
    )
    builder.add(
        EventType.LOAD_STARTED,
        LoadStarted(
            course_number=1,
            preparation_id="20pct-load-10pct-maint",
            dose_g=Decimal("4"),
            concentration_g_per_ml=Decimal("0.2"),
            volume_ml=Decimal("20"),
            rate_ml_per_h=Decimal("80"),
            duration_min=Decimal("15"),
            given_by=MIDWIFE,
            checked_by=CHECKER,
        ),
        at(10, 0),
    )
    builder.add(EventType.LOAD_FINISHED, LoadFinished(course_number=1), at(10, 15))
    builder.add(
        EventType.MAINTENANCE_STARTED,
        MaintenanceStarted(
            course_number=1,
            preparation_id="20pct-load-10pct-maint",
            concentration_g_per_ml=Decimal("0.1"),
            rate_ml_per_h=Decimal("10"),
            container_volume_ml=Decimal("50"),
            given_by=MIDWIFE,
            checked_by=CHECKER,
        ),
        at(10, 15),
    )
    builder.add(EventType.OBSERVATION, observation(baseline_rr_per_min=16), at(10, 30))
    for hour in (11, 12, 13, 14):
        builder.add(EventType.OBSERVATION, observation(pulse_per_min=84 + hour % 3), at(hour, 30))
    builder.add(
        EventType.SYRINGE_CHANGED,
        SyringeChanged(
            course_number=1,
            concentration_g_per_ml=Decimal("0.1"),
            volume_ml=Decimal("50"),
            checked_by=CHECKER,
        ),
        at(15, 10),
    )
    builder.add(
        EventType.OBSERVATION,
        observation(urine_ml=160, urine_period_h=Decimal("4")),
        at(15, 30),
    )
    builder.add(EventType.BIRTH, Birth(baby=1, label="Baby 1"), at(16, 0))
    builder.add(
        EventType.INFUSION_STOPPED,
        InfusionStopped(course_number=1, reason=StopReason.BIRTH),
        at(16, 5),
    )
    expected = [
        "Amelia Jane O'Neill",
        "80 mL/h",
        "10 mL/h",
        "1 g/h",
        "27+3",
        # The proforma's own fields (decisions.md §16).
        "established labour: cervix 5 cm at 10 Mar 09:35 GMT",
        "Antenatal steroids: given: 9 Mar 20:00 GMT",
        "Neonatal team informed: 10 Mar 09:52 GMT (neonatal registrar)",
        "In-utero transfer: none recorded",
        "Prescribed by: Dr Ada Obi (obstetrician), 10 Mar 09:46 GMT",
        "Agreed; told: the woman and her partner; off-label use explained: Yes",
        "10 Mar 09:50 GMT: pulse 90, BP 118/72, RR 16, reflexes present, SpO₂ 98%",
        "Calcium gluconate available: Yes",
        "Syringe pump SP-4471; MG24-118",
    ]
    return Scenario(builder, builder.state(), builder.head, expected)


def build_transfer(protocol: Protocol) -> Scenario:
    """Load and maintenance, two observation sets, stopped for transfer before birth."""
    builder = EpisodeBuilder(protocol, episode_uuid="a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d")
    create(builder, name="Chloe Transfer")
    assess_and_decide(builder)
    start_course(builder)
    builder.add(EventType.OBSERVATION, observation(baseline_rr_per_min=16), utc(28, 22, 30))
    builder.add(
        EventType.OBSERVATION,
        observation(urine_ml=120, urine_period_h=Decimal("4")),
        utc(29, 2, 15),
    )
    builder.add(
        EventType.INFUSION_STOPPED,
        InfusionStopped(
            course_number=1, reason=StopReason.TRANSFER, text="Ambulance to Northfield NICU"
        ),
        utc(29, 3, 0),
    )
    return Scenario(builder, builder.state(), builder.head)


def build_long(protocol: Protocol, observations: int = 48, amendments: int = 30) -> Scenario:
    """48 h of hourly observations and 30 corrections: several pages."""
    builder = EpisodeBuilder(protocol, episode_uuid="f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f1a0b")
    create(builder, name="Bethany Long-Record")
    assess_and_decide(builder)
    start_course(builder)
    start = utc(28, 22, 30)
    obs_events = [
        builder.add(
            EventType.OBSERVATION,
            observation(pulse_per_min=80 + i % 20),
            start + timedelta(hours=i),
        )
        for i in range(observations)
    ]
    for i in range(amendments):
        target = obs_events[i % len(obs_events)]
        builder.add(
            EventType.AMENDMENT,
            Amendment(
                target=target.uuid, reason=f"Correction number {i + 1}", changes={"rr_per_min": 15}
            ),
            target.occurred_at + timedelta(minutes=20),
            by=CHECKER,
        )
    return Scenario(builder, builder.state(), builder.head)


def pdf_pages(data: bytes) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    """All pages' text, with line breaks turned into spaces for phrase matching."""
    return " ".join(" ".join(page.split()) for page in pdf_pages(data))
