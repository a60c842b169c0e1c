"""Statistical process control (SPC) for the team's feedback sheet, read by the rules of NHS
England's "Making Data Count" (MDC). Pure functions: no Qt, no matplotlib, no I/O.

**Sources.**

- [MDC1] NHS England and NHS Improvement, *Making data count* (the #plotthedots guides, 2018
  and "Strengthening your decisions", 2019), https://www.england.nhs.uk/publication/making-data-count/
  (read through a copy at https://vdocument.in/making-data-count-nhs-england.html; only its
  contents pages were readable there, so the rule wording below is taken from [MDC2]).
- [MDC2] The checks a local SPC chart must pass to give the same output as the Making Data Count
  team's *Single Chart Tool* v5.0: ``NHSDigital/fdp-react-design-system``,
  ``src/components/DataVisualisation/charts/SPC/SPCChart/test-data/SPC-Charts-XmR-Testing.md``
  @ ``330ba8a1370cd015959f8593905c65d4e22c8447``. It states each rule, the 13-point minimum,
  the icons and worked series (the tests in ``tests/audit/test_spc.py`` use them).
- [MDC3] NHS-R community, ``NHSRplotthedots`` (R package written to reproduce the MDC tools):
  ``R/ptd_calculate_point_type.R`` @ ``09c4d14c2b9911c0f4d359fcf07227c6ed4c592e`` and
  ``R/ptd_spc_standard.R`` @ ``090abfa69488e0e48086e80e07dd2b915dcb650e``.
- [PCH] p-chart limits (centre p̄ = Σx / Σn; limits p̄ ± 3·√(p̄(1 − p̄)/nᵢ), one pair per
  subgroup): SAS/QC *SHEWHART procedure, PCHART statement*, "Constructing charts for proportion
  nonconforming", https://support.sas.com/documentation/cdl/en/qcug/66114/HTML/default/qcug_shewhart_sect245.htm
  (after Montgomery, *Introduction to Statistical Quality Control*).

**The four rules** (MDC2; the MDC team: "four rules are enough"):

1. *Single point* — a point outside the process limits (beyond 3 sigma).
2. *Shift* — a run of consecutive points all above, or all below, the centre line; at least 7
   by default, 6 as a unit setting (MDC2: "usually set to at least 6 points but may be set to at
   least 7"). Every point of the run is flagged.
3. *Trend* — a run of consecutive points each higher (or each lower) than the one before; at
   least 7 by default, 6 as a unit setting. Every point is flagged; a repeated value ("pause")
   ends the run; it is the only rule that can cross the centre line.
4. *Two out of three* — within any 3 consecutive points all on the same side of the centre
   line, 2 or 3 beyond the 2-sigma line on that side are flagged. A point beyond the 3-sigma
   limit does not count for this rule (it is flagged by rule 1).

Not confirmed in a source read for this project, and decided here (each is a choice a reviewer
can check): a point exactly on the centre line ends a shift, as in MDC3 (MDC2 does not say);
MDC2's rules are written for XmR charts, and are applied here unchanged to a p-chart's
centre line and per-point limits; the MDC Excel tool colours a point that is both improvement
and concern as improvement (MDC2, "special cause conflict"), and so does :func:`classify_point`.

**When no limits are drawn** (the rule for small numbers, tested): the chart is analysed only
when it has at least :data:`MIN_POINTS` points (MDC2: with 12 points or fewer the tools show no
process limits and no icons) **and every point has a denominator of at least the unit's
minimum** (``min_denominator``, 10 by default). With a few babies a month a point can only be
0 %, 33 %, 50 % or 100 %: the normal approximation behind 3-sigma limits fails, and even the
limit-free shift rule misleads (with 85 % uptake a month of one baby sits above the centre line
85 % of the time, so "7 in a row above" happens by chance about a third of the time). Then no
limits, no signals and no icons are shown, and the sheet says why and offers quarters or a
rolling 12 months instead.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Final

#: Fewest points for limits and icons (MDC2: 12 or fewer points show none).
MIN_POINTS: Final = 13
#: Run lengths a unit may choose for the shift and trend rules (MDC2).
ALLOWED_RUN_LENGTHS: Final = (6, 7)
#: Default run length for shift and trend.
DEFAULT_RUN_LENGTH: Final = 7
#: Default smallest denominator a point may have for the chart to be analysed (local choice).
DEFAULT_MIN_DENOMINATOR: Final = 10
#: Sigma multipliers: process limits at 3 sigma, the "near a limit" line at 2 sigma.
LIMIT_SIGMA: Final = 3.0
NEAR_SIGMA: Final = 2.0
#: XmR charts: 3 sigma = 2.66 × the mean moving range (MDC2: "the Excel tool using ... 2.66").
XMR_FACTOR: Final = 2.66


class Direction(StrEnum):
    """Which side of the centre line a signal points to."""

    HIGH = "high"
    LOW = "low"

    @property
    def opposite(self) -> Direction:
        """The other direction."""
        return Direction.LOW if self is Direction.HIGH else Direction.HIGH


class Rule(StrEnum):
    """The four Making Data Count rules (ids are stable)."""

    OUTSIDE_LIMITS = "outside-limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two-of-three"

    def describe(self, settings: SpcSettings) -> str:
        """The rule in plain words with the unit's run lengths."""
        if self is Rule.OUTSIDE_LIMITS:
            return "a point outside the process limits (3 sigma)"
        if self is Rule.SHIFT:
            return f"{settings.shift_length} or more points in a row on one side of the mean"
        if self is Rule.TREND:
            return f"{settings.trend_length} or more points in a row rising, or falling"
        return "2 of 3 points in a row beyond 2 sigma, on the same side"


