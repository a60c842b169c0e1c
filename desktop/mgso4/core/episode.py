"""Episode events and the pure fold that derives an episode's state from them.

The record is a list of append-only events (design.md "The record"). Corrections are
``amendment`` events that reference the original and carry a reason; "entered in error" is a
``void`` event with a reason. ``fold`` applies them; the original stays in the history.
Nothing derived here is stored as truth.

Hashing lives here because the canonical serialisation is part of the record's definition:
``event_hash`` is SHA-256 over the canonical JSON of every field except ``hash`` itself.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuid_module
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mgso4.core.gestation import DatingMethod, GestationalAge, GestationError, gestation_on
from mgso4.core.vocab import (
    Band,
    ConditionId,
    IdentifierType,
    MedicationId,
    Recommendation,
    Role,
    Situation,
)

#: Hash that precedes the first event of a chain.
GENESIS_HASH = "0" * 64
LONDON = ZoneInfo("Europe/London")


class EventError(ValueError):
    """An event that cannot be recorded; the message is for the user."""


class EventType(StrEnum):
    """Every kind of entry in the record."""

    EPISODE_CREATED = "episode-created"
    ASSESSED = "assessed"
    DECISION = "decision"
    INTERACTION_ACKNOWLEDGED = "interaction-acknowledged"
    LOAD_STARTED = "load-started"
    LOAD_FINISHED = "load-finished"
    MAINTENANCE_STARTED = "maintenance-started"
    RATE_CHANGED = "rate-changed"
    SYRINGE_CHANGED = "syringe-changed"
    INFUSION_STOPPED = "infusion-stopped"
    OBSERVATION = "observation"
    ALERT_RAISED = "alert-raised"
    ALERT_ACKNOWLEDGED = "alert-acknowledged"
    BIRTH = "birth"
    NOT_GIVEN = "not-given"
    AMENDMENT = "amendment"
    VOID = "void"
    PRINTED = "printed"
    EXPORTED = "exported"
    NOTE = "note"


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Actor(_Payload):
    """Who recorded or did something."""

    name: str = Field(min_length=1, max_length=120)
    role: Role

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a name is needed")
        return value


class Patient(_Payload):
    """Patient banner data. Identifiers are text (a CHI can start with 0)."""

    id_type: IdentifierType
    # ASCII digits only: "\d" would also take "９４３…" (full-width) or other scripts' digits.
    identifier: str = Field(pattern=r"^[0-9]{10}$")
    name: str = Field(min_length=1, max_length=200)
    date_of_birth: date | None = None


class Dating(_Payload):
    """How gestation was established; the inputs, not the result."""

    method: DatingMethod
    stated_gestation: str | None = None
    stated_on: date | None = None
    edd: date | None = None
    lmp: date | None = None

    def gestation_on(self, on: date) -> GestationalAge:
        """Gestation on a calendar date."""
        stated = GestationalAge.parse(self.stated_gestation) if self.stated_gestation else None
        return gestation_on(
            on,
            method=self.method,
            stated=stated,
            stated_on=self.stated_on,
            edd=self.edd,
            lmp=self.lmp,
        )


class EpisodeCreated(_Payload):
    patient: Patient
    dating: Dating
    preparation_id: str
    training: bool = False
    unit_name: str = ""
    plurality: int = Field(default=1, ge=1, le=8)


class Assessed(_Payload):
    gestation_days: int = Field(ge=0)
    situation: Situation
    conditions: tuple[ConditionId, ...] = ()
    medications: tuple[MedicationId, ...] = ()
    band: Band
    recommendation: Recommendation
    senior_decision_required: bool
    reasons: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()


class Decision(_Payload):
    give: bool
    decided_by: Actor
    senior: Actor | None = None
    course_number: int = Field(default=1, ge=1)
    note: str = ""


class InteractionAcknowledged(_Payload):
    medication: MedicationId
    warning: str


class LoadStarted(_Payload):
    course_number: int = Field(ge=1)
    preparation_id: str
    dose_g: Decimal = Field(gt=0)
    concentration_g_per_ml: Decimal = Field(gt=0, le=Decimal("0.2"))
    volume_ml: Decimal = Field(gt=0)
    rate_ml_per_h: Decimal = Field(gt=0)
    duration_min: Decimal = Field(gt=0)
    given_by: Actor
    checked_by: Actor


class LoadFinished(_Payload):
    course_number: int = Field(ge=1)


class MaintenanceStarted(_Payload):
    course_number: int = Field(ge=1)
    preparation_id: str
    concentration_g_per_ml: Decimal = Field(gt=0, le=Decimal("0.2"))
    rate_ml_per_h: Decimal = Field(gt=0)
    container_volume_ml: Decimal = Field(gt=0)
    given_by: Actor
    checked_by: Actor


class RateChanged(_Payload):
    course_number: int = Field(ge=1)
    rate_ml_per_h: Decimal = Field(gt=0)
    reason: str = Field(min_length=1)


class SyringeChanged(_Payload):
    course_number: int = Field(ge=1)
    concentration_g_per_ml: Decimal = Field(gt=0, le=Decimal("0.2"))
    volume_ml: Decimal = Field(gt=0)
    checked_by: Actor | None = None


class StopReason(StrEnum):
    """Why an infusion stopped (MAG-CP codes [Z4] plus the app's own)."""

    BIRTH = "birth"
    MAX_DURATION = "24h-reached"
    TOXICITY = "toxicity"
    NO_LONGER_IMMINENT = "no-longer-imminent"
    TRANSFER = "transfer"
    DECLINED = "declined"
    SIDE_EFFECTS = "side-effects"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Plain words."""
        return _STOP_LABELS[self]


_STOP_LABELS = {
    StopReason.BIRTH: "Birth",
    StopReason.MAX_DURATION: "Maximum duration reached",
    StopReason.TOXICITY: "Toxicity",
    StopReason.NO_LONGER_IMMINENT: "Birth no longer imminent",
    StopReason.TRANSFER: "Stopped for transfer",
    StopReason.DECLINED: "Woman declined",
    StopReason.SIDE_EFFECTS: "Maternal side effects",
    StopReason.OTHER: "Other",
}


class InfusionStopped(_Payload):
    course_number: int = Field(ge=1)
    reason: StopReason
    text: str = ""


class Reflexes(StrEnum):
    PRESENT = "present"
    REDUCED = "reduced"
    ABSENT = "absent"


class Observation(_Payload):
    """One set of observations. All optional; what was measured is recorded."""

    pulse_per_min: int | None = Field(default=None, ge=20, le=250)
    systolic_mmhg: int | None = Field(default=None, ge=40, le=300)
    diastolic_mmhg: int | None = Field(default=None, ge=20, le=200)
    baseline_diastolic_mmhg: int | None = Field(default=None, ge=20, le=200)
    rr_per_min: int | None = Field(default=None, ge=0, le=80)
    baseline_rr_per_min: int | None = Field(default=None, ge=0, le=80)
    reflexes: Reflexes | None = None
    urine_ml: int | None = Field(default=None, ge=0, le=5000)
    urine_period_h: Decimal | None = Field(default=None, gt=0, le=24)
    spo2_percent: int | None = Field(default=None, ge=50, le=100)
    serum_mg_mmol_per_l: Decimal | None = Field(default=None, ge=0, le=20)


class AlertRaised(_Payload):
    key: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    message: str = Field(min_length=1)
    severity: Literal["info", "warning", "critical"]


class AlertAcknowledged(_Payload):
    key: str = Field(min_length=1)
    action_taken: str = ""


class Birth(_Payload):
    baby: int = Field(ge=1, le=8)
    label: str = ""


class NotGiven(_Payload):
    reason_code: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    text: str = ""


class Amendment(_Payload):
    """A correction: replaces fields of the target's payload and/or its clinical time."""

    target: str
    reason: str = Field(min_length=1)
    changes: dict[str, Any] = Field(default_factory=dict)
    occurred_at: datetime | None = None


class Void(_Payload):
    target: str
    reason: str = Field(min_length=1)


class Printed(_Payload):
    document: Literal["proforma", "blank", "handover"]
    chain_head: str


class Exported(_Payload):
    format: str
    identifiable: bool
    reason: str = ""
    rows: int = Field(ge=0)


class Note(_Payload):
    text: str = Field(min_length=1)


PAYLOAD_MODELS: dict[EventType, type[_Payload]] = {
    EventType.EPISODE_CREATED: EpisodeCreated,
    EventType.ASSESSED: Assessed,
    EventType.DECISION: Decision,
    EventType.INTERACTION_ACKNOWLEDGED: InteractionAcknowledged,
    EventType.LOAD_STARTED: LoadStarted,
    EventType.LOAD_FINISHED: LoadFinished,
    EventType.MAINTENANCE_STARTED: MaintenanceStarted,
    EventType.RATE_CHANGED: RateChanged,
    EventType.SYRINGE_CHANGED: SyringeChanged,
    EventType.INFUSION_STOPPED: InfusionStopped,
    EventType.OBSERVATION: Observation,
    EventType.ALERT_RAISED: AlertRaised,
    EventType.ALERT_ACKNOWLEDGED: AlertAcknowledged,
    EventType.BIRTH: Birth,
    EventType.NOT_GIVEN: NotGiven,
    EventType.AMENDMENT: Amendment,
    EventType.VOID: Void,
    EventType.PRINTED: Printed,
    EventType.EXPORTED: Exported,
    EventType.NOTE: Note,
}


def validate_payload(event_type: EventType, payload: BaseModel | dict[str, Any]) -> dict[str, Any]:
    """Validate a payload for its event type and return its canonical JSON form.

    Raises:
        EventError: naming the field and the problem.
    """
    model = PAYLOAD_MODELS[event_type]
    try:
        if isinstance(payload, BaseModel):
            payload = payload.model_dump(mode="json")
        validated = model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"]) or event_type.value
        raise EventError(f"{event_type.value}: {path}: {first['msg']}") from None
    return validated.model_dump(mode="json")


def parse_payload(event_type: EventType, payload: dict[str, Any]) -> Any:
    """The typed payload model of a stored event."""
    return PAYLOAD_MODELS[event_type].model_validate(payload)


def _require_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise EventError(f"{name} must carry a time zone (stored in UTC)")
    return value.astimezone(ZoneInfo("UTC"))


class EventDraft(BaseModel):
    """An event as the user makes it, before the store gives it a place in the chain."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uuid: str = Field(default_factory=lambda: str(uuid_module.uuid4()))
    episode_uuid: str | None
    type: EventType
    payload: dict[str, Any]
    occurred_at: datetime
    recorded_by: Actor

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _require_utc(value, "occurred_at")

    @classmethod
    def make(
        cls,
        event_type: EventType,
        payload: BaseModel | dict[str, Any],
        *,
        episode_uuid: str | None,
        occurred_at: datetime,
        recorded_by: Actor,
    ) -> EventDraft:
        """Build a draft with a validated payload."""
        return cls(
            episode_uuid=episode_uuid,
            type=event_type,
            payload=validate_payload(event_type, payload),
            occurred_at=occurred_at,
            recorded_by=recorded_by,
        )


class Event(BaseModel):
    """A committed event: everything in the draft plus provenance and its chain link."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uuid: str
    episode_uuid: str | None
    type: EventType
    payload: dict[str, Any]
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: Actor
    workstation_id: str
    app_version: str
    protocol_id: str
    protocol_version: str
    protocol_sha256: str
    seq: int
    prev_hash: str
    hash: str

    def canonical_bytes(self) -> bytes:
        """The bytes the hash is computed over (every field except ``hash``)."""
        return canonical_event_bytes(self.model_dump(mode="json", exclude={"hash"}))

    def computed_hash(self) -> str:
        """SHA-256 of the canonical bytes, hex."""
        return hashlib.sha256(self.canonical_bytes()).hexdigest()

    def typed_payload(self) -> Any:
        """The payload as its pydantic model."""
        return parse_payload(self.type, self.payload)


class ProtocolRef(BaseModel):
    """The protocol in force for an event: id, version and content hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def seal(
    draft: EventDraft,
    *,
    seq: int,
    prev_hash: str,
    recorded_at: datetime,
    workstation_id: str,
    app_version: str,
    protocol: ProtocolRef,
) -> Event:
    """Give a draft its place in the chain: provenance, sequence number and hash.

    The store calls this inside the transaction that writes the event, with the previous
    event's hash; tests call it to build chains without a database.
    """
    fields = {
        "uuid": draft.uuid,
        "episode_uuid": draft.episode_uuid,
        "type": draft.type,
        "payload": draft.payload,
        "occurred_at": draft.occurred_at,
        "recorded_at": _require_utc(recorded_at, "recorded_at"),
        "recorded_by": draft.recorded_by,
        "workstation_id": workstation_id,
        "app_version": app_version,
        "protocol_id": protocol.id,
        "protocol_version": protocol.version,
        "protocol_sha256": protocol.sha256,
        "seq": seq,
        "prev_hash": prev_hash,
        "hash": "",
    }
    unsealed = Event.model_validate(fields)
    return unsealed.model_copy(update={"hash": unsealed.computed_hash()})


def canonical_event_bytes(fields: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8, times as ISO 8601 UTC."""
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def format_utc(value: datetime) -> str:
    """ISO 8601 UTC with a Z, to the microsecond (the stored form)."""
    return _require_utc(value, "time").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------- state


class Stage(StrEnum):
    """Where the episode is, for the ward board."""

    ASSESSING = "assessing"
    NOT_GIVEN = "not-given"
    LOADING = "loading"
    AWAITING_MAINTENANCE = "awaiting-maintenance"
    MAINTENANCE = "maintenance"
    STOPPED = "stopped"
    DELIVERED = "delivered"

    @property
    def label(self) -> str:
        """Plain words."""
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    Stage.ASSESSING: "Assessing",
    Stage.NOT_GIVEN: "Not given",
    Stage.LOADING: "Loading dose running",
    Stage.AWAITING_MAINTENANCE: "Load given, maintenance not started",
    Stage.MAINTENANCE: "Maintenance running",
    Stage.STOPPED: "Infusion stopped",
    Stage.DELIVERED: "Delivered",
}


