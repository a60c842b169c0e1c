"""The timeline's cells are held by Qt: fitting its rows and painting it never call into Python.

Beside a thread making a document, each call from Qt into Python waits its turn for the
interpreter lock; a timeline whose model answered every cell and role in Python made the
screen stand still for 50 ms while the proforma was made (stall benchmark).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType
from mgso4.gui.episode.timeline import EVENT_UUID_ROLE, TimelineColumn
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner


@contextmanager
def python_calls() -> Iterator[list[str]]:
    """Names of the Python functions of the app's timeline called on this thread inside."""
    called: list[str] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.endswith("timeline.py"):
            called.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        yield called
    finally:
        sys.setprofile(None)


def test_fitting_and_painting_the_timeline_calls_no_python(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = EpisodeView(context, add_episode(obs_minutes_ago=(50, 40, 30, 20, 10)), TaskRunner())
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    qtbot.waitExposed(view)
    table = view.timeline
    assert table.model().rowCount() >= 7  # opening, load, maintenance, five observations

    with python_calls() as called:
        table.resizeRowsToContents()
        table.viewport().repaint()
        table.horizontalHeader().viewport().repaint()

    assert called == []


def test_each_cell_holds_its_words_and_marks(qtbot: QtBot, context: Any, add_episode: Any) -> None:
    view = EpisodeView(context, add_episode(obs_minutes_ago=(10,)), TaskRunner())
    qtbot.addWidget(view)
    model = view.timeline.timeline_model
    observation = next(
        e for e in context.store.events(view.episode_uuid) if e.type is EventType.OBSERVATION
    )
    row = model.row_of(observation.uuid)
    assert row is not None
    entry_cell = model.index(row, TimelineColumn.ENTRY)

    assert model.entry(row).event.uuid == observation.uuid
    assert model.data(entry_cell, EVENT_UUID_ROLE) == observation.uuid
    role = Qt.ItemDataRole
    assert model.data(entry_cell) == model.data(entry_cell, role.ToolTipRole) == "Observation"
    assert model.data(entry_cell, role.AccessibleTextRole) == "Entry: Observation"
    assert model.data(entry_cell, role.FontRole).bold()  # the entry column is bold
    assert not model.data(model.index(row, TimelineColumn.DETAILS), role.FontRole).bold()
    assert model.data(entry_cell, role.ForegroundRole) is None  # not voided: not muted
    assert (
        model.headerData(int(TimelineColumn.RECORDED), Qt.Orientation.Horizontal)
        == "Recorded (when, by whom)"
    )
    assert not model.flags(entry_cell) & Qt.ItemFlag.ItemIsEditable
