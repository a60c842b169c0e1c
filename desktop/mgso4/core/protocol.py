"""Unit protocols and preparations: loaded from TOML, validated, hashed.

A protocol holds a unit's rules (gestation bands, regimen, limits, monitoring, reasons). Every
clinical number in it carries its source and a provenance mark (verified, unverified, local,
derived), carried over from ``shared/clinical/reference.md``. A file that is wrong in any way is
refused as a whole, with the field path and the reason; nothing is guessed.

Preparations (concentrations, containers) are shared by all protocols and live in their own file.
Two rules are fixed, not settings: IV concentration at most 20% w/v ([D1][D5]) and g/h is always
computed from concentration × rate, never typed (reference §3.2 trap).

**Ceilings.** A unit may edit its protocol, but never beyond the absolute limits in
:data:`CEILINGS` and :data:`GESTATION_CEILING`, which are fixed here in code, not in any file:
a file outside them (a 40 g load, a band to 44+6, observations every 1000 h, an SpO₂ minimum
of 400 %) is refused with the field and the ceiling. A unit's own file may also not reuse a
shipped protocol's id and version with different content (:meth:`ProtocolLibrary.load`).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Final, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mgso4.core.gestation import GestationalAge, GestationError
from mgso4.core.model import CoreModel
from mgso4.core.vocab import Band, ConditionId, MedicationId, Role, Situation

#: Hard rule, not a setting: MgSO4 for IV use at most 20% w/v = 0.2 g/mL. [D1][D5]
MAX_IV_CONCENTRATION_G_PER_ML = Decimal("0.2")


class Ceiling(NamedTuple):
    """An absolute range a protocol value must lie in (inclusive), and why."""

    low: Decimal
    high: Decimal
    unit: str
    why: str


def _c(low: str, high: str, unit: str, why: str) -> Ceiling:
    return Ceiling(Decimal(low), Decimal(high), unit, why)


#: Absolute limits on every number in a protocol file, by field path. They are not settings:
#: no file can move them. Where each range comes from (reference = shared/clinical/reference.md):
CEILINGS: Final[dict[str, Ceiling]] = {
    # Load 1–6 g: 4 g is NICE's dose [N1] 1.10.4 and 6 g the highest in any regimen read
    # (Rouse/BEAM [A3][A4], reference §10); below 1 g is no loading dose at all (the project's
    # hazard review, HAZ-024).
    "loading.dose_g": _c("1", "6", "g", "4 g [N1] to 6 g [A4], the regimens read"),
    # Over 5–60 min: at least 5 min for an obstetric load [D1] (reference §3.2); no regimen
    # read loads over more than 30 min [C1][Z1]; 60 min leaves room for a slower local load.
    "loading.duration_min": _c("5", "60", "min", "at least 5 min [D1], at most 60 min"),
    # Maintenance up to 2 g/h: 1 g/h [N1] 1.10.4, 2 g/h Rouse [A4], the highest read.
    "maintenance.rate_g_per_h": _c("0.1", "2", "g/h", "at most 2 g/h, the highest regimen [A4]"),
    # At most 24 h: NICE does not recommend MgSO4 for longer than 24 h [N1] 1.10.4 and note.
    "maintenance.max_hours": _c("1", "24", "h", "at most 24 h [N1] 1.10.4"),
    "limits.loading_dose_g_soft_max": _c("1", "6", "g", "the loading-dose ceiling"),
    "limits.loading_dose_g_hard_max": _c("1", "6", "g", "the loading-dose ceiling"),
    "limits.loading_duration_min_soft_min": _c("5", "60", "min", "the loading-time ceiling"),
    "limits.loading_duration_min_hard_min": _c("5", "60", "min", "at least 5 min [D1]"),
    "limits.maintenance_g_per_h_soft_max": _c("0.1", "2", "g/h", "the maintenance ceiling"),
    "limits.maintenance_g_per_h_hard_max": _c("0.1", "2", "g/h", "the maintenance ceiling"),
    # Renal impairment: at most 20 g in 48 h [D4] (reference §3.2).
    "limits.renal_cumulative_g_per_48h": _c("1", "20", "g", "at most 20 g in 48 h [D4]"),
    # Observations at least every 4 h [N1] 1.10.5; the most frequent in any source is every
    # 15 min (respiratory rate [T5], reference §4.3 monitoring table).
    "monitoring.interval_hours": _c("0.25", "4", "h", "at least every 4 h [N1] 1.10.5"),
    # Respiratory-rate stop threshold: the sources read stop below 12/min [T1][T2], 14/min [T5]
    # or 16/min [D1] (reference §4.3); nothing outside that range is a threshold anyone uses.
    "monitoring.rr_min_per_min": _c("12", "16", "/min", "12 [T1][T2] to 16 [D1] breaths/min"),
    # A fall below baseline: 4/min is the only sourced value [T1]; 1–8/min (DERIVED: a fall of
    # more than 8 from a normal 20/min already crosses the 12/min threshold).
    "monitoring.rr_fall_from_baseline_per_min": _c("1", "8", "/min", "4/min [T1]; DERIVED"),
    # Urine: 100 mL in 4 h [T1][T2] = 25 mL/h [D1]; 20–25 mL/h [T5] = 80–100 mL in 4 h
    # (DERIVED); up to 200 mL in 4 h (50 mL/h) for a more cautious unit.
    "monitoring.urine_min_ml_per_4h": _c("80", "200", "mL in 4 h", "80 [T5] to 100 [T1][D1]"),
    # Diastolic fall below baseline: 15 mmHg is the only sourced value [T1]; 5–30 mmHg.
    "monitoring.diastolic_fall_from_baseline_mmhg": _c("5", "30", "mmHg", "15 mmHg [T1]"),
    # SpO2 minimum: 94 % [T5]; a percentage cannot pass 100, and below 90 % is already
    # hypoxaemia that no source waits for.
    "monitoring.spo2_min_percent": _c("90", "99", "%", "94 % [T5]"),
    # Serum magnesium: therapeutic ranges read reach 2.5 [T1], 3.0 [T2] and 4 mmol/L [T3];
    # reflexes are lost from 3.3 and respiratory arrest from 5 mmol/L [T1] (reference §6.2).
    "monitoring.serum_mg_upper_mmol_per_l": _c("2.5", "4", "mmol/L", "2.5 [T1] to 4 [T3]"),
    "monitoring.serum_mg_act_now_mmol_per_l": _c("3.3", "5", "mmol/L", "3.3–5 [T1]"),
    # Hypotension and bradycardia (decisions.md §14): 90 mmHg / 50 per min, LOCAL settings;
    # the ranges only keep a typing error out.
    "monitoring.systolic_min_mmhg": _c("70", "110", "mmHg", "90 mmHg decisions.md §14"),
    "monitoring.pulse_min_per_min": _c("40", "60", "/min", "50/min decisions.md §14"),
    # Repeat course: 6 h gap [T1]; up to 7 days, the exposure MHRA warns about [M1].
    "repeat_course.min_gap_hours": _c("1", "168", "h", "6 h [T1]; at most 7 days [M1]"),
    # Cumulative exposure warning: MHRA, more than 5–7 days [M1]; the warning must come by day 7.
    "repeat_course.cumulative_warning_days": _c("1", "7", "days", "5–7 days [M1]"),
}
#: Gestation bands lie within 22+0 (the earliest gestation any source read acts at: PPROM
#: after 22 weeks [A1], steroids from 22+0 [N1] 1.9) and 36+6 (the last day before 37+0, the
#: end of preterm [N1] Terms); no MgSO4 guideline read offers it beyond 33+6 [C1].
GESTATION_CEILING: Final = ("22+0", "36+6")

#: The shipped default protocol id (decisions.md §1).
DEFAULT_PROTOCOL_ID = "uk-nice-ng25"
#: The shipped default preparation id (decisions.md §3).
DEFAULT_PREPARATION_ID = "20pct-ready"


class ProtocolError(ValueError):
    """A protocol or preparation file that cannot be used.

    ``problems`` lists every problem as ``"field.path: reason"``.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} cannot be used:\n{listing}")