class RatePeriod(BaseModel):
    """A stretch of infusion at one rate and concentration."""

    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime | None
    rate_ml_per_h: Decimal
    concentration_g_per_ml: Decimal

    @property
    def rate_g_per_h(self) -> Decimal:
        """g/h computed from concentration × rate, never typed (reference §3.2)."""
        return self.concentration_g_per_ml * self.rate_ml_per_h


class CourseState(BaseModel):
    """One course: a loading dose and its maintenance infusion."""

    model_config = ConfigDict(frozen=True)

    number: int
    load: LoadStarted | None = None
    load_started_at: datetime | None = None
    load_finished_at: datetime | None = None
    maintenance: MaintenanceStarted | None = None
    maintenance_started_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_reason: StopReason | None = None
    stop_text: str = ""
    rates: tuple[RatePeriod, ...] = ()
    syringe_changes: tuple[tuple[datetime, SyringeChanged], ...] = ()

    @property
    def running(self) -> bool:
        """A loading dose or maintenance is running (not stopped)."""
        return self.load_started_at is not None and self.stopped_at is None

    def grams_given(self, until: datetime) -> Decimal:
        """Grams delivered up to a time: the load plus maintenance by real elapsed time."""
        total = Decimal(0)
        if (
            self.load is not None
            and self.load_started_at is not None
            and until >= self.load_started_at
        ):
            load_end = self.load_started_at + timedelta(minutes=float(self.load.duration_min))
            if self.stopped_at is not None and self.stopped_at < load_end:
                load_end = self.stopped_at
            elapsed = min(until, load_end) - self.load_started_at
            fraction = Decimal(elapsed.total_seconds()) / (self.load.duration_min * 60)
            total += self.load.dose_g * min(Decimal(1), max(Decimal(0), fraction))
        for period in self.rates:
            end = period.end or until
            end = min(end, until)
            if self.stopped_at is not None:
                end = min(end, self.stopped_at)
            if end > period.start:
                hours = Decimal((end - period.start).total_seconds()) / Decimal(3600)
                total += period.rate_g_per_h * hours
        return total


