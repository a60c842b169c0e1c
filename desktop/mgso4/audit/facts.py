"""Per-baby audit facts: what each episode says, and how every birth is classified.

Two layers, so that the fast SQL reader and the core fold can be proved to agree:

1. :class:`EpisodeFacts` — the few things the audit needs from one episode (dating, the
   decision-time assessment, courses, births, the recorded not-given reason). It is produced
   either by :func:`episode_facts_from_state` (from ``core.episode.fold``) or by
   ``mgso4.audit.sql`` (read-only SQL). Tests compare the two on demo data.
2. :func:`baby_rows` — one :class:`BabyRow` per baby, classified by
   ``core.outcome.classify_births`` (the fixed definitions of decisions.md §10): the same path
   the episode screen, the proforma and ``mgso4 episode`` take, so paper and audit agree. Twins
   give two rows from one maternal episode: each baby has its own birth time and gestation, the
   mother's courses are shared.

Rules applied here (each is a decision the audit makes, documented so a reviewer can check it):

- **Eligible from** (PERIPrem "could it have been optimal?" [P2]): decided in core
  (``core.outcome.classify_births``): the decision-time assessment, or the episode's creation
  if there was none; unknown when that is after the birth.
- **Missed case** (decisions.md §9, ``core.outcome.is_missed_case``): NNAP-eligible and no
  MgSO₄ started before birth. Its reason is the recorded not-given code (reference §3.3), or
  ``UNKNOWN`` when none was recorded. Late (< 4 h) and expired (> 24 h) courses are timing
  classes with the codes ``G-LATE`` / ``G-EXPIRED``, not missed cases.
- **Data problems**: a birth that cannot be classified (gestation at birth unknown, a course
  with no loading-dose start, overlapping courses, contradictory times, or an entry the fold
  could not apply, ``EpisodeState.problems``) is kept as a row with its ``problem`` stated and
  is left out of every numerator and denominator; the metrics list it so it can be corrected.
  Nothing is guessed.

Gestation bands at birth (PERIPrem optimisation tool [P2], reference §2.2) use completed days
with explicit inclusive cut-points; the tool's own "< 26+6" label would leave 26+6 itself in no
band, so here the first PERIPrem band is 24+0 to 26+6 inclusive (day 168–188) and 26+6 is in
it. See :data:`BAND_CUT_POINTS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from mgso4.core.episode import Dating, EpisodeState, EventType
from mgso4.core.gestation import GestationalAge, GestationError
from mgso4.core.outcome import (
    DEFAULT_MISSED_REASONS,
    AnznnCode,
    Avoidability,
    AvoidableGroup,
    BabyClasses,
    BirthTiming,
    Classification,
    CourseTiming,
    EpisodeTiming,
    TimingClass,
    avoidable_group,
    classify_births,
    is_missed_case,
)
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import LONDON
from mgso4.core.vocab import Situation

#: Reason code used when a missed case has no recorded reason (reference §3.3).
UNKNOWN_REASON_CODE: Final = "UNKNOWN"


class GestationBand(StrEnum):
    """Gestation band at birth; ids are stable (used in filters, exports and the CLI)."""

    UNDER_24 = "lt24"
    FROM_24_TO_26 = "24-26"
    WEEK_27 = "27"
    FROM_28_TO_29 = "28-29"
    FROM_30_TO_31 = "30-31"
    FROM_32_TO_33 = "32-33"
    FROM_34 = "ge34"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """Plain words with the exact inclusive range, e.g. "24+0 to 26+6"."""
        return _BAND_LABELS[self]


#: Inclusive cut-points in completed days of gestation at birth: (band, first day, last day).
#: 24+0 = day 168, 26+6 = day 188, 27+0 = 189, 27+6 = 195, 28+0 = 196, 29+6 = 209, 30+0 = 210,
#: 31+6 = 223, 32+0 = 224, 33+6 = 237, 34+0 = 238 (reference §7.1: day = weeks × 7 + days).
#: The 24–33+6 bands are PERIPrem's [P2] (reference §2.2); "< 24+0" and "34+0 or more" are added
#: so every birth falls in exactly one band.
BAND_CUT_POINTS: Final[tuple[tuple[GestationBand, int, int | None], ...]] = (
    (GestationBand.UNDER_24, 0, 167),
    (GestationBand.FROM_24_TO_26, 168, 188),
    (GestationBand.WEEK_27, 189, 195),
    (GestationBand.FROM_28_TO_29, 196, 209),
    (GestationBand.FROM_30_TO_31, 210, 223),
    (GestationBand.FROM_32_TO_33, 224, 237),
    (GestationBand.FROM_34, 238, None),
)

_BAND_LABELS: Final = {
    GestationBand.UNDER_24: "under 24+0",
    GestationBand.FROM_24_TO_26: "24+0 to 26+6",
    GestationBand.WEEK_27: "27+0 to 27+6",
    GestationBand.FROM_28_TO_29: "28+0 to 29+6",
    GestationBand.FROM_30_TO_31: "30+0 to 31+6",
    GestationBand.FROM_32_TO_33: "32+0 to 33+6",
    GestationBand.FROM_34: "34+0 or more",
    GestationBand.UNKNOWN: "gestation at birth unknown",
}


def band_for(gestation: GestationalAge | None) -> GestationBand:
    """The band at birth for a gestation (see :data:`BAND_CUT_POINTS`)."""
    if gestation is None:
        return GestationBand.UNKNOWN
    days = gestation.total_days
    for band, first_day, last_day in BAND_CUT_POINTS:
        if days >= first_day and (last_day is None or days <= last_day):
            return band
    raise AssertionError(f"no band for {gestation.label}")  # pragma: no cover - bands are total


# --- episode facts (the two readers produce these) -------------------------------------------


@dataclass(frozen=True, slots=True)
class CourseFacts:
    """One recorded course, as the audit needs it (times UTC; None = not recorded)."""

    number: int
    load_started_at: datetime | None
    maintenance_started_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    load_dose_g: Decimal | None
    maintenance_rate_g_per_h: Decimal | None
    #: A repeat course restarted without a new load (decisions.md §8).
    restarted_without_load: bool = False

    @property
    def started_at(self) -> datetime | None:
        """When the course began: its load, or its restarted maintenance."""
        if self.load_started_at is not None:
            return self.load_started_at
        return self.maintenance_started_at if self.restarted_without_load else None


@dataclass(frozen=True, slots=True)
class BirthFacts:
    """One baby's recorded birth; ``gestation`` is from the episode's dating on the local date."""

    baby: int
    label: str
    born_at: datetime
    gestation: GestationalAge | None
    event_uuid: str
    neonatal_care: str | None = None


@dataclass(frozen=True, slots=True)
class EpisodeFacts:
    """What the audit reads from one episode (after amendments and voids are applied)."""

    episode_uuid: str
    workstation_id: str
    created_at: datetime
    assessed_at: datetime | None
    protocol_id: str
    protocol_version: str
    unit_name: str
    training: bool
    plurality: int
    id_type: str
    identifier: str
    name: str
    date_of_birth: date | None
    dating: Dating
    gestation_days_at_decision: int | None
    situation: Situation | None
    courses: tuple[CourseFacts, ...]
    births: tuple[BirthFacts, ...]
    not_given_code: str | None
    not_given_text: str
    not_given_at: datetime | None
    decision_give: bool | None
    #: Entries the record holds that make no sense where they stand (``EpisodeState.problems``).
    problems: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        """No birth recorded yet: listed separately, never in a denominator."""
        return not self.births

    @property
    def status(self) -> str:
        """Where a pending episode is, in plain words (for the pending list)."""
        if self.births:
            return "Delivered"
        started = [c for c in self.courses if c.started_at is not None]
        if started:
            return "Infusion stopped" if started[-1].stopped_at is not None else "MgSO₄ running"
        if self.not_given_code is not None or self.decision_give is False:
            return "Not given; birth not recorded"
        return "Assessing"


def safe_gestation(dating: Dating, at: datetime, tz: ZoneInfo) -> GestationalAge | None:
    """Gestation on the local calendar date of an instant, or None if the dating cannot give it.

    Mirrors ``core.episode.fold`` (births are dated on the local date, reference §7.1).
    """
    try:
        return dating.gestation_on(at.astimezone(tz).date())
    except GestationError:
        return None


def episode_facts_from_state(state: EpisodeState) -> EpisodeFacts:
    """The audit facts of a folded episode (the core path)."""
    created_entry = next(
        entry
        for entry in state.timeline
        if entry.event.type is EventType.EPISODE_CREATED and entry.voided_by is None
    )
    courses = tuple(
        CourseFacts(
            number=course.number,
            load_started_at=course.load_started_at,
            maintenance_started_at=course.maintenance_started_at,
            stopped_at=course.stopped_at,
            stop_reason=None if course.stop_reason is None else course.stop_reason.value,
            load_dose_g=None if course.load is None else course.load.dose_g,
            maintenance_rate_g_per_h=(
                None
                if course.maintenance is None
                else course.maintenance.rate_ml_per_h * course.maintenance.concentration_g_per_ml
            ),
            restarted_without_load=course.restarted_without_load,
        )
        for course in state.courses
    )
    births = tuple(
        BirthFacts(
            baby=birth.baby,
            label=birth.label,
            born_at=birth.born_at,
            gestation=birth.gestation,
            event_uuid=birth.event_uuid,
            neonatal_care=birth.neonatal_care,
        )
        for birth in state.births
    )
    patient = state.patient
    return EpisodeFacts(
        episode_uuid=state.uuid,
        workstation_id=created_entry.event.workstation_id,
        created_at=state.created_at,
        assessed_at=state.assessed_at,
        protocol_id=state.protocol_id,
        protocol_version=state.protocol_version,
        unit_name=state.created.unit_name,
        training=state.training,
        plurality=state.created.plurality,
        id_type=patient.id_type.value,
        identifier=patient.identifier,
        name=patient.name,
        date_of_birth=patient.date_of_birth,
        dating=state.created.dating,
        gestation_days_at_decision=(
            None if state.assessment is None else state.assessment.gestation_days
        ),
        situation=None if state.assessment is None else state.assessment.situation,
        courses=courses,
        births=births,
        not_given_code=None if state.not_given is None else state.not_given.reason_code,
        not_given_text="" if state.not_given is None else state.not_given.text,
        not_given_at=state.not_given_at,
        decision_give=None if state.decision is None else state.decision.give,
        problems=tuple(problem.message for problem in state.problems),
    )


# --- missed-case reasons ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReasonInfo:
    """A reason code resolved to its label and avoidability (reference §3.3)."""

    code: str
    label: str
    avoidability: Avoidability
    basis: str
    known: bool

    @property
    def group(self) -> AvoidableGroup:
        """avoidable / not-avoidable / review (``core.outcome.avoidable_group``)."""
        return avoidable_group(self.avoidability)


class ReasonBook:
    """Resolves a reason code with the episode's own protocol, then the reference default list.

    A unit may edit its protocol's reason list (decisions.md §9); each episode is read with the
    list of the protocol it was recorded under. A code found in neither is shown as
    "unrecognised" and grouped for review, never dropped.
    """

    def __init__(self, protocols: Mapping[str, Protocol] | None = None) -> None:
        self._protocols = dict(protocols or {})
        self._defaults = {reason.code: reason for reason in DEFAULT_MISSED_REASONS}
        self._cache: dict[tuple[str, str], ReasonInfo] = {}

    def lookup(self, protocol_id: str, code: str) -> ReasonInfo:
        """The reason for ``code`` under ``protocol_id``."""
        key = (protocol_id, code)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        info: ReasonInfo
        protocol = self._protocols.get(protocol_id)
        rule = None if protocol is None else protocol.missed_reason(code)
        if rule is not None:
            info = ReasonInfo(
                code=code,
                label=rule.label,
                avoidability=Avoidability(rule.avoidability),
                basis=rule.basis,
                known=True,
            )
        elif code in self._defaults:
            default = self._defaults[code]
            info = ReasonInfo(
                code=code,
                label=default.label,
                avoidability=default.avoidability,
                basis=default.basis,
                known=True,
            )
        else:
            info = ReasonInfo(
                code=code,
                label=f"Unrecognised reason code {code}",
                avoidability=Avoidability.REVIEW,
                basis="",
                known=False,
            )
        self._cache[key] = info
        return info


# --- per-baby rows ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BabyRef:
    """Which baby a number counts: the maternal episode and the baby number (1, 2 for twins)."""

    episode_uuid: str
    baby: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"episode_uuid": self.episode_uuid, "baby": self.baby}


@dataclass(frozen=True, slots=True)
class BabyRow:
    """One baby: the episode's facts, its birth and every audit classification.

    ``classification`` is None exactly when ``problem`` says why the birth could not be
    classified; such a row counts in no numerator or denominator. ``ref`` is (episode uuid,
    baby number), the key every count keeps.
    """

    episode: EpisodeFacts
    birth: BirthFacts
    ref: BabyRef
    birth_date_local: date
    band: GestationBand
    eligible_from: datetime | None
    given_before_birth: bool
    latest_course: CourseFacts | None
    hours_load_to_birth: float | None
    classification: Classification | None
    missed: bool
    reason: ReasonInfo | None
    problem: str | None

    @property
    def gestation_at_decision(self) -> GestationalAge | None:
        """Gestation at the decision-time assessment, if one was recorded."""
        days = self.episode.gestation_days_at_decision
        return None if days is None else GestationalAge(days)

    @property
    def timing_class(self) -> TimingClass | None:
        """G-LATE / G-EXPIRED, or None."""
        return None if self.classification is None else self.classification.timing_class


def timing_of_facts(facts: EpisodeFacts) -> EpisodeTiming:
    """What classification reads from the audit's facts (``core.outcome.timing_of`` for a
    folded episode gives the same from the same record)."""
    days = facts.gestation_days_at_decision
    return EpisodeTiming(
        created_at=facts.created_at,
        assessed_at=facts.assessed_at,
        gestation_at_decision=None if days is None else GestationalAge(days),
        situation=facts.situation,
        courses=tuple(
            CourseTiming(
                number=course.number,
                started_at=course.started_at,
                stopped_at=course.stopped_at,
                maintenance_started_at=course.maintenance_started_at,
                loaded=course.load_started_at is not None,
            )
            for course in facts.courses
        ),
        births=tuple(
            BirthTiming(
                baby=birth.baby,
                born_at=birth.born_at,
                gestation=birth.gestation,
                neonatal_care=birth.neonatal_care,
            )
            for birth in facts.births
        ),
        problems=facts.problems,
    )


def baby_rows(facts: EpisodeFacts, reasons: ReasonBook, tz: ZoneInfo = LONDON) -> list[BabyRow]:
    """One classified row per recorded baby (none for a pending episode).

    Args:
        facts: The episode as the audit reads it.
        reasons: Resolves not-given and timing codes to labels and avoidability.
        tz: Display zone; sets each row's local birth date (date filters use it).
    """
    classes = {item.baby: item for item in classify_births(timing_of_facts(facts))}
    return [_baby_row(facts, birth, classes[birth.baby], reasons, tz) for birth in facts.births]


def _baby_row(
    facts: EpisodeFacts,
    birth: BirthFacts,
    classes: BabyClasses,
    reasons: ReasonBook,
    tz: ZoneInfo,
) -> BabyRow:
    born_at = birth.born_at
    before_birth = sorted(
        (
            course
            for course in facts.courses
            if course.started_at is not None and course.started_at <= born_at
        ),
        key=lambda course: course.started_at or born_at,
    )
    latest = before_birth[-1] if before_birth else None
    hours = (
        None
        if latest is None or latest.started_at is None
        else round((born_at - latest.started_at).total_seconds() / 3600, 2)
    )
    classification = classes.classification
    problem = classes.problem
    missed = False
    reason: ReasonInfo | None = None
    if classification is not None:
        try:
            missed = is_missed_case(classification, given=bool(before_birth))
        except ValueError as exc:
            classification, problem = None, str(exc)
    if classification is not None:
        if missed:
            reason = reasons.lookup(facts.protocol_id, facts.not_given_code or UNKNOWN_REASON_CODE)
        elif classification.timing_class is not None:
            reason = reasons.lookup(facts.protocol_id, classification.timing_class.value)
    return BabyRow(
        episode=facts,
        birth=birth,
        ref=BabyRef(facts.episode_uuid, birth.baby),
        birth_date_local=born_at.astimezone(tz).date(),
        band=band_for(birth.gestation),
        eligible_from=classes.eligible_from,
        given_before_birth=bool(before_birth),
        latest_course=latest,
        hours_load_to_birth=hours,
        classification=classification,
        missed=missed,
        reason=reason,
        problem=problem,
    )


def anznn_counts_order() -> Sequence[AnznnCode]:
    """ANZNN codes in the order the audit shows them (time before birth, longest first)."""
    return (
        AnznnCode.NOT_GIVEN,
        AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH,
        AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H,
        AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH,
        AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH,
    )
