"""Alerts with a lifecycle, and who is on the ward board (core.alerts, core.board).

An alert is worked out from the record each time, so it is the same after a restart: it stays
open until the action it asks for is recorded or it is acknowledged with a reason. Thresholds
are the UK default's (decisions.md §7: RR < 12/min stops the infusion; observations at least
every 4 h; a 24 h maximum from the start of maintenance, decisions.md §4).
"""

from __future__ import annotations

from chain_builders import HOUR, MINUTE, NICE, NORMAL, T0, Chain

from mgso4.core.alerts import AlertKind, Severity, alerts, open_alerts
from mgso4.core.board import board, on_board
from mgso4.core.episode import (
    AlertAcknowledged,
    EpisodeClosed,
    EventType,
    Observation,
    StopReason,
    fold,
)

LOW_RR = Observation(**{**NORMAL.model_dump(), "rr_per_min": 10})


def kinds(chain: Chain, at_hours: float) -> list[AlertKind]:
    return [a.kind for a in open_alerts(chain.state(), NICE, T0 + at_hours * HOUR)]


def with_baseline(chain: Chain) -> Chain:
    chain.observe(T0 + 2 * MINUTE, NORMAL.model_copy(update={"baseline": True}))
    return chain


def test_a_stop_trigger_is_an_urgent_alert_until_the_infusion_is_stopped() -> None:
    chain = with_baseline(Chain()).running_course()
    chain.observe(T0 + 2 * HOUR, LOW_RR)

    (alert,) = open_alerts(chain.state(), NICE, T0 + 2 * HOUR)
    assert alert.kind is AlertKind.TOXICITY
    assert alert.severity is Severity.URGENT
    assert "10/min is below 12/min" in alert.message
    chain.stop(T0 + 2 * HOUR + 5 * MINUTE, reason=StopReason.TOXICITY)
    assert open_alerts(chain.state(), NICE, T0 + 3 * HOUR) == []
    resolved = [a for a in alerts(chain.state(), NICE, T0 + 3 * HOUR) if a.id == alert.id]
    assert resolved[0].resolved


def test_an_alert_id_is_stable_so_an_acknowledgement_closes_it_everywhere() -> None:
    chain = with_baseline(Chain()).running_course()
    chain.observe(T0 + 2 * HOUR, LOW_RR)
    first = open_alerts(chain.state(), NICE, T0 + 2 * HOUR)[0].id
    again = open_alerts(fold(list(chain.events)), NICE, T0 + 2 * HOUR)[0].id  # a restart
    assert first == again

    chain.add(
        EventType.ALERT_ACKNOWLEDGED,
        AlertAcknowledged(key=first, action_taken="rechecked: RR 14, counted over a minute"),
        T0 + 2 * HOUR + MINUTE,
    )
    assert open_alerts(chain.state(), NICE, T0 + 2 * HOUR + 2 * MINUTE) == []


def test_overdue_observations_escalate_after_15_minutes() -> None:
    chain = with_baseline(Chain()).running_course()  # load 09:10: due 13:10
    due = T0 + 4 * HOUR + 10 * MINUTE

    assert kinds(chain, 4) == []
    (late,) = open_alerts(chain.state(), NICE, due)
    assert (late.kind, late.severity) == (AlertKind.OBSERVATIONS_DUE, Severity.WARNING)
    (later,) = open_alerts(chain.state(), NICE, due + 15 * MINUTE)
    assert later.severity is Severity.CRITICAL
    chain.observe(due + 20 * MINUTE)
    assert kinds(chain, 4.5) == []


def test_a_load_without_a_baseline_set_is_an_alert() -> None:
    chain = Chain().running_course()
    assert kinds(chain, 1) == [AlertKind.BASELINE_MISSING]


def test_a_missing_baseline_closes_once_no_infusion_runs_but_stays_in_the_history() -> None:
    chain = Chain().running_course()
    chain.stop(T0 + 2 * HOUR, reason=StopReason.TOXICITY)
    assert kinds(chain, 3) == []
    (past,) = [a for a in alerts(chain.state(), NICE, T0 + 3 * HOUR)]
    assert (past.kind, past.resolved) == (AlertKind.BASELINE_MISSING, True)


def test_the_24h_stop_is_an_alert_until_the_stop_is_recorded() -> None:
    chain = with_baseline(Chain()).running_course()  # maintenance from 09:25
    for hours in range(3, 25, 3):
        chain.observe(T0 + hours * HOUR)
    after = 24 * 1 + 0.5  # 09:30 the next day
    assert AlertKind.STOP_INFUSION in kinds(chain, after)
    chain.stop(T0 + 24 * HOUR + 26 * MINUTE, reason=StopReason.MAX_DURATION)
    assert AlertKind.STOP_INFUSION not in kinds(chain, after + 1)


def test_a_data_problem_is_an_alert_not_a_guess() -> None:
    chain = with_baseline(Chain()).running_course()
    chain.stop(T0 + 2 * HOUR)
    stray = chain.rate(T0 + 3 * HOUR, "5")

    (alert,) = open_alerts(chain.state(), NICE, T0 + 3 * HOUR)
    assert alert.kind is AlertKind.DATA_PROBLEM
    assert alert.event_uuid == stray.uuid


# --------------------------------------------------------------------------- the board


def test_an_episode_stays_on_the_board_until_it_is_closed() -> None:
    chain = with_baseline(Chain()).running_course()
    chain.birth(T0 + 5 * HOUR)
    chain.stop(T0 + 5 * HOUR + MINUTE)
    assert on_board(chain.state(), NICE, T0 + 6 * HOUR)  # delivered, not closed

    chain.add(EventType.EPISODE_CLOSED, EpisodeClosed(), T0 + 6 * HOUR)
    assert not on_board(chain.state(), NICE, T0 + 7 * HOUR)


def test_not_indicated_leaves_the_board_and_returns_when_reassessment_is_due() -> None:
    chain = Chain().assess()
    chain.add(
        EventType.EPISODE_CLOSED,
        EpisodeClosed(reason="not indicated now", reassess_at=T0 + 6 * HOUR),
        T0 + 10 * MINUTE,
    )

    assert not on_board(chain.state(), NICE, T0 + HOUR)
    assert on_board(chain.state(), NICE, T0 + 6 * HOUR)


def test_an_open_alert_keeps_a_closed_episode_on_the_board() -> None:
    chain = Chain().assess()
    chain.add(EventType.EPISODE_CLOSED, EpisodeClosed(reason="discharged"), T0 + 10 * MINUTE)
    chain.stop(T0 + HOUR)  # merged in from another workstation: a data problem

    assert on_board(chain.state(), NICE, T0 + 2 * HOUR)


def test_the_board_puts_the_loudest_alert_first() -> None:
    quiet = with_baseline(Chain()).running_course()
    loud = with_baseline(Chain()).running_course()
    loud.observe(T0 + 2 * HOUR, LOW_RR)

    entries = board([(quiet.state(), NICE), (loud.state(), NICE)], T0 + 2 * HOUR)

    assert [entry.loudest for entry in entries] == [Severity.URGENT, None]
