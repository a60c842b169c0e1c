"""The episode view's action forms by keyboard: Enter is Save, never Cancel; Escape cancels.

Each form opens with the focus on the first field still to fill in (the first field when there
is nothing to type; never a button, where a typed space would press it). Enter then either
saves the entry and closes the form, or, when a needed field is empty, shows that field's
message and keeps the form open with nothing saved. Escape after typing asks first.
Keys go to the widget that has the focus in the active form, as they would at the bedside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType
from mgso4.core.monitoring import due_items
from mgso4.gui.episode.action_dialog import ActionDialog
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.widgets.field_message import FieldMessage


def open_view(qtbot: QtBot, context: Any, episode_uuid: str) -> EpisodeView:
    view = EpisodeView(context, episode_uuid, TaskRunner())
    qtbot.addWidget(view)
    return view


def shown(qtbot: QtBot, dialog: ActionDialog | None) -> ActionDialog:
    """The opened form, made the active window (as the window manager does on opening)."""
    assert dialog is not None
    assert dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(qtbot: QtBot, key: Qt.Key) -> None:
    """One key on whatever has the keyboard focus."""
    qtbot.keyClick(focused(), key)


def entries(context: Any, episode_uuid: str) -> list[EventType]:
    return [event.type for event in context.store.events(episode_uuid)]


def _select_first(view: EpisodeView, context: Any, kind: EventType) -> None:
    event = next(e for e in context.store.events(view.episode_uuid) if e.type is kind)
    assert view.select_entry(event.uuid)


def _acknowledge(view: EpisodeView, context: Any) -> ActionDialog | None:
    item = due_items(view.state, view.protocol, context.clock())[0]
    return view.acknowledge(item)


@dataclass(frozen=True)
class FormCase:
    """An action form, the episode it is opened on and what Enter does on opening."""

    episode: dict[str, Any]
    opener: Callable[[EpisodeView, Any], ActionDialog | None]
    #: The widget that should have the focus on opening (object name).
    first_focus: str
    #: What Enter on opening records; None when a needed field is still empty.
    saves: EventType | None
    #: The message that shows when Enter cannot save (its start).
    message: str = ""


FORMS: dict[str, FormCase] = {
    "load finished": FormCase(
        {"load_minutes_ago": 10, "load_finished": False},
        lambda v, c: v.open_load_end(),
        "load_end_dialog_time_edit",
        EventType.LOAD_FINISHED,
    ),
    "start maintenance": FormCase(
        {"maintenance": False},
        lambda v, c: v.open_maintenance(),
        "checker_name_edit",
        None,
        "Checked by: a name is needed",
    ),
    "observations": FormCase(
        {},
        lambda v, c: v.open_observations(),
        "pulse_edit",
        None,
        "Nothing has been entered",
    ),
    "rate change": FormCase(
        {},
        lambda v, c: v.open_rate(),
        "rate_edit",
        None,
        "Rate is empty",
    ),
    "syringe change": FormCase(
        {},
        lambda v, c: v.open_syringe(),
        "syringe_dialog_time_edit",
        EventType.SYRINGE_CHANGED,
    ),
    "stop": FormCase(
        {},
        lambda v, c: v.open_stop(),
        "stop_reason_combo",
        None,
        "Choose the reason the infusion was stopped",
    ),
    "birth": FormCase(
        {},
        lambda v, c: v.open_birth(),
        "birth_dialog_time_edit",
        EventType.BIRTH,
    ),
    "not given": FormCase(
        {"load_minutes_ago": None},
        lambda v, c: v.open_not_given(),
        "not_given_reason_combo",
        None,
        "Choose the reason from the list",
    ),
    "acknowledge": FormCase(
        {"load_minutes_ago": 300},
        _acknowledge,
        "action_taken_edit",
        None,
        "Say what was done",
    ),
    "amend": FormCase(
        {},
        lambda v, c: (_select_first(v, c, EventType.MAINTENANCE_STARTED), v.open_amend())[1],
        "amend_reason_edit",
        None,
        "A reason is needed",
    ),
    "void": FormCase(
        {},
        lambda v, c: (_select_first(v, c, EventType.MAINTENANCE_STARTED), v.open_void())[1],
        "void_reason_edit",
        None,
        "A reason is needed",
    ),
}


def _open(qtbot: QtBot, context: Any, add_episode: Any, case: FormCase) -> ActionDialog:
    view = open_view(qtbot, context, add_episode(**case.episode))
    return shown(qtbot, case.opener(view, context))


@pytest.mark.parametrize("name", list(FORMS))
def test_each_form_opens_with_the_focus_on_the_first_field_to_fill_in_never_a_button(
    qtbot: QtBot, context, add_episode, name: str
) -> None:
    case = FORMS[name]
    _open(qtbot, context, add_episode, case)
    assert focused().objectName() == case.first_focus
    assert not isinstance(focused(), QPushButton)


@pytest.mark.parametrize("name", list(FORMS))
def test_only_save_answers_enter_in_each_form(
    qtbot: QtBot, context, add_episode, name: str
) -> None:
    dialog = _open(qtbot, context, add_episode, FORMS[name])
    defaults = [b for b in dialog.findChildren(QPushButton) if b.isDefault() or b.autoDefault()]
    assert defaults == [dialog.save_button]
    assert dialog.save_button.isDefault()


@pytest.mark.parametrize("name", [n for n, case in FORMS.items() if case.saves is not None])
def test_enter_on_opening_saves_a_form_with_nothing_to_type(
    qtbot: QtBot, context, add_episode, name: str
) -> None:
    case = FORMS[name]
    dialog = _open(qtbot, context, add_episode, case)
    episode = dialog.state.uuid
    before = entries(context, episode)
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        press(qtbot, Qt.Key.Key_Return)
    assert entries(context, episode)[len(before) :] == [case.saves]
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted


@pytest.mark.parametrize("name", [n for n, case in FORMS.items() if case.saves is None])
def test_enter_with_a_needed_field_empty_shows_its_message_and_keeps_the_form_open(
    qtbot: QtBot, context, add_episode, name: str
) -> None:
    case = FORMS[name]
    dialog = _open(qtbot, context, add_episode, case)
    episode = dialog.state.uuid
    before = entries(context, episode)
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert entries(context, episode) == before
    shown_messages = [
        m.message for m in dialog.findChildren(FieldMessage) if m.kind == "error" and m.message
    ]
    assert any(text.startswith(case.message) for text in shown_messages), shown_messages
    # The focus is on the field that needs attention, ready for typing.
    assert focused().objectName() == case.first_focus


def test_typing_the_checkers_name_then_enter_starts_maintenance(
    qtbot: QtBot, context, add_episode
) -> None:
    dialog = _open(qtbot, context, add_episode, FORMS["start maintenance"])
    qtbot.keyClicks(focused(), "Second Midwife")
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        press(qtbot, Qt.Key.Key_Return)
    assert entries(context, dialog.state.uuid)[-1] is EventType.MAINTENANCE_STARTED
    assert not dialog.isVisible()


def test_enter_in_a_filled_in_field_saves(qtbot: QtBot, context, add_episode) -> None:
    dialog = _open(qtbot, context, add_episode, FORMS["rate change"])
    qtbot.keyClicks(focused(), "4")  # 0.8 g/h of 20%: below the usual rate, so a tick asks
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused().objectName() == "confirm_rate_check"
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert isinstance(focused(), QLineEdit)
    qtbot.keyClicks(focused(), "oliguria: reduced on obstetric review")
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        press(qtbot, Qt.Key.Key_Return)
    assert entries(context, dialog.state.uuid)[-1] is EventType.RATE_CHANGED


def test_enter_on_a_focused_cancel_button_does_not_close_without_saving(
    qtbot: QtBot, context, add_episode
) -> None:
    dialog = _open(qtbot, context, add_episode, FORMS["load finished"])
    dialog.cancel_button.setFocus(Qt.FocusReason.TabFocusReason)
    assert focused() is dialog.cancel_button
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        press(qtbot, Qt.Key.Key_Return)
    assert entries(context, dialog.state.uuid)[-1] is EventType.LOAD_FINISHED


def test_enter_on_the_now_button_saves_rather_than_setting_the_time(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    dialog = _open(qtbot, context, add_episode, FORMS["load finished"])
    dialog.time_field.line_edit.setText("2026-01-14 02:58")
    dialog.time_field.now_button.setFocus(Qt.FocusReason.TabFocusReason)
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        press(qtbot, Qt.Key.Key_Return)
    saved = dialog.saved_events[0]
    assert saved.type is EventType.LOAD_FINISHED
    assert saved.occurred_at == clock().replace(hour=2, minute=58)


@pytest.mark.parametrize("name", ["load finished", "start maintenance", "syringe change"])
def test_escape_cancels_without_saving(qtbot: QtBot, context, add_episode, name: str) -> None:
    dialog = _open(qtbot, context, add_episode, FORMS[name])
    episode = dialog.state.uuid
    before = entries(context, episode)
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert entries(context, episode) == before


def test_with_nobody_signed_in_the_focus_starts_on_your_name(
    qtbot: QtBot, context, add_episode
) -> None:
    context.user = None
    dialog = _open(qtbot, context, add_episode, FORMS["load finished"])
    assert focused().objectName() == "user_name_edit"
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "Your name is needed" in dialog.findChild(FieldMessage, "user_name_edit_message").message
    assert EventType.LOAD_FINISHED not in entries(context, dialog.state.uuid)
    qtbot.keyClicks(focused(), "Night Midwife")
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000):
        press(qtbot, Qt.Key.Key_Return)
    assert dialog.saved_events[0].recorded_by.name == "Night Midwife"


def test_a_stop_form_opened_from_a_stop_trigger_keeps_its_reason_and_focuses_its_time(
    qtbot: QtBot, context, add_episode
) -> None:
    from mgso4.core.episode import StopReason
    from mgso4.gui.episode.actions import StopDialog

    view = open_view(qtbot, context, add_episode())
    assert view.state is not None
    dialog = StopDialog(context, view.state, view.protocol, view, preset_reason=StopReason.TOXICITY)
    dialog.open()
    shown(qtbot, dialog)
    combo = dialog.reason_combo
    assert isinstance(combo, QComboBox)
    assert combo.currentData() == StopReason.TOXICITY
    assert combo.findData(None) == -1  # no "Choose the reason…" when the reason is known
    # Never a button: a typed space would press it. Enter in the field still saves.
    assert focused() is dialog.time_field.line_edit


def test_a_space_typed_on_opening_load_finished_goes_into_the_time_not_save(
    qtbot: QtBot, context, add_episode
) -> None:
    # The load end was stored at 0 min when a space meant for the time pressed a focused Save.
    case = FORMS["load finished"]
    dialog = _open(qtbot, context, add_episode, case)
    before = entries(context, dialog.state.uuid)
    qtbot.keyClicks(focused(), " 03:")
    assert entries(context, dialog.state.uuid) == before
    assert dialog.isVisible()
    assert dialog.time_field.line_edit.text().endswith(" 03:")


@pytest.mark.parametrize("answer", [False, True])
def test_escape_after_typing_asks_before_discarding(
    qtbot: QtBot, context, add_episode, monkeypatch: pytest.MonkeyPatch, answer: bool
) -> None:
    asked: list[str] = []

    def ask(parent: QWidget) -> bool:
        asked.append(parent.windowTitle())
        return answer

    monkeypatch.setattr("mgso4.gui.episode.action_dialog.ask_discard", ask)
    dialog = _open(qtbot, context, add_episode, FORMS["observations"])
    qtbot.keyClicks(focused(), "92")
    press(qtbot, Qt.Key.Key_Escape)
    assert asked == ["Record toxicity observations"]
    assert dialog.isVisible() is not answer
    if not answer:
        assert dialog.ui.pulse_edit.text() == "92"  # the typing is kept


def test_escape_with_nothing_typed_closes_without_asking(
    qtbot: QtBot, context, add_episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[QWidget] = []
    monkeypatch.setattr(
        "mgso4.gui.episode.action_dialog.ask_discard", lambda p: asked.append(p) or True
    )
    dialog = _open(qtbot, context, add_episode, FORMS["observations"])
    press(qtbot, Qt.Key.Key_Escape)
    assert asked == []
    assert not dialog.isVisible()


@pytest.mark.parametrize("name", ["rate change", "observations"])
def test_a_non_number_in_a_number_field_is_named_as_it_is_typed(
    qtbot: QtBot, context, add_episode, name: str
) -> None:
    dialog = _open(qtbot, context, add_episode, FORMS[name])
    field = focused()
    assert isinstance(field, QLineEdit)
    qtbot.keyClicks(field, "abc")
    messages = [m for m in dialog.findChildren(FieldMessage) if m.isVisibleTo(dialog) and m.text()]
    assert any("not a number" in m.text() for m in messages), [m.text() for m in messages]
    assert dialog.isVisible()


def test_the_observation_form_warns_of_nothing_before_anything_is_typed(
    qtbot: QtBot, context, add_episode
) -> None:
    # Baselines are filled in for the user: that alone is not an "incomplete set".
    dialog = _open(qtbot, context, add_episode, FORMS["observations"])
    assert not dialog.findings_banner.isVisibleTo(dialog)
    qtbot.keyClicks(focused(), "92")
    assert dialog.findings_banner.isVisibleTo(dialog)