@dataclass(frozen=True, slots=True, order=True)
class Signal:
    """One rule firing at a point, in one direction."""

    rule: Rule
    direction: Direction


@dataclass(frozen=True, slots=True)
class PointLimits:
    """The centre line and the 2- and 3-sigma lines at one point (proportions or values)."""

    centre: Fraction
    lower: float
    upper: float
    lower_near: float
    upper_near: float

    def outside(self, value: Fraction) -> Direction | None:
        """HIGH or LOW when the value is beyond a 3-sigma limit."""
        if value > self.upper:
            return Direction.HIGH
        if value < self.lower:
            return Direction.LOW
        return None

    def near(self, value: Fraction) -> Direction | None:
        """HIGH or LOW when beyond the 2-sigma line but not beyond the 3-sigma limit."""
        if self.upper_near < value <= self.upper:
            return Direction.HIGH
        if self.lower <= value < self.lower_near:
            return Direction.LOW
        return None


@dataclass(frozen=True, slots=True)
class SpcSettings:
    """The unit's choices for reading a chart (validated).

    Attributes:
        shift_length: Points in a run on one side of the centre line (6 or 7).
        trend_length: Points in a run rising or falling (6 or 7).
        min_denominator: Smallest denominator every point needs for the chart to be analysed.
        min_points: Fewest points for limits and icons (:data:`MIN_POINTS`, MDC2).
    """

    shift_length: int = DEFAULT_RUN_LENGTH
    trend_length: int = DEFAULT_RUN_LENGTH
    min_denominator: int = DEFAULT_MIN_DENOMINATOR
    min_points: int = MIN_POINTS

    def __post_init__(self) -> None:
        for name in ("shift_length", "trend_length"):
            value = getattr(self, name)
            if value not in ALLOWED_RUN_LENGTHS:
                raise ValueError(f"{name} must be 6 or 7 (Making Data Count), not {value}.")
        if self.min_denominator < 1:
            raise ValueError(f"min_denominator must be at least 1, not {self.min_denominator}.")
        if self.min_points < 2:
            raise ValueError(f"min_points must be at least 2, not {self.min_points}.")


# --- limits ---------------------------------------------------------------------------------------


def p_chart_limits(
    numerators: Sequence[int], denominators: Sequence[int]
) -> tuple[Fraction | None, list[PointLimits | None]]:
    """Centre line and per-point limits of a p-chart [PCH].

    Centre p̄ = Σ numerators / Σ denominators; at a point with denominator n the limits are
    p̄ ± 3·√(p̄(1 − p̄)/n) and the near-limit lines p̄ ± 2·√(…), clipped to 0..1 (a proportion
    cannot leave that range, so a clipped limit can never be crossed). A point with no
    denominator has no limits.

    Raises:
        ValueError: the sequences differ in length, or a count is negative or a numerator is
            larger than its denominator.
    """
    if len(numerators) != len(denominators):
        raise ValueError("numerators and denominators differ in length")
    for numerator, denominator in zip(numerators, denominators, strict=True):
        if numerator < 0 or denominator < 0 or numerator > denominator:
            raise ValueError(f"{numerator}/{denominator} is not a proportion")
    total = sum(denominators)
    if total == 0:
        return None, [None] * len(numerators)
    centre = Fraction(sum(numerators), total)
    p = float(centre)
    limits: list[PointLimits | None] = []
    for denominator in denominators:
        if denominator == 0:
            limits.append(None)
            continue
        sigma = math.sqrt(p * (1 - p) / denominator)
        limits.append(
            PointLimits(
                centre=centre,
                lower=max(0.0, p - LIMIT_SIGMA * sigma),
                upper=min(1.0, p + LIMIT_SIGMA * sigma),
                lower_near=max(0.0, p - NEAR_SIGMA * sigma),
                upper_near=min(1.0, p + NEAR_SIGMA * sigma),
            )
        )
    return centre, limits


