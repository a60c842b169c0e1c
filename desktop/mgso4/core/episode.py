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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mgso4.core.gestation import DatingMethod, GestationalAge, GestationError, gestation_on
from mgso4.core.model import CoreModel
from mgso4.core.vocab import (
    Band,
    ConditionId,
    IdentifierType,
    MedicationId,
    Recommendation,
    Role,
    Situation,
)

if TYPE_CHECKING:
    from mgso4.core.protocol import Protocol

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
    EPISODE_CLOSED = "episode-closed"
    INFORMATION_GIVEN = "information-given"
    # The proforma's own fields (decisions.md §16), each an entry of its own.
    LABOUR_EVIDENCE = "labour-evidence"
    ANTENATAL_STEROIDS = "antenatal-steroids"
    NEONATAL_TEAM_INFORMED = "neonatal-team-informed"
    IN_UTERO_TRANSFER = "in-utero-transfer"
    PRE_LOAD_CHECKS = "pre-load-checks"
    PRESCRIBED = "prescribed"

    @property
    def label(self) -> str:
        """Plain words for the history, the corrections table and refusals."""
        return EVENT_LABELS[self]


#: Plain words for every kind of entry.
EVENT_LABELS: dict[EventType, str] = {
    EventType.EPISODE_CREATED: "Episode opened",
    EventType.ASSESSED: "Assessment",
    EventType.DECISION: "Decision",
    EventType.INTERACTION_ACKNOWLEDGED: "Interaction warning acknowledged",
    EventType.LOAD_STARTED: "Loading dose started",
    EventType.LOAD_FINISHED: "Loading dose finished",
    EventType.MAINTENANCE_STARTED: "Maintenance started",
    EventType.RATE_CHANGED: "Rate changed",
    EventType.SYRINGE_CHANGED: "Syringe changed",
    EventType.INFUSION_STOPPED: "Infusion stopped",
    EventType.OBSERVATION: "Observation",
    EventType.ALERT_RAISED: "Alert raised",
    EventType.ALERT_ACKNOWLEDGED: "Alert acknowledged",
    EventType.BIRTH: "Birth",
    EventType.NOT_GIVEN: "Not given",
    EventType.AMENDMENT: "Correction",
    EventType.VOID: "Entered in error",
    EventType.PRINTED: "Printed",
    EventType.EXPORTED: "Exported",
    EventType.NOTE: "Note",
    EventType.EPISODE_CLOSED: "Episode closed",
    EventType.INFORMATION_GIVEN: "Information given",
    EventType.LABOUR_EVIDENCE: "Labour or planned birth",
    EventType.ANTENATAL_STEROIDS: "Antenatal steroids",
    EventType.NEONATAL_TEAM_INFORMED: "Neonatal team informed",
    EventType.IN_UTERO_TRANSFER: "In-utero transfer",
    EventType.PRE_LOAD_CHECKS: "Pre-load checks",
    EventType.PRESCRIBED: "Prescribed",
}


class _Payload(CoreModel):
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


class DatingDiscrepancy(_Payload):
    """Dating methods that disagreed by more than the protocol's tolerance, which one was
    agreed and why (issue "dating methods chosen silently"; the tolerance is LOCAL)."""

    estimates: dict[str, str]
    spread_days: int = Field(ge=0)
    reason: str = Field(min_length=1, max_length=500)


class Dating(_Payload):
    """How gestation was established; the inputs, not the result."""

    method: DatingMethod
    stated_gestation: str | None = None
    stated_on: date | None = None
    edd: date | None = None
    lmp: date | None = None
    discrepancy: DatingDiscrepancy | None = None

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


class Confirmation(_Payload):
    """A soft limit confirmed on purpose: the reason, and the limit messages that were shown.

    Carried in the entry it confirms (a loading dose, a maintenance rate, a rate change, a new
    syringe), so the record says who went beyond the protocol's soft limit and why.
    """

    reason: str = Field(min_length=1, max_length=500)
    messages: tuple[str, ...] = ()

    @field_validator("reason")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a reason is needed to go beyond a soft limit")
        return value


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


class SeverePreEclampsia(_Payload):
    """MgSO₄ also given for severe pre-eclampsia or eclampsia: its own indication, recorded by
    a named senior with the team's stop plan (decisions.md §4; NG133 [N3] 1.8.4). It replaces
    the neuroprotection stop-at-birth prompt; pre-eclampsia without it changes nothing."""

    eclampsia: bool = False
    stop_plan: str = Field(min_length=1, max_length=500)


class Decision(_Payload):
    give: bool
    decided_by: Actor
    senior: Actor | None = None
    course_number: int = Field(default=1, ge=1)
    note: str = ""
    severe_pre_eclampsia: SeverePreEclampsia | None = None


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
    confirmation: Confirmation | None = None
    #: Set when the container holds more than the load (an 8% bag): the pump is
    #: volume-limited to the load and its rate must change when the load ends (§15).
    vtbi_ml: Decimal | None = Field(default=None, gt=0)