def _to_decimal(value: Any) -> Any:
    """TOML floats become Decimal through their shortest repr (12.5 -> Decimal('12.5')).

    Text that is not a number ("abc", "4,0") is refused here as a ValueError so it is reported
    against its field; Decimal's own InvalidOperation is not a ValueError and would escape
    validation as a crash instead of a refusal naming the field.
    """
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    if isinstance(value, float):
        return _finite(Decimal(repr(value)))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return value
        try:
            return _finite(Decimal(text))
        except InvalidOperation:
            raise ValueError(f'"{text}" is not a number; write it like "4" or "12.5"') from None
    return value


def _finite(number: Decimal) -> Decimal:
    # NaN and infinity are not doses; Decimal would raise (not ValueError) on comparing NaN.
    if not number.is_finite():
        raise ValueError(f'"{number}" is not a finite number; write it like "4" or "12.5"')
    return number


Dec = Annotated[Decimal, BeforeValidator(_to_decimal)]


def _to_gestation(value: Any) -> Any:
    if isinstance(value, GestationalAge):
        return value
    if isinstance(value, str):
        try:
            return GestationalAge.parse(value)
        except GestationError as exc:
            raise ValueError(str(exc)) from None
    raise ValueError('write a gestation as a string "W+D", e.g. "24+0"')


