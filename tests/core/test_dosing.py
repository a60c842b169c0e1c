"""Doses, pump rates, limits, the stop time and repeat courses (decisions.md §3, §4, §8).

Numbers are from decisions.md §3 and reference.md §3.2 (DERIVED there, redone here).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mgso4.core.dosing import (
    CUMULATIVE_WARNING_FRACTION,
    DoseInputError,
    check_loading,
    check_maintenance_rate,
    check_repeat_course,
    containers_needed,
    full_course_grams,
    grams_for_rate,
    loading_plan,
    maintenance_plan,
    parse_decimal_input,
    percent_label,
    plain,
    rate_g_per_h,
    stop_due_at,
    stops_at_birth,
)
from mgso4.core.protocol import (
    PreparationSet,
    Protocol,
    ProtocolLibrary,
    load_preparations_file,
)
from mgso4.core.timeutil import LONDON, elapsed_hours, parse_local_datetime, to_local
from mgso4.core.vocab import ConditionId
from mgso4.resources import resource_path

D = Decimal
LIBRARY = ProtocolLibrary(resource_path("protocols"))


@pytest.fixture(scope="module")
def uk() -> Protocol:
    return LIBRARY.load("uk-nice-ng25")


@pytest.fixture(scope="module")
def preparations() -> PreparationSet:
    return load_preparations_file(resource_path("preparations.toml"))


def local(text: str) -> datetime:
    return parse_local_datetime(text, LONDON)


# --- plans for each shipped preparation under the UK protocol (decisions.md §3) ---------------


@pytest.mark.parametrize(
    ("preparation_id", "volume_ml", "load_rate_ml_per_h", "maintenance_ml_per_h"),
    [
        ("20pct-ready", D(20), D(80), D(5)),
        ("20pct-load-10pct-maint", D(20), D(80), D(10)),
        ("50pct-diluted-20pct", D(20), D(80), D(5)),
        ("8pct-premixed", D(50), D(200), D("12.5")),
    ],
)
def test_uk_plan_for_each_preparation_matches_decisions(
    uk: Protocol,
    preparations: PreparationSet,
    preparation_id: str,
    volume_ml: Decimal,
    load_rate_ml_per_h: Decimal,
    maintenance_ml_per_h: Decimal,
) -> None:
    preparation = preparations.get(preparation_id)
    load = loading_plan(uk, preparation)
    maintenance = maintenance_plan(uk, preparation)
    assert (load.dose_g, load.duration_min) == (D(4), D(15))
    assert load.volume_ml == volume_ml
    assert load.rate_ml_per_h == load_rate_ml_per_h
    assert maintenance.rate_g_per_h == D(1)
    assert maintenance.rate_ml_per_h == maintenance_ml_per_h


def test_two_concentration_preparation_shows_each_concentration(
    uk: Protocol, preparations: PreparationSet
) -> None:
    preparation = preparations.get("20pct-load-10pct-maint")
    load = loading_plan(uk, preparation)
    maintenance = maintenance_plan(uk, preparation)
    assert load.concentration_g_per_ml == D("0.2")
    assert maintenance.concentration_g_per_ml == D("0.1")
    assert maintenance.concentration_label.startswith("10%")
    assert any("Two concentrations" in w for w in maintenance.warnings)


def test_ward_dilution_carries_its_make_up_and_warning(
    uk: Protocol, preparations: PreparationSet
) -> None:
    preparation = preparations.get("50pct-diluted-20pct")
    load = loading_plan(uk, preparation)
    # Computed from the dose and the container (decisions.md §15; WC-18).
    assert load.make_up.startswith("8 mL of 50% ampoules (4 g) + 12 mL")
    assert maintenance_plan(uk, preparation).make_up.startswith(
        "20 mL of 50% ampoules (10 g) + 30 mL"
    )
    assert any("discouraged" in w for w in load.warnings)


@pytest.mark.parametrize(
    ("preparation_id", "hours"),
    [
        ("20pct-ready", D(10)),
        ("20pct-load-10pct-maint", D(5)),  # reference §3.2 profile A: one syringe lasts 5 h
        ("50pct-diluted-20pct", D(10)),  # profile B: 10 h
        ("8pct-premixed", D(8)),
    ],
)
def test_hours_per_container(
    uk: Protocol, preparations: PreparationSet, preparation_id: str, hours: Decimal
) -> None:
    assert maintenance_plan(uk, preparations.get(preparation_id)).hours_per_container == hours


def test_maintenance_plan_carries_the_stop_rule(uk: Protocol, preparations: PreparationSet) -> None:
    plan = maintenance_plan(uk, preparations.get("20pct-ready"))
    assert (plan.max_hours, plan.stop_anchor) == (D(24), "maintenance-start")


@pytest.mark.parametrize(("duration_min", "rate_ml_per_h"), [(D(20), D(60)), (D(30), D(40))])
def test_longer_loading_presets_slow_the_pump(
    uk: Protocol, preparations: PreparationSet, duration_min: Decimal, rate_ml_per_h: Decimal
) -> None:
    plan = loading_plan(uk, preparations.get("20pct-ready"), duration_min=duration_min)
    assert plan.volume_ml == D(20)
    assert plan.rate_ml_per_h == rate_ml_per_h


def test_rouse_regimen_with_20_percent(preparations: PreparationSet) -> None:
    rouse = LIBRARY.load("acog-rouse")
    load = loading_plan(rouse, preparations.get("20pct-ready"))
    maintenance = maintenance_plan(rouse, preparations.get("20pct-ready"))
    assert (load.dose_g, load.duration_min, load.volume_ml, load.rate_ml_per_h) == (
        D(6),
        D(20),
        D(30),
        D(90),
    )
    assert (maintenance.rate_g_per_h, maintenance.rate_ml_per_h) == (D(2), D(10))


def test_a_load_larger_than_one_container_says_how_many(preparations: PreparationSet) -> None:
    rouse = LIBRARY.load("acog-rouse")
    load = loading_plan(rouse, preparations.get("20pct-ready"))
    assert any("2 are needed" in w for w in load.warnings)


def test_an_inexact_pump_rate_is_rounded_and_says_so(
    uk: Protocol, preparations: PreparationSet
) -> None:
    plan = loading_plan(uk, preparations.get("20pct-ready"), duration_min=D(7))
    assert plan.rate_ml_per_h == D("171.43")
    assert any("rounded to 171.43 mL/h" in w for w in plan.warnings)


def test_an_exact_plan_has_no_rounding_warning(uk: Protocol, preparations: PreparationSet) -> None:
    plan = loading_plan(uk, preparations.get("20pct-ready"))
    assert not any("rounded" in w for w in plan.warnings)


@pytest.mark.parametrize(("dose_g", "duration_min"), [(D(0), D(15)), (D(4), D(0)), (D(-4), D(15))])
def test_a_plan_refuses_a_dose_or_duration_that_is_not_positive(
    uk: Protocol, preparations: PreparationSet, dose_g: Decimal, duration_min: Decimal
) -> None:
    with pytest.raises(DoseInputError, match="must be more than 0"):
        loading_plan(uk, preparations.get("20pct-ready"), dose_g=dose_g, duration_min=duration_min)


def test_a_full_uk_course_is_28_g(uk: Protocol) -> None:
    assert full_course_grams(uk) == D(28)


# --- g/h is computed, never typed (reference §3.2 trap) ---------------------------------------


def test_2_5_ml_per_h_of_20_percent_is_0_5_g_per_h_not_1() -> None:
    assert rate_g_per_h(D("0.2"), D("2.5")) == D("0.5")


def test_the_rate_check_shows_the_true_g_per_h_of_a_mislabelled_rate(uk: Protocol) -> None:
    check = check_maintenance_rate(uk, D("0.2"), D("2.5"))
    assert check.level == "confirm"
    assert check.messages == (
        "2.5 mL/h of 20% is 0.5 g/h, less than the protocol's 1 g/h: confirm this reduced rate "
        "is intended.",
    )


@given(
    st.sampled_from([D("0.08"), D("0.1"), D("0.2")]),
    st.decimals(min_value=D(0), max_value=D(500), places=2),
)
def test_g_per_h_is_concentration_times_ml_per_h(concentration: Decimal, rate: Decimal) -> None:
    assert rate_g_per_h(concentration, rate) == concentration * rate


def test_grams_for_a_rate_over_hours() -> None:
    assert grams_for_rate(D("0.1"), D(10), D("2.5")) == D("2.5")


def test_rate_g_per_h_refuses_a_negative_rate() -> None:
    with pytest.raises(DoseInputError, match="negative"):
        rate_g_per_h(D("0.2"), D(-5))


@given(
    st.decimals(min_value=D("0.5"), max_value=D(6), places=2),
    st.integers(min_value=5, max_value=60),
    st.sampled_from(["20pct-ready", "20pct-load-10pct-maint", "8pct-premixed"]),
)
def test_loading_volume_is_rate_times_duration(
    dose_g: Decimal, duration: int, preparation_id: str
) -> None:
    uk = LIBRARY.load("uk-nice-ng25")
    preparation = load_preparations_file(resource_path("preparations.toml")).get(preparation_id)
    plan = loading_plan(uk, preparation, dose_g=dose_g, duration_min=D(duration))
    pumped_ml = plan.rate_ml_per_h * D(duration) / 60
    # Rounding the rate to 0.01 mL/h moves the pumped volume by at most 0.005 × hours.
    assert abs(pumped_ml - dose_g / preparation.loading.concentration_g_per_ml) <= D("0.005") * (
        D(duration) / 60
    ) + D("1e-20")
    if not any("rounded" in w for w in plan.warnings):
        assert pumped_ml == plan.volume_ml
        assert plan.volume_ml * plan.concentration_g_per_ml == dose_g


@pytest.mark.parametrize("protocol_id", LIBRARY.ids())
def test_every_maintenance_plan_delivers_the_protocol_rate(
    protocol_id: str, preparations: PreparationSet
) -> None:
    protocol = LIBRARY.load(protocol_id)
    for preparation in preparations.preparations:
        plan = maintenance_plan(protocol, preparation)
        assert plan.rate_ml_per_h * plan.concentration_g_per_ml == (
            protocol.maintenance.rate_g_per_h.value
        )


# --- loading limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose_g", "level"),
    [
        (D(4), "ok"),  # the protocol dose
        (D("4.01"), "confirm"),  # above the soft limit (4 g)
        (D(6), "confirm"),  # at the hard limit (6 g): still allowed with confirmation
        (D("6.01"), "refuse"),  # above the hard limit
        (D(40), "refuse"),  # "40" for "4.0"
        (D("3.99"), "confirm"),  # less than the protocol dose
        (D(0), "refuse"),
    ],
)
def test_loading_dose_limits_on_both_sides(uk: Protocol, dose_g: Decimal, level: str) -> None:
    assert check_loading(uk, dose_g, D(15)).level == level


@pytest.mark.parametrize(
    ("duration_min", "level"),
    [
        (D(15), "ok"),
        (D("14.99"), "confirm"),  # faster than the soft minimum (15 min)
        (D(5), "confirm"),  # at the hard minimum (5 min, [D1])
        (D("4.99"), "refuse"),
        (D(0), "refuse"),
        (D("15.01"), "confirm"),  # slower than the protocol
    ],
)
def test_loading_duration_limits_on_both_sides(
    uk: Protocol, duration_min: Decimal, level: str
) -> None:
    assert check_loading(uk, D(4), duration_min).level == level


def test_a_refused_loading_dose_says_why_with_numbers(uk: Protocol) -> None:
    check = check_loading(uk, D(8), D(15))
    assert check.refused
    assert check.messages[0].startswith(
        "A loading dose of 8 g is more than the hard limit of 6 g: refused."
    )


def test_a_refusal_and_a_confirmation_are_both_reported(uk: Protocol) -> None:
    check = check_loading(uk, D(8), D(10))
    assert check.level == "refuse"
    assert len(check.messages) == 2


# --- maintenance limits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("concentration", "rate_ml_per_h", "level"),
    [
        (D("0.2"), D(5), "ok"),  # 1 g/h
        (D("0.2"), D("5.05"), "confirm"),  # 1.01 g/h, above the soft limit
        (D("0.2"), D(10), "confirm"),  # 2 g/h, at the hard limit
        (D("0.2"), D("10.05"), "refuse"),  # 2.01 g/h
        (D("0.2"), D("4.95"), "confirm"),  # 0.99 g/h, a reduced rate
        (D("0.1"), D(10), "ok"),  # 10% at 10 mL/h is 1 g/h
        (D("0.1"), D(20), "confirm"),
        (D("0.08"), D("12.5"), "ok"),
        (D("0.2"), D(0), "refuse"),
        (D("0.21"), D(5), "refuse"),  # stronger than 20%: fixed rule
        (D("0.5"), D(2), "refuse"),  # 50% undiluted, even at 1 g/h
    ],
)
def test_maintenance_rate_limits_on_both_sides(
    uk: Protocol, concentration: Decimal, rate_ml_per_h: Decimal, level: str
) -> None:
    assert check_maintenance_rate(uk, concentration, rate_ml_per_h).level == level


def test_a_rate_typed_for_another_concentration_is_refused_in_plain_words(uk: Protocol) -> None:
    check = check_maintenance_rate(uk, D("0.2"), D(50))
    assert check.messages == (
        "50 mL/h of 20% is 10 g/h, more than the hard limit of 2 g/h: refused. Check for a "
        "decimal point or a rate typed for another concentration.",
    )


def test_more_than_20_percent_is_refused_whatever_the_rate(uk: Protocol) -> None:
    check = check_maintenance_rate(uk, D("0.5"), D(2))
    assert check.refused
    assert "diluted to 20% or less" in check.messages[0]


def test_40_is_a_valid_number_but_40_ml_per_h_of_20_percent_is_refused(uk: Protocol) -> None:
    typed = parse_decimal_input("40", field_label="Maintenance rate", unit="mL/h")
    assert typed == D(40)
    check = check_maintenance_rate(uk, D("0.2"), typed)
    assert check.refused
    assert check.messages[0].startswith("40 mL/h of 20% is 8 g/h")


def test_4_0_is_the_intended_4_ml_per_h(uk: Protocol) -> None:
    typed = parse_decimal_input("4.0", field_label="Maintenance rate", unit="mL/h")
    assert (
        check_maintenance_rate(uk, D("0.2"), typed)
        .messages[0]
        .startswith("4 mL/h of 20% is 0.8 g/h")
    )


# --- strict number input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("4", D(4)), ("4.0", D(4)), ("12.5", D("12.5")), ("0.25", D("0.25")), (" 5 ", D(5))],
)
def test_parse_decimal_input_accepts_plain_numbers(text: str, value: Decimal) -> None:
    assert parse_decimal_input(text, field_label="Rate", unit="mL/h") == value


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("1..5", "more than one decimal point"),
        ("4,0", "use a point for decimals, e.g. 4.0"),
        ("1,000", "no thousands separators"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("abc", "is not a number"),
        ("-1", "is negative"),
        ("1e3", "exponent"),
        ("+5", "plus sign"),
        ("1 5", "space inside"),
        ("4.123", "3 decimal places; use at most 2"),
        (".5", "write 0.5"),
        ("5.", "ends with a point"),
        ("4mL/h", "type the number only"),
        ("5 mL/h", "type the number only"),
        ("٤", "digits other than 0-9"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
    ],
)
def test_parse_decimal_input_refuses_with_a_specific_message(text: str, message_part: str) -> None:
    with pytest.raises(DoseInputError) as caught:
        parse_decimal_input(text, field_label="Maintenance rate", unit="mL/h")
    assert message_part in str(caught.value)
    assert str(caught.value).startswith("Maintenance rate")


@given(st.text(max_size=10))
def test_parse_decimal_input_raises_only_dose_input_error(text: str) -> None:
    try:
        value = parse_decimal_input(text, field_label="Dose", unit="g")
    except DoseInputError:
        return
    assert value >= 0
    assert value == value.quantize(D("0.01"))


def test_formatting_helpers_never_show_an_exponent() -> None:
    assert plain(D("100")) == "100"
    assert plain(D("20.00")) == "20"
    assert percent_label(D("0.08")) == "8%"


# --- the stop time (decisions.md §4; WC-12) ---------------------------------------------------


def test_wc12_stop_is_24_h_from_the_start_of_maintenance(uk: Protocol) -> None:
    due = stop_due_at(
        uk,
        load_started_at=local("2025-01-10 10:00"),
        maintenance_started_at=local("2025-01-10 10:15"),
    )
    assert due == local("2025-01-11 10:15")


def test_the_load_start_anchor_counts_from_the_load(uk: Protocol) -> None:
    maintenance = uk.maintenance.model_copy(update={"stop_anchor": "load-start"})
    by_load = uk.model_copy(update={"maintenance": maintenance})
    due = stop_due_at(
        by_load,
        load_started_at=local("2025-01-10 10:00"),
        maintenance_started_at=local("2025-01-10 10:15"),
    )
    assert due == local("2025-01-11 10:00")


def test_no_stop_time_until_the_anchor_is_recorded(uk: Protocol) -> None:
    assert (
        stop_due_at(uk, load_started_at=local("2025-01-10 10:00"), maintenance_started_at=None)
        is None
    )


def test_a_naive_start_time_is_refused(uk: Protocol) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        stop_due_at(uk, load_started_at=None, maintenance_started_at=datetime(2025, 1, 10, 10, 15))


@pytest.mark.parametrize(
    ("start", "local_due"),
    [
        ("2026-03-28 12:00", "2026-03-29 13:00"),  # clocks go forward: 24 h later reads 13:00
        ("2026-10-24 12:00", "2026-10-25 11:00"),  # clocks go back: 24 h later reads 11:00
    ],
)
def test_the_24_h_stop_is_real_time_across_clock_changes(
    uk: Protocol, start: str, local_due: str
) -> None:
    started = local(start)
    due = stop_due_at(uk, load_started_at=started, maintenance_started_at=started)
    assert due is not None
    assert elapsed_hours(started, due) == D(24)
    assert to_local(due).strftime("%Y-%m-%d %H:%M") == local_due


def test_the_stop_time_is_utc(uk: Protocol) -> None:
    started = datetime(2026, 7, 1, 9, 0, tzinfo=LONDON)
    due = stop_due_at(uk, load_started_at=started, maintenance_started_at=started)
    assert due is not None and due.tzinfo is UTC


def test_wc12_birth_before_24_h_gives_about_14_4_g(uk: Protocol) -> None:
    hours = elapsed_hours(local("2025-01-10 10:15"), local("2025-01-10 20:40"))
    total = uk.loading.dose_g.value + grams_for_rate(D("0.1"), D(10), hours)
    assert total.quantize(D("0.1")) == D("14.4")


def test_wc12_a_full_course_of_profile_a_needs_five_maintenance_syringes(
    uk: Protocol, preparations: PreparationSet
) -> None:
    maintenance_g = full_course_grams(uk) - uk.loading.dose_g.value
    container_g = preparations.get("20pct-load-10pct-maint").maintenance.container_dose_g
    assert maintenance_g == D(24)
    assert containers_needed(maintenance_g, container_g) == 5


@pytest.mark.parametrize(
    ("total_g", "expected"), [(D(24), 5), (D(25), 5), (D("25.01"), 6), (D(0), 0), (D(1), 1)]
)
def test_containers_needed_rounds_up(total_g: Decimal, expected: int) -> None:
    assert containers_needed(total_g, D(5)) == expected


def test_pre_eclampsia_alone_keeps_the_stop_at_birth(uk: Protocol) -> None:
    # Decisions.md §4: only severe pre-eclampsia recorded as its own indication by a named
    # senior (with a stop plan, core.monitoring.stop_plan) replaces the stop at birth.
    assert stops_at_birth(uk, {ConditionId.PRE_ECLAMPSIA}) is True


def test_without_pre_eclampsia_the_infusion_stops_at_birth(uk: Protocol) -> None:
    assert stops_at_birth(uk, {ConditionId.RENAL_IMPAIRMENT}) is True
    assert stops_at_birth(uk, set()) is True


def test_pre_eclampsia_keeps_the_stop_at_birth_even_if_the_protocol_omits_its_rule(
    uk: Protocol,
) -> None:
    conditions = tuple(c for c in uk.conditions if c.id is not ConditionId.PRE_ECLAMPSIA)
    bare = uk.model_copy(update={"conditions": conditions})
    assert stops_at_birth(bare, {ConditionId.PRE_ECLAMPSIA}) is True


# --- repeat courses (decisions.md §8) ---------------------------------------------------------

LAST_STOP = datetime(2025, 1, 10, 18, 0, tzinfo=UTC)


def test_a_first_course_is_not_a_repeat(uk: Protocol) -> None:
    check = check_repeat_course(uk, previous_stops=[], now=LAST_STOP, cumulative_hours=D(0))
    assert (check.allowed, check.needs_senior, check.messages) == (True, False, ())


@pytest.mark.parametrize(
    ("gap", "allowed"),
    [
        (timedelta(hours=6), False),  # "more than 6 h" [T1]: exactly 6 h is not enough
        (timedelta(hours=6, minutes=1), True),
        (timedelta(hours=2), False),
        (timedelta(days=6), True),  # WC-7: six days later
    ],
)
def test_a_repeat_needs_more_than_the_minimum_gap(
    uk: Protocol, gap: timedelta, allowed: bool
) -> None:
    check = check_repeat_course(
        uk, previous_stops=[LAST_STOP], now=LAST_STOP + gap, cumulative_hours=D(8)
    )
    assert check.allowed is allowed
    assert check.needs_senior


def test_a_refused_gap_says_how_long_ago_and_the_rule(uk: Protocol) -> None:
    check = check_repeat_course(
        uk,
        previous_stops=[LAST_STOP],
        now=LAST_STOP + timedelta(hours=4, minutes=30),
        cumulative_hours=D(8),
    )
    assert any("ended 4.5 h ago" in m and "more than 6 h" in m for m in check.messages)


def test_the_gap_counts_from_the_latest_stop(uk: Protocol) -> None:
    earlier = LAST_STOP - timedelta(days=3)
    check = check_repeat_course(
        uk,
        previous_stops=[LAST_STOP, earlier],
        now=LAST_STOP + timedelta(hours=1),
        cumulative_hours=D(30),
    )
    assert not check.allowed


def test_a_protocol_without_repeat_courses_refuses_and_says_so() -> None:
    sogc = LIBRARY.load("sogc-2019")
    check = check_repeat_course(
        sogc,
        previous_stops=[LAST_STOP],
        now=LAST_STOP + timedelta(days=2),
        cumulative_hours=D(24),
    )
    assert not check.allowed
    assert check.needs_senior
    assert any("does not support a repeat course" in m for m in check.messages)
    assert any("senior clinician may still decide" in m for m in check.messages)


@pytest.mark.parametrize(("hours", "warned"), [(D("95.9"), False), (D(96), True), (D(130), True)])
def test_cumulative_exposure_warns_from_80_percent_of_5_days(
    uk: Protocol, hours: Decimal, warned: bool
) -> None:
    assert D(5) * 24 * CUMULATIVE_WARNING_FRACTION == D(96)
    check = check_repeat_course(
        uk, previous_stops=[LAST_STOP], now=LAST_STOP + timedelta(days=1), cumulative_hours=hours
    )
    assert any("Cumulative MgSO4 exposure" in m for m in check.messages) is warned
    assert check.allowed  # a warning, never a refusal


def test_a_check_before_the_last_stop_is_an_error(uk: Protocol) -> None:
    with pytest.raises(ValueError, match="before the last infusion ended"):
        check_repeat_course(
            uk,
            previous_stops=[LAST_STOP],
            now=LAST_STOP - timedelta(minutes=1),
            cumulative_hours=D(8),
        )
