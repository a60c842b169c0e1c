"""The ward board's membership is core's (core.board.on_board) over the store's candidates.

An episode stays while an infusion runs or an alert is open, across restarts; it leaves only by
an explicit close, and a "not indicated — reassess at …" close brings it back when due. Finished
episodes never closed (records made before the close action) are gathered in one line with a
bulk close, never hidden (HAZ-039).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from mgso4.core.board import CLOSE_FINISHED_REASON
from mgso4.core.episode import (
    Birth,
    EpisodeClosed,
    EventDraft,
    EventType,
    InfusionStopped,
    Observation,
    StopReason,
)
from mgso4.gui.board.view import WardBoard
from mgso4.gui.context import AppContext
from mgso4.storage import Store


def board_for(qtbot: QtBot, context: AppContext) -> WardBoard:
    board = WardBoard(context)
    qtbot.addWidget(board)
    board.refresh()
    return board


def shown(board: WardBoard) -> list[str]:
    return [row.episode_uuid for row in board.rows]


def record(context: AppContext, episode: str, event_type: EventType, payload: Any) -> None:
    draft = EventDraft.make(
        event_type,
        payload,
        episode_uuid=episode,
        occurred_at=context.clock(),
        recorded_by=context.user or context.store.events(episode)[0].recorded_by,
    )
    context.record([draft], context.protocol)


def finish(context: AppContext, episode: str, clock: Any) -> None:
    """Baby born, infusion stopped at the birth, and a normal set of observations after."""
    record(context, episode, EventType.BIRTH, Birth(baby=1))
    clock.advance(minutes=1)
    record(
        context,
        episode,
        EventType.INFUSION_STOPPED,
        InfusionStopped(course_number=1, reason=StopReason.BIRTH),
    )
    clock.advance(minutes=1)


def reopened(record_path: Path, clock: Any, context_for: Callable[..., AppContext]) -> AppContext:
    return context_for(Store.open(record_path, clock=clock))


def test_a_running_infusion_stays_on_the_board_after_a_restart(
    qtbot: QtBot,
    context: AppContext,
    add_episode: Any,
    clock: Any,
    record_path: Path,
    context_for: Callable[..., AppContext],
) -> None:
    episode = add_episode(load_minutes_ago=60, obs_minutes_ago=(30,))
    assert shown(board_for(qtbot, context)) == [episode]
    again = reopened(record_path, clock, context_for)
    try:
        assert shown(board_for(qtbot, again)) == [episode]
    finally:
        again.store.close()


def test_an_open_alert_keeps_a_finished_episode_on_the_board_after_a_restart(
    qtbot: QtBot,
    context: AppContext,
    add_episode: Any,
    clock: Any,
    record_path: Path,
    context_for: Callable[..., AppContext],
) -> None:
    episode = add_episode(load_minutes_ago=60, obs_minutes_ago=(65,))
    finish(context, episode, clock)
    # A stop trigger met after the stop: a person must look, so the alert stays open.
    record(context, episode, EventType.OBSERVATION, Observation(rr_per_min=10))
    state = context.store.episode(episode)
    assert not state.active  # the stage rule alone would have dropped it
    assert shown(board_for(qtbot, context)) == [episode]
    again = reopened(record_path, clock, context_for)
    try:
        board = board_for(qtbot, again)
        assert shown(board) == [episode]
        assert board.past_unclosed == []
        assert board.rows[0].next_label.startswith("Alert open: ")  # never "Nothing due"
    finally:
        again.store.close()


def test_a_finished_episode_never_closed_is_one_line_with_a_bulk_close(
    qtbot: QtBot, context: AppContext, add_episode: Any, clock: Any
) -> None:
    episode = add_episode(load_minutes_ago=60, obs_minutes_ago=(65,))
    running = add_episode(name="Other PATIENT", load_minutes_ago=30, obs_minutes_ago=(35,))
    finish(context, episode, clock)
    board = board_for(qtbot, context)
    assert shown(board) == [running]
    assert board.past_unclosed == [episode]
    assert not board.past_label.isHidden() or board.isHidden()
    assert "1 past episode was never closed" in board.past_label.text()

    assert board.record_past_closes()
    board.refresh()
    assert board.past_unclosed == []
    assert shown(board) == [running]
    closes = [e for e in context.store.events(episode) if e.type is EventType.EPISODE_CLOSED]
    assert [c.payload["reason"] for c in closes] == [CLOSE_FINISHED_REASON]
    assert context.store.events(running)[-1].type is not EventType.EPISODE_CLOSED


def test_closing_removes_the_episode_and_not_indicated_returns_at_its_reassess_time(
    qtbot: QtBot, context: AppContext, add_episode: Any, clock: Any
) -> None:
    gone = add_episode(load_minutes_ago=60, obs_minutes_ago=(65,))
    back = add_episode(name="Other PATIENT", load_minutes_ago=60, obs_minutes_ago=(65,))
    for episode in (gone, back):
        finish(context, episode, clock)
    record(context, gone, EventType.EPISODE_CLOSED, EpisodeClosed(reason="home"))
    reassess = clock() + timedelta(hours=6)
    record(
        context,
        back,
        EventType.EPISODE_CLOSED,
        EpisodeClosed(reason="not indicated now", reassess_at=reassess),
    )
    board = board_for(qtbot, context)
    assert shown(board) == []
    assert board.past_unclosed == []
    # The closed-for-good episode is not even folded; the one to reassess is a candidate.
    assert [s.uuid for s in context.store.board_candidates()] == [back]

    board.tick(reassess - timedelta(minutes=1))
    assert shown(board) == []
    board.tick(reassess)  # no store read: the clock alone brings it back
    assert shown(board) == [back]


def test_an_entry_after_a_close_makes_the_episode_a_candidate_again(
    context: AppContext, add_episode: Any, clock: Any
) -> None:
    episode = add_episode(load_minutes_ago=60, obs_minutes_ago=(65,))
    finish(context, episode, clock)
    record(context, episode, EventType.EPISODE_CLOSED, EpisodeClosed(reason="home"))
    assert context.store.board_candidates() == []
    clock.advance(minutes=5)
    record(context, episode, EventType.OBSERVATION, Observation(rr_per_min=10))
    assert [s.uuid for s in context.store.board_candidates()] == [episode]


def test_finished_episodes_never_closed_are_asked_of_core_once_a_minute_not_every_second(
    qtbot: QtBot, context: AppContext, add_episode: Any, clock: Any, monkeypatch: Any
) -> None:
    import mgso4.gui.board.view as view_module

    episode = add_episode(load_minutes_ago=60, obs_minutes_ago=(65,))
    finish(context, episode, clock)
    board = board_for(qtbot, context)
    asked: list[str] = []
    real = view_module.on_board

    def counting(state: Any, protocol: Any, now: Any) -> bool:
        asked.append(state.uuid)
        return real(state, protocol, now)

    monkeypatch.setattr(view_module, "on_board", counting)
    start = clock().replace(second=0, microsecond=0) + timedelta(minutes=1)
    board.tick(start)
    assert asked == [episode]
    for second in range(1, 60):
        board.tick(start + timedelta(seconds=second))
    assert asked == [episode]  # the same minute: the one line stands, core is not asked again
    assert board.past_unclosed == [episode]
    board.tick(start + timedelta(minutes=1))
    assert asked == [episode, episode]
