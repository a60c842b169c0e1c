"""Audit classification of one birth: NNAP, NICE QS135, BAPM/PERIPrem "optimal", ANZNN code.

The definitions are **fixed** (decisions.md §10): computed from recorded timestamps, never typed,
and not a protocol setting. Sources, as summarised in the clinical reference:

- NNAP [E1][E2] (reference §4.1): mother of a baby born before 30+0 weeks received MgSO₄ in
  the 24 h before delivery.
- NICE QS135 statement 6 [N2] (reference §1.7): women at 24+0–29+6 in established preterm labour
  (measure a: received) or with a planned preterm birth (measure b: received in the 24 h before
  birth).
- PERIPrem [P1][P2] (reference §2.2; decisions.md §10): birth before 30+0; optimal when a
  loading dose started more than 4 h and less than 24 h before birth.
- BAPM Antenatal Optimisation Toolkit [B1] (reference §2.1; decisions.md §10), a separate
  measure: birth before 30+0; optimal when a loading dose was given and at least 4 h of infusion
  were received, within the 24 h before birth.
- ANZNN MgSO₄ timing data item [Z2] (reference §3.3).
- Missed-case reasons and timing classes: reference §3.3 (our synthesis, unit-editable) and
  decisions.md §9.

Time rules: every instant must be timezone-aware; all arithmetic is on UTC instants, so windows
are real elapsed time and a BST/GMT change never stretches "4 h" or "24 h" (decisions.md §12).

Boundary semantics, decided once and used by every measure (times are recorded to the minute,
so an exact boundary is a real case, not a theoretical one):

- **"In the 24 h before birth"** is the half-open window ``(birth − 24 h, birth]``. A course
  counts when it started at or before birth and had not stopped by the opening of the window:
  ``load_start <= birth_at`` and (``stop is None`` or ``stop > birth_at − 24 h``). A course that
  stopped exactly 24 h before birth delivered nothing inside the window → does not count.
  A course started after birth never counts. A course started at the very minute of birth is
  counted as given before birth (the record cannot order the two within the minute).
- **PERIPrem optimal** is strict at both ends, as written in the source ("> 4 h and < 24 h"):
  ``birth_at − 24 h < load_start < birth_at − 4 h``. Exactly 4 h or exactly 24 h is not optimal.
- **BAPM optimal** needs a loading dose started inside the window ``(birth − 24 h, birth]`` and
  at least 4 h of infusion inside the window, counted over every course from its start to its
  stop (or to birth while it ran): exactly 4 h is optimal ("≥ 4 h", [B1]). A course restarted
  without a new load (decisions.md §8) adds infusion hours but is not a loading dose.
- **ANZNN "started 4–24 h before birth"** is inclusive at both ends, so every course lands in
  exactly one code: a load started exactly 4 h or exactly 24 h before birth (and still running
  inside the window) is ``started-4-to-24h-before-birth`` although it is not BAPM-optimal.
  ``started-under-4h-before-birth`` is strictly less than 4 h.
- **Numerator implies denominator**: ``met`` is False whenever ``eligible`` is False, so rates can
  be summed directly (``sum(met) / sum(eligible)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import TYPE_CHECKING, Final, Literal

from pydantic import ConfigDict

from mgso4.core.gestation import GestationalAge
from mgso4.core.model import CoreModel
from mgso4.core.timeutil import ensure_utc
from mgso4.core.vocab import Situation

if TYPE_CHECKING:
    from mgso4.core.episode import EpisodeState

#: NNAP, BAPM and PERIPrem count births **before** 30+0 weeks (gestation at birth), i.e. day
#: ≤ 209. [E1][E2] (reference §4.1); [B1]; [P1][P2] (reference §2.2); "< 30 weeks" = ≤ 29+6 per
#: reference §7.1 (DERIVED).
BIRTH_GESTATION_LIMIT_EXCLUSIVE: Final = GestationalAge.of(30, 0)

#: NICE QS135 statement 6 population: 24+0 to 29+6 inclusive. [N2] (reference §1.7).
QS135_GESTATION_FROM: Final = GestationalAge.of(24, 0)
QS135_GESTATION_TO: Final = GestationalAge.of(29, 6)

#: Window before birth in which MgSO₄ counts for NNAP and QS135 (b). [E1][E2]; [N2].
WINDOW_BEFORE_BIRTH: Final = timedelta(hours=24)

#: A loading dose must start more than this before birth to be "optimal". [B1]; [P1][P2].
OPTIMAL_MINIMUM_LEAD: Final = timedelta(hours=4)

#: QS135 qualifying situations and the process measure each belongs to. [N2] (reference §1.7).
QS135_MEASURE_BY_SITUATION: Final[dict[Situation, Literal["a", "b"]]] = {
    Situation.ESTABLISHED_LABOUR: "a",
    Situation.PLANNED_BIRTH_WITHIN_24H: "b",
}


# --- input --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Course:
    """One course of MgSO₄ as recorded: when the load started and when the course stopped.

    All times are aware datetimes; they are stored converted to UTC.

    Attributes:
        load_start: When the loading dose started (UTC); for a course restarted without a new
            load (``loaded`` False, decisions.md §8), when its infusion restarted.
        stop: When the course stopped; None means it was still running (at birth, or now).
        maintenance_start: When the maintenance infusion started, if there was one (a
            bolus-only course has none). Not used by the audit definitions; kept so one record
            serves the 24 h stop rule (decisions.md §4) and the audit.
        loaded: The course began with a loading dose (False for a maintenance restart).

    Raises:
        ValueError: A time is naive, the stop is before the load started, or maintenance started
            before the load or after the stop.
    """

    load_start: datetime
    stop: datetime | None
    maintenance_start: datetime | None = None
    loaded: bool = True

    def __post_init__(self) -> None:
        load_start = ensure_utc(self.load_start, "loading dose start time")
        stop = None if self.stop is None else ensure_utc(self.stop, "course stop time")
        maintenance_start = (
            None
            if self.maintenance_start is None
            else ensure_utc(self.maintenance_start, "maintenance start time")
        )
        if stop is not None and stop < load_start:
            raise ValueError(
                f"The course stop time ({stop.isoformat()}) is before its loading dose started "
                f"({load_start.isoformat()}); check both times."
            )
        if maintenance_start is not None:
            if maintenance_start < load_start:
                raise ValueError(
                    f"The maintenance infusion start ({maintenance_start.isoformat()}) is before "
                    f"the loading dose started ({load_start.isoformat()}); check both times."
                )
            if stop is not None and maintenance_start > stop:
                raise ValueError(
                    f"The maintenance infusion start ({maintenance_start.isoformat()}) is after "
                    f"the course stopped ({stop.isoformat()}); check both times."
                )
        # Normalise to UTC (the same instants) so every comparison below is on real time.
        object.__setattr__(self, "load_start", load_start)
        object.__setattr__(self, "stop", stop)
        object.__setattr__(self, "maintenance_start", maintenance_start)


# --- codes --------------------------------------------------------------------------------------


class AnznnCode(StrEnum):
    """ANZNN MgSO₄ timing code for a baby, from the latest course started before birth [Z2].

    ANZNN also has "given, details unknown", "given in a randomised trial" and "unknown"; those
    are not derivable from timestamps and are not produced here.
    """

    NOT_GIVEN = "not-given"
    STOPPED_OVER_24H_BEFORE_BIRTH = "stopped-over-24h-before-birth"
    STARTED_OVER_24H_STOPPED_WITHIN_24H = "started-over-24h-stopped-within-24h"
    STARTED_4_TO_24H_BEFORE_BIRTH = "started-4-to-24h-before-birth"
    STARTED_UNDER_4H_BEFORE_BIRTH = "started-under-4h-before-birth"


class TimingClass(StrEnum):
    """Timing classes for courses that were given (reference §3.3; decisions.md §9).

    These are **not** missed cases: a late course still counts for NNAP; an expired course was
    given but ended before the 24 h window. The values equal the reason codes of reference §3.3.
    """

    #: Latest course started less than 4 h before birth, and no course was optimally timed.
    LATE = "G-LATE"
    #: Every course before birth had stopped at or before birth − 24 h (nothing in the window).
    EXPIRED = "G-EXPIRED"


class Avoidability(StrEnum):
    """Whether a reason for not giving MgSO₄ was avoidable (reference §3.3, our synthesis)."""

    NO = "no"
    USUALLY_NO = "usually-no"
    YES = "yes"
    REVIEW = "review"
    TIMING = "timing"
    DATA_QUALITY = "data-quality"


class MissedReason(CoreModel):
    """One coded reason why MgSO₄ was not given, or was given outside the window.

    Attributes:
        code: Stable id stored in the record and exported (e.g. "NG-BBA").
        label: Plain words for screens and paper.
        avoidability: How the case counts in a missed-case review.
        basis: Source tags the category rests on (reference §11), or "UNVERIFIED".
    """

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    code: str
    label: str
    avoidability: Avoidability
    basis: str


#: The reference default missed-case reason list: exactly the 13 codes of reference §3.3.
#: **Our synthesis — unit-editable.** PReCePT's own categories were not found (UNVERIFIED,
#: reference §10 item 3); a unit's protocol file carries its editable copy, and this tuple is the
#: default it starts from. Free text is allowed only under a unit's "other" (decisions.md §9).
DEFAULT_MISSED_REASONS: Final[tuple[MissedReason, ...]] = (
    MissedReason(
        code="NG-BBA",
        label="Born before arrival",
        avoidability=Avoidability.NO,
        basis="[Q8]",
    ),
    MissedReason(
        code="NG-IMMINENT",
        label="Birth too rapid after arrival / no time to start",
        avoidability=Avoidability.USUALLY_NO,
        basis="[Q8][Z3]",
    ),
    MissedReason(
        code="NG-EMERGENCY",
        label="Emergency birth not delayed (e.g. category-1 caesarean section)",
        avoidability=Avoidability.NO,
        basis="[C1][T1][T2]",
    ),
    MissedReason(
        code="NG-DECLINED",
        label="Woman declined after discussion",
        avoidability=Avoidability.NO,
        basis="[Z4]",
    ),
    MissedReason(
        code="NG-CONTRAINDICATION",
        label="Documented contraindication or caution (specify)",
        avoidability=Avoidability.NO,
        basis="[D2][D3][A4]",
    ),
    MissedReason(
        code="NG-SENIOR-DECISION",
        label="Senior decision not to give (e.g. 23-week discussion, comfort care)",
        avoidability=Avoidability.REVIEW,
        basis="[N1 1.10.1]",
    ),
    MissedReason(
        code="NG-NOT-ESTABLISHED",
        label="Not judged to be in established labour / birth not expected within 24 h",
        avoidability=Avoidability.REVIEW,
        basis="[N1 Terms]",
    ),
    MissedReason(
        code="NG-NOT-CONSIDERED",
        label="Not considered / not offered",
        avoidability=Avoidability.YES,
        basis="[T4]",
    ),
    MissedReason(
        code="NG-UNAVAILABLE",
        label="Drug, pump or staff unavailable",
        avoidability=Avoidability.YES,
        basis="UNVERIFIED as a published category",
    ),
    MissedReason(
        code="NG-TRANSFER",
        label="Not given because of transfer logistics",
        avoidability=Avoidability.REVIEW,
        basis="[T1][T4][S2]",
    ),
    MissedReason(
        code=TimingClass.EXPIRED.value,
        label="Given, but the course ended more than 24 h before birth and was not repeated",
        avoidability=Avoidability.TIMING,
        basis="[Z2][E1]",
    ),
    MissedReason(
        code=TimingClass.LATE.value,
        label="Started less than 4 h before birth (counts for NNAP; not optimal)",
        avoidability=Avoidability.TIMING,
        basis="[Z2][P2]",
    ),
    MissedReason(
        code="UNKNOWN",
        label="Not recorded",
        avoidability=Avoidability.DATA_QUALITY,
        basis="[Z2]",
    ),
)

AvoidableGroup = Literal["avoidable", "not-avoidable", "review"]

_AVOIDABLE_GROUPS: Final[dict[Avoidability, AvoidableGroup]] = {
    Avoidability.YES: "avoidable",
    Avoidability.NO: "not-avoidable",
    Avoidability.USUALLY_NO: "not-avoidable",
    Avoidability.REVIEW: "review",
    Avoidability.TIMING: "review",
    Avoidability.DATA_QUALITY: "review",
}


def avoidable_group(avoidability: Avoidability) -> AvoidableGroup:
    """Collapse avoidability into the three groups of a missed-case Pareto chart.

    yes → "avoidable"; no and usually-no → "not-avoidable"; review, timing and data-quality →
    "review" (each needs a person to look at the case before it is called either way).
    """
    return _AVOIDABLE_GROUPS[Avoidability(avoidability)]


# --- results ------------------------------------------------------------------------------------


class _Result(CoreModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


class NnapResult(_Result):
    """NNAP MgSO₄ measure [E1][E2]: eligible = born before 30+0; met = given in the 24 h before."""

    eligible: bool
    met: bool


class Qs135Result(_Result):
    """NICE QS135 statement 6 [N2]: measure "a" (established labour) or "b" (planned birth).

    ``measure`` is None when not eligible.
    """

    eligible: bool
    measure: Literal["a", "b"] | None
    met: bool


class BapmResult(_Result):
    """BAPM optimal MgSO₄ [B1] (decisions.md §10).

    Attributes:
        eligible: Born before 30+0.
        met: A loading dose was given and at least 4 h of infusion were received, within the
            24 h before birth.
    """

    eligible: bool
    met: bool


class PeripremResult(_Result):
    """PERIPrem optimal MgSO₄ [P1][P2] (decisions.md §10).

    Attributes:
        eligible: Born before 30+0.
        met: A loading dose started more than 4 h and less than 24 h before birth (strict).
        could_have_been_optimal: PERIPrem's "could it have been optimal?" [P2], asked as the
            Optimisation Tool asks it: only for babies whose mothers were given MgSO₄ (its
            column is greyed when "given?" is No; decisions.md §10). None when not eligible,
            not given, or when the time she became eligible is unknown; otherwise True if more
            than 4 h passed between becoming eligible and birth, or if it was in fact optimal.
        received_any: PERIPrem's "received any MgSO₄ before birth" (< 30+0, no 24 h window).
        optimal_timing_possible: The broader missed-opportunity question, under its own name
            (not PERIPrem's): could optimal timing have been reached, given or not? None when
            not eligible or the time she became eligible is unknown.
    """

    eligible: bool
    met: bool
    could_have_been_optimal: bool | None
    received_any: bool = False
    optimal_timing_possible: bool | None = None


class Classification(_Result):
    """Every audit classification of one birth, from timestamps only."""

    nnap: NnapResult
    qs135: Qs135Result
    bapm_optimal: BapmResult
    periprem_optimal: PeripremResult
    anznn: AnznnCode
    timing_class: TimingClass | None
    #: A course started before birth had no recorded stop: it was counted as stopped at its
    #: protocol maximum (decisions.md §10) and the row needs correcting.
    stop_time_missing: bool = False
    #: Why an NNAP-age baby is outside NNAP's denominator (not admitted for neonatal care).
    nnap_excluded: str | None = None

    def as_cli_dict(self) -> dict[str, object]:
        """Plain JSON-ready form used by the command line and exports (timing class omitted)."""
        return {
            "nnap": {"eligible": self.nnap.eligible, "met": self.nnap.met},
            "qs135": {
                "eligible": self.qs135.eligible,
                "measure": self.qs135.measure,
                "met": self.qs135.met,
            },
            "bapm_optimal": {
                "eligible": self.bapm_optimal.eligible,
                "met": self.bapm_optimal.met,
            },
            "periprem_optimal": {
                "eligible": self.periprem_optimal.eligible,
                "met": self.periprem_optimal.met,
                "could_have_been_optimal": self.periprem_optimal.could_have_been_optimal,
            },
            "anznn": self.anznn.value,
            "periprem_received_any": {
                "eligible": self.periprem_optimal.eligible,
                "met": self.periprem_optimal.received_any,
            },
            "stop_time_missing": self.stop_time_missing,
            "nnap_excluded": self.nnap_excluded,
        }


#: A course with no recorded stop counts as stopped this long after its anchor (maintenance
#: start, else the load start): the protocol maximum of decisions.md §4 and §10 ([N1] 1.10.4).
DEFAULT_MAXIMUM: Final = timedelta(hours=24)


def _capped(course: Course, birth_at: datetime, maximum: timedelta) -> tuple[Course, bool]:
    """The course with a missing stop taken as its protocol maximum, and whether it was missing
    (decisions.md §10: it never counts as running for days)."""
    if course.stop is not None or course.load_start > birth_at:
        return course, False
    anchor = course.maintenance_start or course.load_start
    return (
        Course(
            load_start=course.load_start,
            stop=anchor + maximum,
            maintenance_start=course.maintenance_start,
            loaded=course.loaded,
        ),
        True,
    )


# --- classification -----------------------------------------------------------------------------


def classify(
    *,
    birth_at: datetime,
    gestation_at_birth: GestationalAge,
    courses: Sequence[Course],
    gestation_at_decision: GestationalAge | None = None,
    situation: Situation | None = None,
    eligible_from: datetime | None = None,
    maximum: timedelta = DEFAULT_MAXIMUM,
    neonatal_care: str | None = None,
) -> Classification:
    """Classify one birth against the fixed audit definitions (decisions.md §10).

    Args:
        birth_at: Time of birth (aware; compared in UTC).
        gestation_at_birth: Completed gestation on the day of birth (NNAP, BAPM denominators).
        courses: Every MgSO₄ course recorded for this pregnancy, in any order. Courses that
            started after birth are ignored.
        gestation_at_decision: Gestation when the decision was made (QS135). None → not
            QS135-eligible. QS135 does not say whether its gestation is at decision or at birth
            (reference §1.7, UNVERIFIED); both are stored and decision gestation is used here
            because the statement is about women being offered MgSO₄.
        situation: The clinical situation at the decision (QS135 denominator and measure).
        eligible_from: When she first became eligible (e.g. presented in established labour),
            for PERIPrem's "could it have been optimal?". None → unknown.
        maximum: The protocol's maximum duration: a course started before birth with no
            recorded stop counts as stopped this long after its anchor, and the result is
            flagged ``stop_time_missing`` (decisions.md §10).
        neonatal_care: Recorded at birth. NNAP counts babies admitted for neonatal care: a
            baby recorded as not admitted (died in the delivery room, comfort care, not
            admitted) is excluded from NNAP and the exclusion is named (``nnap_excluded``;
            NNAP's exact inclusion wording is UNVERIFIED, reference §4.1). None (not recorded)
            keeps the baby in, as before.

    Returns:
        The :class:`Classification`. Boundaries are as described in this module's docstring.

    Raises:
        ValueError: A time is naive; ``eligible_from`` is after birth; the decision gestation is
            later than the birth gestation; or two courses started before birth overlap (an
            earlier course still running when a later one started), which makes "the latest
            course" meaningless.
    """
    birth_at = ensure_utc(birth_at, "birth time")
    if eligible_from is not None:
        eligible_from = ensure_utc(eligible_from, "time she became eligible")
        if eligible_from > birth_at:
            raise ValueError(
                f"The time she became eligible ({eligible_from.isoformat()}) is after the birth "
                f"({birth_at.isoformat()}); check both times."
            )
    if gestation_at_decision is not None and gestation_at_decision > gestation_at_birth:
        raise ValueError(
            f"The gestation at decision ({gestation_at_decision.label}) is later than the "
            f"gestation at birth ({gestation_at_birth.label}); check the dating."
        )

    capped = [_capped(course, birth_at, maximum) for course in courses]
    stop_time_missing = any(missing for _, missing in capped)
    before_birth = _courses_started_by([course for course, _ in capped], birth_at)
    window_opens = birth_at - WINDOW_BEFORE_BIRTH
    given_in_window = any(_ran_after(course, window_opens) for course in before_birth)
    given_at_all = bool(before_birth)
    optimally_timed = any(
        course.loaded and _is_optimally_timed(course, birth_at) for course in before_birth
    )
    bapm_received = _bapm_received(before_birth, birth_at)

    born_before_30 = gestation_at_birth < BIRTH_GESTATION_LIMIT_EXCLUSIVE
    nnap_excluded = (
        neonatal_care
        if born_before_30 and neonatal_care is not None and neonatal_care != "admitted"
        else None
    )
    nnap_eligible = born_before_30 and nnap_excluded is None
    nnap = NnapResult(eligible=nnap_eligible, met=nnap_eligible and given_in_window)

    measure = _qs135_measure(gestation_at_decision, situation)
    if measure is None:
        qs135 = Qs135Result(eligible=False, measure=None, met=False)
    else:
        qs135_met = given_at_all if measure == "a" else given_in_window
        qs135 = Qs135Result(eligible=True, measure=measure, met=qs135_met)

    periprem_met = born_before_30 and optimally_timed
    possible = (
        _could_have_been_optimal(eligible_from, birth_at, achieved=periprem_met)
        if born_before_30
        else None
    )
    periprem = PeripremResult(
        eligible=born_before_30,
        met=periprem_met,
        could_have_been_optimal=possible if given_at_all else None,
        received_any=born_before_30 and given_at_all,
        optimal_timing_possible=possible,
    )
    bapm = BapmResult(eligible=born_before_30, met=born_before_30 and bapm_received)

    latest = before_birth[-1] if before_birth else None
    anznn = _anznn_code(latest, birth_at)
    return Classification(
        nnap=nnap,
        qs135=qs135,
        bapm_optimal=bapm,
        periprem_optimal=periprem,
        anznn=anznn,
        timing_class=_timing_class(anznn, optimally_timed=optimally_timed),
        stop_time_missing=stop_time_missing,
        nnap_excluded=nnap_excluded,
    )


def is_missed_case(classification: Classification, given: bool) -> bool:
    """Whether this birth is a missed case for review (decisions.md §9, reference §3.3).

    A missed case is NNAP-eligible (born before 30+0) with **no MgSO₄ given at all** before
    birth. Late (< 4 h) and expired (> 24 h) courses were given: they are timing classes, not
    missed cases.

    Args:
        classification: The result of :func:`classify` for this birth.
        given: Whether any MgSO₄ was given before birth, as recorded (True also covers "given,
            details unknown", which has no course times).

    Raises:
        ValueError: ``given`` is False but the classification holds a course started before
            birth — the record contradicts itself and must be corrected, not guessed.
    """
    if not given and classification.anznn is not AnznnCode.NOT_GIVEN:
        raise ValueError(
            "The record says MgSO₄ was not given, but a course started before birth is "
            f"recorded ({classification.anznn.value}); correct one of them."
        )
    return classification.nnap.eligible and not given


# --- internals ----------------------------------------------------------------------------------


def _courses_started_by(courses: Sequence[Course], birth_at: datetime) -> list[Course]:
    """Courses started at or before birth, oldest first; refuses overlapping courses."""
    started = sorted(
        (course for course in courses if course.load_start <= birth_at),
        key=lambda course: course.load_start,
    )
    for earlier, later in pairwise(started):
        if earlier.stop is None or earlier.stop > later.load_start:
            stopped = (
                "has no stop time"
                if earlier.stop is None
                else f"stopped {earlier.stop.isoformat()}"
            )
            raise ValueError(
                f"Two MgSO₄ courses overlap: the course started {earlier.load_start.isoformat()} "
                f"{stopped}, but another course started {later.load_start.isoformat()}. "
                "Record when the first one stopped."
            )
    return started


def _ran_after(course: Course, window_opens: datetime) -> bool:
    # Half-open window (birth − 24 h, birth]: stopping exactly as the window opens means none
    # of the course ran inside it.
    return course.stop is None or course.stop > window_opens


def _is_optimally_timed(course: Course, birth_at: datetime) -> bool:
    # Strict at both ends, as the sources write it: "> 4 h and < 24 h before birth".
    return birth_at - WINDOW_BEFORE_BIRTH < course.load_start < birth_at - OPTIMAL_MINIMUM_LEAD


#: BAPM: at least this much infusion inside the 24 h before birth. [B1] (reference §2.1).
BAPM_MINIMUM_INFUSION: Final = timedelta(hours=4)


def _bapm_received(before_birth: Sequence[Course], birth_at: datetime) -> bool:
    """A loading dose inside the 24 h before birth and ≥ 4 h of infusion inside it [B1]."""
    window_opens = birth_at - WINDOW_BEFORE_BIRTH
    loaded = any(course.loaded and course.load_start > window_opens for course in before_birth)
    infused = timedelta(0)
    for course in before_birth:
        start = max(course.load_start, window_opens)
        end = birth_at if course.stop is None else min(course.stop, birth_at)
        if end > start:
            infused += end - start
    return loaded and infused >= BAPM_MINIMUM_INFUSION


def _qs135_measure(
    gestation_at_decision: GestationalAge | None, situation: Situation | None
) -> Literal["a", "b"] | None:
    if gestation_at_decision is None or situation is None:
        return None
    if not QS135_GESTATION_FROM <= gestation_at_decision <= QS135_GESTATION_TO:
        return None
    return QS135_MEASURE_BY_SITUATION.get(situation)


def _could_have_been_optimal(
    eligible_from: datetime | None, birth_at: datetime, *, achieved: bool
) -> bool | None:
    # If it was optimal, it could have been, whatever time was recorded for eligibility (a load
    # may start before eligibility is formally recorded).
    if achieved:
        return True
    if eligible_from is None:
        return None
    return birth_at - eligible_from > OPTIMAL_MINIMUM_LEAD


def _anznn_code(latest: Course | None, birth_at: datetime) -> AnznnCode:
    if latest is None:
        return AnznnCode.NOT_GIVEN
    window_opens = birth_at - WINDOW_BEFORE_BIRTH
    if not _ran_after(latest, window_opens):
        return AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH
    if latest.load_start < window_opens:
        return AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H
    if latest.load_start <= birth_at - OPTIMAL_MINIMUM_LEAD:
        return AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH
    return AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH


def _timing_class(anznn: AnznnCode, *, optimally_timed: bool) -> TimingClass | None:
    if anznn is AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH:
        # Courses do not overlap, so the latest stopping before the window means all did.
        return TimingClass.EXPIRED
    if anznn is AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH and not optimally_timed:
        return TimingClass.LATE
    return None


# --- one classification path: from an episode to its babies' classes -----------------------


@dataclass(frozen=True, slots=True)
class BirthTiming:
    """One baby's recorded birth, as classification needs it."""

    baby: int
    born_at: datetime
    gestation: GestationalAge | None
    #: Recorded at birth: "admitted" for neonatal care, or why not (NNAP inclusion).
    neonatal_care: str | None = None


@dataclass(frozen=True, slots=True)
class CourseTiming:
    """One recorded course: its number, start, stop and whether it began with a load.

    ``started_at`` is None for a course recorded without its start (a data problem).
    """

    number: int
    started_at: datetime | None
    stopped_at: datetime | None
    maintenance_started_at: datetime | None
    loaded: bool


@dataclass(frozen=True, slots=True)
class EpisodeTiming:
    """Everything the audit definitions read from one episode (times UTC).

    Built from a folded episode by :func:`timing_of`, or from the audit's fast SQL reader; both
    then go through :func:`classify_births`, so screen, paper and audit cannot disagree.
    """

    created_at: datetime
    assessed_at: datetime | None
    gestation_at_decision: GestationalAge | None
    situation: Situation | None
    courses: tuple[CourseTiming, ...]
    births: tuple[BirthTiming, ...]
    #: Data problems of the record (``EpisodeState.problems``): none of its babies is
    #: classified until they are corrected.
    problems: tuple[str, ...] = ()


class BabyClasses(CoreModel):
    """One baby's classes, or the problem that keeps it from being classified.

    Attributes:
        baby: 1-based number.
        born_at: Time of birth (UTC).
        gestation: Gestation at birth (local calendar date), if the dating gives it.
        eligible_from: When she became eligible (PERIPrem "could it have been optimal?"): the
            decision-time assessment, or the episode's creation if there was none; None when
            that is after the birth (recorded retrospectively: unknown, never guessed).
        classification: Every audit class, or None exactly when ``problem`` says why not.
        problem: Why this birth could not be classified.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    baby: int
    born_at: datetime
    gestation: GestationalAge | None
    eligible_from: datetime | None
    classification: Classification | None
    problem: str | None

    def as_cli_dict(self) -> dict[str, object]:
        """``{nnap, qs135, bapm_optimal, periprem_optimal, anznn}`` or ``{problem}``."""
        if self.classification is None:
            return {"problem": self.problem}
        return self.classification.as_cli_dict()


def classify_births(timing: EpisodeTiming) -> list[BabyClasses]:
    """Each recorded baby's classes (decisions.md §10), one entry per birth, by baby number."""
    return [_classify_birth(timing, birth) for birth in sorted(timing.births, key=_baby_number)]


def _baby_number(birth: BirthTiming) -> int:
    return birth.baby


def _classify_birth(timing: EpisodeTiming, birth: BirthTiming) -> BabyClasses:
    born_at = ensure_utc(birth.born_at, "birth time")
    eligible_from: datetime | None = (
        timing.assessed_at if timing.assessed_at is not None else timing.created_at
    )
    if eligible_from is not None and eligible_from > born_at:
        eligible_from = None  # recorded after the birth: when she became eligible is unknown
    problem = _problem_before_classifying(timing, birth)
    classification: Classification | None = None
    if problem is None and birth.gestation is not None:
        try:
            classification = classify(
                birth_at=born_at,
                gestation_at_birth=birth.gestation,
                courses=[
                    Course(
                        load_start=course.started_at,
                        stop=course.stopped_at,
                        maintenance_start=course.maintenance_started_at,
                        loaded=course.loaded,
                    )
                    for course in timing.courses
                    if course.started_at is not None
                ],
                gestation_at_decision=timing.gestation_at_decision,
                situation=timing.situation,
                eligible_from=eligible_from,
                neonatal_care=birth.neonatal_care,
            )
        except ValueError as exc:
            problem = str(exc)
    return BabyClasses(
        baby=birth.baby,
        born_at=born_at,
        gestation=birth.gestation,
        eligible_from=eligible_from,
        classification=classification,
        problem=problem,
    )


def _problem_before_classifying(timing: EpisodeTiming, birth: BirthTiming) -> str | None:
    if timing.problems:
        return (
            f"The record has a data problem ({timing.problems[0]}); correct it so this birth "
            "can be classified."
        )
    if birth.gestation is None:
        return (
            f"Baby {birth.baby}: the gestation at birth cannot be worked out from the episode's "
            "dating; correct the dating so this birth can be classified."
        )
    for course in timing.courses:
        if course.started_at is None:
            return (
                f"Course {course.number} has no loading-dose start time; record when the load "
                "started so this birth can be classified."
            )
    return None


def timing_of(state: EpisodeState) -> EpisodeTiming:
    """What classification reads from a folded episode."""
    gestation_at_decision: GestationalAge | None = None
    if state.assessment is not None:
        gestation_at_decision = GestationalAge(state.assessment.gestation_days)
    return EpisodeTiming(
        created_at=state.created_at,
        assessed_at=state.assessed_at,
        gestation_at_decision=gestation_at_decision,
        situation=None if state.assessment is None else state.assessment.situation,
        courses=tuple(
            CourseTiming(
                number=course.number,
                started_at=course.started_at,
                stopped_at=course.stopped_at,
                maintenance_started_at=course.maintenance_started_at,
                loaded=course.load is not None,
            )
            for course in state.courses
        ),
        births=tuple(
            BirthTiming(
                baby=birth.baby,
                born_at=birth.born_at,
                gestation=birth.gestation,
                neonatal_care=birth.neonatal_care,
            )
            for birth in state.births
        ),
        problems=tuple(problem.message for problem in state.problems),
    )


def baby_classes(state: EpisodeState) -> list[BabyClasses]:
    """Each born baby's classes from a folded episode: the one path for screen, paper, audit
    and ``mgso4 episode``."""
    return classify_births(timing_of(state))