def xmr_limits(values: Sequence[Fraction | int]) -> list[PointLimits]:
    """Limits of an XmR (individuals) chart as the MDC tools draw them [MDC2].

    Mean of the values; 3 sigma = 2.66 × the mean moving range (no screening of large moving
    ranges, as in the MDC Excel tool); the near-limit line at two thirds of that. Used to check
    the rules against the MDC team's worked series.

    Raises:
        ValueError: fewer than two values.
    """
    if len(values) < 2:
        raise ValueError("an XmR chart needs at least two values")
    exact = [Fraction(v) for v in values]
    mean = sum(exact, Fraction(0)) / len(exact)
    moving = [abs(b - a) for a, b in itertools.pairwise(exact)]
    mean_range = float(sum(moving, Fraction(0)) / len(moving))
    three = XMR_FACTOR * mean_range
    two = three * NEAR_SIGMA / LIMIT_SIGMA
    centre = float(mean)
    limit = PointLimits(
        centre=mean,
        lower=centre - three,
        upper=centre + three,
        lower_near=centre - two,
        upper_near=centre + two,
    )
    return [limit] * len(values)


# --- the four rules ------------------------------------------------------------------------------


def outside_limits(
    values: Sequence[Fraction | None], limits: Sequence[PointLimits | None]
) -> list[frozenset[Signal]]:
    """Rule 1: each point beyond a 3-sigma limit [MDC2 "Special cause – single point"]."""
    out: list[frozenset[Signal]] = []
    for value, limit in zip(values, limits, strict=True):
        direction = None if value is None or limit is None else limit.outside(value)
        out.append(
            frozenset() if direction is None else frozenset({_sig(Rule.OUTSIDE_LIMITS, direction)})
        )
    return out


def shift(
    values: Sequence[Fraction | None], centres: Sequence[Fraction | None], length: int
) -> list[frozenset[Signal]]:
    """Rule 2: runs of ``length`` or more points on one side of the centre line [MDC2].

    A point on the centre line, or with no value, ends a run (MDC3).
    """
    sides: list[Direction | None] = []
    for value, centre in zip(values, centres, strict=True):
        if value is None or centre is None or value == centre:
            sides.append(None)
        else:
            sides.append(Direction.HIGH if value > centre else Direction.LOW)
    return _runs(sides, length, Rule.SHIFT)


def trend(values: Sequence[Fraction | None], length: int) -> list[frozenset[Signal]]:
    """Rule 3: runs of ``length`` or more points each above (or below) the one before [MDC2].

    ``length`` points need ``length − 1`` steps in one direction; a repeated value or a missing
    value ends the run. A point can end a falling run and start a rising one.
    """
    steps: list[Direction | None] = []
    for before, after in itertools.pairwise(values):
        if before is None or after is None or before == after:
            steps.append(None)
        else:
            steps.append(Direction.HIGH if after > before else Direction.LOW)
    flags: list[set[Signal]] = [set() for _ in values]
    start = 0
    while start < len(steps):
        direction = steps[start]
        end = start
        while end + 1 < len(steps) and steps[end + 1] == direction:
            end += 1
        if direction is not None and end - start + 2 >= length:
            for index in range(start, end + 2):
                flags[index].add(_sig(Rule.TREND, direction))
        start = end + 1
    return [frozenset(flag) for flag in flags]