class TimelineEntry(BaseModel):
    """One event as shown in the history, with what later events did to it."""

    model_config = ConfigDict(frozen=True)

    event: Event
    voided_by: Event | None = None
    amended_by: tuple[Event, ...] = ()
    effective_payload: dict[str, Any]
    effective_occurred_at: datetime


class BirthState(BaseModel):
    """One baby's birth."""

    model_config = ConfigDict(frozen=True)

    baby: int
    label: str
    born_at: datetime
    gestation: GestationalAge | None
    event_uuid: str

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class ObservationState(BaseModel):
    """An observation with when it was taken."""

    model_config = ConfigDict(frozen=True)

    taken_at: datetime
    observation: Observation
    event_uuid: str


class EpisodeState(BaseModel):
    """Everything derived from one episode's events."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    uuid: str
    created: EpisodeCreated
    created_at: datetime
    protocol_id: str
    protocol_version: str
    protocol_sha256: str
    assessment: Assessed | None = None
    assessed_at: datetime | None = None
    decision: Decision | None = None
    decided_at: datetime | None = None
    courses: tuple[CourseState, ...] = ()
    observations: tuple[ObservationState, ...] = ()
    births: tuple[BirthState, ...] = ()
    not_given: NotGiven | None = None
    not_given_at: datetime | None = None
    alerts_raised: tuple[tuple[datetime, AlertRaised], ...] = ()
    alerts_acknowledged: tuple[tuple[datetime, AlertAcknowledged, Actor], ...] = ()
    interactions_acknowledged: tuple[InteractionAcknowledged, ...] = ()
    printed: tuple[tuple[datetime, Printed], ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    head_hash: str = GENESIS_HASH

    @property
    def patient(self) -> Patient:
        """The patient banner data."""
        return self.created.patient

    @property
    def training(self) -> bool:
        """Created in training mode."""
        return self.created.training

    @property
    def first_birth_at(self) -> datetime | None:
        """Time of the first baby's birth (the audit anchor)."""
        return min((b.born_at for b in self.births), default=None)

    @property
    def current_course(self) -> CourseState | None:
        """The latest course, if any."""
        return self.courses[-1] if self.courses else None

    @property
    def stage(self) -> Stage:
        """Where the episode is now."""
        if self.births:
            return Stage.DELIVERED
        course = self.current_course
        if course is not None and course.load_started_at is not None:
            if course.stopped_at is not None:
                return Stage.STOPPED
            if course.maintenance_started_at is not None:
                return Stage.MAINTENANCE
            if course.load_finished_at is not None:
                return Stage.AWAITING_MAINTENANCE
            return Stage.LOADING
        if self.not_given is not None or (self.decision is not None and not self.decision.give):
            return Stage.NOT_GIVEN
        return Stage.ASSESSING

    @property
    def active(self) -> bool:
        """Shown on the ward board: not delivered, not closed as not given, not stopped."""
        return self.stage in (
            Stage.ASSESSING,
            Stage.LOADING,
            Stage.AWAITING_MAINTENANCE,
            Stage.MAINTENANCE,
        )

    def gestation_on(self, on: date) -> GestationalAge:
        """Gestation on a calendar date from the recorded dating."""
        return self.created.dating.gestation_on(on)

    def gestation_at(self, when: datetime, tz: ZoneInfo = LONDON) -> GestationalAge | None:
        """Gestation at an instant (local calendar date); None if the dating cannot give it."""
        try:
            return self.gestation_on(when.astimezone(tz).date())
        except GestationError:
            return None

    def total_grams(self, until: datetime) -> Decimal:
        """Cumulative grams across every course up to a time."""
        return sum((c.grams_given(until) for c in self.courses), Decimal(0))


