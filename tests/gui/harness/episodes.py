"""Demo episodes as the app would record them, for tests and screenshots (not shipped).

``episode_drafts`` builds an episode's first entries (created, decided, loading dose,
maintenance, observations) with made-up women and synthetic NHS numbers (999 ..., the range
never issued to patients); the dose numbers come from ``core.dosing`` as the wizard's do.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from mgso4.core.dosing import loading_plan, maintenance_plan
from mgso4.core.eligibility import AssessmentInputs, assess, to_assessed_payload
from mgso4.core.episode import (
    Actor,
    Dating,
    Decision,
    EpisodeCreated,
    EventDraft,
    EventType,
    LoadFinished,
    LoadStarted,
    MaintenanceStarted,
    Observation,
    Patient,
    Reflexes,
)
from mgso4.core.gestation import DatingMethod
from mgso4.core.protocol import PreparationSet, Protocol
from mgso4.core.vocab import IdentifierType, Role, Situation

DEMO_MIDWIFE = Actor(name="Sam Taylor", role=Role.MIDWIFE)
DEMO_CHECKER = Actor(name="Priya Shah", role=Role.MIDWIFE)
DEMO_DOCTOR = Actor(name="Dr Alex Morgan", role=Role.OBSTETRICIAN)


def episode_drafts(
    *,
    protocol: Protocol,
    preparations: PreparationSet,
    name: str,
    identifier: str,
    gestation: str,
    created_at: datetime,
    load_started_at: datetime | None = None,
    load_finished: bool = True,
    maintenance: bool = True,
    observations_at: tuple[datetime, ...] = (),
    training: bool = True,
    plurality: int = 1,
    preparation_id: str | None = None,
    actor: Actor = DEMO_MIDWIFE,
) -> tuple[str, list[EventDraft]]:
    """An episode's first entries (created, decided, load, maintenance, observations).

    The dose numbers come from ``core.dosing`` for the preparation, as the wizard does.
    Returns the episode uuid and the drafts in order.
    """
    episode_uuid = str(uuid.uuid4())
    prep = preparations.get(preparation_id or preparations.default)
    drafts: list[EventDraft] = []

    def add(event_type: EventType, payload: object, at: datetime) -> None:
        drafts.append(
            EventDraft.make(
                event_type,
                payload,  # type: ignore[arg-type]
                episode_uuid=episode_uuid,
                occurred_at=at,
                recorded_by=actor,
            )
        )

    add(
        EventType.EPISODE_CREATED,
        EpisodeCreated(
            patient=Patient(id_type=IdentifierType.NHS, identifier=identifier, name=name),
            dating=Dating(
                method=DatingMethod.WEEKS_DAYS,
                stated_gestation=gestation,
                stated_on=created_at.date(),
            ),
            preparation_id=prep.id,
            training=training,
            unit_name="Demo labour ward",
            plurality=plurality,
        ),
        created_at,
    )
    # The assessment the wizard records with every new episode (established labour).
    dating = Dating(
        method=DatingMethod.WEEKS_DAYS, stated_gestation=gestation, stated_on=created_at.date()
    )
    inputs = AssessmentInputs(
        gestation=dating.gestation_on(created_at.date()),
        situation=Situation.ESTABLISHED_LABOUR,
        dating_method=DatingMethod.WEEKS_DAYS,
        on=created_at.date(),
        plurality=plurality,
    )
    assessment = assess(inputs, protocol, preparations, prep.id)
    add(EventType.ASSESSED, to_assessed_payload(assessment, inputs), created_at)
    if load_started_at is None:
        return episode_uuid, drafts
    # A band that needs a named senior (30+ weeks "consider", twins...) names the doctor.
    senior = DEMO_DOCTOR if assessment.senior_decision_required else None
    add(
        EventType.DECISION,
        Decision(give=True, decided_by=DEMO_DOCTOR, senior=senior),
        load_started_at,
    )
    load = loading_plan(protocol, prep)
    add(
        EventType.LOAD_STARTED,
        LoadStarted(
            course_number=1,
            preparation_id=prep.id,
            dose_g=load.dose_g,
            concentration_g_per_ml=load.concentration_g_per_ml,
            volume_ml=load.volume_ml,
            rate_ml_per_h=load.rate_ml_per_h,
            duration_min=load.duration_min,
            given_by=actor,
            checked_by=DEMO_CHECKER,
            vtbi_ml=load.vtbi_ml,
        ),
        load_started_at,
    )
    load_end = load_started_at + timedelta(minutes=float(load.duration_min))
    if load_finished:
        rate_checker = DEMO_CHECKER if load.vtbi_ml is not None else None
        add(
            EventType.LOAD_FINISHED,
            LoadFinished(course_number=1, checked_by=rate_checker),
            load_end,
        )
        if maintenance:
            plan = maintenance_plan(protocol, prep)
            add(
                EventType.MAINTENANCE_STARTED,
                MaintenanceStarted(
                    course_number=1,
                    preparation_id=prep.id,
                    concentration_g_per_ml=plan.concentration_g_per_ml,
                    rate_ml_per_h=plan.rate_ml_per_h,
                    container_volume_ml=plan.container_volume_ml,
                    given_by=actor,
                    checked_by=DEMO_CHECKER,
                ),
                load_end,
            )
    for number, at in enumerate(observations_at):
        add(
            EventType.OBSERVATION,
            Observation(
                pulse_per_min=88 + number,
                systolic_mmhg=118,
                diastolic_mmhg=74,
                baseline_diastolic_mmhg=74,
                rr_per_min=16,
                baseline_rr_per_min=16,
                reflexes=Reflexes.PRESENT,
                urine_ml=140,
                urine_period_h=Decimal(4),
                spo2_percent=98,
            ),
            at,
        )
    return episode_uuid, drafts
