"""Audit metric definitions against hand-computed expectations on small crafted records.

Every test runs through both readers (read-only SQL and the core fold), so a number on the audit
screen means the same whichever path computed it. Times are UTC; the display zone is London.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from audit_builders import EpisodeBuilder, utc

from mgso4.audit.data import Method, compute_metrics, load_audit_data
from mgso4.audit.facts import BabyRef, GestationBand, band_for
from mgso4.audit.metrics import Filters, Metrics, MetricValue, OutcomeFilter
from mgso4.core.episode import StopReason
from mgso4.core.gestation import GestationalAge
from mgso4.core.outcome import AnznnCode, TimingClass
from mgso4.core.vocab import Situation
from mgso4.storage import RuleRefusedError, Store


@pytest.fixture(params=["sql", "fold"])
def method(request: pytest.FixtureRequest) -> Method:
    """Each definition is checked through both readers."""
    method: Method = request.param
    return method


def metrics_of(store: Store, method: Method, **kwargs: Any) -> Metrics:
    return compute_metrics(store, method=method, **kwargs)


def episode(at: str, gestation_days: int, **kwargs: Any) -> EpisodeBuilder:
    """An episode created at ``at`` whose gestation is ``gestation_days`` on the birth date."""
    created = utc(at)
    birth_date = kwargs.pop("birth_date", created.date())
    return EpisodeBuilder(
        created_at=created,
        gestation_days_at_birth_date=gestation_days,
        birth_date=birth_date,
        **kwargs,
    )


def refs(value: MetricValue) -> set[tuple[str, int]]:
    return {(ref.episode_uuid, ref.baby) for ref in value.numerator}


def denominator(value: MetricValue) -> set[tuple[str, int]]:
    return {(ref.episode_uuid, ref.baby) for ref in value.denominator}


# --- counting unit: babies ---------------------------------------------------------------------


def test_twins_give_two_rows_from_one_maternal_episode(store: Store, method: Method) -> None:
    twins = episode("2026-05-01 08:00", 27 * 7, plurality=2)
    twins.course(utc("2026-05-01 09:00"), utc("2026-05-01 15:20"))
    twins.birth(utc("2026-05-01 15:00"), baby=1)
    twins.birth(utc("2026-05-01 15:20"), baby=2)
    twins.save(store)

    metrics = metrics_of(store, method)

    nnap = metrics.measures["nnap"]
    assert (nnap.n, nnap.d) == (2, 2)
    assert denominator(nnap) == {(twins.episode_uuid, 1), (twins.episode_uuid, 2)}
    assert (metrics.babies, metrics.episodes) == (2, 1)


def test_each_twin_is_classified_on_its_own_birth_time(store: Store, method: Method) -> None:
    # The load starts 4 h 10 min before twin 1 (optimal) and 24 h 30 min before twin 2.
    twins = episode("2026-05-01 06:00", 27 * 7, plurality=2, birth_date=date(2026, 5, 2))
    twins.course(utc("2026-05-01 08:00"), utc("2026-05-02 08:15"), reason=StopReason.MAX_DURATION)
    twins.birth(utc("2026-05-01 12:10"), baby=1)
    twins.birth(utc("2026-05-02 08:30"), baby=2)
    twins.save(store)

    metrics = metrics_of(store, method)

    assert refs(metrics.measures["periprem_optimal"]) == {(twins.episode_uuid, 1)}
    assert refs(metrics.anznn[AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H]) == {
        (twins.episode_uuid, 2)
    }


# --- NNAP / BAPM population: born before 30+0 --------------------------------------------------


def test_birth_at_30_plus_0_is_outside_nnap_and_29_plus_6_inside(
    store: Store, method: Method
) -> None:
    at_29_6 = episode("2026-04-10 08:00", 29 * 7 + 6)
    at_30_0 = episode("2026-04-10 08:00", 30 * 7)
    for built in (at_29_6, at_30_0):
        built.course(utc("2026-04-10 09:00"), utc("2026-04-10 16:00"))
        built.birth(utc("2026-04-10 16:00"))
        built.save(store)

    metrics = metrics_of(store, method)

    assert denominator(metrics.measures["nnap"]) == {(at_29_6.episode_uuid, 1)}
    assert denominator(metrics.measures["periprem_optimal"]) == {(at_29_6.episode_uuid, 1)}
    assert metrics.babies == 2


# --- the 24 h window ---------------------------------------------------------------------------


def test_course_stopped_exactly_24h_before_birth_is_expired_not_nnap(
    store: Store, method: Method
) -> None:
    built = episode("2026-02-01 09:00", 27 * 7, birth_date=date(2026, 2, 2))
    built.course(
        utc("2026-02-01 10:00"), utc("2026-02-01 20:00"), reason=StopReason.NO_LONGER_IMMINENT
    )
    built.birth(utc("2026-02-02 20:00"))
    built.save(store)

    metrics = metrics_of(store, method)

    row = metrics.rows[0]
    assert row.timing_class is TimingClass.EXPIRED
    assert (metrics.measures["nnap"].n, metrics.measures["nnap"].d) == (0, 1)
    assert not row.missed
    assert [(r.code, r.count) for r in metrics.nnap_not_met_reasons] == [("G-EXPIRED", 1)]
    assert metrics.missed_reasons == ()


def test_course_stopped_a_minute_inside_the_window_counts_for_nnap(
    store: Store, method: Method
) -> None:
    built = episode("2026-02-01 09:00", 27 * 7, birth_date=date(2026, 2, 2))
    built.course(
        utc("2026-02-01 10:00"), utc("2026-02-01 20:00"), reason=StopReason.NO_LONGER_IMMINENT
    )
    built.birth(utc("2026-02-02 19:59"))
    built.save(store)

    metrics = metrics_of(store, method)

    assert (metrics.measures["nnap"].n, metrics.measures["nnap"].d) == (1, 1)
    assert metrics.rows[0].classification is not None
    assert metrics.rows[0].classification.anznn is AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H


# --- clock changes: real elapsed time ---------------------------------------------------------


def test_spring_clock_change_does_not_make_a_late_load_optimal(
    store: Store, method: Method
) -> None:
    # 23:00 GMT on 28 Mar to 03:59 BST on 29 Mar: 4 h 59 min on the wall, 3 h 59 min real.
    built = episode("2026-03-28 22:00", 26 * 7, birth_date=date(2026, 3, 29))
    built.course(utc("2026-03-28 23:00"), utc("2026-03-29 02:59"))
    built.birth(utc("2026-03-29 02:59"))
    built.save(store)

    metrics = metrics_of(store, method)

    row = metrics.rows[0]
    assert row.hours_load_to_birth == pytest.approx(3.98, abs=0.005)
    assert row.timing_class is TimingClass.LATE
    assert metrics.measures["periprem_optimal"].n == 0
    assert metrics.measures["nnap"].n == 1


def test_autumn_clock_change_does_not_make_an_optimal_load_late(
    store: Store, method: Method
) -> None:
    # 00:00 BST to 03:01 GMT on 25 Oct: 3 h 01 min on the wall, 4 h 01 min real.
    built = episode("2026-10-24 22:00", 26 * 7, birth_date=date(2026, 10, 25))
    built.course(utc("2026-10-24 23:00"), utc("2026-10-25 03:01"))
    built.birth(utc("2026-10-25 03:01"))
    built.save(store)

    metrics = metrics_of(store, method)

    assert metrics.rows[0].hours_load_to_birth == pytest.approx(4.02, abs=0.005)
    assert refs(metrics.measures["periprem_optimal"]) == {(built.episode_uuid, 1)}


def test_birth_date_filter_uses_the_local_calendar_date(store: Store, method: Method) -> None:
    # 23:30 UTC on 30 June is 00:30 BST on 1 July.
    built = episode("2026-06-30 18:00", 28 * 7, birth_date=date(2026, 7, 1))
    built.course(utc("2026-06-30 19:00"), utc("2026-06-30 23:30"))
    built.birth(utc("2026-06-30 23:30"))
    built.save(store)

    june = metrics_of(store, method, date_from=date(2026, 6, 1), date_to=date(2026, 6, 30))
    july = metrics_of(store, method, date_from=date(2026, 7, 1), date_to=date(2026, 7, 31))

    assert (june.babies, july.babies) == (0, 1)
    assert [p.month for p in july.monthly_nnap] == ["2026-07"]


# --- missed cases and reasons ------------------------------------------------------------------


def test_missed_case_takes_its_recorded_reason_and_avoidability(
    store: Store, method: Method
) -> None:
    built = episode("2026-01-05 10:00", 28 * 7)
    built.not_given("NG-NOT-CONSIDERED", utc("2026-01-05 10:10"))
    built.birth(utc("2026-01-05 20:00"))
    built.save(store)

    metrics = metrics_of(store, method)

    row = metrics.rows[0]
    assert row.missed
    assert row.reason is not None
    assert (row.reason.code, row.reason.group) == ("NG-NOT-CONSIDERED", "avoidable")
    assert [(r.code, r.group, r.count) for r in metrics.missed_reasons] == [
        ("NG-NOT-CONSIDERED", "avoidable", 1)
    ]


def test_missed_case_without_a_recorded_reason_is_unknown_for_review(
    store: Store, method: Method
) -> None:
    built = episode("2026-01-05 10:00", 28 * 7)
    built.not_given(None, utc("2026-01-05 10:10"))
    built.birth(utc("2026-01-05 20:00"))
    built.save(store)

    metrics = metrics_of(store, method)

    assert [(r.code, r.group) for r in metrics.missed_reasons] == [("UNKNOWN", "review")]


def test_not_given_at_30_weeks_or_more_is_not_a_missed_case(store: Store, method: Method) -> None:
    built = episode("2026-01-05 10:00", 31 * 7)
    built.not_given("NG-DECLINED", utc("2026-01-05 10:10"))
    built.birth(utc("2026-01-05 20:00"))
    built.save(store)

    metrics = metrics_of(store, method)

    assert not metrics.rows[0].missed
    assert metrics.missed_reasons == ()
    assert metrics.measures["nnap"].d == 0


# --- PERIPrem "could it have been optimal?" ------------------------------------------------------


def test_could_have_been_optimal_depends_on_time_from_eligibility_to_birth(
    store: Store, method: Method
) -> None:
    quick = episode("2026-01-05 10:00", 28 * 7)
    quick.not_given("NG-IMMINENT", utc("2026-01-05 10:05"))
    quick.birth(utc("2026-01-05 13:00"))  # 3 h after eligibility
    slow = episode("2026-01-05 10:00", 28 * 7)
    slow.not_given("NG-NOT-CONSIDERED", utc("2026-01-05 10:05"))
    slow.birth(utc("2026-01-05 20:00"))  # 10 h after eligibility
    for built in (quick, slow):
        built.save(store)

    metrics = metrics_of(store, method)

    # Neither was given MgSO4: PERIPrem asks "could it have been optimal?" only when it was
    # given (decisions.md §10); the broader figure keeps its own name.
    assert metrics.measures["periprem_could_have_been_optimal"].d == 0
    broader = metrics.measures["optimal_timing_possible"]
    assert refs(broader) == {(slow.episode_uuid, 1)}
    assert denominator(broader) == {(quick.episode_uuid, 1), (slow.episode_uuid, 1)}
    assert metrics.measures["periprem_optimal_when_possible"].d == 0


def test_episode_recorded_after_the_birth_has_unknown_eligibility(
    store: Store, method: Method
) -> None:
    born_before_arrival = episode("2026-01-05 10:00", 28 * 7)
    born_before_arrival.not_given("NG-BBA", utc("2026-01-05 10:05"))
    born_before_arrival.birth(utc("2026-01-05 09:30"))
    born_before_arrival.save(store)

    metrics = metrics_of(store, method)

    assert metrics.rows[0].eligible_from is None
    assert metrics.measures["periprem_could_have_been_optimal"].d == 0
    assert metrics.measures["bapm_optimal"].d == 1


# --- NICE QS135 --------------------------------------------------------------------------------


def test_qs135_a_counts_any_receipt_but_b_needs_the_24h_window(
    store: Store, method: Method
) -> None:
    labour = episode("2026-03-01 08:00", 28 * 7, birth_date=date(2026, 3, 3))
    planned = episode(
        "2026-03-01 08:00",
        28 * 7,
        birth_date=date(2026, 3, 3),
        situation=Situation.PLANNED_BIRTH_WITHIN_24H,
    )
    for built in (labour, planned):
        built.course(utc("2026-03-01 09:00"), utc("2026-03-01 18:00"), reason=StopReason.OTHER)
        built.birth(utc("2026-03-03 09:00"))  # 39 h after the stop: expired
        built.save(store)

    metrics = metrics_of(store, method)

    qs_a, qs_b = metrics.measures["qs135_a"], metrics.measures["qs135_b"]
    assert (qs_a.n, qs_a.d) == (1, 1)
    assert refs(qs_a) == {(labour.episode_uuid, 1)}
    assert (qs_b.n, qs_b.d) == (0, 1)
    assert denominator(qs_b) == {(planned.episode_uuid, 1)}


# --- what is left out of denominators ----------------------------------------------------------


def test_pending_episode_is_listed_but_in_no_denominator(store: Store, method: Method) -> None:
    delivered = episode("2026-01-05 10:00", 28 * 7)
    delivered.course(utc("2026-01-05 11:00"), utc("2026-01-05 18:00"))
    delivered.birth(utc("2026-01-05 18:00"))
    pending = episode("2026-01-06 10:00", 28 * 7)
    pending.course(utc("2026-01-06 11:00"))
    for built in (delivered, pending):
        built.save(store)

    metrics = metrics_of(store, method)

    assert metrics.measures["nnap"].d == 1
    assert [p.episode_uuid for p in metrics.pending] == [pending.episode_uuid]
    assert metrics.pending[0].status == "MgSO₄ running"


def test_overlapping_courses_are_a_data_problem_outside_every_denominator(
    store: Store, method: Method
) -> None:
    built = episode("2026-01-05 08:00", 28 * 7)
    built.course(utc("2026-01-05 09:00"))  # never stopped
    built.course(utc("2026-01-05 12:00"), utc("2026-01-05 18:00"), number=2)
    built.birth(utc("2026-01-05 18:00"))
    built.save_unchecked(store)  # the rules refuse a second course while one runs

    metrics = metrics_of(store, method)

    assert metrics.babies == 0
    assert metrics.measures["nnap"].d == 0
    assert len(metrics.problems) == 1
    assert "course 1 is still running" in (metrics.problems[0].problem or "")


def test_store_refuses_a_second_course_while_the_first_runs(store: Store) -> None:
    built = episode("2026-01-05 08:00", 28 * 7)
    built.course(utc("2026-01-05 09:00"))  # never stopped
    built.course(utc("2026-01-05 12:00"), utc("2026-01-05 18:00"), number=2)

    with pytest.raises(RuleRefusedError, match="Course 1 is running"):
        built.save(store)

    assert store.counts()["events"] == 0


# --- corrections -------------------------------------------------------------------------------


def test_amended_birth_time_is_used(store: Store, method: Method) -> None:
    built = episode("2026-01-05 08:00", 28 * 7)
    # Stopped on review (a stop "at birth" before the corrected birth would be refused).
    built.course(utc("2026-01-05 09:00"), utc("2026-01-05 12:00"), reason=StopReason.OTHER)
    birth_uuid = built.birth(utc("2026-01-05 12:00"))  # 3 h: late
    built.amend_time(birth_uuid, utc("2026-01-05 14:00"), utc("2026-01-05 16:00"))  # 5 h
    built.save(store)

    metrics = metrics_of(store, method)

    assert metrics.rows[0].birth.born_at == utc("2026-01-05 14:00")
    assert metrics.measures["periprem_optimal"].n == 1  # load 5 h before the corrected birth


def test_voided_birth_leaves_the_episode_pending(store: Store, method: Method) -> None:
    built = episode("2026-01-05 08:00", 28 * 7)
    birth_uuid = built.birth(utc("2026-01-05 12:00"))
    built.void(birth_uuid, utc("2026-01-05 12:30"))
    built.save(store)

    metrics = metrics_of(store, method)

    assert metrics.babies == 0
    assert [p.episode_uuid for p in metrics.pending] == [built.episode_uuid]


# --- filters -----------------------------------------------------------------------------------


def test_band_and_outcome_filters_select_babies(store: Store, method: Method) -> None:
    optimal = episode("2026-01-05 08:00", 27 * 7)
    optimal.course(utc("2026-01-05 09:00"), utc("2026-01-05 15:00"))
    optimal.birth(utc("2026-01-05 15:00"))
    missed = episode("2026-01-05 08:00", 25 * 7)
    missed.not_given("NG-UNAVAILABLE", utc("2026-01-05 08:30"))
    missed.birth(utc("2026-01-05 15:00"))
    for built in (optimal, missed):
        built.save(store)
    data = load_audit_data(store, method=method)

    week_27 = data.metrics(filters=Filters(bands=frozenset({GestationBand.WEEK_27})))
    only_missed = data.metrics(filters=Filters(outcome=OutcomeFilter.MISSED))

    assert [r.ref for r in week_27.rows] == [BabyRef(optimal.episode_uuid, 1)]
    assert [r.ref for r in only_missed.rows] == [BabyRef(missed.episode_uuid, 1)]


def test_workstation_filter_keeps_only_that_workstations_episodes(
    store: Store, method: Method
) -> None:
    built = episode("2026-01-05 08:00", 27 * 7)
    built.birth(utc("2026-01-05 15:00"))
    built.save(store)
    data = load_audit_data(store, method=method)

    assert data.workstations == ["test-ws"]
    assert data.metrics(filters=Filters(workstations=frozenset({"test-ws"}))).babies == 1
    assert data.metrics(filters=Filters(workstations=frozenset({"elsewhere"}))).babies == 0


def test_start_date_after_end_date_is_refused(db_path: Path, store: Store) -> None:
    with pytest.raises(ValueError, match="start date 2026-02-01 is after the end date"):
        compute_metrics(db_path, date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))


# --- bands: explicit cut-points on both sides --------------------------------------------------


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("23+6", GestationBand.UNDER_24),
        ("24+0", GestationBand.FROM_24_TO_26),
        ("26+6", GestationBand.FROM_24_TO_26),
        ("27+0", GestationBand.WEEK_27),
        ("27+6", GestationBand.WEEK_27),
        ("28+0", GestationBand.FROM_28_TO_29),
        ("29+6", GestationBand.FROM_28_TO_29),
        ("30+0", GestationBand.FROM_30_TO_31),
        ("31+6", GestationBand.FROM_30_TO_31),
        ("32+0", GestationBand.FROM_32_TO_33),
        ("33+6", GestationBand.FROM_32_TO_33),
        ("34+0", GestationBand.FROM_34),
    ],
)
def test_gestation_band_cut_points(label: str, band: GestationBand) -> None:
    assert band_for(GestationalAge.parse(label)) is band


def test_unknown_gestation_has_its_own_band() -> None:
    assert band_for(None) is GestationBand.UNKNOWN


# --- percentages and small-number suppression --------------------------------------------------


def _value(n: int, d: int) -> MetricValue:
    babies = tuple(BabyRef(f"e{i}", 1) for i in range(d))
    return MetricValue("m", "M", "definition", numerator=babies[:n], denominator=babies)


def test_percentage_is_rounded_half_up_to_one_decimal() -> None:
    assert str(_value(1, 8).percentage) == "12.5"
    assert str(_value(2, 3).percentage) == "66.7"
    assert _value(0, 0).percentage is None


def test_suppression_hides_small_counts_and_members() -> None:
    shown = _value(3, 10).as_dict(suppress_below=5)

    assert (shown["numerator"], shown["denominator"], shown["percentage"]) == ("<5", 10, None)
    assert "numerator_babies" not in shown


def test_suppression_hides_a_small_complement_as_a_range() -> None:
    shown = _value(8, 10).as_dict(suppress_below=5)

    assert (shown["numerator"], shown["denominator"], shown["percentage"]) == (">5", 10, None)


def test_counts_at_or_above_the_threshold_are_shown() -> None:
    shown = _value(6, 12).as_dict(suppress_below=5)

    assert (shown["numerator"], shown["denominator"], shown["percentage"]) == (6, 12, 50.0)


def test_metrics_as_dict_lists_the_babies_behind_each_number(store: Store) -> None:
    built = episode("2026-01-05 08:00", 27 * 7)
    built.course(utc("2026-01-05 09:00"), utc("2026-01-05 15:00"))
    built.birth(utc("2026-01-05 15:00"))
    built.save(store)

    report = compute_metrics(store).as_dict()

    nnap = report["measures"]["nnap"]  # type: ignore[index]
    assert nnap["numerator_babies"] == [{"episode_uuid": built.episode_uuid, "baby": 1}]
    assert report["counting_unit"].startswith("baby")  # type: ignore[index]


def test_monthly_points_cover_every_month_between_first_and_last_birth(store: Store) -> None:
    for month in (1, 3):
        built = episode(f"2026-0{month}-05 08:00", 27 * 7)
        built.course(utc(f"2026-0{month}-05 09:00"), utc(f"2026-0{month}-05 15:00"))
        built.birth(utc(f"2026-0{month}-05 15:00"))
        built.save(store)

    points = compute_metrics(store).monthly_nnap

    assert [(p.month, p.denominator) for p in points] == [
        ("2026-01", 1),
        ("2026-02", 0),
        ("2026-03", 1),
    ]
    assert points[1].percentage is None


def test_wc23_qs135_counts_a_mother_of_twins_once(store: Store, method: Method) -> None:
    # WC-23 (decisions.md §10; [N2]): QS135's denominator is women, not babies.
    twins = episode("2026-05-01 08:00", 27 * 7, plurality=2)
    twins.course(utc("2026-05-01 09:00"), utc("2026-05-01 15:20"))
    twins.birth(utc("2026-05-01 15:00"), baby=1)
    twins.birth(utc("2026-05-01 15:20"), baby=2)
    twins.save(store)

    metrics = metrics_of(store, method)

    qs135 = metrics.measures["qs135_a"]
    assert (qs135.n, qs135.d) == (1, 1)
    assert metrics.measures["nnap"].d == 2  # NNAP stays per baby


def test_wc25_a_baby_under_comfort_care_is_outside_nnap_and_counted_as_excluded(
    store: Store, method: Method
) -> None:
    # WC-25 (decisions.md §10; reference §4.1, inclusion wording UNVERIFIED): NNAP counts babies
    # admitted for neonatal care; a 22+6 birth under comfort care is excluded and counted.
    from mgso4.core.episode import Birth, EventType

    comfort = episode("2026-03-01 08:00", 23 * 7 + 1)
    comfort._add(
        EventType.BIRTH, Birth(baby=1, neonatal_care="comfort-care"), utc("2026-03-01 09:00")
    )
    admitted = episode("2026-03-02 08:00", 27 * 7)
    admitted._add(EventType.BIRTH, Birth(baby=1, neonatal_care="admitted"), utc("2026-03-02 09:00"))
    for built in (comfort, admitted):
        built.save(store)

    metrics = metrics_of(store, method)

    assert denominator(metrics.measures["nnap"]) == {(admitted.episode_uuid, 1)}
    assert refs(metrics.measures["nnap_excluded"]) == {(comfort.episode_uuid, 1)}