Gestation = Annotated[GestationalAge, BeforeValidator(_to_gestation)]


class Provenance(StrEnum):
    """How far a value is backed by a source read (reference.md "How to read the tags")."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    LOCAL = "local"
    DERIVED = "derived"


class _Frozen(CoreModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Sourced(_Frozen):
    """A clinical number with its source and provenance."""

    value: Dec
    source: str = Field(min_length=1)
    status: Provenance = Provenance.VERIFIED
    note: str = ""

    @field_validator("value")
    @classmethod
    def _not_negative(cls, value: Decimal) -> Decimal:
        # Every clinical number in a protocol is a dose, rate, time, count or threshold: a
        # minus sign is always a typing error. Checked per field so that every such problem
        # is reported together with any other field's problem.
        if value < 0:
            raise ValueError(f"cannot be negative (got {value})")
        return value

    @property
    def is_local_setting(self) -> bool:
        """Shown as "local setting" in the UI: not confirmed by a national source read."""
        return self.status in (Provenance.UNVERIFIED, Provenance.LOCAL)


class SourceRef(_Frozen):
    """One cited source (reference.md §11)."""

    tag: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: str = ""


class BandRule(_Frozen):
    """An inclusive gestation band, e.g. offer 24+0 to 29+6."""

    band: Literal[Band.DISCUSS, Band.OFFER, Band.CONSIDER]
    start: Gestation = Field(alias="from")
    end: Gestation = Field(alias="to")
    source: str = Field(min_length=1)
    status: Provenance = Provenance.VERIFIED
    wording: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> BandRule:
        if self.end < self.start:
            raise ValueError(f"band ends ({self.end}) before it starts ({self.start})")
        return self

    def contains(self, gestation: GestationalAge) -> bool:
        """Inclusive at both ends (reference §7.1)."""
        return self.start <= gestation <= self.end


class LoadingRule(_Frozen):
    """Loading dose: grams over minutes."""

    dose_g: Sourced
    duration_min: Sourced


class MaintenanceRule(_Frozen):
    """Maintenance infusion and when it stops (decisions.md §4)."""

    rate_g_per_h: Sourced
    optional: bool = False
    max_hours: Sourced
    stop_anchor: Literal["maintenance-start", "load-start"]
    stop_anchor_source: str = Field(min_length=1)
    stop_anchor_status: Provenance = Provenance.VERIFIED
    stop_at_birth: bool = True
    #: ``max_hours`` is a review time, not a stop (APEC/Rouse: at least 12 h, stopping after
    #: 12 h unless birth is anticipated [A4]): the app prompts a review, not a stop.
    max_hours_is_review: bool = False


class Limits(_Frozen):
    """Hard limits refuse an entry; soft limits ask the user to confirm it."""

    loading_dose_g_soft_max: Sourced
    loading_dose_g_hard_max: Sourced
    loading_duration_min_soft_min: Sourced
    loading_duration_min_hard_min: Sourced
    maintenance_g_per_h_soft_max: Sourced
    maintenance_g_per_h_hard_max: Sourced
    renal_cumulative_g_per_48h: Sourced


class MonitoringRule(_Frozen):
    """Observation frequency, stop triggers (decisions.md §7) and the actions to show."""

    interval_hours: Sourced
    rr_min_per_min: Sourced
    rr_fall_from_baseline_per_min: Sourced
    reflexes_absent_stop: bool
    reflexes_source: str = Field(min_length=1)
    reflexes_status: Provenance = Provenance.VERIFIED
    urine_min_ml_per_4h: Sourced
    diastolic_fall_from_baseline_mmhg: Sourced
    spo2_min_percent: Sourced
    #: Decisions.md §14 (LOCAL settings): None leaves the sign unjudged in a unit's older file.
    serum_mg_upper_mmol_per_l: Sourced | None = None
    serum_mg_act_now_mmol_per_l: Sourced | None = None
    systolic_min_mmhg: Sourced | None = None
    pulse_min_per_min: Sourced | None = None
    #: Reduced consciousness, chest pain or breathing difficulty stop the infusion (§14).
    symptoms_stop: bool = True
    symptoms_source: str = "decisions.md §14; reference §6.2 [T1] (LOCAL)"
    actions: tuple[str, ...] = Field(min_length=1)
    actions_source: str = Field(min_length=1)
    antidote: str = Field(min_length=1)
    antidote_source: str = Field(min_length=1)


class RepeatCourseRule(_Frozen):
    """Repeat courses (decisions.md §8, reference §6.4)."""

    allowed: bool
    min_gap_hours: Sourced
    senior_confirmation_required: bool = True
    cumulative_warning_days: Sourced
    source: str = Field(min_length=1)


class ConditionRule(_Frozen):
    """A maternal condition: contraindication (blocks) or caution (needs a senior decision)."""

    id: ConditionId
    kind: Literal["contraindication", "caution", "other-regimen"]
    label: str = Field(min_length=1)
    text: str = Field(min_length=1)
    source: str = Field(min_length=1)
    status: Provenance = Provenance.VERIFIED


class InteractionRule(_Frozen):
    """An interacting medicine: a specific warning with its action text (decisions.md §6)."""

    id: MedicationId
    label: str = Field(min_length=1)
    warning: str = Field(min_length=1)
    action: str = Field(min_length=1)
    source: str = Field(min_length=1)
    status: Provenance = Provenance.VERIFIED


class MissedReasonRule(_Frozen):
    """A coded reason MgSO4 was not given (reference §3.3, unit-editable)."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    label: str = Field(min_length=1)
    avoidability: Literal["no", "usually-no", "yes", "review", "timing", "data-quality"]
    basis: str = ""
    needs_text: bool = False
    #: Only for the audit's back-filling (recorded by an auditor), never at the bedside: a
    #: senior's "do not give" has its own reason (issue 11; "Not recorded").
    back_fill_only: bool = False