class LoadFinished(_Payload):
    course_number: int = Field(ge=1)
    #: The second person who checked the pump's change to the maintenance rate (§15).
    checked_by: Actor | None = None
    #: An implausibly early load end confirmed on purpose, with a reason.
    confirmation: Confirmation | None = None


class MaintenanceStarted(_Payload):
    course_number: int = Field(ge=1)
    preparation_id: str
    concentration_g_per_ml: Decimal = Field(gt=0, le=Decimal("0.2"))
    rate_ml_per_h: Decimal = Field(gt=0)
    container_volume_ml: Decimal = Field(gt=0)
    given_by: Actor
    checked_by: Actor
    #: A repeat course restarted within the protocol's gap without a new loading dose
    #: (decisions.md §8): this entry starts the course.
    restart_without_load: bool = False
    confirmation: Confirmation | None = None


class RateChanged(_Payload):
    course_number: int = Field(ge=1)
    rate_ml_per_h: Decimal = Field(gt=0)
    reason: str = Field(min_length=1)
    checked_by: Actor | None = None
    confirmation: Confirmation | None = None


class SyringeChanged(_Payload):
    course_number: int = Field(ge=1)
    concentration_g_per_ml: Decimal = Field(gt=0, le=Decimal("0.2"))
    volume_ml: Decimal = Field(gt=0)
    checked_by: Actor | None = None
    confirmation: Confirmation | None = None


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
    checked_by: Actor | None = None


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
    #: Decisions.md §14: signs the app flags besides the numeric triggers.
    consciousness: Literal["alert", "reduced"] | None = None
    #: None: not asked (never recorded as "no"); False: asked, absent; True: present.
    chest_pain: bool | None = None
    breathing_difficulty: bool | None = None
    #: A pre-treatment set: the baselines for the falls that stop the infusion come from it
    #: (decisions.md §14).
    baseline: bool = False


class AlertRaised(_Payload):
    key: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    message: str = Field(min_length=1)
    severity: Literal["info", "warning", "critical"]


class AlertAcknowledged(_Payload):
    key: str = Field(min_length=1)
    action_taken: str = ""


#: Whether the baby was admitted for neonatal care, recorded at birth (NNAP counts babies
#: admitted to a neonatal unit; its exact inclusion wording is UNVERIFIED, reference §4.1).
NeonatalCare = Literal["admitted", "died-in-delivery-room", "comfort-care", "not-admitted"]


class Birth(_Payload):
    baby: int = Field(ge=1, le=8)
    label: str = ""
    neonatal_care: NeonatalCare | None = None


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
    document: Literal["proforma", "blank", "handover", "neonatal-slip"]
    chain_head: str


class Exported(_Payload):
    format: str
    identifiable: bool
    reason: str = ""
    rows: int = Field(ge=0)
    #: The QI lead's "what we will try next month" on a printed feedback sheet ("" otherwise).
    note: str = Field(default="", max_length=1000)


class Note(_Payload):
    text: str = Field(min_length=1)


class EpisodeClosed(_Payload):
    """The episode leaves the ward board by an explicit act, optionally to return for review.

    ``reassess_at`` is "not indicated now — reassess at …" (decisions.md §2): the episode
    leaves the board and comes back when that time is reached.
    """

    reason: str = Field(default="", max_length=500)
    reassess_at: datetime | None = None

    @field_validator("reassess_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _require_utc(value, "reassess_at")


class InformationGiven(_Payload):
    """Information about MgSO₄ given, and the woman's answer (decisions.md §16)."""

    agreement: Literal["agreed", "declined", "not-able-to-discuss"]
    #: That the use is off-label was explained (where the protocol says it is).
    off_label_discussed: bool = False
    #: Who was told, e.g. "the woman and her partner".
    given_to: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=500)


