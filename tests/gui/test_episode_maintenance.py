"""Start maintenance once the load's end is due: one form records the load end and the start.

The clock is 03:00 GMT (local time is UTC in January). The standard load runs 15 min
(reference §3.2, the shipped protocol); a load started 20 min ago was due to end at 02:55.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mgso4.core.episode import Event, EventDraft, EventType, Stage
from mgso4.core.protocol import Protocol
from mgso4.gui.episode.actions import MaintenanceStartDialog
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner


def open_view(qtbot: QtBot, context: Any, episode_uuid: str) -> EpisodeView:
    view = EpisodeView(context, episode_uuid, TaskRunner())
    qtbot.addWidget(view)
    return view


def loading_view(qtbot: QtBot, context: Any, add_episode: Any, minutes_ago: float) -> EpisodeView:
    """An episode whose 15 min load started ``minutes_ago``, its end not recorded."""
    return open_view(qtbot, context, add_episode(load_minutes_ago=minutes_ago, load_finished=False))


def maintenance_form(view: EpisodeView) -> MaintenanceStartDialog:
    dialog = view.open_maintenance()
    assert isinstance(dialog, MaintenanceStartDialog)
    return dialog


def at(clock: Any, hour: int, minute: int) -> datetime:
    return clock().replace(hour=hour, minute=minute, second=0, microsecond=0)


class TransactionSpy:
    """Records each ``append_many`` call on the store: one call is one transaction."""

    def __init__(self, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[list[EventType]] = []
        real_many = context.store.append_many

        def append_many(
            drafts: Sequence[EventDraft], protocol: Protocol, **kwargs: Any
        ) -> list[Event]:
            self.calls.append([draft.type for draft in drafts])
            return real_many(drafts, protocol, **kwargs)

        monkeypatch.setattr(context.store, "append_many", append_many)


# ----------------------------------------------------------------------------- when offered


def test_start_maintenance_is_not_offered_a_minute_before_the_load_is_due_to_end(
    qtbot: QtBot, context, add_episode
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=14)
    button = view.buttons["maintenance"]
    assert not button.isEnabled()
    assert "(due Wed 14 Jan 2026 03:01 GMT)" in button.toolTip()
    assert view.open_maintenance() is None


def test_start_maintenance_is_offered_the_moment_the_load_is_due_to_end(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=14)
    clock.advance(minutes=1)  # now == load start + 15 min
    view.tick(clock())
    assert view.buttons["maintenance"].isEnabled()


def test_load_finished_stays_its_own_action_when_maintenance_is_offered(
    qtbot: QtBot, context, add_episode
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)
    assert view.buttons["maintenance"].isEnabled()
    assert view.buttons["load-end"].isEnabled()


def test_start_maintenance_is_offered_once_the_load_end_is_recorded(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode(maintenance=False))
    assert view.buttons["maintenance"].isEnabled()


def test_start_maintenance_is_not_offered_when_maintenance_is_running(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode())
    assert not view.buttons["maintenance"].isEnabled()


def test_the_overdue_load_end_banner_offers_start_maintenance(
    qtbot: QtBot, context, add_episode
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)
    banner = view.due_banner("load-end:1")
    assert banner is not None
    banner.button("maintenance").click()
    assert isinstance(view.active_dialog, MaintenanceStartDialog)


def test_the_load_end_banner_offers_no_start_maintenance_before_the_end_is_due(
    qtbot: QtBot, context, add_episode
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=12)
    banner = view.due_banner("load-end:1")
    assert banner is not None  # due soon
    with pytest.raises(KeyError):
        banner.button("maintenance")


# ----------------------------------------------------------------------------- the form


def test_the_form_says_it_records_both_and_shows_the_planned_load_end(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    dialog = maintenance_form(loading_view(qtbot, context, add_episode, minutes_ago=20))
    assert dialog.windowTitle() == "Record the load end and start maintenance"
    assert dialog.save_button.text() == "Save load end and maintenance start"
    note = dialog.findChild(type(dialog.heading), "load_end_note_label")
    assert note is not None and "Saving records both" in note.text()
    assert dialog.load_end_field is not None
    assert dialog.load_end_field.value() == at(clock, 2, 55)  # load start + 15 min
    assert dialog.time_field.value() == clock()
    assert dialog.load_end_field.line_edit.accessibleName()
    assert dialog.time_field.line_edit.accessibleName()


def test_saving_records_the_load_end_and_maintenance_in_one_transaction_as_typed(
    qtbot: QtBot, context, add_episode, clock, monkeypatch
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)
    dialog = maintenance_form(view)
    assert dialog.load_end_field is not None
    dialog.load_end_field.line_edit.setText("2026-01-14 02:56")
    dialog.time_field.line_edit.setText("2026-01-14 02:58")
    dialog.checker.name_edit.setText("Second Midwife")
    spy = TransactionSpy(context, monkeypatch)
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        dialog.save_button.click()
    assert spy.calls == [[EventType.LOAD_FINISHED, EventType.MAINTENANCE_STARTED]]
    state = context.store.episode(view.episode_uuid)
    assert state.stage is Stage.MAINTENANCE
    course = state.courses[0]
    assert course.load_finished_at == at(clock, 2, 56)
    assert course.maintenance_started_at == at(clock, 2, 58)
    assert view.saved_banner.detail_text == "Loading dose finished, Maintenance started"
    assert not view.buttons["maintenance"].isEnabled()


def test_with_the_load_end_recorded_the_form_records_the_maintenance_start_only(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode(maintenance=False))
    dialog = maintenance_form(view)
    assert dialog.load_end_field is None
    assert dialog.windowTitle() == "Start maintenance infusion"
    assert dialog.save_button.text() == "Save maintenance start"
    dialog.checker.name_edit.setText("Second Midwife")
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        dialog.save_button.click()
    assert [event.type for event in dialog.saved_events] == [EventType.MAINTENANCE_STARTED]


def test_a_load_end_after_now_is_refused_and_nothing_is_saved(
    qtbot: QtBot, context, add_episode
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)
    dialog = maintenance_form(view)
    assert dialog.load_end_field is not None
    dialog.load_end_field.line_edit.setText("2026-01-14 03:05")
    dialog.checker.name_edit.setText("Second Midwife")
    assert not dialog.save()
    assert "in the future" in dialog.load_end_field.message.message
    assert context.store.episode(view.episode_uuid).stage is Stage.LOADING


def test_a_load_end_before_the_load_started_is_refused(qtbot: QtBot, context, add_episode) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)  # started 02:40
    dialog = maintenance_form(view)
    assert dialog.load_end_field is not None
    dialog.load_end_field.line_edit.setText("2026-01-14 02:39")
    dialog.checker.name_edit.setText("Second Midwife")
    assert not dialog.save()
    assert "cannot have finished before it started" in dialog.load_end_field.message.message
    assert context.store.episode(view.episode_uuid).stage is Stage.LOADING


def test_a_maintenance_start_before_the_load_end_is_refused(
    qtbot: QtBot, context, add_episode
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)
    dialog = maintenance_form(view)
    assert dialog.load_end_field is not None
    dialog.load_end_field.line_edit.setText("2026-01-14 02:56")
    dialog.time_field.line_edit.setText("2026-01-14 02:55")
    dialog.checker.name_edit.setText("Second Midwife")
    assert not dialog.save()
    assert "cannot start before the load finished" in dialog.time_field.message.message
    assert context.store.episode(view.episode_uuid).stage is Stage.LOADING


def test_a_maintenance_start_at_the_load_end_minute_is_accepted(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)
    dialog = maintenance_form(view)
    assert dialog.load_end_field is not None
    dialog.load_end_field.line_edit.setText("2026-01-14 02:56")
    dialog.time_field.line_edit.setText("2026-01-14 02:56")
    dialog.checker.name_edit.setText("Second Midwife")
    assert dialog.save()
    course = context.store.episode(view.episode_uuid).courses[0]
    assert course.load_finished_at == course.maintenance_started_at == at(clock, 2, 56)


def test_a_maintenance_start_before_a_recorded_load_end_is_refused(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=20, maintenance=False))
    dialog = maintenance_form(view)
    finished = context.store.episode(view.episode_uuid).courses[0].load_finished_at
    assert finished is not None
    before = finished - timedelta(minutes=1)
    dialog.time_field.set_value(before)
    dialog.checker.name_edit.setText("Second Midwife")
    assert not dialog.save()
    assert "cannot start before the load finished" in dialog.time_field.message.message


def test_a_missing_checker_saves_neither_entry(qtbot: QtBot, context, add_episode) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)
    dialog = maintenance_form(view)
    assert not dialog.save()
    types = [event.type for event in context.store.events(view.episode_uuid)]
    assert EventType.LOAD_FINISHED not in types
    assert EventType.MAINTENANCE_STARTED not in types


def test_by_keyboard_the_checkers_name_and_enter_record_both(
    qtbot: QtBot, context, add_episode
) -> None:
    view = loading_view(qtbot, context, add_episode, minutes_ago=20)
    dialog = maintenance_form(view)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.focusWidget() is dialog.checker.name_edit
    qtbot.keyClicks(dialog.checker.name_edit, "Second Midwife")
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        qtbot.keyClick(dialog.checker.name_edit, Qt.Key.Key_Return)
    assert [event.type for event in dialog.saved_events] == [
        EventType.LOAD_FINISHED,
        EventType.MAINTENANCE_STARTED,
    ]