class Protocol(_Frozen):
    """A validated unit protocol. ``sha256`` is the hash of the file's bytes."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    name: str = Field(min_length=1)
    summary: str = ""
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    bands: tuple[BandRule, ...] = Field(min_length=1)
    qualifying_situations: tuple[Situation, ...] = Field(min_length=1)
    qualifying_source: str = Field(min_length=1)
    loading: LoadingRule
    maintenance: MaintenanceRule
    limits: Limits
    monitoring: MonitoringRule
    repeat_course: RepeatCourseRule
    conditions: tuple[ConditionRule, ...]
    interactions: tuple[InteractionRule, ...]
    missed_reasons: tuple[MissedReasonRule, ...] = Field(min_length=1)
    scope_notes: tuple[str, ...] = ()
    #: Roles that may make a named senior decision (the unit's list; decisions.md §5, §8).
    #: The app records roles, not grades: the unit confirms it means consultant or registrar.
    senior_roles: tuple[Role, ...] = (Role.OBSTETRICIAN,)
    #: Dating methods disagreeing by more than this many days must be resolved with a reason
    #: (LOCAL setting; None: 7 days, the example in the clinical review).
    dating_tolerance_days: Sourced | None = None
    sha256: str = ""

    @field_validator("bands")
    @classmethod
    def _bands_contiguous(cls, bands: tuple[BandRule, ...]) -> tuple[BandRule, ...]:
        ordered = sorted(bands, key=lambda b: b.start)
        for earlier, later in pairwise(ordered):
            if later.start <= earlier.end:
                raise ValueError(
                    f"bands overlap: {earlier.band} {earlier.start}–{earlier.end} and "
                    f"{later.band} {later.start}–{later.end}"
                )
            if later.start.total_days != earlier.end.total_days + 1:
                raise ValueError(
                    f"gap between bands: {earlier.band} ends {earlier.end} but "
                    f"{later.band} starts {later.start}"
                )
        return tuple(ordered)

    @model_validator(mode="after")
    def _consistent(self) -> Protocol:
        problems: list[str] = []
        positive = {
            "loading.dose_g": self.loading.dose_g.value,
            "loading.duration_min": self.loading.duration_min.value,
            "maintenance.rate_g_per_h": self.maintenance.rate_g_per_h.value,
            "maintenance.max_hours": self.maintenance.max_hours.value,
            "monitoring.interval_hours": self.monitoring.interval_hours.value,
        }
        for path, value in positive.items():
            if value <= 0:
                problems.append(f"{path}: must be more than 0 (got {value})")
        # Every clinical number in a protocol is a dose, rate, time, count or threshold: none
        # can be negative, so a minus sign is always a typing error.
        for path, sourced in _sourced_fields(self, ""):
            if sourced.value < 0 and path not in positive:
                problems.append(f"{path}: cannot be negative (got {sourced.value})")
        if self.repeat_course.cumulative_warning_days.value <= 0:
            problems.append(
                "repeat_course.cumulative_warning_days: must be more than 0 "
                f"(got {self.repeat_course.cumulative_warning_days.value})"
            )
        limits = self.limits
        dose = self.loading.dose_g.value
        if not dose <= limits.loading_dose_g_soft_max.value <= limits.loading_dose_g_hard_max.value:
            problems.append(
                "limits.loading_dose_g_soft_max: need dose <= soft max <= hard max "
                f"({dose} / {limits.loading_dose_g_soft_max.value} / "
                f"{limits.loading_dose_g_hard_max.value})"
            )
        duration = self.loading.duration_min.value
        hard_min = limits.loading_duration_min_hard_min.value
        soft_min = limits.loading_duration_min_soft_min.value
        if not 0 < hard_min <= soft_min <= duration:
            problems.append(
                "limits.loading_duration_min_soft_min: need 0 < hard min <= soft min <= "
                f"loading duration ({hard_min} / {soft_min} / {duration})"
            )
        rate = self.maintenance.rate_g_per_h.value
        soft_rate = limits.maintenance_g_per_h_soft_max.value
        hard_rate = limits.maintenance_g_per_h_hard_max.value
        if not rate <= soft_rate <= hard_rate:
            problems.append(
                "limits.maintenance_g_per_h_soft_max: need rate <= soft max <= hard max "
                f"({rate} / {soft_rate} / {hard_rate})"
            )
        codes = [r.code for r in self.missed_reasons]
        if len(set(codes)) != len(codes):
            problems.append("missed_reasons: codes must be unique")
        cond_ids = [c.id for c in self.conditions]
        if len(set(cond_ids)) != len(cond_ids):
            problems.append("conditions: each condition id may appear once")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _within_ceilings(self) -> Protocol:
        problems = ceiling_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def band_for(self, gestation: GestationalAge) -> Band:
        """The band a gestation falls in, or ``Band.OUTSIDE``."""
        for rule in self.bands:
            if rule.contains(gestation):
                return Band(rule.band)
        return Band.OUTSIDE

    def band_rule(self, band: Band) -> BandRule | None:
        """The rule for a band, if the protocol has it."""
        return next((b for b in self.bands if b.band == band), None)

    def condition(self, condition_id: ConditionId) -> ConditionRule | None:
        """The protocol's rule for a condition, if any."""
        return next((c for c in self.conditions if c.id == condition_id), None)

    def interaction(self, medication_id: MedicationId) -> InteractionRule | None:
        """The protocol's rule for an interacting medicine, if any."""
        return next((m for m in self.interactions if m.id == medication_id), None)

    def missed_reason(self, code: str) -> MissedReasonRule | None:
        """The coded missed-case reason, if the protocol lists it."""
        return next((r for r in self.missed_reasons if r.code == code), None)

    @property
    def short_hash(self) -> str:
        """First 12 hex digits of the content hash, for screens and paper."""
        return self.sha256[:12]

    def citation(self, tag: str) -> str:
        """Full citation text for a source tag such as "N1"."""
        ref = next((s for s in self.sources if s.tag == tag), None)
        if ref is None:
            return tag
        return f"[{ref.tag}] {ref.title}" + (f" — {ref.url}" if ref.url else "")


