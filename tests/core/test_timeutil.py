"""Typed local times, UTC storage and real elapsed time (decisions.md §12, design.md "Times").

Clock changes used throughout (Europe/London, 2026): clocks go forward at 01:00 GMT on Sunday
29 March (local 01:00–01:59 never happens) and back at 02:00 BST on Sunday 25 October (local
01:00–01:59 happens twice).
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mgso4.core.timeutil import (
    LONDON,
    AmbiguousLocalTimeError,
    LocalTimeError,
    elapsed_hours,
    ensure_utc,
    format_local,
    parse_local_date,
    parse_local_datetime,
    to_local,
    to_utc,
    utcnow,
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


# --- ordinary times ---------------------------------------------------------------------------


def test_london_is_the_default_zone() -> None:
    assert ZoneInfo("Europe/London") == LONDON


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-10T10:00", utc(2026, 1, 10, 10, 0)),  # GMT = UTC
        ("2026-01-10 10:00", utc(2026, 1, 10, 10, 0)),
        ("2026-01-10t10:00", utc(2026, 1, 10, 10, 0)),
        ("  2026-01-10 10:00  ", utc(2026, 1, 10, 10, 0)),
        ("2026-01-10 10:00:30", utc(2026, 1, 10, 10, 0, 30)),
        ("2026-01-10 10:00:30.5", utc(2026, 1, 10, 10, 0, 30, 500000)),
        ("2026-07-01 14:30", utc(2026, 7, 1, 13, 30)),  # BST = UTC+1
    ],
)
def test_local_wall_time_is_converted_to_utc(text: str, expected: datetime) -> None:
    assert parse_local_datetime(text) == expected


def test_parsed_time_is_aware_utc() -> None:
    parsed = parse_local_datetime("2026-07-01 14:30")
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01T14:30Z", utc(2026, 7, 1, 14, 30)),
        ("2026-07-01T14:30z", utc(2026, 7, 1, 14, 30)),
        ("2026-07-01 14:30 Z", utc(2026, 7, 1, 14, 30)),
        ("2026-07-01T14:30+01:00", utc(2026, 7, 1, 13, 30)),
        ("2026-07-01T14:30+0100", utc(2026, 7, 1, 13, 30)),
        ("2026-07-01T14:30+01", utc(2026, 7, 1, 13, 30)),
        ("2026-07-01T14:30-05:30", utc(2026, 7, 1, 20, 0)),
    ],
)
def test_explicit_offset_fixes_the_instant(text: str, expected: datetime) -> None:
    assert parse_local_datetime(text) == expected


def test_other_zone_can_be_given() -> None:
    new_york = ZoneInfo("America/New_York")
    assert parse_local_datetime("2026-01-10 10:00", new_york) == utc(2026, 1, 10, 15, 0)


# --- spring-forward gap -----------------------------------------------------------------------


@pytest.mark.parametrize("wall_time", ["01:00", "01:30", "01:59"])
def test_time_in_spring_gap_is_refused_because_clocks_went_forward(wall_time: str) -> None:
    with pytest.raises(LocalTimeError) as caught:
        parse_local_datetime(f"2026-03-29 {wall_time}")
    assert not isinstance(caught.value, AmbiguousLocalTimeError)
    message = str(caught.value)
    assert "did not exist" in message
    assert "clocks went forward" in message
    assert f"Sun 29 Mar 2026 {wall_time}" in message


def test_spring_gap_message_names_the_reading_of_an_unchanged_clock() -> None:
    with pytest.raises(LocalTimeError, match="02:30 BST"):
        parse_local_datetime("2026-03-29 01:30")


def test_spring_gap_is_refused_whatever_fold_is_given() -> None:
    with pytest.raises(LocalTimeError, match="did not exist"):
        parse_local_datetime("2026-03-29 01:30", fold=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-29 00:59", utc(2026, 3, 29, 0, 59)),  # last GMT minute before the gap
        ("2026-03-29 02:00", utc(2026, 3, 29, 1, 0)),  # first BST minute after the gap
    ],
)
def test_times_either_side_of_spring_gap_are_accepted(text: str, expected: datetime) -> None:
    assert parse_local_datetime(text) == expected


def test_spring_gap_time_with_explicit_offset_is_accepted() -> None:
    assert parse_local_datetime("2026-03-29T01:30+00:00") == utc(2026, 3, 29, 1, 30)


def test_spring_gap_is_refused_in_another_zone() -> None:
    with pytest.raises(LocalTimeError, match="clocks went forward"):
        parse_local_datetime("2026-03-08 02:30", ZoneInfo("America/New_York"))


# --- autumn overlap ---------------------------------------------------------------------------


def test_time_in_autumn_overlap_asks_which_with_both_candidates() -> None:
    with pytest.raises(AmbiguousLocalTimeError) as caught:
        parse_local_datetime("2026-10-25 01:30")
    error = caught.value
    assert [(choice.fold, choice.label, choice.utc) for choice in error.choices] == [
        (0, "01:30 BST", utc(2026, 10, 25, 0, 30)),
        (1, "01:30 GMT", utc(2026, 10, 25, 1, 30)),
    ]
    assert error.local == datetime(2026, 10, 25, 1, 30)


def test_autumn_overlap_message_offers_both_labels() -> None:
    with pytest.raises(AmbiguousLocalTimeError) as caught:
        parse_local_datetime("2026-10-25 01:30")
    assert "01:30 BST" in str(caught.value)
    assert "01:30 GMT" in str(caught.value)
    assert "happened twice" in str(caught.value)


def test_ambiguous_time_error_is_a_local_time_error() -> None:
    with pytest.raises(LocalTimeError):
        parse_local_datetime("2026-10-25 01:30")


@pytest.mark.parametrize(
    ("fold", "expected"),
    [(0, utc(2026, 10, 25, 0, 30)), (1, utc(2026, 10, 25, 1, 30))],
    ids=["fold-0-first-BST", "fold-1-second-GMT"],
)
def test_fold_resolves_the_autumn_overlap(fold: int, expected: datetime) -> None:
    assert parse_local_datetime("2026-10-25 01:30", fold=fold) == expected


@pytest.mark.parametrize("wall_time", ["01:00", "01:59"])
def test_autumn_overlap_edges_are_ambiguous(wall_time: str) -> None:
    with pytest.raises(AmbiguousLocalTimeError):
        parse_local_datetime(f"2026-10-25 {wall_time}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-25 00:59", utc(2026, 10, 24, 23, 59)),  # last BST minute before the overlap
        ("2026-10-25 02:00", utc(2026, 10, 25, 2, 0)),  # first GMT minute after it
    ],
)
def test_times_either_side_of_autumn_overlap_are_not_ambiguous(
    text: str, expected: datetime
) -> None:
    assert parse_local_datetime(text) == expected


def test_fold_is_ignored_for_an_unambiguous_time() -> None:
    assert parse_local_datetime("2026-07-01 14:30", fold=1) == utc(2026, 7, 1, 13, 30)


def test_autumn_overlap_time_with_explicit_offset_is_not_ambiguous() -> None:
    assert parse_local_datetime("2026-10-25T01:30+01:00") == utc(2026, 10, 25, 0, 30)


def test_fold_other_than_zero_or_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="fold"):
        parse_local_datetime("2026-10-25 01:30", fold=2)


def test_ambiguous_time_error_survives_pickling() -> None:
    with pytest.raises(AmbiguousLocalTimeError) as caught:
        parse_local_datetime("2026-10-25 01:30")
    restored = pickle.loads(pickle.dumps(caught.value))
    assert restored.choices == caught.value.choices
    assert str(restored) == str(caught.value)


# --- bad text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "No date and time was entered"),
        ("   ", "No date and time was entered"),
        ("abc", "is not a date and time"),
        ("29/03/2026 10:00", "YYYY-MM-DD HH:MM"),
        ("2026-3-29 10:00", "YYYY-MM-DD HH:MM"),
        ("2026-03-29", "has a date but no time"),
        ("10:00", "has a time but no date"),
        ("2026-13-01 10:00", "no month 13"),
        ("2026-00-01 10:00", "no month 0"),
        ("2026-02-29 10:00", "day 29 does not exist"),
        ("2026-04-31 10:00", "day 31 does not exist"),
        ("0000-01-01 10:00", "no year 0000"),
        ("2026-03-29 24:00", "no hour 24"),
        ("2026-03-29 10:60", "no minute 60"),
        ("2026-03-29 10:00:60", "no second 60"),
        ("2026-03-29T10:00+24:00", "not a real UTC offset"),
        ("2026-03-29 10:00 BST", "is not a date and time"),
        ("0001-01-01T00:00+01:00", "outside the range"),
        ("9999-12-31T23:59-01:00", "outside the range"),
    ],
)
def test_bad_text_is_refused_with_a_specific_message(text: str, message_part: str) -> None:
    with pytest.raises(LocalTimeError, match=message_part):
        parse_local_datetime(text)


def test_leap_day_is_accepted_in_a_leap_year() -> None:
    assert parse_local_datetime("2028-02-29 10:00") == utc(2028, 2, 29, 10, 0)


def test_non_text_is_refused_as_a_local_time_error() -> None:
    with pytest.raises(LocalTimeError):
        parse_local_datetime(None)  # type: ignore[arg-type]


def test_non_ascii_digits_are_refused() -> None:
    with pytest.raises(LocalTimeError):
        parse_local_datetime("٢٠٢٦-03-29 10:00")


def test_long_garbage_is_shortened_in_the_message() -> None:
    with pytest.raises(LocalTimeError) as caught:
        parse_local_datetime("x" * 500)
    assert len(str(caught.value)) < 150


_NEAR_MISS_DATETIMES = st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"( ?(Z|[+-][0-9]{2}(:?[0-9]{2})?))?\Z"
)


@given(text=st.one_of(st.text(), _NEAR_MISS_DATETIMES))
def test_any_text_either_parses_to_utc_or_raises_local_time_error(text: str) -> None:
    try:
        parsed = parse_local_datetime(text)
    except LocalTimeError:
        return
    assert parsed.tzinfo is UTC


# --- dates ------------------------------------------------------------------------------------


def test_iso_date_is_parsed() -> None:
    assert parse_local_date("2026-03-29") == date(2026, 3, 29)


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "No date was entered"),
        ("29/03/2026", "is not a date"),
        ("2026-3-29", "is not a date"),
        ("2026-02-30", "day 30 does not exist"),
        ("2026-13-01", "no month 13"),
        ("2026-03-29T10:00", "includes a time"),
    ],
)
def test_bad_date_text_is_refused_with_a_specific_message(text: str, message_part: str) -> None:
    with pytest.raises(LocalTimeError, match=message_part):
        parse_local_date(text)


# --- conversions and display ------------------------------------------------------------------


def test_to_utc_converts_a_naive_wall_time() -> None:
    assert to_utc(datetime(2026, 7, 1, 14, 30), LONDON) == utc(2026, 7, 1, 13, 30)


def test_to_utc_asks_in_the_autumn_overlap() -> None:
    with pytest.raises(AmbiguousLocalTimeError):
        to_utc(datetime(2026, 10, 25, 1, 30), LONDON)


def test_to_utc_resolves_the_overlap_with_fold() -> None:
    assert to_utc(datetime(2026, 10, 25, 1, 30), LONDON, 1) == utc(2026, 10, 25, 1, 30)


def test_to_utc_refuses_the_spring_gap() -> None:
    with pytest.raises(LocalTimeError, match="did not exist"):
        to_utc(datetime(2026, 3, 29, 1, 30), LONDON)


def test_to_utc_refuses_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="naive local wall time"):
        to_utc(utc(2026, 7, 1, 13, 30), LONDON)


def test_to_local_gives_the_aware_wall_time() -> None:
    local = to_local(utc(2026, 3, 29, 2, 15))
    assert (local.hour, local.minute, local.tzname()) == (3, 15, "BST")
    assert local == utc(2026, 3, 29, 2, 15)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 3, 29, 2, 15), "Sun 29 Mar 2026 03:15 BST"),
        (utc(2026, 1, 10, 10, 0), "Sat 10 Jan 2026 10:00 GMT"),
        (utc(2026, 10, 25, 0, 30), "Sun 25 Oct 2026 01:30 BST"),
        (utc(2026, 10, 25, 1, 30), "Sun 25 Oct 2026 01:30 GMT"),
        (utc(2026, 3, 1, 9, 5), "Sun 1 Mar 2026 09:05 GMT"),
    ],
)
def test_format_local_shows_date_time_and_zone(moment: datetime, expected: str) -> None:
    assert format_local(moment) == expected


def test_format_local_accepts_an_aware_time_in_any_zone() -> None:
    plus_two = datetime(2026, 7, 1, 15, 30, tzinfo=timezone(timedelta(hours=2)))
    assert format_local(plus_two) == "Wed 1 Jul 2026 14:30 BST"


def test_format_local_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        format_local(datetime(2026, 7, 1, 14, 30))


def test_ensure_utc_refuses_a_naive_datetime_naming_what_it_is() -> None:
    with pytest.raises(ValueError, match=r"birth time .* has no time zone"):
        ensure_utc(datetime(2026, 7, 1, 14, 30), "birth time")


def test_ensure_utc_keeps_the_instant_and_sets_utc() -> None:
    plus_one = datetime(2026, 7, 1, 14, 30, tzinfo=timezone(timedelta(hours=1)))
    converted = ensure_utc(plus_one)
    assert converted.tzinfo is UTC
    assert converted == plus_one


def test_utcnow_is_aware_utc() -> None:
    assert utcnow().tzinfo is UTC


# --- elapsed time -----------------------------------------------------------------------------


def test_elapsed_hours_is_exact_decimal() -> None:
    assert elapsed_hours(utc(2026, 1, 10, 10, 0), utc(2026, 1, 10, 11, 30)) == Decimal("1.5")


def test_elapsed_hours_is_real_time_across_spring_forward() -> None:
    # 00:30 GMT to 03:30 BST: 3 h on the wall clock, 2 h of real time.
    start = parse_local_datetime("2026-03-29 00:30")
    end = parse_local_datetime("2026-03-29 03:30")
    assert elapsed_hours(start, end) == Decimal(2)


def test_elapsed_hours_is_real_time_across_fall_back() -> None:
    # 00:30 BST to 02:30 GMT: 2 h on the wall clock, 3 h of real time.
    start = parse_local_datetime("2026-10-25 00:30")
    end = parse_local_datetime("2026-10-25 02:30")
    assert elapsed_hours(start, end) == Decimal(3)


def test_elapsed_hours_is_real_time_for_local_datetimes_sharing_a_zone() -> None:
    # Python subtracts two datetimes with the same ZoneInfo as wall times (2 h here); the
    # function must not inherit that.
    start = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    end = datetime(2026, 10, 25, 2, 30, tzinfo=LONDON)
    assert elapsed_hours(start, end) == Decimal(3)


def test_elapsed_hours_is_negative_when_end_is_before_start() -> None:
    assert elapsed_hours(utc(2026, 1, 10, 11, 30), utc(2026, 1, 10, 10, 0)) == Decimal("-1.5")


def test_elapsed_hours_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        elapsed_hours(datetime(2026, 1, 10, 10, 0), utc(2026, 1, 10, 11, 0))