def two_of_three(
    values: Sequence[Fraction | None], limits: Sequence[PointLimits | None]
) -> list[frozenset[Signal]]:
    """Rule 4: 2 of 3 consecutive points beyond 2 sigma on one side [MDC2 "two-sigma"].

    In each window of 3 consecutive points that are all on the same side of the centre line,
    if at least 2 are beyond that side's 2-sigma line (and not beyond its 3-sigma limit), those
    points are flagged. Points without limits never count.
    """
    near: list[Direction | None] = []
    side: list[Direction | None] = []
    for value, limit in zip(values, limits, strict=True):
        if value is None or limit is None:
            near.append(None)
            side.append(None)
            continue
        near.append(limit.near(value))
        side.append(
            None
            if value == limit.centre
            else Direction.HIGH
            if value > limit.centre
            else Direction.LOW
        )
    flags: list[set[Signal]] = [set() for _ in values]
    for first in range(len(values) - 2):
        window = range(first, first + 3)
        direction = side[first]
        if direction is None or any(side[index] is not direction for index in window):
            continue
        beyond = [index for index in window if near[index] is direction]
        if len(beyond) >= 2:
            for index in beyond:
                flags[index].add(_sig(Rule.TWO_OF_THREE, direction))
    return [frozenset(flag) for flag in flags]


def all_signals(
    values: Sequence[Fraction | None],
    limits: Sequence[PointLimits | None],
    settings: SpcSettings,
) -> list[frozenset[Signal]]:
    """Every rule's signals at each point (the union of the four rules)."""
    centres = [None if limit is None else limit.centre for limit in limits]
    per_rule = (
        outside_limits(values, limits),
        shift(values, centres, settings.shift_length),
        trend(values, settings.trend_length),
        two_of_three(values, limits),
    )
    return [frozenset().union(*flags) for flags in zip(*per_rule, strict=True)]


def _sig(rule: Rule, direction: Direction) -> Signal:
    return Signal(rule, direction)


def _runs(sides: Sequence[Direction | None], length: int, rule: Rule) -> list[frozenset[Signal]]:
    flags: list[frozenset[Signal]] = [frozenset()] * len(sides)
    start = 0
    while start < len(sides):
        direction = sides[start]
        end = start
        while end + 1 < len(sides) and sides[end + 1] == direction:
            end += 1
        if direction is not None and end - start + 1 >= length:
            for index in range(start, end + 1):
                flags[index] = frozenset({_sig(rule, direction)})
        start = end + 1
    return flags


# --- reading a point and a chart ---------------------------------------------------------------


class PointKind(StrEnum):
    """How a point is shown."""

    COMMON_CAUSE = "common-cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NOT_ASSESSED = "not-assessed"


def classify_point(signals: frozenset[Signal], improvement: Direction) -> PointKind:
    """Improvement if any signal points the better way, else concern if any signal, else common.

    A point that is both (a trend crossing a shift) is shown as improvement, as the MDC Excel
    tool does [MDC2 "special cause conflict"].
    """
    if any(signal.direction is improvement for signal in signals):
        return PointKind.IMPROVEMENT
    if signals:
        return PointKind.CONCERN
    return PointKind.COMMON_CAUSE


class Variation(StrEnum):
    """The variation icon, read from the latest point [MDC2 "Summary icons – variation"]."""

    COMMON_CAUSE = "common-cause"
    IMPROVEMENT_HIGH = "improvement-high"
    IMPROVEMENT_LOW = "improvement-low"
    CONCERN_HIGH = "concern-high"
    CONCERN_LOW = "concern-low"
    NOT_ASSESSED = "not-assessed"

    @property
    def symbol(self) -> str:
        """A letter or sign for the icon (never colour alone)."""
        return _VARIATION_SYMBOLS[self]

    @property
    def words(self) -> str:
        """What the icon means, in plain words."""
        return _VARIATION_WORDS[self]


_VARIATION_SYMBOLS: Final = {
    Variation.COMMON_CAUSE: "~",
    Variation.IMPROVEMENT_HIGH: "H",
    Variation.IMPROVEMENT_LOW: "L",
    Variation.CONCERN_HIGH: "H",
    Variation.CONCERN_LOW: "L",
    Variation.NOT_ASSESSED: "–",
}
_VARIATION_WORDS: Final = {
    Variation.COMMON_CAUSE: "Common cause: no significant change",
    Variation.IMPROVEMENT_HIGH: "Special cause variation — improvement (higher)",
    Variation.IMPROVEMENT_LOW: "Special cause variation — improvement (lower)",
    Variation.CONCERN_HIGH: "Special cause variation — concern (higher)",
    Variation.CONCERN_LOW: "Special cause variation — concern (lower)",
    Variation.NOT_ASSESSED: "not assessed (see why below the chart)",
}