def ceiling_problems(protocol: Protocol) -> list[str]:
    """Every value of a protocol outside the fixed ceilings, as "field: value … ceiling"."""
    problems = []
    values = dict(_sourced_fields(protocol, ""))
    for path, ceiling in CEILINGS.items():
        sourced = values.get(path)
        if sourced is None:
            continue
        if not ceiling.low <= sourced.value <= ceiling.high:
            problems.append(
                f"{path}: {_plain(sourced.value)} {ceiling.unit} is outside the fixed ceiling "
                f"{_plain(ceiling.low)}–{_plain(ceiling.high)} {ceiling.unit} ({ceiling.why}); "
                "ceilings are set in the app, not in the file"
            )
    earliest, latest = (GestationalAge.parse(text) for text in GESTATION_CEILING)
    for rule in protocol.bands:
        if rule.start < earliest or rule.end > latest:
            problems.append(
                f"bands.{rule.band}: {rule.start}–{rule.end} is outside the fixed ceiling "
                f"{earliest}–{latest} (the preterm range in which any source read acts)"
            )
    return problems


def _plain(number: Decimal) -> str:
    text = format(number, "f") if abs(number.adjusted()) < 30 else format(number, "E")
    return text.rstrip("0").rstrip(".") if "." in text and "E" not in text else text


