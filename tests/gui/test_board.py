"""The ward board: countdowns in words, escalation, overdue first, patient banner text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mgso4.core.monitoring import DueItem, DueKind
from mgso4.gui.board.model import Column
from mgso4.gui.board.urgency import (
    ESCALATE_AFTER,
    Urgency,
    countdown_text,
    duration_words,
    urgency_of,
)
from mgso4.gui.board.view import WardBoard
from mgso4.gui.style import TONES, ToneName

DUE = datetime(2026, 1, 14, 4, 0, tzinfo=UTC)


def item(*, acknowledged: bool = False) -> DueItem:
    return DueItem(
        key="obs:1:x",
        kind=DueKind.OBSERVATIONS,
        course_number=1,
        label="Toxicity observations due",
        due_at=DUE,
        overdue=False,
        acknowledged=acknowledged,
    )


@pytest.mark.parametrize(
    ("before_due", "expected"),
    [
        (timedelta(hours=2, minutes=15), "in 2 h 15 min"),
        (timedelta(minutes=45), "in 45 min"),
        (timedelta(minutes=44, seconds=1), "in 45 min"),  # upcoming rounds up
        (timedelta(seconds=20), "in 1 min"),  # never "in 0 min"
    ],
)
def test_countdown_before_the_due_time_says_in(before_due: timedelta, expected: str) -> None:
    assert countdown_text(item(), DUE - before_due) == expected


@pytest.mark.parametrize(
    ("after_due", "expected"),
    [
        (timedelta(0), "OVERDUE less than 1 min"),
        (timedelta(minutes=12, seconds=40), "OVERDUE 12 min"),  # overdue rounds down
        (timedelta(hours=1, minutes=5), "OVERDUE 1 h 05 min"),
    ],
)
def test_countdown_from_the_due_time_says_overdue(after_due: timedelta, expected: str) -> None:
    assert countdown_text(item(), DUE + after_due) == expected


def test_duration_words_below_a_minute() -> None:
    assert duration_words(timedelta(seconds=59)) == "less than 1 min"


def test_an_item_just_before_its_time_is_due_soon_not_overdue() -> None:
    assert urgency_of(item(), DUE - timedelta(seconds=1)) is Urgency.DUE_SOON


def test_an_item_at_its_time_is_overdue() -> None:
    assert urgency_of(item(), DUE) is Urgency.OVERDUE


def test_overdue_escalates_to_urgent_at_fifteen_minutes_not_before() -> None:
    assert urgency_of(item(), DUE + ESCALATE_AFTER - timedelta(seconds=1)) is Urgency.OVERDUE
    assert urgency_of(item(), DUE + ESCALATE_AFTER) is Urgency.URGENT


def test_an_acknowledged_overdue_item_does_not_escalate() -> None:
    assert urgency_of(item(acknowledged=True), DUE + timedelta(hours=1)) is (
        Urgency.OVERDUE_ACKNOWLEDGED
    )


def test_board_sorts_overdue_first(qtbot: QtBot, context, add_episode, clock) -> None:
    add_episode(name="Quiet ONE", identifier="9990000026", obs_minutes_ago=(10,))
    overdue = add_episode(name="Overdue TWO", identifier="9990000034", load_minutes_ago=300)
    add_episode(name="Assessing THREE", identifier="9990000042", load_minutes_ago=None)
    board = WardBoard(context)
    qtbot.addWidget(board)
    board.refresh()
    rows = board.rows
    assert rows[0].episode_uuid == overdue
    assert rows[0].urgency.overdue
    assert [r.name for r in rows] == ["Overdue TWO", "Quiet ONE", "Assessing THREE"]


def test_overdue_row_is_colour_plus_icon_plus_words(qtbot: QtBot, context, add_episode) -> None:
    add_episode(load_minutes_ago=300)  # observations due 4 h after the load: 1 h overdue
    board = WardBoard(context)
    qtbot.addWidget(board)
    board.refresh()
    model = board.model
    cell = model.index(0, Column.COUNTDOWN)
    assert model.data(cell).startswith("OVERDUE 1 h 00 min")
    assert "URGENT" in model.data(cell)
    assert model.data(cell, Qt.ItemDataRole.DecorationRole) is not None
    background = model.data(cell, Qt.ItemDataRole.BackgroundRole).color().name()
    assert background == TONES[ToneName.URGENT].bg


def test_row_shows_the_nhs_number_grouped_3_3_4(qtbot: QtBot, context, add_episode) -> None:
    add_episode(identifier="9990000018")
    board = WardBoard(context)
    qtbot.addWidget(board)
    board.refresh()
    assert board.rows[0].identifier == "NHS 999 000 0018"


def test_gestation_now_follows_the_clock_to_the_next_day(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    add_episode(gestation="27+3", load_minutes_ago=10)  # recorded on 14 Jan
    board = WardBoard(context)
    qtbot.addWidget(board)
    board.refresh()
    assert board.rows[0].gestation == "27+3 weeks"
    board.tick(clock.advance(days=1))
    assert board.rows[0].gestation == "27+4 weeks"


def test_countdown_moves_with_the_clock_without_reading_the_store(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    add_episode(load_minutes_ago=60)  # observations due in 3 h
    board = WardBoard(context)
    qtbot.addWidget(board)
    board.refresh()
    assert board.rows[0].countdown == "in 3 h 00 min"
    board.tick(clock.advance(hours=3, minutes=20))
    assert board.rows[0].countdown == "OVERDUE 20 min"
    assert board.rows[0].urgency is Urgency.URGENT


def test_empty_board_says_how_to_start(qtbot: QtBot, context) -> None:
    board = WardBoard(context)
    qtbot.addWidget(board)
    board.refresh()
    assert board.rows == []
    assert "New episode (Ctrl+N)" in board.empty_label.text()
