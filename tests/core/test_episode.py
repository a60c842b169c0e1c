"""The fold: each entry through its handler onto a typed state; nothing guessed.

An entry that makes no sense where it stands (a rate change with no maintenance running, a
second birth of one baby…) is not applied: it is listed as a data problem. Grams given come
from the recorded load and rate periods only, and never go down as time goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from chain_builders import HOUR, MINUTE, NORMAL, SENIOR, T0, Chain
from hypothesis import given, settings
from hypothesis import strategies as st

from mgso4.core.episode import (
    HANDLERS,
    PAYLOAD_MODELS,
    EpisodeClosed,
    Event,
    EventType,
    Stage,
    StopReason,
    extend,
    fold,
)

# --------------------------------------------------------------------------- the handler table


def test_every_entry_type_has_a_handler_and_a_payload_model() -> None:
    assert set(HANDLERS) == set(EventType)
    assert set(PAYLOAD_MODELS) == set(EventType)


def test_a_running_course_folds_into_a_typed_state() -> None:
    state = Chain().running_course().state()

    course = state.running_course
    assert course is not None and course.number == 1
    assert course.maintaining and not course.loading
    assert course.current_rate is not None
    assert course.current_rate.rate_g_per_h == Decimal("1.0")  # 5 mL/h × 0.2 g/mL
    assert state.stage is Stage.MAINTENANCE
    assert state.problems == ()


# --------------------------------------------------------------------------- no silent defaults


def test_a_rate_change_before_maintenance_is_a_data_problem_not_a_guess() -> None:
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    chain.load(T0 + 10 * MINUTE)
    change = chain.rate(T0 + 12 * MINUTE, "5")  # during the load: no concentration to carry

    state = chain.state()

    (problem,) = state.problems
    assert problem.event_uuid == change.uuid
    assert "maintenance infusion had not started" in problem.message
    assert state.running_course is not None and state.running_course.rates == ()


def test_a_rate_change_carries_the_running_concentration() -> None:
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    chain.load(T0 + 10 * MINUTE)
    chain.load_end(T0 + 25 * MINUTE)
    chain.maintenance(T0 + 25 * MINUTE, rate="10", concentration="0.1")
    chain.rate(T0 + 2 * HOUR, "5")  # oliguria: halved

    course = chain.state().running_course
    assert course is not None and course.current_rate is not None
    assert course.current_rate.concentration_g_per_ml == Decimal("0.1")
    assert course.current_rate.rate_g_per_h == Decimal("0.5")  # WC-10's 0.5 g/h


def test_a_syringe_of_another_concentration_opens_a_new_rate_period() -> None:
    chain = Chain().running_course()
    chain.syringe(T0 + 3 * HOUR, "0.1")

    course = chain.state().running_course
    assert course is not None
    assert [r.concentration_g_per_ml for r in course.rates] == [Decimal("0.2"), Decimal("0.1")]
    assert course.rates[0].end == T0 + 3 * HOUR


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(lambda c: c.stop(T0 + 5 * HOUR), "was never started", id="stop, no course"),
        pytest.param(lambda c: c.load_end(T0 + 5 * HOUR), "was never started", id="load end"),
        pytest.param(lambda c: c.maintenance(T0 + 5 * HOUR), "was never started", id="maintenance"),
        pytest.param(lambda c: c.birth(T0 + 5 * HOUR, baby=2), "expects 1 baby", id="baby 2"),
    ],
)
def test_an_entry_that_needs_what_is_not_there_is_a_data_problem(
    make: Callable[[Chain], Event], words: str
) -> None:
    chain = Chain().assess()
    entry = make(chain)

    (problem,) = chain.state().problems
    assert problem.event_uuid == entry.uuid
    assert words in problem.message


def test_a_second_load_while_a_course_runs_is_a_data_problem() -> None:
    chain = Chain().running_course()
    second = chain.load(T0 + 2 * HOUR, course=2)

    state = chain.state()
    assert [p.event_uuid for p in state.problems] == [second.uuid]
    assert [course.number for course in state.courses] == [1]


def test_a_second_birth_of_the_same_baby_is_a_data_problem() -> None:
    chain = Chain().running_course()
    first = chain.birth(T0 + 5 * HOUR)
    second = chain.birth(T0 + 6 * HOUR)

    state = chain.state()
    assert [b.event_uuid for b in state.births] == [first.uuid]
    assert [p.event_uuid for p in state.problems] == [second.uuid]


def test_a_load_end_after_maintenance_started_is_a_data_problem() -> None:
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    chain.load(T0 + 10 * MINUTE)
    chain.maintenance(T0 + 25 * MINUTE)
    late = chain.load_end(T0 + 30 * MINUTE)

    assert [p.event_uuid for p in chain.state().problems] == [late.uuid]


# --------------------------------------------------------------------------- births and stages


def test_twins_are_delivered_only_when_both_are_born() -> None:
    chain = Chain(plurality=2).running_course()
    chain.birth(T0 + 5 * HOUR, baby=1)

    assert chain.state().stage is Stage.MAINTENANCE
    assert not chain.state().all_born
    chain.birth(T0 + 5 * HOUR + 20 * MINUTE, baby=2)
    chain.stop(T0 + 5 * HOUR + 25 * MINUTE)
    assert chain.state().stage is Stage.DELIVERED


def test_a_late_entry_lands_where_it_happened() -> None:
    chain = Chain().running_course()
    chain.observe(T0 + 5 * HOUR)
    chain.observe(T0 + 3 * HOUR)  # entered later, taken earlier

    taken = [obs.taken_at for obs in chain.state().observations]
    assert taken == [T0 + 3 * HOUR, T0 + 5 * HOUR]


def test_voiding_the_load_takes_the_course_away() -> None:
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    load = chain.load(T0 + 10 * MINUTE)
    chain.void(load, T0 + 12 * MINUTE)

    state = chain.state()
    assert state.courses == ()
    assert state.stage is Stage.ASSESSING


def test_an_amended_time_moves_the_entry() -> None:
    chain = Chain().running_course()
    birth = chain.birth(T0 + 5 * HOUR)
    chain.amend(birth, T0 + 6 * HOUR, occurred_at=T0 + 4 * HOUR)

    assert chain.state().births[0].born_at == T0 + 4 * HOUR


def test_maintenance_restarted_without_a_load_is_a_new_course() -> None:
    chain = Chain().running_course()
    chain.stop(T0 + 5 * HOUR, reason=StopReason.NO_LONGER_IMMINENT)
    chain.decide(T0 + 7 * HOUR, course=2, senior=SENIOR)
    chain.maintenance(T0 + 7 * HOUR + 5 * MINUTE, course=2, restart=True)

    state = chain.state()
    second = state.courses[1]
    assert second.restarted_without_load and second.load is None
    assert second.started_at == T0 + 7 * HOUR + 5 * MINUTE
    assert state.running_course is second
    assert state.problems == ()


def test_a_decision_to_give_after_a_close_reopens_the_episode() -> None:
    chain = Chain().assess()
    chain.add(EventType.EPISODE_CLOSED, EpisodeClosed(reason="not indicated now"), T0 + 10 * MINUTE)
    assert chain.state().closed is not None

    chain.decide(T0 + 2 * HOUR)
    assert chain.state().closed is None


def test_fold_until_gives_the_record_as_at_that_time() -> None:
    chain = Chain().running_course()
    chain.stop(T0 + 5 * HOUR)

    assert chain.state(until=T0 + 2 * HOUR).running_course is not None
    assert chain.state().running_course is None


def test_extend_gives_what_folding_everything_gives() -> None:
    chain = Chain().running_course()
    before = chain.state()
    start = len(chain.events)
    chain.observe(T0 + HOUR)
    chain.rate(T0 + 2 * HOUR, "4")
    chain.birth(T0 + 3 * HOUR)
    chain.stop(T0 + 3 * HOUR + MINUTE)

    extended = extend(before, chain.events[start:])

    assert extended == fold(chain.events)


def test_extend_refuses_a_late_entry_so_the_record_is_folded_whole() -> None:
    chain = Chain().running_course()
    chain.observe(T0 + 3 * HOUR)
    before = chain.state()
    late = chain.observe(T0 + 2 * HOUR)

    assert extend(before, [late]) is None


# --------------------------------------------------------------------------- grams given


def test_grams_given_follow_wc12_to_a_birth_at_20_40() -> None:
    # Reference §9 WC-12: load 10:00-10:15, maintenance 1 g/h from 10:15, birth 20:40 → stop
    # at birth, 4 + 10.42 ≈ 14.4 g.
    start = datetime.fromisoformat("2025-01-10T10:00:00+00:00")
    chain = Chain(created_at=start - 10 * MINUTE).assess(start - 10 * MINUTE)
    chain.decide(start - 5 * MINUTE)
    chain.load(start)
    chain.load_end(start + 15 * MINUTE)
    chain.maintenance(start + 15 * MINUTE)
    birth_at = start + timedelta(hours=10, minutes=40)
    chain.birth(birth_at)
    chain.stop(birth_at)

    grams = chain.state().total_grams(birth_at + 5 * HOUR)
    assert grams.quantize(Decimal("0.01")) == Decimal("14.42")


_STEP = st.one_of(
    st.tuples(st.just("rate"), st.sampled_from(["1", "2.5", "4", "5", "7.5", "10"])),
    st.tuples(st.just("syringe"), st.sampled_from(["0.08", "0.1", "0.2"])),
    st.tuples(st.just("observe"), st.just("")),
    st.tuples(st.just("stop"), st.just("")),
)


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(st.tuples(st.integers(min_value=1, max_value=180), _STEP), max_size=12),
    sample_after=st.integers(min_value=0, max_value=240),
)
def test_grams_given_never_go_down(
    steps: list[tuple[int, tuple[str, str]]], sample_after: int
) -> None:
    """Over random rate changes, syringe changes and stops, recorded in time order, the grams
    given at each entry's time never fall below what was shown before it, and for any record
    they never fall as the clock moves on."""
    chain = Chain().running_course()
    at = T0 + 25 * MINUTE
    shown = chain.state().total_grams(at)
    for minutes, (kind, value) in steps:
        at += timedelta(minutes=minutes)
        running = chain.state().running_course is not None
        if kind == "rate" and running:
            chain.rate(at, value)
        elif kind == "syringe" and running:
            chain.syringe(at, value)
        elif kind == "stop" and running:
            chain.stop(at)
        else:
            chain.observe(at, NORMAL)
        state = chain.state()
        assert state.problems == ()
        now_given = state.total_grams(at)
        assert now_given >= shown
        later = state.total_grams(at + timedelta(minutes=sample_after))
        assert later >= now_given
        shown = now_given