class PreparationStage(_Frozen):
    """What is infused for one stage (loading or maintenance)."""

    concentration_g_per_ml: Dec
    concentration_label: str = Field(min_length=1)
    container: str = Field(min_length=1)
    container_volume_ml: Dec
    container_dose_g: Dec
    #: A fixed make-up text (older files). The app computes the make-up from the dose and
    #: the container (``core.dosing.make_up``) and shows this only when it cannot.
    make_up: str = ""
    #: Made up on the ward from a stronger stock (e.g. 50% ampoules, 0.5 g/mL) with a diluent.
    diluted_from_g_per_ml: Dec | None = None
    diluted_from_label: str = ""
    diluent: str = ""
    #: Maintenance runs on from the container the load came from (an 8% bag): the pump's
    #: rate must be changed when the load ends (decisions.md §15).
    same_container_as_load: bool = False

    @model_validator(mode="after")
    def _checks(self) -> PreparationStage:
        if self.diluted_from_g_per_ml is not None and (
            self.diluted_from_g_per_ml <= self.concentration_g_per_ml or not self.diluent
        ):
            raise ValueError(
                "diluted_from_g_per_ml: the stock must be stronger than the diluted "
                "concentration, and a diluent must be named"
            )
        if self.concentration_g_per_ml <= 0:
            raise ValueError("concentration_g_per_ml: must be more than 0")
        if self.concentration_g_per_ml > MAX_IV_CONCENTRATION_G_PER_ML:
            raise ValueError(
                f"concentration_g_per_ml: {self.concentration_g_per_ml} g/mL is more than 20% "
                "w/v; IV magnesium sulfate must be diluted to 20% or less [D1][D5]"
            )
        if self.container_volume_ml <= 0 or self.container_dose_g <= 0:
            raise ValueError("container_volume_ml and container_dose_g must be more than 0")
        if self.container_volume_ml * self.concentration_g_per_ml != self.container_dose_g:
            raise ValueError(
                f"container: {self.container_volume_ml} mL × {self.concentration_g_per_ml} g/mL "
                f"is not {self.container_dose_g} g"
            )
        return self