class Assurance(StrEnum):
    """The assurance icon: can the process be relied on to meet a target [MDC2]?"""

    PASS = "pass"
    FAIL = "fail"
    HIT_AND_MISS = "hit-and-miss"
    NOT_ASSESSED = "not-assessed"

    @property
    def symbol(self) -> str:
        """A letter or sign for the icon (never colour alone)."""
        return _ASSURANCE_SYMBOLS[self]

    @property
    def words(self) -> str:
        """What the icon means, in plain words."""
        return _ASSURANCE_WORDS[self]


_ASSURANCE_SYMBOLS: Final = {
    Assurance.PASS: "P",
    Assurance.FAIL: "F",
    Assurance.HIT_AND_MISS: "?",
    Assurance.NOT_ASSESSED: "–",
}
_ASSURANCE_WORDS: Final = {
    Assurance.PASS: "consistently passing (target outside the limits, on the good side)",
    Assurance.FAIL: "consistently failing (target outside the limits, on the bad side)",
    Assurance.HIT_AND_MISS: "hit and miss (target within the limits: some months will meet "
    "it, some will not)",
    Assurance.NOT_ASSESSED: "not assessed (no limits)",
}


def variation_of(kind: PointKind, signals: frozenset[Signal], improvement: Direction) -> Variation:
    """The variation icon for the latest point.

    With a chosen improvement direction, an improvement signal is on the better side and a
    concern on the other (MDC2: "one of two icons ... depending on whether it is a high value or
    low value").
    """
    if kind is PointKind.NOT_ASSESSED:
        return Variation.NOT_ASSESSED
    if kind is PointKind.COMMON_CAUSE or not signals:
        return Variation.COMMON_CAUSE
    if kind is PointKind.IMPROVEMENT:
        return (
            Variation.IMPROVEMENT_HIGH
            if improvement is Direction.HIGH
            else Variation.IMPROVEMENT_LOW
        )
    return Variation.CONCERN_LOW if improvement is Direction.HIGH else Variation.CONCERN_HIGH


def assurance_of(target: Fraction, limits: PointLimits, improvement: Direction) -> Assurance:
    """Assurance against a target [MDC2 "Summary icons – assurance"].

    Within the limits (ends included): hit and miss. Outside them: pass when the whole band of
    common-cause variation is on the better side of the target, else fail.
    """
    if limits.lower <= target <= limits.upper:
        return Assurance.HIT_AND_MISS
    below_band = target < limits.lower
    if improvement is Direction.HIGH:
        return Assurance.PASS if below_band else Assurance.FAIL
    return Assurance.FAIL if below_band else Assurance.PASS


@dataclass(frozen=True, slots=True)
class SpcPoint:
    """One point of a chart: its counts, value, limits and what the rules say."""

    label: str
    numerator: int
    denominator: int
    value: Fraction | None
    limits: PointLimits | None
    signals: frozenset[Signal]
    kind: PointKind


@dataclass(frozen=True, slots=True)
class TargetAssurance:
    """A target and the assurance icon against it."""

    label: str
    target: Fraction
    assurance: Assurance


@dataclass(frozen=True)
class PChart:
    """A p-chart read by the four rules, or a plain chart with the reason it was not analysed.

    Attributes:
        points: In time order.
        centre: p̄ (Σ numerators / Σ denominators) or None (no denominator, or not meaningful).
        analysed: Limits, signals and icons are shown.
        why_not_analysed: Plain words when ``analysed`` is False.
        variation: The variation icon (NOT_ASSESSED when not analysed).
        assurance: One per target (NOT_ASSESSED when not analysed).
        typical_limits: Limits at the mean denominator (used for assurance), or None.
        settings: The unit's rule settings.
        improvement: The better direction (HIGH for uptake).
    """

    points: tuple[SpcPoint, ...]
    centre: Fraction | None
    analysed: bool
    why_not_analysed: str | None
    variation: Variation
    assurance: tuple[TargetAssurance, ...]
    typical_limits: PointLimits | None
    settings: SpcSettings
    improvement: Direction

    @property
    def signal_rules(self) -> frozenset[Rule]:
        """Every rule that fired somewhere on the chart."""
        return frozenset(signal.rule for point in self.points for signal in point.signals)


