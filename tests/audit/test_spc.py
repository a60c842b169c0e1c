"""The Making Data Count rules on the MDC team's worked series, and the p-chart's own rules.

The series are the checks published for the Making Data Count *Single Chart Tool* v5.0
(NHSDigital/fdp-react-design-system, ``SPC-Charts-XmR-Testing.md`` @ 330ba8a; see
``mgso4.audit.spc``). Each example there shows one behaviour; the expected flags below are
what the rule text says for that series, with the limits worked by hand in the comments. Every
test compares the full map of flagged points, so a rule firing anywhere else fails it.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from mgso4.audit.spc import (
    Assurance,
    Direction,
    PointKind,
    Rule,
    Signal,
    SpcSettings,
    Variation,
    all_signals,
    assurance_of,
    classify_point,
    p_chart,
    p_chart_limits,
    variation_of,
    why_not_analysed,
    xmr_limits,
)

HIGH, LOW = Direction.HIGH, Direction.LOW
OUT, SHIFT, TREND, TWO = Rule.OUTSIDE_LIMITS, Rule.SHIFT, Rule.TREND, Rule.TWO_OF_THREE


def flags(
    series: list[int], shift: int = 6, trend: int = 6
) -> dict[int, set[tuple[Rule, Direction]]]:
    """Flagged points of an XmR chart, numbered from 1 as in the guidance (p1, p2, …)."""
    values = [Fraction(v) for v in series]
    signals = all_signals(values, xmr_limits(series), SpcSettings(shift, trend))
    return {
        index: {(s.rule, s.direction) for s in found}
        for index, found in enumerate(signals, start=1)
        if found
    }


def run(
    rule: Rule, direction: Direction, first: int, last: int
) -> dict[int, set[tuple[Rule, Direction]]]:
    return {index: {(rule, direction)} for index in range(first, last + 1)}


# --- limits ---------------------------------------------------------------------------------------


def test_xmr_limits_match_the_guidance_worked_example() -> None:
    # MDC2 "Process limits": 15 points, mean 23.20, mean moving range 5.43, UPL 37.64, LPL 8.76.
    series = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
    limits = xmr_limits(series)[0]
    assert float(limits.centre) == pytest.approx(23.20)
    assert limits.upper == pytest.approx(37.64, abs=0.005)
    assert limits.lower == pytest.approx(8.76, abs=0.005)


def test_p_chart_limits_vary_with_each_denominator() -> None:
    # p̄ = (8 + 40 + 80) / (10 + 50 + 100) = 0.8; σ = √(0.8 × 0.2 / n).
    centre, limits = p_chart_limits([8, 40, 80], [10, 50, 100])
    assert centre == Fraction(4, 5)
    small, middle, large = limits
    assert small is not None and middle is not None and large is not None
    assert small.lower == pytest.approx(0.8 - 3 * 0.1264911, abs=1e-6)
    assert small.upper == 1.0  # 0.8 + 0.379 clipped: a proportion cannot pass 100 %
    assert middle.lower == pytest.approx(0.8 - 3 * 0.0565685, abs=1e-6)
    assert middle.upper == pytest.approx(0.8 + 3 * 0.0565685, abs=1e-6)
    assert large.lower == pytest.approx(0.68) and large.upper == pytest.approx(0.92)
    assert large.lower_near == pytest.approx(0.72) and large.upper_near == pytest.approx(0.88)
    assert small.upper - small.lower > middle.upper - middle.lower > large.upper - large.lower


def test_a_month_without_eligible_babies_has_no_limits() -> None:
    centre, limits = p_chart_limits([3, 0, 4], [4, 0, 5])
    assert centre == Fraction(7, 9)
    assert limits[1] is None and limits[0] is not None


def test_p_chart_limits_refuse_a_numerator_above_its_denominator() -> None:
    with pytest.raises(ValueError, match="not a proportion"):
        p_chart_limits([5], [4])


# --- rule 1: a single point outside the limits ----------------------------------------------------


def test_single_points_above_and_below_the_limits() -> None:
    # Mean 22.87, UPL 37.69, LPL 8.05: only p1 (45) and p15 (5) are outside.
    series = [45, 29, 20, 22, 25, 20, 27, 24, 22, 23, 20, 26, 20, 15, 5]
    assert flags(series) == {1: {(OUT, HIGH)}, 15: {(OUT, LOW)}}


def test_consecutive_points_outside_the_limits_are_each_flagged() -> None:
    # Mean 25.53, UPL 42.44, LPL 8.62: p4 (45), p5 (43) above, p10 (7) below; p4 and p5 being
    # beyond 3 sigma do not also count as "2 of 3 beyond 2 sigma".
    series = [29, 32, 35, 45, 43, 23, 18, 20, 16, 7, 28, 26, 22, 19, 20]
    assert flags(series) == {4: {(OUT, HIGH)}, 5: {(OUT, HIGH)}, 10: {(OUT, LOW)}}


# --- rule 2: a shift ------------------------------------------------------------------------------


SHIFT_LEFT = [31, 35, 34, 29, 29, 32, 26, 26, 32, 35, 30, 18, 31, 25, 27, 22, 18, 25, 25, 17]
SHIFT_RIGHT = [31, 22, 19, 21, 18, 18, 22, 22, 29, 25, 23, 26, 31, 26, 28, 29, 32, 24, 31, 22]


def test_shift_of_six_flags_every_point_of_both_runs() -> None:
    # Left: mean 27.35; p1–p6 above (6) and p14–p20 below (7).
    assert flags(SHIFT_LEFT) == {**run(SHIFT, HIGH, 1, 6), **run(SHIFT, LOW, 14, 20)}
    # Right: mean 24.95; p2–p8 below (7) and p12–p17 above (6).
    assert flags(SHIFT_RIGHT) == {**run(SHIFT, LOW, 2, 8), **run(SHIFT, HIGH, 12, 17)}


def test_shift_of_seven_ignores_the_runs_of_six() -> None:
    assert flags(SHIFT_LEFT, shift=7) == run(SHIFT, LOW, 14, 20)
    assert flags(SHIFT_RIGHT, shift=7) == run(SHIFT, LOW, 2, 8)


def test_a_point_on_the_centre_line_ends_a_shift() -> None:
    values = [Fraction(v) for v in (1, 1, 1, 2, 1, 1, 1)]
    centre = [Fraction(2)] * 7
    from mgso4.audit.spc import shift

    assert all(not found for found in shift(values, centre, 6))
    assert all(found for found in shift(values[:3] + values[4:], centre[:6], 6))


# --- rule 3: a trend ------------------------------------------------------------------------------


def test_trends_of_six_and_seven_points() -> None:
    # p1–p6 rise (5 increases, 6 points); p14–p20 fall (7 points), crossing the mean 19.05.
    series = [11, 14, 18, 20, 22, 23, 18, 21, 17, 23, 26, 20, 16, 25, 23, 22, 19, 16, 15, 12]
    assert flags(series) == {**run(TREND, HIGH, 1, 6), **run(TREND, LOW, 14, 20)}
    assert flags(series, trend=7) == run(TREND, LOW, 14, 20)


def test_a_pause_ends_a_trend() -> None:
    # 30, 28, 25, 25, 20, 18 would be six falling points but for the repeated 25; 18, 18 and the
    # later rise are broken the same way. Nothing else fires either (mean 21.70, 10.08–33.32).
    series = [23, 30, 28, 25, 25, 20, 18, 24, 16, 13, 14, 18, 18, 24, 26, 29, 19, 20, 28, 16]
    assert flags(series) == {}


# --- rule 4: two out of three beyond 2 sigma ------------------------------------------------------


TWO_SIGMA = [
    42,
    40,
    39,
    26,
    39,
    24,
    22,
    29,
    32,
    22,
    20,
    23,
    25,
    26,
    22,
    24,
    27,
    7,
    19,
    24,
    7,
    7,
    32,
]


def test_two_of_three_near_a_limit_on_the_same_side() -> None:
    # Mean 25.13, 2-sigma lines 12.07 and 38.19, limits 5.54 and 44.72.
    # p1–p3 (42, 40, 39) and p5 (39, with p3 in the window p3–p5, all above the mean) high;
    # p21–p22 (7, 7; p20 = 24 is below the mean too) low. p18 (7) is alone in every window
    # whose three points are on one side, so it is not flagged.
    assert flags(TWO_SIGMA) == {
        1: {(TWO, HIGH)},
        2: {(TWO, HIGH)},
        3: {(TWO, HIGH)},
        5: {(TWO, HIGH)},
        21: {(TWO, LOW)},
        22: {(TWO, LOW)},
    }


def test_a_point_beyond_three_sigma_does_not_count_for_two_of_three() -> None:
    series = TWO_SIGMA.copy()
    series[21] = 2  # p22 = 2 is now below the lower limit (4.12): p21 is alone near the limit
    assert flags(series) == {
        1: {(TWO, HIGH)},
        2: {(TWO, HIGH)},
        3: {(TWO, HIGH)},
        5: {(TWO, HIGH)},
        22: {(OUT, LOW)},
    }


def test_two_of_three_needs_all_three_on_one_side_of_the_mean() -> None:
    series = TWO_SIGMA.copy()
    series[3] = 24  # p4 below the mean 25.13: the window p3–p5 no longer counts
    series[19] = 26  # p20 above the mean: the window p20–p22 no longer counts
    assert flags(series) == {1: {(TWO, HIGH)}, 2: {(TWO, HIGH)}, 3: {(TWO, HIGH)}}


# --- when rules conflict --------------------------------------------------------------------------


CONFLICT = [43, 41, 37, 36, 31, 23, 15, 13, 15, 18, 23, 27, 31, 36, 27, 19, 17, 27, 15, 22]


def test_conflict_example_flags_each_rule_where_the_guidance_says() -> None:
    # MDC2 "Special cause conflict": p1–p2 above the upper limit, p3–p4 above the upper 2-sigma
    # line, p1–p8 a falling trend, p8–p14 a rising trend, p6–p11 a shift below the mean. Also
    # p7–p9 (15, 13, 15) are all below the lower 2-sigma line (16.37).
    by_rule = {
        rule: sorted(
            index for index, found in flags(CONFLICT).items() if any(r is rule for r, _ in found)
        )
        for rule in Rule
    }
    assert by_rule == {
        OUT: [1, 2],
        TWO: [3, 4, 7, 8, 9],
        SHIFT: [6, 7, 8, 9, 10, 11],
        TREND: list(range(1, 15)),
    }


@pytest.mark.parametrize(
    ("improvement", "concern_points"),
    [
        (HIGH, [5, 6, 7]),  # "only p5 to p7 are shown in orange"
        (LOW, [12, 13, 14]),  # "only p12 to p14 are shown in orange"
    ],
)
def test_conflicting_points_show_as_improvement(
    improvement: Direction, concern_points: list[int]
) -> None:
    values = [Fraction(v) for v in CONFLICT]
    signals = all_signals(values, xmr_limits(CONFLICT), SpcSettings(6, 6))
    kinds = [classify_point(found, improvement) for found in signals]
    assert [i for i, kind in enumerate(kinds, 1) if kind is PointKind.CONCERN] == concern_points
    assert [i for i, kind in enumerate(kinds, 1) if kind is PointKind.IMPROVEMENT] == [
        i for i in range(1, 15) if i not in concern_points
    ]
    assert all(kind is PointKind.COMMON_CAUSE for kind in kinds[14:])


# --- icons ----------------------------------------------------------------------------------------


VARIATION = [16, 20, 22, 18, 21, 18, 26, 28, 24, 26, 19, 18, 25, 32, 43, 28, 22]


@pytest.mark.parametrize(
    ("last", "improvement", "expected"),
    [
        (45, HIGH, Variation.IMPROVEMENT_HIGH),  # last point above the upper limit
        (45, LOW, Variation.CONCERN_HIGH),
        (25, HIGH, Variation.COMMON_CAUSE),  # last point inside the limits, in no run
        (25, LOW, Variation.COMMON_CAUSE),
        (5, HIGH, Variation.CONCERN_LOW),  # last point below the lower limit
        (5, LOW, Variation.IMPROVEMENT_LOW),
    ],
)
def test_variation_icon_is_read_from_the_last_point(
    last: int, improvement: Direction, expected: Variation
) -> None:
    series = [*VARIATION, last]
    values = [Fraction(v) for v in series]
    signals = all_signals(values, xmr_limits(series), SpcSettings(6, 6))
    kind = classify_point(signals[-1], improvement)
    assert variation_of(kind, signals[-1], improvement) is expected
    assert expected.words and expected.symbol  # icons always carry words and a symbol


ASSURANCE = [16, 24, 22, 19, 19, 18, 24, 25, 18, 17, 16, 25, 15, 23, 19]
ASSURANCE += [35, 32, 35, 31, 27, 33, 28, 38, 35, 30, 28, 29, 27, 24, 23]


@pytest.mark.parametrize(
    ("target", "improvement", "expected"),
    [
        # Limits 13.33 to 37.00 (mean 25.17).
        (40, HIGH, Assurance.FAIL),
        (40, LOW, Assurance.PASS),
        (30, HIGH, Assurance.HIT_AND_MISS),
        (30, LOW, Assurance.HIT_AND_MISS),
        (10, HIGH, Assurance.PASS),
        (10, LOW, Assurance.FAIL),
    ],
)
def test_assurance_compares_the_target_with_the_limits(
    target: int, improvement: Direction, expected: Assurance
) -> None:
    limits = xmr_limits(ASSURANCE)[0]
    assert limits.lower == pytest.approx(13.33, abs=0.01)
    assert limits.upper == pytest.approx(37.00, abs=0.01)
    assert assurance_of(Fraction(target), limits, improvement) is expected


# --- when a chart is analysed at all --------------------------------------------------------------


def _months(count: int) -> list[str]:
    return [f"m{index}" for index in range(count)]


@pytest.mark.parametrize(("points", "analysed"), [(12, False), (13, True)])
def test_limits_need_thirteen_points(points: int, analysed: bool) -> None:
    chart = p_chart(_months(points), [30] * points, [40] * points, SpcSettings())
    assert chart.analysed is analysed
    assert all((p.limits is not None) is analysed for p in chart.points)
    if not analysed:
        assert chart.why_not_analysed is not None and "only 12 months" in chart.why_not_analysed
        assert chart.variation is Variation.NOT_ASSESSED


def test_one_small_month_stops_limits_and_signals_for_the_whole_chart() -> None:
    # 14 months at 36/40; one month of 9 babies. With limits this series would signal (the
    # 0/9 month is far below the lower limit), but a month of 9 is below the minimum of 10.
    numerators = [36] * 13 + [0]
    denominators = [40] * 13 + [9]
    chart = p_chart(
        _months(14), numerators, denominators, SpcSettings(), targets=[("85 %", Fraction(85, 100))]
    )
    assert not chart.analysed
    assert chart.why_not_analysed == (
        "No limits or signals drawn: 1 of 14 months had fewer than 10 eligible babies, too few "
        "for limits or run rules to mean anything."
    )
    assert all(
        p.kind is PointKind.NOT_ASSESSED and not p.signals and p.limits is None
        for p in chart.points
    )
    assert [a.assurance for a in chart.assurance] == [Assurance.NOT_ASSESSED]
    assert chart.centre == Fraction(36 * 13, 40 * 13 + 9)  # the mean is still shown

    bigger = p_chart(
        _months(14),
        numerators,
        [40] * 13 + [10],
        SpcSettings(),
        targets=[("85 %", Fraction(85, 100))],
    )
    assert bigger.analysed
    assert bigger.points[-1].signals == frozenset({Signal(OUT, LOW)})
    assert bigger.variation is Variation.CONCERN_LOW


def test_the_minimum_denominator_is_a_unit_setting() -> None:
    denominators = [6] * 13
    assert why_not_analysed(denominators, SpcSettings(min_denominator=10), "months") is not None
    assert why_not_analysed(denominators, SpcSettings(min_denominator=6), "months") is None


def test_a_forced_reason_gives_a_plain_chart_without_centre_line() -> None:
    chart = p_chart(
        _months(20), [30] * 20, [40] * 20, SpcSettings(), not_analysed_reason="Rolling figures."
    )
    assert not chart.analysed and chart.centre is None
    assert chart.why_not_analysed == "Rolling figures."


def test_analysed_p_chart_reads_a_shift_and_assurance_on_typical_limits() -> None:
    # 13 months of 100 babies: 6 at 70/100 then 7 at 80/100. p̄ = 980/1300 = 0.754; the last
    # seven are all above it (a shift of 7, improvement), and the run of six below is too short.
    numerators = [70] * 6 + [80] * 7
    chart = p_chart(
        _months(13),
        numerators,
        [100] * 13,
        SpcSettings(),
        targets=[("85 %", Fraction(85, 100)), ("95 %", Fraction(95, 100))],
    )
    assert chart.analysed and chart.centre == Fraction(980, 1300)
    assert [bool(p.signals) for p in chart.points] == [False] * 6 + [True] * 7
    assert {s.rule for p in chart.points for s in p.signals} == {SHIFT}
    assert chart.variation is Variation.IMPROVEMENT_HIGH
    assert chart.typical_limits is not None
    # σ = √(0.754 × 0.246 / 100) = 0.0431; limits 0.625 to 0.883: 85 % inside, 95 % above.
    assert [a.assurance for a in chart.assurance] == [Assurance.HIT_AND_MISS, Assurance.FAIL]


@pytest.mark.parametrize("length", [5, 8])
def test_run_lengths_other_than_six_or_seven_are_refused(length: int) -> None:
    with pytest.raises(ValueError, match="6 or 7"):
        SpcSettings(shift_length=length)
    with pytest.raises(ValueError, match="6 or 7"):
        SpcSettings(trend_length=length)


def test_rule_descriptions_state_the_unit_setting() -> None:
    settings = SpcSettings(shift_length=6, trend_length=7)
    assert Rule.SHIFT.describe(settings).startswith("6 or more points")
    assert Rule.TREND.describe(settings).startswith("7 or more points")