class Preparation(_Frozen):
    """A shipped presentation of MgSO4 with its loading and maintenance stages."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    drug: str = "Magnesium sulfate"
    loading: PreparationStage
    maintenance: PreparationStage
    warnings: tuple[str, ...] = ()
    source: str = Field(min_length=1)
    status: Provenance = Provenance.LOCAL


class PreparationSet(_Frozen):
    """All preparations, shared by every protocol."""

    version: str = Field(min_length=1)
    default: str
    preparations: tuple[Preparation, ...] = Field(min_length=1)
    sha256: str = ""

    @model_validator(mode="after")
    def _default_exists(self) -> PreparationSet:
        ids = [p.id for p in self.preparations]
        if len(set(ids)) != len(ids):
            raise ValueError("preparations: ids must be unique")
        if self.default not in ids:
            raise ValueError(f"default: {self.default!r} is not one of {', '.join(ids)}")
        return self

    def get(self, preparation_id: str) -> Preparation:
        """The preparation with this id; ProtocolError naming the choices if unknown."""
        for prep in self.preparations:
            if prep.id == preparation_id:
                return prep
        raise ProtocolError(
            "preparation",
            [f"preparation: {preparation_id!r} is not one of {', '.join(self.ids)}"],
        )

    @property
    def ids(self) -> list[str]:
        """Preparation ids in file order."""
        return [p.id for p in self.preparations]


# --------------------------------------------------------------------------- loading


def _format_errors(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        path = ".".join(str(part) for part in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if path:
            problems.append(f"{path}: {message}")
        else:
            # Whole-file checks name their own fields, several joined by "; ".
            problems.extend(part for part in message.split("; ") if part)
    return problems


def _parse_toml(data: bytes, source: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(source, ["(file): not UTF-8 text"]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(source, [f"(file): not valid TOML ({exc})"]) from None
    except RecursionError:
        raise ProtocolError(
            source,
            ["(file): nested too deeply to be a protocol (tables or arrays inside each other)"],
        ) from None


def parse_protocol(data: bytes, source: str = "protocol") -> Protocol:
    """Validate protocol TOML bytes; the content hash is SHA-256 of exactly these bytes."""
    raw = _parse_toml(data, source)
    if "sha256" in raw:
        raise ProtocolError(source, ["sha256: computed by the app; remove it from the file"])
    raw["sha256"] = hashlib.sha256(data).hexdigest()
    try:
        return Protocol.model_validate(raw)
    except ValidationError as exc:
        raise ProtocolError(source, _format_errors(exc)) from None
    except RecursionError:
        raise ProtocolError(source, ["(file): nested too deeply to be a protocol"]) from None


def parse_preparations(data: bytes, source: str = "preparations") -> PreparationSet:
    """Validate the preparations TOML bytes."""
    raw = _parse_toml(data, source)
    raw["sha256"] = hashlib.sha256(data).hexdigest()
    try:
        return PreparationSet.model_validate(raw)
    except ValidationError as exc:
        raise ProtocolError(source, _format_errors(exc)) from None


def load_protocol_file(path: Path) -> Protocol:
    """Read and validate a protocol file (the only I/O core does)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProtocolError(str(path), [f"(file): cannot be read ({exc.strerror})"]) from None
    return parse_protocol(data, str(path))


def load_preparations_file(path: Path) -> PreparationSet:
    """Read and validate a preparations file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProtocolError(str(path), [f"(file): cannot be read ({exc.strerror})"]) from None
    return parse_preparations(data, str(path))


class ProtocolLibrary:
    """The shipped protocols in a folder, looked up by id; a path also works."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def ids(self) -> list[str]:
        """Ids of the shipped protocol files, sorted."""
        return sorted(p.stem for p in self._folder.glob("*.toml"))

    def load(self, id_or_path: str) -> Protocol:
        """Load a shipped protocol by id, or a unit's own file by path."""
        candidate = self._folder / f"{id_or_path}.toml"
        if candidate.is_file():
            protocol = load_protocol_file(candidate)
            # Picking "uk-nice-ng25" must give that protocol: a copied file left with its
            # original name would otherwise be recorded under an id nobody chose.
            if protocol.id != id_or_path:
                raise ProtocolError(
                    str(candidate),
                    [
                        f"id: the file {candidate.name} declares id {protocol.id!r}; a shipped "
                        "protocol's id must match its file name"
                    ],
                )
        else:
            path = Path(id_or_path)
            if not path.suffix or not path.is_file():
                raise ProtocolError(
                    id_or_path,
                    [
                        f"protocol: {id_or_path!r} is neither a shipped protocol "
                        f"({', '.join(self.ids())}) nor a file"
                    ],
                )
            protocol = load_protocol_file(path)
            self._refuse_shipped_impostor(protocol, path)
        return protocol

    def _refuse_shipped_impostor(self, protocol: Protocol, path: Path) -> None:
        """A unit's file may not pass for a shipped protocol: same id and version, other text.

        Every episode records the protocol's id, version and hash; a copy edited but left with
        the shipped id and version would read, on screen and on paper, as the shipped rules.
        """
        shipped_path = self._folder / f"{protocol.id}.toml"
        if not shipped_path.is_file() or shipped_path.resolve() == path.resolve():
            return
        shipped = load_protocol_file(shipped_path)
        if shipped.version == protocol.version and shipped.sha256 != protocol.sha256:
            raise ProtocolError(
                str(path),
                [
                    f"id: {protocol.id} {protocol.version} is a shipped protocol's id and version, "
                    "but this file's content differs from it; give your copy its own id (e.g. "
                    f'"{protocol.id}-local") or its own version'
                ],
            )

    def load_all(self) -> Mapping[str, Protocol]:
        """Every shipped protocol, by id."""
        return {pid: self.load(pid) for pid in self.ids()}


