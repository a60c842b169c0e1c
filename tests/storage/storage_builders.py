"""Event drafts for storage tests, built with core.episode exactly as the app builds them.

Infusion figures follow reference §3.2 option B (20% preparation): load 4 g = 20 mL over
15 min at 80 mL/h ([N1] 1.10.4, DERIVED rate), maintenance 1 g/h = 5 mL/h at 0.2 g/mL [D5].
The storage tests care only that these are valid entries, not about the clinical rules.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "desktop") not in sys.path:
    sys.path.insert(0, str(ROOT / "desktop"))

from mgso4.core.episode import (  # noqa: E402  (path set up above for subprocesses)
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
    Note,
    Observation,
    Patient,
    StopReason,
    Void,
)
from mgso4.core.gestation import DatingMethod  # noqa: E402
from mgso4.core.protocol import ProtocolLibrary  # noqa: E402
from mgso4.core.vocab import Band, IdentifierType, Recommendation, Role, Situation  # noqa: E402

#: The shipped UK protocol: its rules check every entry the store saves (core.actions).
PROTOCOL = ProtocolLibrary(ROOT / "resources" / "protocols").load("uk-nice-ng25")
PATIENT_NAME = "Marianne Quillfeather"
PATIENT_NHS_NUMBER = "9434765919"
MIDWIFE = Actor(name="Sam Midwife", role=Role.MIDWIFE)
OBSTETRICIAN = Actor(name="Dr Kim Registrar", role=Role.OBSTETRICIAN)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PREPARATION_ID = "20pct-ready"


class StepClock:
    """A clock that moves on by a fixed step each time it is read (aware UTC)."""

    def __init__(self, start: datetime = T0, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def created(
    episode_uuid: str,
    *,
    at: datetime = T0,
    training: bool = False,
    name: str = PATIENT_NAME,
    identifier: str = PATIENT_NHS_NUMBER,
) -> EventDraft:
    """The episode-created entry for a woman at 27+3 weeks."""
    payload = EpisodeCreated(
        patient=Patient(id_type=IdentifierType.NHS, identifier=identifier, name=name),
        dating=Dating(method=DatingMethod.WEEKS_DAYS, stated_gestation="27+3", stated_on=at.date()),
        preparation_id=PREPARATION_ID,
        training=training,
    )
    return EventDraft.make(
        EventType.EPISODE_CREATED,
        payload,
        episode_uuid=episode_uuid,
        occurred_at=at,
        recorded_by=MIDWIFE,
    )


def observation(episode_uuid: str, *, at: datetime, pulse_per_min: int = 84) -> EventDraft:
    """A set of observations."""
    return EventDraft.make(
        EventType.OBSERVATION,
        Observation(pulse_per_min=pulse_per_min, systolic_mmhg=118, rr_per_min=16),
        episode_uuid=episode_uuid,
        occurred_at=at,
        recorded_by=MIDWIFE,
    )


def note(episode_uuid: str, text: str, *, at: datetime) -> EventDraft:
    """A free-text note."""
    return EventDraft.make(
        EventType.NOTE,
        Note(text=text),
        episode_uuid=episode_uuid,
        occurred_at=at,
        recorded_by=MIDWIFE,
    )


def amendment(
    episode_uuid: str, target: str, changes: dict[str, object], *, at: datetime
) -> EventDraft:
    """A correction of another entry's payload."""
    return EventDraft.make(
        EventType.AMENDMENT,
        Amendment(target=target, reason="typed in error", changes=changes),
        episode_uuid=episode_uuid,
        occurred_at=at,
        recorded_by=MIDWIFE,
    )


def void(episode_uuid: str, target: str, *, at: datetime) -> EventDraft:
    """ "Entered in error" for another entry."""
    return EventDraft.make(
        EventType.VOID,
        Void(target=target, reason="wrong patient"),
        episode_uuid=episode_uuid,
        occurred_at=at,
        recorded_by=MIDWIFE,
    )


def full_episode(episode_uuid: str, *, start: datetime = T0) -> list[EventDraft]:
    """A whole episode: creation to birth, each entry a separate user action."""
    minute = timedelta(minutes=1)

    def make(kind: EventType, payload: object, offset_min: int) -> EventDraft:
        return EventDraft.make(
            kind,
            payload,  # type: ignore[arg-type]
            episode_uuid=episode_uuid,
            occurred_at=start + offset_min * minute,
            recorded_by=MIDWIFE,
        )

    return [
        created(episode_uuid, at=start),
        make(
            EventType.ASSESSED,
            Assessed(
                gestation_days=27 * 7 + 3,
                situation=Situation.ESTABLISHED_LABOUR,
                band=Band.OFFER,
                recommendation=Recommendation.OFFER,
                senior_decision_required=False,
            ),
            2,
        ),
        make(EventType.DECISION, Decision(give=True, decided_by=OBSTETRICIAN), 5),
        make(
            EventType.LOAD_STARTED,
            LoadStarted(
                course_number=1,
                preparation_id=PREPARATION_ID,
                dose_g=Decimal("4"),
                concentration_g_per_ml=Decimal("0.2"),
                volume_ml=Decimal("20"),
                rate_ml_per_h=Decimal("80"),
                duration_min=Decimal("15"),
                given_by=MIDWIFE,
                checked_by=OBSTETRICIAN,
            ),
            10,
        ),
        make(EventType.LOAD_FINISHED, LoadFinished(course_number=1), 25),
        make(
            EventType.MAINTENANCE_STARTED,
            MaintenanceStarted(
                course_number=1,
                preparation_id=PREPARATION_ID,
                concentration_g_per_ml=Decimal("0.2"),
                rate_ml_per_h=Decimal("5"),
                container_volume_ml=Decimal("50"),
                given_by=MIDWIFE,
                checked_by=OBSTETRICIAN,
            ),
            25,
        ),
        observation(episode_uuid, at=start + 60 * minute),
        make(EventType.BIRTH, Birth(baby=1), 300),
        make(
            EventType.INFUSION_STOPPED,
            InfusionStopped(course_number=1, reason=StopReason.BIRTH),
            301,
        ),
    ]
