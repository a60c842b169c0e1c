"""Gestational age: "W+D" parsing and dating from an agreed EDD or an LMP (reference.md §7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mgso4.core.gestation import (
    DatingMethod,
    GestationalAge,
    GestationError,
    edd_from_lmp,
    gestation_on,
    lmp_equivalent,
)

# --- parsing "W+D" ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "total_days"),
    [
        ("27+3", 27 * 7 + 3),
        ("0+0", 0),
        ("23+6", 167),
        ("24+0", 168),
        ("29+6", 209),  # reference §7.1: 29+6 is day 209
        ("44+6", 44 * 7 + 6),  # the top of the plausible range
        (" 27+3 ", 192),  # surrounding spaces are harmless
        ("27 + 3", 192),  # spaces around the plus sign are unambiguous
        ("27+03", 192),
    ],
)
def test_parse_accepts_weeks_plus_days(text: str, total_days: int) -> None:
    assert GestationalAge.parse(text).total_days == total_days


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("27+7", "days must be 0 to 6"),
        ("27+7", "28+0"),  # says what 27+7 would be, never silently carries it over
        ("27.3", "weeks+days"),  # 27.3 weeks is not 27+3
        ("-1+0", "weeks+days"),
        ("60+0", "beyond 44+6"),
        ("45+0", "beyond 44+6"),
        ("", "(empty)"),
        ("   ", "(empty)"),
        ("abc", "not a gestation"),
        ("27", "weeks+days"),  # weeks alone: the days are not guessed
        ("27+", "weeks+days"),
        ("+3", "weeks+days"),
        ("27+3+1", "weeks+days"),
        ("027+3", "weeks+days"),
        ("٢٧+٣", "weeks+days"),  # Arabic-Indic digits are not read as 27+3
        ("27\u00a0+3", "weeks+days"),  # a no-break space is not an ordinary space
    ],
)
def test_parse_refuses_anything_else_with_a_message(text: str, message_part: str) -> None:
    with pytest.raises(GestationError) as caught:
        GestationalAge.parse(text)
    assert message_part in str(caught.value)


def test_parse_refuses_text_that_is_not_a_string() -> None:
    with pytest.raises(GestationError):
        GestationalAge.parse(27.3)  # type: ignore[arg-type]


@given(st.text(max_size=12))
def test_parse_raises_nothing_but_gestation_error_for_any_text(text: str) -> None:
    try:
        result = GestationalAge.parse(text)
    except GestationError:
        return
    assert 0 <= result.total_days <= 44 * 7 + 6
    assert GestationalAge.parse(result.label) == result


@given(st.integers(min_value=0, max_value=44), st.integers(min_value=0, max_value=6))
def test_label_round_trips_through_parse(weeks: int, days: int) -> None:
    gestation = GestationalAge.of(weeks, days)
    assert gestation.label == f"{weeks}+{days}"
    assert GestationalAge.parse(gestation.label) == gestation


@pytest.mark.parametrize(("weeks", "days"), [(27, 7), (27, -1), (-1, 0), (45, 0)])
def test_of_refuses_impossible_weeks_and_days(weeks: int, days: int) -> None:
    with pytest.raises(GestationError):
        GestationalAge.of(weeks, days)


def test_gestations_order_by_days() -> None:
    assert GestationalAge.parse("23+6") < GestationalAge.parse("24+0")


# --- dating from an agreed EDD (reference §7.4) -----------------------------------------------

AGREED_EDD = date(2025, 3, 1)


@pytest.mark.parametrize(
    ("on", "label"),
    [
        (date(2024, 11, 8), "23+6"),
        (date(2024, 11, 9), "24+0"),
        (date(2024, 12, 14), "29+0"),
        (date(2024, 12, 20), "29+6"),
        (date(2024, 12, 21), "30+0"),
        (date(2025, 1, 17), "33+6"),
        (date(2025, 1, 18), "34+0"),
    ],
)
def test_gestation_from_agreed_edd_matches_reference_table(on: date, label: str) -> None:
    assert GestationalAge.from_edd(AGREED_EDD, on).label == label


def test_lmp_equivalent_of_the_reference_edd() -> None:
    assert lmp_equivalent(AGREED_EDD) == date(2024, 5, 25)


def test_edd_from_lmp_is_280_days_not_naegele_across_29_february() -> None:
    assert edd_from_lmp(date(2023, 6, 1)) == date(2024, 3, 7)


def test_edd_from_lmp_without_29_february_agrees_with_naegele() -> None:
    assert edd_from_lmp(date(2024, 6, 1)) == date(2025, 3, 8)


def test_gestation_on_the_edd_is_40_plus_0() -> None:
    assert GestationalAge.from_edd(AGREED_EDD, AGREED_EDD).label == "40+0"


def test_a_date_before_the_lmp_is_refused() -> None:
    with pytest.raises(GestationError, match="before the LMP-equivalent"):
        GestationalAge.from_lmp(date(2024, 6, 1), date(2024, 5, 31))


def test_a_date_that_dates_beyond_44_plus_6_is_refused() -> None:
    with pytest.raises(GestationError, match="beyond 44\\+6"):
        GestationalAge.from_edd(AGREED_EDD, AGREED_EDD + timedelta(days=35))


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=44 * 7 + 5),
)
def test_gestation_from_edd_increases_by_exactly_one_day_per_day(edd: date, offset: int) -> None:
    lmp_like = edd - timedelta(days=280)
    today = lmp_like + timedelta(days=offset)
    tomorrow = today + timedelta(days=1)
    assert (
        GestationalAge.from_edd(edd, tomorrow).total_days
        == GestationalAge.from_edd(edd, today).total_days + 1
    )


# --- gestation_on: the episode's recorded dating ----------------------------------------------


def test_stated_gestation_advances_one_day_per_calendar_day() -> None:
    result = gestation_on(
        date(2025, 1, 12),
        method=DatingMethod.WEEKS_DAYS,
        stated=GestationalAge.parse("27+3"),
        stated_on=date(2025, 1, 10),
    )
    assert result.label == "27+5"


def test_lmp_dating_on_a_date() -> None:
    result = gestation_on(date(2024, 3, 7), method=DatingMethod.LMP, lmp=date(2023, 6, 1))
    assert result.label == "40+0"


@pytest.mark.parametrize(
    ("method", "message_part"),
    [
        (DatingMethod.AGREED_EDD, "agreed EDD"),
        (DatingMethod.LMP, "last period"),
        (DatingMethod.WEEKS_DAYS, "date it applied"),
    ],
)
def test_dating_without_its_input_is_refused(method: DatingMethod, message_part: str) -> None:
    with pytest.raises(GestationError, match=message_part):
        gestation_on(date(2025, 1, 10), method=method)