class SourcedSetting(_Frozen):
    """A protocol setting that is a choice rather than a number (e.g. the 24 h stop anchor).

    It has the same shape as :class:`Sourced` (``value``, ``source``, ``status``, ``note``,
    ``is_local_setting``) so a screen can list both together; ``value`` is plain words.
    """

    value: str = Field(min_length=1)
    source: str = Field(min_length=1)
    status: Provenance = Provenance.VERIFIED
    note: str = ""

    @property
    def is_local_setting(self) -> bool:
        """Shown as "local setting" in the UI: not confirmed by a national source read."""
        return self.status in (Provenance.UNVERIFIED, Provenance.LOCAL)


def _sourced_fields(model: BaseModel, prefix: str) -> Iterable[tuple[str, Sourced]]:
    """Every :class:`Sourced` number in a model, depth first, with its dotted field path."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Sourced):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from _sourced_fields(value, path + ".")


def _settings(protocol: Protocol) -> Iterable[tuple[str, SourcedSetting]]:
    """The protocol's non-numeric choices that carry their own provenance mark."""
    for rule in protocol.bands:
        yield (
            f"bands.{rule.band}",
            SourcedSetting(
                value=f"{rule.band} {rule.start} to {rule.end}",
                source=rule.source,
                status=rule.status,
            ),
        )
    maintenance = protocol.maintenance
    yield (
        "maintenance.stop_anchor",
        SourcedSetting(
            value=f"{maintenance.max_hours.value} h counted from the {maintenance.stop_anchor}",
            source=maintenance.stop_anchor_source,
            status=maintenance.stop_anchor_status,
        ),
    )
    monitoring = protocol.monitoring
    yield (
        "monitoring.reflexes_absent_stop",
        SourcedSetting(
            value="stop if reflexes are absent"
            if monitoring.reflexes_absent_stop
            else "absent reflexes do not stop the infusion",
            source=monitoring.reflexes_source,
            status=monitoring.reflexes_status,
        ),
    )
    for condition in protocol.conditions:
        yield (
            f"conditions.{condition.id}",
            SourcedSetting(
                value=f"{condition.label}: {condition.kind}",
                source=condition.source,
                status=condition.status,
            ),
        )
    for interaction in protocol.interactions:
        yield (
            f"interactions.{interaction.id}",
            SourcedSetting(
                value=interaction.label, source=interaction.source, status=interaction.status
            ),
        )


def unverified_values(protocol: Protocol) -> Iterable[tuple[str, Sourced | SourcedSetting]]:
    """Every value marked unverified or local, with its field path.

    Numbers come as :class:`Sourced`; choices that are not numbers (gestation bands, the 24 h
    stop anchor, the absent-reflexes rule, condition and interaction rules) as
    :class:`SourcedSetting`. Both are shown in the UI as "local setting".
    """
    for path, sourced in _sourced_fields(protocol, ""):
        if sourced.is_local_setting:
            yield path, sourced
    for path, setting in _settings(protocol):
        if setting.is_local_setting:
            yield path, setting