def _apply_changes(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(payload)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _apply_changes(merged[key], value)
        else:
            merged[key] = value
    return merged


def record_order(events: Iterable[Event]) -> list[Event]:
    """Events in the order they were recorded.

    Within one workstation's chain ``seq`` is authoritative. A merged record can hold one
    episode's entries from several chains, whose ``seq`` numbers are unrelated; those are
    ordered by when they were recorded, then by chain and position.
    """
    events = list(events)
    if len({e.workstation_id for e in events}) <= 1:
        return sorted(events, key=lambda e: e.seq)
    return sorted(events, key=lambda e: (e.recorded_at, e.workstation_id, e.seq))


def effective_events(events: Sequence[Event]) -> list[TimelineEntry]:
    """Each event with amendments applied and voids marked, in chain order."""
    by_uuid = {e.uuid: e for e in events}
    voids: dict[str, Event] = {}
    amendments: dict[str, list[Event]] = {}
    for event in events:
        if event.type is EventType.VOID:
            target = event.payload["target"]
            if target in by_uuid:
                voids.setdefault(target, event)
        elif event.type is EventType.AMENDMENT:
            target = event.payload["target"]
            if target in by_uuid:
                amendments.setdefault(target, []).append(event)
    entries = []
    for event in record_order(events):
        payload = event.payload
        occurred_at = event.occurred_at
        for amendment in amendments.get(event.uuid, []):
            if amendment.uuid in voids:
                continue
            changes = amendment.payload.get("changes") or {}
            if changes:
                payload = validate_payload(event.type, _apply_changes(payload, changes))
            if amendment.payload.get("occurred_at"):
                occurred_at = datetime.fromisoformat(amendment.payload["occurred_at"])
        entries.append(
            TimelineEntry(
                event=event,
                voided_by=voids.get(event.uuid),
                amended_by=tuple(amendments.get(event.uuid, ())),
                effective_payload=payload,
                effective_occurred_at=occurred_at,
            )
        )
    return entries


def fold(events: Iterable[Event], tz: ZoneInfo = LONDON) -> EpisodeState:
    """Derive an episode's state from its committed events (pure).

    Voided events do not count; amended events count with their corrected values. Events are
    applied in clinical-time order (ties in chain order) so a late entry lands where it
    happened.

    Raises:
        EventError: if there is no ``episode-created`` event.
    """
    ordered = record_order(events)
    entries = effective_events(ordered)
    created_entry = next(
        (x for x in entries if x.event.type is EventType.EPISODE_CREATED and x.voided_by is None),
        None,
    )
    if created_entry is None:
        raise EventError("the episode has no creation event")
    created = EpisodeCreated.model_validate(created_entry.effective_payload)
    first = created_entry.event
    state: dict[str, Any] = {
        "uuid": first.episode_uuid or "",
        "created": created,
        "created_at": created_entry.effective_occurred_at,
        "protocol_id": first.protocol_id,
        "protocol_version": first.protocol_version,
        "protocol_sha256": first.protocol_sha256,
    }
    courses: dict[int, dict[str, Any]] = {}
    observations: list[ObservationState] = []
    births: dict[int, BirthState] = {}
    alerts_raised: list[tuple[datetime, AlertRaised]] = []
    alerts_ack: list[tuple[datetime, AlertAcknowledged, Actor]] = []
    interactions: list[InteractionAcknowledged] = []
    printed: list[tuple[datetime, Printed]] = []

    def course(number: int) -> dict[str, Any]:
        return courses.setdefault(number, {"number": number, "rates": [], "syringe_changes": []})

    live = [x for x in entries if x.voided_by is None]
    live.sort(key=lambda x: (x.effective_occurred_at, x.event.seq))
    for entry in live:
        kind = entry.event.type
        at = entry.effective_occurred_at
        payload = parse_payload(kind, entry.effective_payload)
        if kind is EventType.ASSESSED:
            state["assessment"], state["assessed_at"] = payload, at
        elif kind is EventType.DECISION:
            state["decision"], state["decided_at"] = payload, at
        elif kind is EventType.INTERACTION_ACKNOWLEDGED:
            interactions.append(payload)
        elif kind is EventType.LOAD_STARTED:
            c = course(payload.course_number)
            c["load"], c["load_started_at"] = payload, at
        elif kind is EventType.LOAD_FINISHED:
            course(payload.course_number)["load_finished_at"] = at
        elif kind is EventType.MAINTENANCE_STARTED:
            c = course(payload.course_number)
            c["maintenance"], c["maintenance_started_at"] = payload, at
            _close_rate(c, at)
            c["rates"].append(
                {
                    "start": at,
                    "end": None,
                    "rate_ml_per_h": payload.rate_ml_per_h,
                    "concentration_g_per_ml": payload.concentration_g_per_ml,
                }
            )
        elif kind is EventType.RATE_CHANGED:
            c = course(payload.course_number)
            concentration = (
                c["rates"][-1]["concentration_g_per_ml"] if c["rates"] else Decimal("0.2")
            )
            _close_rate(c, at)
            c["rates"].append(
                {
                    "start": at,
                    "end": None,
                    "rate_ml_per_h": payload.rate_ml_per_h,
                    "concentration_g_per_ml": concentration,
                }
            )
        elif kind is EventType.SYRINGE_CHANGED:
            c = course(payload.course_number)
            c["syringe_changes"].append((at, payload))
            if c["rates"] and c["rates"][-1]["concentration_g_per_ml"] != (
                payload.concentration_g_per_ml
            ):
                rate = c["rates"][-1]["rate_ml_per_h"]
                _close_rate(c, at)
                c["rates"].append(
                    {
                        "start": at,
                        "end": None,
                        "rate_ml_per_h": rate,
                        "concentration_g_per_ml": payload.concentration_g_per_ml,
                    }
                )
        elif kind is EventType.INFUSION_STOPPED:
            c = course(payload.course_number)
            c["stopped_at"], c["stop_reason"], c["stop_text"] = at, payload.reason, payload.text
            _close_rate(c, at)
        elif kind is EventType.OBSERVATION:
            observations.append(
                ObservationState(taken_at=at, observation=payload, event_uuid=entry.event.uuid)
            )
        elif kind is EventType.ALERT_RAISED:
            alerts_raised.append((at, payload))
        elif kind is EventType.ALERT_ACKNOWLEDGED:
            alerts_ack.append((at, payload, entry.event.recorded_by))
        elif kind is EventType.BIRTH:
            births[payload.baby] = BirthState(
                baby=payload.baby,
                label=payload.label or f"Baby {payload.baby}",
                born_at=at,
                gestation=_safe_gestation(created.dating, at, tz),
                event_uuid=entry.event.uuid,
            )
        elif kind is EventType.NOT_GIVEN:
            state["not_given"], state["not_given_at"] = payload, at
        elif kind is EventType.PRINTED:
            printed.append((at, payload))

    state["courses"] = tuple(
        CourseState(
            **{
                **c,
                "rates": tuple(RatePeriod(**r) for r in c["rates"]),
                "syringe_changes": tuple(c["syringe_changes"]),
            }
        )
        for _, c in sorted(courses.items())
    )
    state["observations"] = tuple(observations)
    state["births"] = tuple(b for _, b in sorted(births.items()))
    state["alerts_raised"] = tuple(alerts_raised)
    state["alerts_acknowledged"] = tuple(alerts_ack)
    state["interactions_acknowledged"] = tuple(interactions)
    state["printed"] = tuple(printed)
    state["timeline"] = tuple(entries)
    state["head_hash"] = ordered[-1].hash if ordered else GENESIS_HASH
    return EpisodeState(**state)


def _close_rate(course: dict[str, Any], at: datetime) -> None:
    if course["rates"] and course["rates"][-1]["end"] is None:
        course["rates"][-1]["end"] = at


def _safe_gestation(dating: Dating, at: datetime, tz: ZoneInfo) -> GestationalAge | None:
    try:
        return dating.gestation_on(at.astimezone(tz).date())
    except GestationError:
        return None