def why_not_analysed(denominators: Sequence[int], settings: SpcSettings, unit: str) -> str | None:
    """Why a chart with these denominators gets no limits, or None when it may have them.

    Args:
        denominators: One per point.
        settings: The unit's minimum denominator and number of points.
        unit: What a point is, plural ("months", "quarters"), for the sentence.
    """
    reasons = []
    if len(denominators) < settings.min_points:
        reasons.append(
            f"only {len(denominators)} {unit}; limits need at least {settings.min_points} "
            "points (Making Data Count)"
        )
    small = sum(1 for denominator in denominators if denominator < settings.min_denominator)
    if small:
        reasons.append(
            f"{small} of {len(denominators)} {unit} had fewer than {settings.min_denominator} "
            "eligible babies, too few for limits or run rules to mean anything"
        )
    if not reasons:
        return None
    return "No limits or signals drawn: " + "; ".join(reasons) + "."


def p_chart(
    labels: Sequence[str],
    numerators: Sequence[int],
    denominators: Sequence[int],
    settings: SpcSettings,
    *,
    targets: Sequence[tuple[str, Fraction]] = (),
    improvement: Direction = Direction.HIGH,
    unit: str = "months",
    not_analysed_reason: str | None = None,
) -> PChart:
    """A p-chart of the proportions with the four rules applied when the data allow.

    Args:
        labels: One label per point, in time order.
        numerators: Met, per point.
        denominators: Eligible, per point.
        settings: Run lengths and the small-number rule.
        targets: (label, proportion) pairs to read assurance against.
        improvement: The better direction (HIGH: a higher proportion is better).
        unit: What a point is, plural, for the "why not" sentence.
        not_analysed_reason: Force a plain chart with this reason (e.g. overlapping rolling
            figures, to which SPC rules do not apply). No centre line is kept either.

    Raises:
        ValueError: the sequences differ in length or a count is not a proportion.
    """
    if not len(labels) == len(numerators) == len(denominators):
        raise ValueError("labels, numerators and denominators differ in length")
    centre, limits = p_chart_limits(numerators, denominators)
    values = [
        None if denominator == 0 else Fraction(numerator, denominator)
        for numerator, denominator in zip(numerators, denominators, strict=True)
    ]
    reason = not_analysed_reason or why_not_analysed(denominators, settings, unit)
    if reason is not None or centre is None:
        points = tuple(
            SpcPoint(label, n, d, value, None, frozenset(), PointKind.NOT_ASSESSED)
            for label, n, d, value in zip(labels, numerators, denominators, values, strict=True)
        )
        return PChart(
            points=points,
            centre=None if not_analysed_reason else centre,
            analysed=False,
            why_not_analysed=reason or "No eligible babies in the period.",
            variation=Variation.NOT_ASSESSED,
            assurance=tuple(
                TargetAssurance(label, target, Assurance.NOT_ASSESSED) for label, target in targets
            ),
            typical_limits=None,
            settings=settings,
            improvement=improvement,
        )
    signals = all_signals(values, limits, settings)
    points = tuple(
        SpcPoint(label, n, d, value, limit, flags, classify_point(flags, improvement))
        for label, n, d, value, limit, flags in zip(
            labels, numerators, denominators, values, limits, signals, strict=True
        )
    )
    last = points[-1]
    typical = _typical_limits(centre, denominators)
    return PChart(
        points=points,
        centre=centre,
        analysed=True,
        why_not_analysed=None,
        variation=variation_of(last.kind, last.signals, improvement),
        assurance=tuple(
            TargetAssurance(label, target, assurance_of(target, typical, improvement))
            for label, target in targets
        ),
        typical_limits=typical,
        settings=settings,
        improvement=improvement,
    )


def _typical_limits(centre: Fraction, denominators: Sequence[int]) -> PointLimits:
    """Limits for a point with the mean denominator.

    The MDC tools read assurance against the latest limits of an XmR chart, which are the same
    for every point. A p-chart's limits change with each month's denominator, so assurance is
    read here against the limits of a month of average size (an adaptation: not in a source).
    """
    mean_n = sum(denominators) / len(denominators)
    p = float(centre)
    sigma = math.sqrt(p * (1 - p) / mean_n)
    return PointLimits(
        centre=centre,
        lower=max(0.0, p - LIMIT_SIGMA * sigma),
        upper=min(1.0, p + LIMIT_SIGMA * sigma),
        lower_near=max(0.0, p - NEAR_SIGMA * sigma),
        upper_near=min(1.0, p + NEAR_SIGMA * sigma),
    )
