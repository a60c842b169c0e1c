"""Audit classification (decisions.md §10) and the missed-case taxonomy (reference §3.3).

Worked cases are reference §9 (WC-1, WC-2, WC-5, WC-6, WC-7), dated from the agreed EDD
2025-03-01 used there (LMP-equivalent 2024-05-25). Boundaries are tested on both
sides: gestation 29+6 / 30+0 (and 23+6 / 24+0 for QS135), the 24 h window and the 4 h lead,
each at one minute inside, exactly on, and one minute outside.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mgso4.core.gestation import GestationalAge
from mgso4.core.outcome import (
    DEFAULT_MISSED_REASONS,
    AnznnCode,
    Avoidability,
    Classification,
    Course,
    MissedReason,
    TimingClass,
    avoidable_group,
    classify,
    is_missed_case,
)
from mgso4.core.timeutil import LONDON, parse_local_datetime
from mgso4.core.vocab import Situation

BIRTH = datetime(2026, 1, 10, 16, 0, tzinfo=UTC)
GA_28_0 = GestationalAge.of(28, 0)
MINUTE = timedelta(minutes=1)
H4 = timedelta(hours=4)
H24 = timedelta(hours=24)


def local(text: str, fold: int | None = None) -> datetime:
    """A London wall time as the UTC instant it means."""
    return parse_local_datetime(text, LONDON, fold=fold)


def ga(text: str) -> GestationalAge:
    return GestationalAge.parse(text)


def before_birth(delta: timedelta) -> datetime:
    return BIRTH - delta


def classify_one(
    load_start: datetime,
    stop: datetime | None = None,
    *,
    gestation_at_birth: GestationalAge = GA_28_0,
    **kwargs: Any,
) -> Classification:
    return classify(
        birth_at=BIRTH,
        gestation_at_birth=gestation_at_birth,
        courses=[Course(load_start=load_start, stop=stop)],
        **kwargs,
    )


# --- worked cases (reference §9) --------------------------------------------------------------

WORKED_CASES = [
    pytest.param(
        {
            "birth_at": local("2024-12-03 16:00"),
            "gestation_at_birth": ga("27+3"),
            "gestation_at_decision": ga("27+3"),
            "situation": Situation.ESTABLISHED_LABOUR,
            "courses": [Course(load_start=local("2024-12-03 10:00"), stop=None)],
        },
        {
            "nnap": {"eligible": True, "met": True},
            "qs135": {"eligible": True, "measure": "a", "met": True},
            "bapm_optimal": {"eligible": True, "met": True},
            "periprem_optimal": {
                "eligible": True,
                "met": True,
                "could_have_been_optimal": True,
            },
            "anznn": "started-4-to-24h-before-birth",
        },
        None,
        id="WC-1 load 10:00 birth 16:00",
    ),
    pytest.param(
        {
            "birth_at": local("2024-12-21 14:00"),
            "gestation_at_birth": ga("30+0"),
            "gestation_at_decision": ga("29+6"),
            "situation": Situation.PLANNED_BIRTH_WITHIN_24H,
            "courses": [Course(load_start=local("2024-12-21 08:00"), stop=None)],
        },
        {
            "nnap": {"eligible": False, "met": False},
            "qs135": {"eligible": True, "measure": "b", "met": True},
            "bapm_optimal": {"eligible": False, "met": False},
            "periprem_optimal": {
                "eligible": False,
                "met": False,
                "could_have_been_optimal": None,
            },
            "anznn": "started-4-to-24h-before-birth",
        },
        None,
        id="WC-2 decision 29+6 birth 30+0",
    ),
    pytest.param(
        {
            "birth_at": local("2024-11-25 04:20"),
            "gestation_at_birth": ga("26+2"),
            "gestation_at_decision": ga("26+2"),
            "situation": Situation.ESTABLISHED_LABOUR,
            "eligible_from": local("2024-11-25 04:00"),
            "courses": [],
        },
        {
            "nnap": {"eligible": True, "met": False},
            "qs135": {"eligible": True, "measure": "a", "met": False},
            "bapm_optimal": {"eligible": True, "met": False},
            "periprem_optimal": {
                "eligible": True,
                "met": False,
                # PERIPrem asks "could it have been optimal?" only when MgSO4 was given
                # (decisions.md §10; the tool greys column L when K = No).
                "could_have_been_optimal": None,
            },
            "anznn": "not-given",
        },
        None,
        id="WC-5 born 20 min after arrival, not given",
    ),
    pytest.param(
        {
            "birth_at": local("2024-12-07 05:30"),
            "gestation_at_birth": ga("28+0"),
            "gestation_at_decision": ga("28+0"),
            "situation": Situation.ESTABLISHED_LABOUR,
            "eligible_from": local("2024-12-07 02:45"),
            "courses": [Course(load_start=local("2024-12-07 03:00"), stop=None)],
        },
        {
            "nnap": {"eligible": True, "met": True},
            "qs135": {"eligible": True, "measure": "a", "met": True},
            "bapm_optimal": {"eligible": True, "met": False},
            "periprem_optimal": {
                "eligible": True,
                "met": False,
                "could_have_been_optimal": False,
            },
            "anznn": "started-under-4h-before-birth",
        },
        TimingClass.LATE,
        id="WC-6 presents 02:45 load 03:00 birth 05:30",
    ),
    pytest.param(
        {
            "birth_at": local("2024-11-27 13:00"),
            "gestation_at_birth": ga("26+4"),
            "gestation_at_decision": ga("26+4"),
            "situation": Situation.ESTABLISHED_LABOUR,
            "courses": [
                Course(load_start=local("2024-11-21 10:00"), stop=local("2024-11-21 18:00")),
            ],
        },
        {
            "nnap": {"eligible": True, "met": False},
            "qs135": {"eligible": True, "measure": "a", "met": True},
            "bapm_optimal": {"eligible": True, "met": False},
            "periprem_optimal": {
                "eligible": True,
                "met": False,
                "could_have_been_optimal": None,
            },
            "anznn": "stopped-over-24h-before-birth",
        },
        TimingClass.EXPIRED,
        id="WC-7 course 1 only, stopped six days before birth",
    ),
    pytest.param(
        {
            "birth_at": local("2024-11-27 13:00"),
            "gestation_at_birth": ga("26+4"),
            "gestation_at_decision": ga("26+4"),
            "situation": Situation.ESTABLISHED_LABOUR,
            "courses": [
                Course(load_start=local("2024-11-21 10:00"), stop=local("2024-11-21 18:00")),
                Course(load_start=local("2024-11-27 10:00"), stop=None),
            ],
        },
        {
            "nnap": {"eligible": True, "met": True},
            "qs135": {"eligible": True, "measure": "a", "met": True},
            "bapm_optimal": {"eligible": True, "met": False},
            "periprem_optimal": {
                "eligible": True,
                "met": False,
                "could_have_been_optimal": None,
            },
            "anznn": "started-under-4h-before-birth",
        },
        TimingClass.LATE,
        id="WC-7 with course 2 started 3 h before birth",
    ),
]


@pytest.mark.parametrize(("inputs", "expected", "timing_class"), WORKED_CASES)
def test_worked_case_classification(
    inputs: dict[str, Any], expected: dict[str, object], timing_class: TimingClass | None
) -> None:
    result = classify(**inputs)
    added = {
        "periprem_received_any",
        "stop_time_missing",
        "nnap_excluded",
    }  # decisions.md §10, keys added
    assert {k: v for k, v in result.as_cli_dict().items() if k not in added} == expected
    assert result.timing_class is timing_class


@pytest.mark.parametrize(
    ("inputs", "given", "missed"),
    [
        pytest.param(WORKED_CASES[0].values[0], True, False, id="WC-1 given in time"),
        pytest.param(WORKED_CASES[2].values[0], False, True, id="WC-5 not given"),
        pytest.param(WORKED_CASES[3].values[0], True, False, id="WC-6 late is not missed"),
        pytest.param(WORKED_CASES[4].values[0], True, False, id="WC-7 expired is not missed"),
    ],
)
def test_worked_case_missed_case(inputs: dict[str, Any], given: bool, missed: bool) -> None:
    assert is_missed_case(classify(**inputs), given=given) is missed


# --- gestation boundaries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gestation", "eligible"),
    [("29+6", True), ("30+0", False)],
)
def test_nnap_bapm_and_periprem_eligibility_is_birth_before_30_weeks(
    gestation: str, eligible: bool
) -> None:
    result = classify_one(before_birth(timedelta(hours=6)), gestation_at_birth=ga(gestation))
    assert result.nnap.eligible is eligible
    assert result.periprem_optimal.eligible is eligible
    assert result.bapm_optimal.eligible is eligible


# --- BAPM: a loading dose and at least 4 h of infusion in the 24 h before birth (§10) ----------


@pytest.mark.parametrize(
    ("started_before_birth", "stopped_before_birth", "met"),
    [
        pytest.param(timedelta(hours=4), None, True, id="load 4 h before, running: exactly 4 h"),
        pytest.param(timedelta(hours=3, minutes=59), None, False, id="3 h 59 min of infusion"),
        pytest.param(timedelta(hours=10), timedelta(hours=5), True, id="5 h then stopped"),
        pytest.param(timedelta(hours=10), timedelta(hours=7), False, id="3 h then stopped"),
        pytest.param(timedelta(hours=23), None, True, id="load 23 h before, running"),
        pytest.param(timedelta(hours=30), None, False, id="load before the 24 h window"),
    ],
)
def test_bapm_optimal_needs_a_load_and_4_hours_of_infusion_inside_the_window(
    started_before_birth: timedelta, stopped_before_birth: timedelta | None, met: bool
) -> None:
    stop = None if stopped_before_birth is None else BIRTH - stopped_before_birth
    result = classify_one(BIRTH - started_before_birth, stop)
    assert result.bapm_optimal.met is met


def test_bapm_and_periprem_disagree_when_a_timely_load_was_stopped_early() -> None:
    # Load 10 h before birth, stopped after 2 h: PERIPrem times the start (optimal), BAPM counts
    # the infusion received (2 h < 4 h: not optimal). Two measures, as decisions.md §10 says.
    result = classify_one(BIRTH - timedelta(hours=10), BIRTH - timedelta(hours=8))
    assert (result.periprem_optimal.met, result.bapm_optimal.met) == (True, False)


def test_bapm_counts_a_restarted_maintenance_as_infusion_but_not_as_a_load() -> None:
    courses = [
        Course(load_start=BIRTH - timedelta(hours=6), stop=BIRTH - timedelta(hours=4)),
        Course(load_start=BIRTH - timedelta(hours=3), stop=None, loaded=False),
    ]
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=courses)
    assert result.bapm_optimal.met is True  # 2 h + 3 h of infusion, one load in the window
    only_restart = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=[courses[1]])
    assert only_restart.bapm_optimal.met is False
    assert only_restart.periprem_optimal.met is False


def test_met_is_false_when_not_eligible_even_if_timing_was_right() -> None:
    result = classify_one(before_birth(timedelta(hours=6)), gestation_at_birth=ga("30+0"))
    assert (result.nnap.met, result.periprem_optimal.met) == (False, False)
    assert result.anznn is AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH


@pytest.mark.parametrize(
    ("gestation", "eligible"),
    [("23+6", False), ("24+0", True), ("29+6", True), ("30+0", False)],
)
def test_qs135_eligibility_is_decision_gestation_24_0_to_29_6(
    gestation: str, eligible: bool
) -> None:
    result = classify_one(
        before_birth(timedelta(hours=6)),
        gestation_at_birth=ga("30+0"),
        gestation_at_decision=ga(gestation),
        situation=Situation.ESTABLISHED_LABOUR,
    )
    assert result.qs135.eligible is eligible


@pytest.mark.parametrize(
    ("situation", "measure"),
    [
        (Situation.ESTABLISHED_LABOUR, "a"),
        (Situation.PLANNED_BIRTH_WITHIN_24H, "b"),
        (Situation.SUSPECTED_LABOUR, None),
        (Situation.DIAGNOSED_LABOUR, None),
        (Situation.PPROM_NOT_IN_LABOUR, None),
        (None, None),
    ],
)
def test_qs135_measure_follows_the_qualifying_situation(
    situation: Situation | None, measure: str | None
) -> None:
    result = classify_one(
        before_birth(timedelta(hours=6)), gestation_at_decision=GA_28_0, situation=situation
    )
    assert result.qs135.measure == measure
    assert result.qs135.eligible is (measure is not None)
    assert result.qs135.met is (measure is not None)


def test_qs135_is_not_eligible_without_decision_gestation() -> None:
    result = classify_one(before_birth(timedelta(hours=6)), situation=Situation.ESTABLISHED_LABOUR)
    assert result.qs135.eligible is False
    assert result.qs135.measure is None


@pytest.mark.parametrize(
    ("situation", "met"),
    [(Situation.ESTABLISHED_LABOUR, True), (Situation.PLANNED_BIRTH_WITHIN_24H, False)],
)
def test_qs135_a_counts_any_receipt_but_b_needs_the_24h_window(
    situation: Situation, met: bool
) -> None:
    result = classify_one(
        before_birth(timedelta(hours=40)),
        stop=before_birth(timedelta(hours=30)),
        gestation_at_decision=GA_28_0,
        situation=situation,
    )
    assert result.qs135.met is met


def test_qs135_a_is_not_met_by_a_course_started_after_birth() -> None:
    result = classify_one(
        BIRTH + timedelta(hours=1),
        gestation_at_decision=GA_28_0,
        situation=Situation.ESTABLISHED_LABOUR,
    )
    assert result.qs135.met is False


# --- the 24 h window --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stopped_before_birth", "met"),
    [
        (H24 - MINUTE, True),
        (H24, False),  # stopped exactly as the window opens: nothing ran inside it
        (H24 + MINUTE, False),
    ],
    ids=["stopped-23h59-before", "stopped-24h00-before", "stopped-24h01-before"],
)
def test_nnap_window_edge_on_stop_time(stopped_before_birth: timedelta, met: bool) -> None:
    result = classify_one(
        before_birth(timedelta(hours=30)), stop=before_birth(stopped_before_birth)
    )
    assert result.nnap.met is met


@pytest.mark.parametrize(
    ("stopped_before_birth", "met"),
    [(H24 - MINUTE, True), (H24, False), (H24 + MINUTE, False)],
    ids=["stopped-23h59-before", "stopped-24h00-before", "stopped-24h01-before"],
)
def test_qs135_b_window_edge_matches_nnap(stopped_before_birth: timedelta, met: bool) -> None:
    result = classify_one(
        before_birth(timedelta(hours=30)),
        stop=before_birth(stopped_before_birth),
        gestation_at_decision=GA_28_0,
        situation=Situation.PLANNED_BIRTH_WITHIN_24H,
    )
    assert result.qs135.met is met


def test_nnap_counts_a_course_running_at_birth_that_started_over_24h_before() -> None:
    assert classify_one(before_birth(timedelta(hours=30))).nnap.met is True


@pytest.mark.parametrize(
    ("load_start", "met"),
    [(BIRTH, True), (BIRTH + MINUTE, False)],
    ids=["load-at-the-minute-of-birth", "load-a-minute-after-birth"],
)
def test_nnap_edge_at_the_moment_of_birth(load_start: datetime, met: bool) -> None:
    assert classify_one(load_start).nnap.met is met


def test_course_started_after_birth_counts_as_not_given() -> None:
    result = classify_one(BIRTH + timedelta(hours=2))
    assert result.anznn is AnznnCode.NOT_GIVEN
    assert result.nnap.met is False


# --- BAPM/PERIPrem optimal: strict 4 h and 24 h ----------------------------------------------


@pytest.mark.parametrize(
    ("started_before_birth", "optimal"),
    [
        (H4 - MINUTE, False),
        (H4, False),
        (H4 + MINUTE, True),
        (H24 - MINUTE, True),
        (H24, False),
        (H24 + MINUTE, False),
    ],
    ids=["3h59", "4h00", "4h01", "23h59", "24h00", "24h01"],
)
def test_periprem_optimal_is_strictly_between_4h_and_24h(
    started_before_birth: timedelta, optimal: bool
) -> None:
    assert classify_one(before_birth(started_before_birth)).periprem_optimal.met is optimal


def test_periprem_optimal_counts_a_loading_dose_that_stopped_before_birth() -> None:
    result = classify_one(before_birth(timedelta(hours=10)), stop=before_birth(timedelta(hours=9)))
    assert result.periprem_optimal.met is True


@pytest.mark.parametrize(
    ("available", "could"),
    [(H4 - MINUTE, False), (H4, False), (H4 + MINUTE, True)],
    ids=["3h59-available", "4h00-available", "4h01-available"],
)
def test_could_have_been_optimal_needs_more_than_4h_from_eligibility(
    available: timedelta, could: bool
) -> None:
    result = classify_one(before_birth(timedelta(hours=1)), eligible_from=before_birth(available))
    assert result.periprem_optimal.could_have_been_optimal is could


def test_could_have_been_optimal_is_unknown_without_eligible_from() -> None:
    result = classify_one(before_birth(timedelta(hours=1)))
    assert result.periprem_optimal.could_have_been_optimal is None


def test_could_have_been_optimal_is_none_when_not_eligible() -> None:
    result = classify_one(
        before_birth(timedelta(hours=1)),
        gestation_at_birth=ga("30+0"),
        eligible_from=before_birth(timedelta(hours=10)),
    )
    assert result.periprem_optimal.could_have_been_optimal is None


def test_could_have_been_optimal_is_true_when_it_was_optimal() -> None:
    # Eligibility recorded after the load had started (e.g. load given in suspected labour).
    result = classify_one(
        before_birth(timedelta(hours=6)), eligible_from=before_birth(timedelta(hours=2))
    )
    assert result.periprem_optimal.met is True
    assert result.periprem_optimal.could_have_been_optimal is True


# --- ANZNN codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_before_birth", "stopped_before_birth", "code"),
    [
        # stop edge at birth − 24 h (load 30 h before)
        (timedelta(hours=30), H24 + MINUTE, AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH),
        (timedelta(hours=30), H24, AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH),
        (timedelta(hours=30), H24 - MINUTE, AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H),
        # start edge at birth − 24 h (running at birth)
        (H24 + MINUTE, None, AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H),
        (H24, None, AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH),
        (H24 - MINUTE, None, AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH),
        # start edge at birth − 4 h
        (H4 + MINUTE, None, AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH),
        (H4, None, AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH),
        (H4 - MINUTE, None, AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH),
        # a load started and stopped at the instant the window opens ran nothing inside it
        (H24, H24, AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH),
    ],
    ids=[
        "stop-24h01-before",
        "stop-24h00-before",
        "stop-23h59-before",
        "start-24h01-before",
        "start-24h00-before",
        "start-23h59-before",
        "start-4h01-before",
        "start-4h00-before",
        "start-3h59-before",
        "start-and-stop-24h00-before",
    ],
)
def test_anznn_code_edges(
    started_before_birth: timedelta, stopped_before_birth: timedelta | None, code: AnznnCode
) -> None:
    stop = None if stopped_before_birth is None else before_birth(stopped_before_birth)
    assert classify_one(before_birth(started_before_birth), stop=stop).anznn is code


def test_anznn_code_is_not_given_without_courses() -> None:
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=[])
    assert result.anznn is AnznnCode.NOT_GIVEN


def test_anznn_code_comes_from_the_latest_course_started_before_birth() -> None:
    courses = [
        Course(load_start=before_birth(timedelta(hours=2)), stop=None),
        Course(load_start=before_birth(timedelta(hours=10)), stop=before_birth(timedelta(hours=9))),
        Course(load_start=BIRTH + timedelta(hours=1), stop=None),  # after birth: ignored
    ]
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=courses)
    assert result.anznn is AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH


# --- timing classes ---------------------------------------------------------------------------


def test_timing_class_is_late_when_started_under_4h_before_birth() -> None:
    assert classify_one(before_birth(H4 - MINUTE)).timing_class is TimingClass.LATE


def test_timing_class_is_none_when_started_exactly_4h_before_birth() -> None:
    assert classify_one(before_birth(H4)).timing_class is None


def test_timing_class_is_expired_when_stopped_24h_or_more_before_birth() -> None:
    result = classify_one(before_birth(timedelta(hours=30)), stop=before_birth(H24))
    assert result.timing_class is TimingClass.EXPIRED


def test_timing_class_is_none_when_a_course_ran_inside_the_window() -> None:
    result = classify_one(before_birth(timedelta(hours=30)), stop=before_birth(H24 - MINUTE))
    assert result.timing_class is None


def test_timing_class_is_none_when_not_given() -> None:
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=[])
    assert result.timing_class is None


def test_late_repeat_after_an_optimal_course_is_not_a_late_timing_class() -> None:
    courses = [
        Course(load_start=before_birth(timedelta(hours=10)), stop=before_birth(timedelta(hours=9))),
        Course(load_start=before_birth(timedelta(hours=2)), stop=None),
    ]
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=courses)
    assert result.periprem_optimal.met is True
    assert result.timing_class is None


# --- clock changes: real elapsed time ---------------------------------------------------------


def test_autumn_change_load_22_00_bst_birth_02_00_gmt_is_5_real_hours() -> None:
    # Wall clock says 4 h (not optimal, boundary); real time is 5 h.
    result = classify(
        birth_at=local("2026-10-25 02:00"),
        gestation_at_birth=GA_28_0,
        courses=[Course(load_start=local("2026-10-24 22:00"), stop=None)],
    )
    assert result.anznn is AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH
    assert result.periprem_optimal.met is True


def test_spring_change_load_23_00_gmt_birth_03_30_bst_is_3_5_real_hours() -> None:
    # Wall clock says 4 h 30 min (optimal); real time is 3 h 30 min.
    result = classify(
        birth_at=local("2026-03-29 03:30"),
        gestation_at_birth=GA_28_0,
        courses=[Course(load_start=local("2026-03-28 23:00"), stop=None)],
    )
    assert result.anznn is AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH
    assert result.periprem_optimal.met is False
    assert result.timing_class is TimingClass.LATE


def test_autumn_change_stop_24_5_real_hours_before_birth_is_outside_the_window() -> None:
    # Stop 03:30 BST Saturday, birth 03:00 GMT Sunday: 23 h 30 min on the wall, 24 h 30 min real.
    result = classify(
        birth_at=local("2026-10-25 03:00"),
        gestation_at_birth=GA_28_0,
        courses=[Course(load_start=local("2026-10-23 22:00"), stop=local("2026-10-24 03:30"))],
    )
    assert result.nnap.met is False
    assert result.timing_class is TimingClass.EXPIRED


def test_spring_change_stop_23_5_real_hours_before_birth_is_inside_the_window() -> None:
    # Stop 02:30 GMT Saturday, birth 03:00 BST Sunday: 24 h 30 min on the wall, 23 h 30 min real.
    result = classify(
        birth_at=local("2026-03-29 03:00"),
        gestation_at_birth=GA_28_0,
        courses=[Course(load_start=local("2026-03-27 22:00"), stop=local("2026-03-28 02:30"))],
    )
    assert result.nnap.met is True
    assert result.anznn is AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H


def test_autumn_overlap_birth_resolved_by_fold_changes_the_lead_time() -> None:
    # Load 21:45 BST; birth at "01:45" is 4 h later if BST (fold 0), 5 h later if GMT (fold 1).
    load = Course(load_start=local("2026-10-24 21:45"), stop=None)
    first = classify(
        birth_at=local("2026-10-25 01:45", fold=0), gestation_at_birth=GA_28_0, courses=[load]
    )
    second = classify(
        birth_at=local("2026-10-25 01:45", fold=1), gestation_at_birth=GA_28_0, courses=[load]
    )
    assert (first.periprem_optimal.met, second.periprem_optimal.met) == (False, True)


def test_london_aware_times_are_compared_as_real_instants() -> None:
    # Same-zone aware datetimes subtract as wall times in Python; classification must not.
    result = classify(
        birth_at=datetime(2026, 10, 25, 2, 0, tzinfo=LONDON),
        gestation_at_birth=GA_28_0,
        courses=[Course(load_start=datetime(2026, 10, 24, 22, 0, tzinfo=LONDON), stop=None)],
    )
    assert result.periprem_optimal.met is True


# --- input validation -------------------------------------------------------------------------


def test_course_times_are_stored_as_utc() -> None:
    course = Course(load_start=datetime(2026, 7, 1, 14, 0, tzinfo=LONDON), stop=None)
    assert course.load_start == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    assert course.load_start.tzinfo is UTC


@pytest.mark.parametrize(
    ("fields", "message_part"),
    [
        ({"load_start": datetime(2026, 1, 10, 10, 0), "stop": None}, "loading dose start time"),
        ({"load_start": BIRTH, "stop": datetime(2026, 1, 10, 18, 0)}, "course stop time"),
        (
            {"load_start": BIRTH, "stop": None, "maintenance_start": datetime(2026, 1, 10, 16, 15)},
            "maintenance start time",
        ),
    ],
    ids=["naive-load", "naive-stop", "naive-maintenance"],
)
def test_course_refuses_naive_times(fields: dict[str, Any], message_part: str) -> None:
    with pytest.raises(ValueError, match=rf"{message_part} .* has no time zone"):
        Course(**fields)


def test_course_refuses_stop_before_load() -> None:
    with pytest.raises(ValueError, match=r"stop time .* is before its loading dose started"):
        Course(load_start=BIRTH, stop=BIRTH - MINUTE)


def test_course_accepts_stop_equal_to_load() -> None:
    assert Course(load_start=BIRTH, stop=BIRTH).stop == BIRTH


def test_course_refuses_maintenance_before_load() -> None:
    with pytest.raises(ValueError, match=r"maintenance infusion start .* is before"):
        Course(load_start=BIRTH, stop=None, maintenance_start=BIRTH - MINUTE)


def test_course_refuses_maintenance_after_stop() -> None:
    with pytest.raises(ValueError, match=r"maintenance infusion start .* is after"):
        Course(load_start=BIRTH, stop=BIRTH + MINUTE, maintenance_start=BIRTH + 2 * MINUTE)


def test_course_is_immutable() -> None:
    course = Course(load_start=BIRTH, stop=None)
    with pytest.raises(FrozenInstanceError):
        course.stop = BIRTH  # type: ignore[misc]


def test_classify_refuses_a_naive_birth_time() -> None:
    with pytest.raises(ValueError, match=r"birth time .* has no time zone"):
        classify(birth_at=datetime(2026, 1, 10, 16, 0), gestation_at_birth=GA_28_0, courses=[])


def test_classify_refuses_a_naive_eligible_from() -> None:
    with pytest.raises(ValueError, match=r"eligible .* has no time zone"):
        classify(
            birth_at=BIRTH,
            gestation_at_birth=GA_28_0,
            courses=[],
            eligible_from=datetime(2026, 1, 10, 10, 0),
        )


def test_classify_refuses_eligible_from_after_birth() -> None:
    with pytest.raises(ValueError, match=r"became eligible .* is after the birth"):
        classify(
            birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=[], eligible_from=BIRTH + MINUTE
        )


def test_classify_accepts_eligible_from_at_birth() -> None:
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=[], eligible_from=BIRTH)
    assert result.periprem_optimal.optimal_timing_possible is False
    assert result.periprem_optimal.could_have_been_optimal is None  # not given: not asked


def test_classify_refuses_decision_gestation_after_birth_gestation() -> None:
    with pytest.raises(ValueError, match=r"gestation at decision \(28\+1\) is later"):
        classify(
            birth_at=BIRTH,
            gestation_at_birth=GA_28_0,
            gestation_at_decision=ga("28+1"),
            courses=[],
        )


@pytest.mark.parametrize(
    "earlier_stop",
    [None, before_birth(timedelta(hours=2)) + MINUTE],
    ids=["earlier-course-never-stopped", "earlier-course-stopped-after-next-started"],
)
def test_classify_refuses_overlapping_courses(earlier_stop: datetime | None) -> None:
    courses = [
        Course(load_start=before_birth(timedelta(hours=10)), stop=earlier_stop),
        Course(load_start=before_birth(timedelta(hours=2)), stop=None),
    ]
    with pytest.raises(ValueError, match="courses overlap"):
        classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=courses)


def test_classify_accepts_a_course_starting_as_the_previous_stopped() -> None:
    courses = [
        Course(load_start=before_birth(timedelta(hours=10)), stop=before_birth(H4)),
        Course(load_start=before_birth(H4), stop=None),
    ]
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=courses)
    assert result.anznn is AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH


def test_course_after_birth_does_not_count_as_an_overlap() -> None:
    # A course running at birth (no stop recorded) and a new course after birth (e.g. NG133).
    courses = [
        Course(load_start=before_birth(timedelta(hours=6)), stop=None),
        Course(load_start=BIRTH + timedelta(hours=2), stop=None),
    ]
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=courses)
    assert result.anznn is AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH


def test_classification_is_immutable() -> None:
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=[])
    with pytest.raises(ValidationError):
        result.nnap.met = True  # type: ignore[misc]


# --- missed cases -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gestation", "missed"),
    [("29+6", True), ("30+0", False)],
)
def test_missed_case_is_nnap_eligible_and_not_given(gestation: str, missed: bool) -> None:
    result = classify(birth_at=BIRTH, gestation_at_birth=ga(gestation), courses=[])
    assert is_missed_case(result, given=False) is missed


def test_given_with_details_unknown_is_not_a_missed_case() -> None:
    result = classify(birth_at=BIRTH, gestation_at_birth=GA_28_0, courses=[])
    assert is_missed_case(result, given=True) is False


def test_missed_case_refuses_a_record_that_contradicts_itself() -> None:
    result = classify_one(before_birth(timedelta(hours=6)))
    with pytest.raises(ValueError, match="not given, but a course"):
        is_missed_case(result, given=False)


# --- reason list and Pareto groups ------------------------------------------------------------


def test_default_missed_reasons_are_the_13_codes_of_reference_3_3_in_order() -> None:
    assert [(reason.code, reason.avoidability) for reason in DEFAULT_MISSED_REASONS] == [
        ("NG-BBA", Avoidability.NO),
        ("NG-IMMINENT", Avoidability.USUALLY_NO),
        ("NG-EMERGENCY", Avoidability.NO),
        ("NG-DECLINED", Avoidability.NO),
        ("NG-CONTRAINDICATION", Avoidability.NO),
        ("NG-SENIOR-DECISION", Avoidability.REVIEW),
        ("NG-NOT-ESTABLISHED", Avoidability.REVIEW),
        ("NG-NOT-CONSIDERED", Avoidability.YES),
        ("NG-UNAVAILABLE", Avoidability.YES),
        ("NG-TRANSFER", Avoidability.REVIEW),
        ("G-EXPIRED", Avoidability.TIMING),
        ("G-LATE", Avoidability.TIMING),
        ("UNKNOWN", Avoidability.DATA_QUALITY),
    ]


def test_unpublished_reason_is_marked_unverified() -> None:
    unavailable = next(r for r in DEFAULT_MISSED_REASONS if r.code == "NG-UNAVAILABLE")
    assert "UNVERIFIED" in unavailable.basis


def test_every_default_reason_has_a_label_and_a_basis() -> None:
    assert all(reason.label and reason.basis for reason in DEFAULT_MISSED_REASONS)


def test_timing_class_values_are_reason_codes() -> None:
    codes = {reason.code for reason in DEFAULT_MISSED_REASONS}
    assert {timing.value for timing in TimingClass} <= codes


def test_missed_reason_is_immutable() -> None:
    with pytest.raises(ValidationError):
        DEFAULT_MISSED_REASONS[0].code = "X"  # type: ignore[misc]


def test_missed_reason_refuses_an_unknown_avoidability() -> None:
    with pytest.raises(ValidationError):
        MissedReason(code="X", label="x", avoidability="maybe", basis="local")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("avoidability", "group"),
    [
        (Avoidability.YES, "avoidable"),
        (Avoidability.NO, "not-avoidable"),
        (Avoidability.USUALLY_NO, "not-avoidable"),
        (Avoidability.REVIEW, "review"),
        (Avoidability.TIMING, "review"),
        (Avoidability.DATA_QUALITY, "review"),
    ],
)
def test_avoidable_group_for_pareto_charts(avoidability: Avoidability, group: str) -> None:
    assert avoidable_group(avoidability) == group


# --- properties -------------------------------------------------------------------------------

# Offsets from birth that sit on or next to every boundary, mixed with arbitrary ones.
_EDGE_OFFSETS = [
    delta + nudge for delta in (timedelta(0), H4, H24) for nudge in (-MINUTE, timedelta(0), MINUTE)
]
_offsets_before_birth = st.one_of(
    st.sampled_from(_EDGE_OFFSETS),
    st.timedeltas(min_value=-timedelta(hours=2), max_value=timedelta(hours=72)),
)
_durations = st.one_of(
    st.sampled_from([timedelta(0), MINUTE, timedelta(minutes=15), H4, H24]),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=30)),
)


@st.composite
def _scenarios(draw: st.DrawFn) -> dict[str, Any]:
    birth_at = draw(
        st.datetimes(
            min_value=datetime(2000, 1, 1),
            max_value=datetime(2050, 12, 31),
            timezones=st.just(UTC),
        )
    )
    # Non-overlapping courses: each starts at or after the previous one stopped.
    courses = []
    start = birth_at - draw(_offsets_before_birth)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        # Any course may still be running (no stop); then it is the last one.
        duration = draw(st.none() | _durations)
        stop = None if duration is None else start + duration
        courses.append(Course(load_start=start, stop=stop))
        if stop is None:
            break
        start = stop + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=48)))
    birth_days = draw(st.integers(min_value=22 * 7, max_value=34 * 7))
    decision_days = draw(st.none() | st.integers(min_value=20 * 7, max_value=birth_days))
    eligible_lead = draw(st.none() | st.sampled_from(_EDGE_OFFSETS[3:]) | _durations)
    return {
        "birth_at": birth_at,
        "gestation_at_birth": GestationalAge(birth_days),
        "gestation_at_decision": None if decision_days is None else GestationalAge(decision_days),
        "situation": draw(st.none() | st.sampled_from(Situation)),
        "eligible_from": None if eligible_lead is None else birth_at - eligible_lead,
        "courses": courses,
    }


def _shifted(scenario: dict[str, Any], shift: timedelta) -> dict[str, Any]:
    eligible_from = scenario["eligible_from"]
    return {
        **scenario,
        "birth_at": scenario["birth_at"] + shift,
        "eligible_from": None if eligible_from is None else eligible_from + shift,
        "courses": [
            Course(
                load_start=course.load_start + shift,
                stop=None if course.stop is None else course.stop + shift,
            )
            for course in scenario["courses"]
        ],
    }


@given(
    scenario=_scenarios(),
    shift=st.timedeltas(min_value=timedelta(days=-365 * 50), max_value=timedelta(days=365 * 50)),
)
def test_classification_is_unchanged_when_every_time_shifts_together(
    scenario: dict[str, Any], shift: timedelta
) -> None:
    assert classify(**_shifted(scenario, shift)) == classify(**scenario)


_CODES_GIVEN_IN_WINDOW = {
    AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H,
    AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH,
    AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH,
}


@given(scenario=_scenarios())
def test_nnap_met_agrees_with_the_anznn_code(scenario: dict[str, Any]) -> None:
    result = classify(**scenario)
    assert result.nnap.met is (result.nnap.eligible and result.anznn in _CODES_GIVEN_IN_WINDOW)


@given(scenario=_scenarios())
def test_every_met_implies_eligible(scenario: dict[str, Any]) -> None:
    result = classify(**scenario)
    assert result.nnap.eligible or not result.nnap.met
    assert result.qs135.eligible or not result.qs135.met
    assert result.periprem_optimal.eligible or not result.periprem_optimal.met


@given(scenario=_scenarios())
def test_periprem_optimal_implies_nnap_met(scenario: dict[str, Any]) -> None:
    result = classify(**scenario)
    assert not result.periprem_optimal.met or result.nnap.met