class LabourEvidence(_Payload):
    """Why the birth is expected (decisions.md §16): established labour with the cervical
    dilatation at the examination (the entry's time), or a planned birth with its time and
    mode."""

    kind: Literal["established-labour", "planned-birth"]
    dilatation_cm: Decimal | None = Field(default=None, ge=0, le=10)
    planned_birth_at: datetime | None = None
    mode: Literal["vaginal", "caesarean"] | None = None
    note: str = Field(default="", max_length=500)

    @field_validator("planned_birth_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _require_utc(value, "planned_birth_at")

    @model_validator(mode="after")
    def _complete(self) -> LabourEvidence:
        if self.kind == "established-labour" and self.dilatation_cm is None:
            raise ValueError("established labour: give the cervical dilatation in cm")
        if self.kind == "planned-birth" and (self.planned_birth_at is None or self.mode is None):
            raise ValueError("planned birth: give the planned time and the mode of birth")
        return self


class AntenatalSteroids(_Payload):
    """Antenatal corticosteroids: given or not, with the dose times (decisions.md §16)."""

    status: Literal["given", "not-given", "not-known"]
    first_dose_at: datetime | None = None
    second_dose_at: datetime | None = None
    note: str = Field(default="", max_length=500)

    @field_validator("first_dose_at", "second_dose_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _require_utc(value, "steroid dose time")

    @model_validator(mode="after")
    def _times(self) -> AntenatalSteroids:
        if self.status != "given" and (self.first_dose_at or self.second_dose_at):
            raise ValueError("dose times are only for steroids that were given")
        if self.second_dose_at is not None and self.first_dose_at is None:
            raise ValueError("a second dose needs the first dose's time")
        if (
            self.first_dose_at is not None
            and self.second_dose_at is not None
            and self.second_dose_at <= self.first_dose_at
        ):
            raise ValueError("the second dose must come after the first")
        return self


class NeonatalTeamInformed(_Payload):
    """The neonatal team was told (the entry's time), and who was told."""

    told: str = Field(default="", max_length=200)


class InUteroTransfer(_Payload):
    """An in-utero transfer: from which unit to which (the entry's time is the departure)."""

    from_unit: str = Field(min_length=1, max_length=200)
    to_unit: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=500)


class PreLoadChecks(_Payload):
    """Checks before the load (decisions.md §16): calcium gluconate at hand, the pump, and the
    MgSO₄ batch or lot number."""

    calcium_gluconate_available: bool
    pump: str = Field(default="", max_length=120)
    batch: str = Field(default="", max_length=120)


class Prescribed(_Payload):
    """Who prescribed MgSO₄ (the entry's time is the prescription's)."""

    prescriber: Actor


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
    EventType.EPISODE_CLOSED: EpisodeClosed,
    EventType.INFORMATION_GIVEN: InformationGiven,
    EventType.LABOUR_EVIDENCE: LabourEvidence,
    EventType.ANTENATAL_STEROIDS: AntenatalSteroids,
    EventType.NEONATAL_TEAM_INFORMED: NeonatalTeamInformed,
    EventType.IN_UTERO_TRANSFER: InUteroTransfer,
    EventType.PRE_LOAD_CHECKS: PreLoadChecks,
    EventType.PRESCRIBED: Prescribed,
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


class EventDraft(CoreModel):
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


class Event(CoreModel):
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


class ProtocolRef(CoreModel):
    """The protocol in force for an event: id, version and content hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def of(cls, protocol: Protocol) -> ProtocolRef:
        """The reference recorded for entries checked under ``protocol``."""
        return cls(id=protocol.id, version=protocol.version, sha256=protocol.sha256)


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


class RatePeriod(CoreModel):
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


def _minutes(value: Decimal) -> timedelta:
    """Exact timedelta for a Decimal number of minutes (no float rounding)."""
    return timedelta(microseconds=int((value * 60_000_000).to_integral_value()))


class CourseState(CoreModel):
    """One course: a loading dose and its maintenance infusion, or (a repeat course within the
    protocol's gap, decisions.md §8) a maintenance infusion restarted without a new load."""

    model_config = ConfigDict(frozen=True)

    number: int
    load: LoadStarted | None = None
    load_started_at: datetime | None = None
    load_finished_at: datetime | None = None
    load_end_checked_by: Actor | None = None
    maintenance: MaintenanceStarted | None = None
    maintenance_started_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_reason: StopReason | None = None
    stop_text: str = ""
    rates: tuple[RatePeriod, ...] = ()
    syringe_changes: tuple[tuple[datetime, SyringeChanged], ...] = ()

    @property
    def restarted_without_load(self) -> bool:
        """A repeat course that restarted maintenance without a loading dose."""
        return self.maintenance is not None and self.maintenance.restart_without_load

    @property
    def started_at(self) -> datetime | None:
        """When the course began: its loading dose, or its restarted maintenance."""
        if self.load_started_at is not None:
            return self.load_started_at
        return self.maintenance_started_at if self.restarted_without_load else None

    @property
    def running(self) -> bool:
        """A loading dose or maintenance is running (not stopped)."""
        return self.started_at is not None and self.stopped_at is None

    @property
    def load_planned_end(self) -> datetime | None:
        """The loading start plus its recorded duration (when the pump finishes the load)."""
        if self.load is None or self.load_started_at is None:
            return None
        return self.load_started_at + _minutes(self.load.duration_min)

    @property
    def loading(self) -> bool:
        """The loading dose is running: started, its end not recorded, nothing after it."""
        return (
            self.running
            and self.load_started_at is not None
            and self.load_finished_at is None
            and self.maintenance_started_at is None
        )

    @property
    def maintaining(self) -> bool:
        """The maintenance infusion is running."""
        return self.running and bool(self.rates)

    @property
    def current_rate(self) -> RatePeriod | None:
        """The rate period running now (maintenance), if any."""
        return self.rates[-1] if self.maintaining else None

    def grams_given(self, until: datetime) -> Decimal:
        """Grams delivered up to a time: the load plus maintenance by real elapsed time.

        The load counts in proportion to the time it ran, up to its recorded end, its planned
        end (start + duration) or the stop, whichever is first; maintenance counts each rate
        period (concentration × rate × hours) up to its end, ``until`` or the stop. For a
        fixed record this never decreases as ``until`` moves on.
        """
        total = Decimal(0)
        if (
            self.load is not None
            and self.load_started_at is not None
            and until >= self.load_started_at
        ):
            ends = [self.load_started_at + _minutes(self.load.duration_min)]
            if self.load_finished_at is not None:
                ends.append(self.load_finished_at)
            if self.stopped_at is not None:
                ends.append(self.stopped_at)
            elapsed = min(until, *ends) - self.load_started_at
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

    def hours_infused(self, until: datetime) -> Decimal:
        """Hours from the course start to its stop (or ``until`` while it runs)."""
        start = self.started_at
        if start is None:
            return Decimal(0)
        end = until if self.stopped_at is None else min(until, self.stopped_at)
        if end <= start:
            return Decimal(0)
        return Decimal((end - start).total_seconds()) / Decimal(3600)


class TimelineEntry(CoreModel):
    """One event as shown in the history, with what later events did to it."""

    model_config = ConfigDict(frozen=True)

    event: Event
    voided_by: Event | None = None
    amended_by: tuple[Event, ...] = ()
    effective_payload: dict[str, Any]
    effective_occurred_at: datetime


class BirthState(CoreModel):
    """One baby's birth."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    baby: int
    label: str
    born_at: datetime
    gestation: GestationalAge | None
    event_uuid: str
    neonatal_care: NeonatalCare | None = None


class ObservationState(CoreModel):
    """An observation with when it was taken."""

    model_config = ConfigDict(frozen=True)

    taken_at: datetime
    observation: Observation
    event_uuid: str


class ClosedState(CoreModel):
    """The explicit close that took the episode off the board (and when it returns, if ever)."""

    model_config = ConfigDict(frozen=True)

    closed_at: datetime
    reason: str
    reassess_at: datetime | None
    event_uuid: str


class DataProblem(CoreModel):
    """An entry that makes no sense where it stands in the record, so it was not applied.

    The store refuses such an entry when it is made; a record can still hold one (written by
    an older version, or merged in from another workstation). It is shown as a data problem
    for someone to correct (void or amend), never guessed around.
    """

    model_config = ConfigDict(frozen=True)

    event_uuid: str
    event_type: EventType
    occurred_at: datetime
    message: str


class EpisodeState(CoreModel):
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
    closed: ClosedState | None = None
    problems: tuple[DataProblem, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    head_hash: str = GENESIS_HASH
    #: (clinical time, seq) of the last entry the fold applied: where a later entry goes.
    last_applied: tuple[datetime, int] | None = None

    @property
    def patient(self) -> Patient:
        """The patient banner data."""
        return self.created.patient

    @property
    def training(self) -> bool:
        """Created in training mode."""
        return self.created.training

    @property
    def babies_expected(self) -> int:
        """How many babies this pregnancy holds (one birth entry each)."""
        return max(self.created.plurality, 1)

    @property
    def all_born(self) -> bool:
        """Every expected baby's birth is recorded."""
        return len(self.births) >= self.babies_expected

    @property
    def first_birth_at(self) -> datetime | None:
        """Time of the first baby's birth (the audit anchor)."""
        return min((b.born_at for b in self.births), default=None)

    @property
    def last_birth_at(self) -> datetime | None:
        """Time of the last expected baby's birth, once every expected baby is born; None
        before that (decisions.md §13: the infusion runs until the last baby is born)."""
        if not self.births or not self.all_born:
            return None
        return max(b.born_at for b in self.births)

    @property
    def babies_still_expected(self) -> int:
        """How many expected babies have no birth recorded yet."""
        return max(self.babies_expected - len(self.births), 0)

    @property
    def current_course(self) -> CourseState | None:
        """The latest course, if any."""
        return self.courses[-1] if self.courses else None

    @property
    def running_course(self) -> CourseState | None:
        """The course whose infusion is running (loading or maintenance), if any."""
        course = self.current_course
        return course if course is not None and course.running else None

    @property
    def stage(self) -> Stage:
        """Where the episode is now. Delivered only once every expected baby is born."""
        if self.births and self.all_born:
            return Stage.DELIVERED
        course = self.current_course
        if course is not None and course.started_at is not None:
            if course.stopped_at is not None:
                return Stage.DELIVERED if self.births and self.all_born else Stage.STOPPED
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
        """Shown on the ward board by the stage alone: not delivered, not closed as not given,
        not stopped. (The full membership rule, with alerts and explicit closes, is
        ``core.board.on_board``.)"""
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

    def total_hours(self, until: datetime) -> Decimal:
        """Cumulative hours of infusion across every course up to a time."""
        return sum((c.hours_infused(until) for c in self.courses), Decimal(0))


def _apply_changes(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(payload)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _apply_changes(merged[key], value)
        else:
            merged[key] = value
    return merged


def amended_payload(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A payload with an amendment's changes applied (nested objects merged), not validated."""
    return _apply_changes(payload, changes)


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


# --------------------------------------------------------------------------- the fold


class NotApplicable(ValueError):
    """An entry that makes no sense in the state it meets (the message says why, plainly)."""


@dataclass
class _RateBuilder:
    start: datetime
    rate_ml_per_h: Decimal
    concentration_g_per_ml: Decimal
    end: datetime | None = None

    def build(self) -> RatePeriod:
        return RatePeriod.model_construct(
            start=self.start,
            end=self.end,
            rate_ml_per_h=self.rate_ml_per_h,
            concentration_g_per_ml=self.concentration_g_per_ml,
        )


@dataclass
class _CourseBuilder:
    number: int
    load: LoadStarted | None = None
    load_started_at: datetime | None = None
    load_finished_at: datetime | None = None
    load_end_checked_by: Actor | None = None
    maintenance: MaintenanceStarted | None = None
    maintenance_started_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_reason: StopReason | None = None
    stop_text: str = ""
    rates: list[_RateBuilder] = field(default_factory=list)
    syringe_changes: list[tuple[datetime, SyringeChanged]] = field(default_factory=list)

    @property
    def running(self) -> bool:
        started = self.load_started_at is not None or self.maintenance_started_at is not None
        return started and self.stopped_at is None

    @classmethod
    def of(cls, course: CourseState) -> _CourseBuilder:
        return cls(
            number=course.number,
            load=course.load,
            load_started_at=course.load_started_at,
            load_finished_at=course.load_finished_at,
            load_end_checked_by=course.load_end_checked_by,
            maintenance=course.maintenance,
            maintenance_started_at=course.maintenance_started_at,
            stopped_at=course.stopped_at,
            stop_reason=course.stop_reason,
            stop_text=course.stop_text,
            rates=[
                _RateBuilder(r.start, r.rate_ml_per_h, r.concentration_g_per_ml, r.end)
                for r in course.rates
            ],
            syringe_changes=list(course.syringe_changes),
        )

    def open_rate(self, at: datetime, rate: Decimal, concentration: Decimal) -> None:
        if self.rates and self.rates[-1].end is None:
            self.rates[-1].end = at
        self.rates.append(_RateBuilder(at, rate, concentration))

    def build(self) -> CourseState:
        return CourseState.model_construct(
            number=self.number,
            load=self.load,
            load_started_at=self.load_started_at,
            load_finished_at=self.load_finished_at,
            load_end_checked_by=self.load_end_checked_by,
            maintenance=self.maintenance,
            maintenance_started_at=self.maintenance_started_at,
            stopped_at=self.stopped_at,
            stop_reason=self.stop_reason,
            stop_text=self.stop_text,
            rates=tuple(r.build() for r in self.rates),
            syringe_changes=tuple(self.syringe_changes),
        )


@dataclass
class StateBuilder:
    """The episode state as the fold builds it, entry by entry (typed; no dict of Any)."""

    uuid: str
    created: EpisodeCreated
    created_at: datetime
    protocol: ProtocolRef
    tz: ZoneInfo
    assessment: Assessed | None = None
    assessed_at: datetime | None = None
    decision: Decision | None = None
    decided_at: datetime | None = None
    courses: dict[int, _CourseBuilder] = field(default_factory=dict)
    observations: list[ObservationState] = field(default_factory=list)
    births: dict[int, BirthState] = field(default_factory=dict)
    not_given: NotGiven | None = None
    not_given_at: datetime | None = None
    alerts_raised: list[tuple[datetime, AlertRaised]] = field(default_factory=list)
    alerts_acknowledged: list[tuple[datetime, AlertAcknowledged, Actor]] = field(
        default_factory=list
    )
    interactions: list[InteractionAcknowledged] = field(default_factory=list)
    printed: list[tuple[datetime, Printed]] = field(default_factory=list)
    closed: ClosedState | None = None
    problems: list[DataProblem] = field(default_factory=list)
    last_applied: tuple[datetime, int] | None = None

    @classmethod
    def from_state(cls, state: EpisodeState, tz: ZoneInfo) -> StateBuilder:
        """A builder holding ``state`` (to apply more entries after it)."""
        return cls(
            uuid=state.uuid,
            created=state.created,
            created_at=state.created_at,
            protocol=ProtocolRef.model_construct(
                id=state.protocol_id, version=state.protocol_version, sha256=state.protocol_sha256
            ),
            tz=tz,
            assessment=state.assessment,
            assessed_at=state.assessed_at,
            decision=state.decision,
            decided_at=state.decided_at,
            courses={course.number: _CourseBuilder.of(course) for course in state.courses},
            observations=list(state.observations),
            births={birth.baby: birth for birth in state.births},
            not_given=state.not_given,
            not_given_at=state.not_given_at,
            alerts_raised=list(state.alerts_raised),
            alerts_acknowledged=list(state.alerts_acknowledged),
            interactions=list(state.interactions_acknowledged),
            printed=list(state.printed),
            closed=state.closed,
            problems=list(state.problems),
            last_applied=state.last_applied,
        )

    def running_course(self) -> _CourseBuilder | None:
        return next((c for c in self.courses.values() if c.running), None)

    def latest_course(self) -> _CourseBuilder | None:
        return self.courses[max(self.courses)] if self.courses else None

    def course(self, number: int, what: str) -> _CourseBuilder:
        """The running course ``number``, or NotApplicable saying why ``what`` cannot apply."""
        course = self.courses.get(number)
        if course is None:
            raise NotApplicable(f"{what}: course {number} was never started.")
        if course.stopped_at is not None:
            raise NotApplicable(f"{what}: course {number} had already been stopped.")
        return course

    def snapshot(self, timeline: tuple[TimelineEntry, ...], head_hash: str) -> EpisodeState:
        """The state as it stands now (cheap: the builder's values are already checked)."""
        return EpisodeState.model_construct(
            uuid=self.uuid,
            created=self.created,
            created_at=self.created_at,
            protocol_id=self.protocol.id,
            protocol_version=self.protocol.version,
            protocol_sha256=self.protocol.sha256,
            assessment=self.assessment,
            assessed_at=self.assessed_at,
            decision=self.decision,
            decided_at=self.decided_at,
            courses=tuple(c.build() for _, c in sorted(self.courses.items())),
            observations=tuple(self.observations),
            births=tuple(b for _, b in sorted(self.births.items())),
            not_given=self.not_given,
            not_given_at=self.not_given_at,
            alerts_raised=tuple(self.alerts_raised),
            alerts_acknowledged=tuple(self.alerts_acknowledged),
            interactions_acknowledged=tuple(self.interactions),
            printed=tuple(self.printed),
            closed=self.closed,
            problems=tuple(self.problems),
            timeline=timeline,
            head_hash=head_hash,
            last_applied=self.last_applied,
        )


@dataclass(frozen=True)
class Applied:
    """One live entry as a handler sees it: its typed payload, clinical time and event."""

    payload: Any
    at: datetime
    event: Event


def _reopen(builder: StateBuilder) -> None:
    # A new decision to give, or a course started, brings a closed episode back.
    builder.closed = None


def _on_assessed(builder: StateBuilder, item: Applied) -> None:
    builder.assessment, builder.assessed_at = item.payload, item.at


def _on_decision(builder: StateBuilder, item: Applied) -> None:
    decision: Decision = item.payload
    builder.decision, builder.decided_at = decision, item.at
    if decision.give:
        _reopen(builder)


def _on_interaction(builder: StateBuilder, item: Applied) -> None:
    builder.interactions.append(item.payload)


def _check_new_course(builder: StateBuilder, number: int, what: str) -> None:
    running = builder.running_course()
    if running is not None:
        raise NotApplicable(
            f"{what}: course {running.number} is still running (no stop is recorded before it)."
        )
    if number in builder.courses:
        raise NotApplicable(f"{what}: course {number} had already started.")
    expected = max(builder.courses, default=0) + 1
    if number != expected:
        raise NotApplicable(f"{what}: the next course is course {expected}, not {number}.")


def _on_load_started(builder: StateBuilder, item: Applied) -> None:
    load: LoadStarted = item.payload
    _check_new_course(builder, load.course_number, "Loading dose started")
    builder.courses[load.course_number] = _CourseBuilder(
        number=load.course_number, load=load, load_started_at=item.at
    )
    _reopen(builder)


def _on_load_finished(builder: StateBuilder, item: Applied) -> None:
    payload: LoadFinished = item.payload
    course = builder.course(payload.course_number, "Load finished")
    if course.load_started_at is None:
        raise NotApplicable(
            f"Load finished: course {course.number} has no loading dose (maintenance was "
            "restarted without one)."
        )
    if course.load_finished_at is not None:
        raise NotApplicable(f"Load finished: the end of course {course.number}'s load is recorded.")
    if course.maintenance_started_at is not None:
        raise NotApplicable(
            f"Load finished: maintenance of course {course.number} had already started; the "
            "load cannot end after it."
        )
    course.load_finished_at = item.at
    course.load_end_checked_by = payload.checked_by


def _on_maintenance_started(builder: StateBuilder, item: Applied) -> None:
    payload: MaintenanceStarted = item.payload
    if payload.restart_without_load:
        _check_new_course(builder, payload.course_number, "Maintenance restarted")
        course = _CourseBuilder(number=payload.course_number)
        builder.courses[payload.course_number] = course
        _reopen(builder)
    else:
        course = builder.course(payload.course_number, "Maintenance started")
        if course.load_started_at is None:
            raise NotApplicable(f"Maintenance started: course {course.number} has no loading dose.")
        if course.maintenance_started_at is not None:
            raise NotApplicable(
                f"Maintenance started: course {course.number}'s maintenance had already started."
            )
    course.maintenance, course.maintenance_started_at = payload, item.at
    course.open_rate(item.at, payload.rate_ml_per_h, payload.concentration_g_per_ml)


def _maintaining(builder: StateBuilder, number: int, what: str) -> _CourseBuilder:
    course = builder.course(number, what)
    if not course.rates:
        raise NotApplicable(
            f"{what}: course {number}'s maintenance infusion had not started, so there is no "
            "running rate or syringe to change."
        )
    return course


def _on_rate_changed(builder: StateBuilder, item: Applied) -> None:
    payload: RateChanged = item.payload
    course = _maintaining(builder, payload.course_number, "Rate changed")
    # The running concentration carries over: the syringe did not change.
    course.open_rate(item.at, payload.rate_ml_per_h, course.rates[-1].concentration_g_per_ml)


def _on_syringe_changed(builder: StateBuilder, item: Applied) -> None:
    payload: SyringeChanged = item.payload
    course = _maintaining(builder, payload.course_number, "Syringe changed")
    course.syringe_changes.append((item.at, payload))
    running = course.rates[-1]
    if running.concentration_g_per_ml != payload.concentration_g_per_ml:
        course.open_rate(item.at, running.rate_ml_per_h, payload.concentration_g_per_ml)


def _on_stopped(builder: StateBuilder, item: Applied) -> None:
    payload: InfusionStopped = item.payload
    course = builder.course(payload.course_number, "Infusion stopped")
    course.stopped_at, course.stop_reason, course.stop_text = item.at, payload.reason, payload.text
    if course.rates and course.rates[-1].end is None:
        course.rates[-1].end = item.at


def _on_observation(builder: StateBuilder, item: Applied) -> None:
    builder.observations.append(
        ObservationState.model_construct(
            taken_at=item.at, observation=item.payload, event_uuid=item.event.uuid
        )
    )


def _on_alert_raised(builder: StateBuilder, item: Applied) -> None:
    builder.alerts_raised.append((item.at, item.payload))


def _on_alert_acknowledged(builder: StateBuilder, item: Applied) -> None:
    builder.alerts_acknowledged.append((item.at, item.payload, item.event.recorded_by))


def _on_birth(builder: StateBuilder, item: Applied) -> None:
    payload: Birth = item.payload
    expected = max(builder.created.plurality, 1)
    if payload.baby > expected:
        raise NotApplicable(
            f"Birth of baby {payload.baby}: this episode expects {expected} "
            f"{'baby' if expected == 1 else 'babies'}."
        )
    if payload.baby in builder.births:
        raise NotApplicable(f"Birth of baby {payload.baby}: that birth is already recorded.")
    builder.births[payload.baby] = BirthState.model_construct(
        baby=payload.baby,
        label=payload.label or f"Baby {payload.baby}",
        born_at=item.at,
        gestation=_safe_gestation(builder.created.dating, item.at, builder.tz),
        event_uuid=item.event.uuid,
        neonatal_care=payload.neonatal_care,
    )


def _on_not_given(builder: StateBuilder, item: Applied) -> None:
    builder.not_given, builder.not_given_at = item.payload, item.at


def _on_printed(builder: StateBuilder, item: Applied) -> None:
    builder.printed.append((item.at, item.payload))


def _on_closed(builder: StateBuilder, item: Applied) -> None:
    payload: EpisodeClosed = item.payload
    builder.closed = ClosedState.model_construct(
        closed_at=item.at,
        reason=payload.reason,
        reassess_at=payload.reassess_at,
        event_uuid=item.event.uuid,
    )


def _on_second_creation(builder: StateBuilder, item: Applied) -> None:
    raise NotApplicable("Episode created: this episode was already created by an earlier entry.")


def _ignore(builder: StateBuilder, item: Applied) -> None:
    """Entries that change no state (notes, exports; corrections act through the timeline)."""


#: What each kind of entry does to the state. A handler raises :class:`NotApplicable` when
#: the entry makes no sense where it stands; the fold then records a data problem and leaves
#: the state as it was (nothing is guessed, e.g. no concentration is assumed for a rate change
#: before maintenance).
HANDLERS: dict[EventType, Callable[[StateBuilder, Applied], None]] = {
    EventType.EPISODE_CREATED: _on_second_creation,
    EventType.ASSESSED: _on_assessed,
    EventType.DECISION: _on_decision,
    EventType.INTERACTION_ACKNOWLEDGED: _on_interaction,
    EventType.LOAD_STARTED: _on_load_started,
    EventType.LOAD_FINISHED: _on_load_finished,
    EventType.MAINTENANCE_STARTED: _on_maintenance_started,
    EventType.RATE_CHANGED: _on_rate_changed,
    EventType.SYRINGE_CHANGED: _on_syringe_changed,
    EventType.INFUSION_STOPPED: _on_stopped,
    EventType.OBSERVATION: _on_observation,
    EventType.ALERT_RAISED: _on_alert_raised,
    EventType.ALERT_ACKNOWLEDGED: _on_alert_acknowledged,
    EventType.BIRTH: _on_birth,
    EventType.NOT_GIVEN: _on_not_given,
    EventType.AMENDMENT: _ignore,
    EventType.VOID: _ignore,
    EventType.PRINTED: _on_printed,
    EventType.EXPORTED: _ignore,
    EventType.NOTE: _ignore,
    EventType.EPISODE_CLOSED: _on_closed,
    EventType.INFORMATION_GIVEN: _ignore,  # read from the timeline (core.actions)
    # The proforma's own fields (decisions.md §16): read from the timeline, as above.
    EventType.LABOUR_EVIDENCE: _ignore,
    EventType.ANTENATAL_STEROIDS: _ignore,
    EventType.NEONATAL_TEAM_INFORMED: _ignore,
    EventType.IN_UTERO_TRANSFER: _ignore,
    EventType.PRE_LOAD_CHECKS: _ignore,
    EventType.PRESCRIBED: _ignore,
}

#: Called with the state just before an inspected entry is applied, and the entry.
Inspector = Callable[[EpisodeState, TimelineEntry], None]


def fold(
    events: Iterable[Event],
    tz: ZoneInfo = LONDON,
    *,
    inspect: Collection[str] = (),
    inspector: Inspector | None = None,
    until: datetime | None = None,
) -> EpisodeState:
    """Derive an episode's state from its committed events (pure).

    Voided events do not count; amended events count with their corrected values. Events are
    applied in clinical-time order (ties in chain order) so a late entry lands where it
    happened, each through its handler in :data:`HANDLERS`. An entry that makes no sense where
    it stands (a rate change with no maintenance running, a second birth of the same baby…)
    is not applied: it is listed in ``EpisodeState.problems``.

    Args:
        events: The episode's events.
        tz: The zone whose calendar date gives the gestation at birth.
        inspect: Uuids of entries to show to ``inspector`` before they are applied.
        inspector: Called with the state just before each inspected entry and the entry (the
            store's rules check new entries this way, in the same single pass).
        until: Apply only entries whose clinical time is at or before this instant: the
            state "as at" that time (corrections recorded later still apply to them).

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
    first = created_entry.event
    builder = StateBuilder(
        uuid=first.episode_uuid or "",
        created=EpisodeCreated.model_validate(created_entry.effective_payload),
        created_at=created_entry.effective_occurred_at,
        protocol=ProtocolRef.model_construct(
            id=first.protocol_id, version=first.protocol_version, sha256=first.protocol_sha256
        ),
        tz=tz,
    )
    timeline = tuple(entries)
    head_hash = ordered[-1].hash if ordered else GENESIS_HASH
    live = [
        x
        for x in entries
        if x.voided_by is None
        and x is not created_entry
        and (until is None or x.effective_occurred_at <= until)
    ]
    live.sort(key=lambda x: (x.effective_occurred_at, x.event.seq))
    _apply_live(builder, live, timeline, head_hash, inspect, inspector)
    return builder.snapshot(timeline, head_hash)


def _apply_live(
    builder: StateBuilder,
    live: Sequence[TimelineEntry],
    timeline: tuple[TimelineEntry, ...],
    head_hash: str,
    inspect: Collection[str],
    inspector: Inspector | None,
) -> None:
    """Apply live entries (already in clinical order) through :data:`HANDLERS`."""
    for entry in live:
        if inspector is not None and entry.event.uuid in inspect:
            inspector(builder.snapshot(timeline, head_hash), entry)
        kind = entry.event.type
        at = entry.effective_occurred_at
        builder.last_applied = (at, entry.event.seq)
        try:
            HANDLERS[kind](
                builder, Applied(parse_payload(kind, entry.effective_payload), at, entry.event)
            )
        except NotApplicable as exc:
            builder.problems.append(
                DataProblem(
                    event_uuid=entry.event.uuid,
                    event_type=kind,
                    occurred_at=at,
                    message=str(exc),
                )
            )


def extend(
    state: EpisodeState,
    events: Sequence[Event],
    tz: ZoneInfo = LONDON,
    *,
    inspect: Collection[str] = (),
    inspector: Inspector | None = None,
) -> EpisodeState | None:
    """The state after more events, without folding the whole record again.

    Gives exactly what :func:`fold` gives for the old and new events together, when the new
    events simply follow: none is a correction or a creation, all come from the chain the
    record's entries come from, later in it, and none is earlier in clinical time than the
    last entry applied. Otherwise None (fold the whole record).
    """
    if not events or any(
        event.type in (EventType.AMENDMENT, EventType.VOID, EventType.EPISODE_CREATED)
        for event in events
    ):
        return None
    added = sorted(events, key=_clinical_order)
    last = state.last_applied
    if last is not None and _clinical_order(added[0]) <= last:
        return None  # a late entry: it lands among the applied ones
    if not state.timeline:
        return None
    chain = state.timeline[-1].event.workstation_id
    if any(event.workstation_id != chain for event in events) or any(
        entry.event.workstation_id != chain for entry in state.timeline
    ):
        return None  # entries of several chains are ordered by when they were recorded
    in_chain = sorted(events, key=_chain_order)
    if in_chain[0].seq <= state.timeline[-1].event.seq:
        return None
    timeline = state.timeline + tuple(
        TimelineEntry.model_construct(
            event=event,
            voided_by=None,
            amended_by=(),
            effective_payload=event.payload,
            effective_occurred_at=event.occurred_at,
        )
        for event in in_chain
    )
    head_hash = in_chain[-1].hash
    builder = StateBuilder.from_state(state, tz)
    live = sorted(timeline[len(state.timeline) :], key=_entry_order)
    _apply_live(builder, live, timeline, head_hash, inspect, inspector)
    return builder.snapshot(timeline, head_hash)


def _clinical_order(event: Event) -> tuple[datetime, int]:
    return (event.occurred_at, event.seq)


def _chain_order(event: Event) -> int:
    return event.seq


def _entry_order(entry: TimelineEntry) -> tuple[datetime, int]:
    return (entry.effective_occurred_at, entry.event.seq)


def _safe_gestation(dating: Dating, at: datetime, tz: ZoneInfo) -> GestationalAge | None:
    try:
        return dating.gestation_on(at.astimezone(tz).date())
    except GestationError:
        return None
