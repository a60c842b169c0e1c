"""Small widgets: field messages, typed times, alert banners."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel, BannerAction
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.widgets.time_field import TimeField

LONDON = ZoneInfo("Europe/London")


def test_field_message_error_is_worded_and_described_to_screen_readers(qtbot: QtBot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    message = FieldMessage(edit, edit)
    message.show_error("Pulse is empty.")
    assert message.text() == "Problem: Pulse is empty."
    assert edit.property("invalid") is True
    assert edit.accessibleDescription() == "Problem: Pulse is empty."


def test_field_message_clear_hides_and_marks_valid(qtbot: QtBot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    message = FieldMessage(edit, edit)
    message.show_error("x")
    message.clear_message()
    assert not message.isVisibleTo(edit)
    assert edit.property("invalid") is False


def test_time_field_refuses_a_future_time(qtbot: QtBot, clock) -> None:
    field = TimeField(clock, LONDON, what="birth time", object_name="t")
    qtbot.addWidget(field)
    field.line_edit.setText("2026-01-14 03:05")
    assert field.value() is None
    assert "in the future" in field.message.message


def test_time_field_accepts_a_time_within_the_clock_tolerance(qtbot: QtBot, clock) -> None:
    field = TimeField(clock, LONDON, what="birth time", object_name="t")
    qtbot.addWidget(field)
    field.line_edit.setText("2026-01-14 03:01")
    assert field.value() == datetime(2026, 1, 14, 3, 1, tzinfo=UTC)


def test_time_field_refuses_a_time_in_the_spring_gap(qtbot: QtBot, clock) -> None:
    clock.now = datetime(2026, 4, 1, tzinfo=UTC)
    field = TimeField(clock, LONDON, what="time", object_name="t")
    qtbot.addWidget(field)
    field.line_edit.setText("2026-03-29 01:30")
    assert field.value() is None
    assert field.message.kind == "error"


def test_time_field_asks_which_time_in_the_autumn_overlap(qtbot: QtBot, clock) -> None:
    clock.now = datetime(2026, 11, 1, tzinfo=UTC)
    field = TimeField(clock, LONDON, what="time", object_name="t")
    qtbot.addWidget(field)
    field.show()
    field.line_edit.setText("2026-10-25 01:30")
    assert field.value() is None
    assert field.second_choice.isVisible()
    field.second_choice.setChecked(True)
    assert field.value() == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_time_field_shows_an_instant_in_the_overlap_without_asking(qtbot: QtBot, clock) -> None:
    clock.now = datetime(2026, 11, 1, tzinfo=UTC)
    field = TimeField(clock, LONDON, what="time", object_name="t")
    qtbot.addWidget(field)
    moment = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, the first 01:30
    field.set_value(moment)
    assert field.value() == moment


def test_alert_banner_carries_icon_and_words_not_only_colour(qtbot: QtBot) -> None:
    banner = AlertBanner()
    qtbot.addWidget(banner)
    banner.show_message(AlertLevel.URGENT, "Observations overdue 20 min")
    assert banner.title_text.startswith("URGENT: ")
    assert banner.property("tone") == "urgent"
    assert banner.accessibleName() == "URGENT: Observations overdue 20 min"


def test_alert_banner_button_emits_its_action(qtbot: QtBot) -> None:
    banner = AlertBanner()
    qtbot.addWidget(banner)
    banner.show_message(AlertLevel.CRITICAL, "x", actions=(BannerAction("ack", "Acknowledge"),))
    with qtbot.waitSignal(banner.sig_action) as blocker:
        banner.button("ack").click()
    assert blocker.args == ["ack"]


def test_alert_banner_keeps_its_buttons_when_refreshed_with_the_same_actions(qtbot) -> None:
    banner = AlertBanner()
    qtbot.addWidget(banner)
    actions = (BannerAction("ack", "Acknowledge"),)
    banner.show_message(AlertLevel.CRITICAL, "x", actions=actions)
    first = banner.button("ack")
    banner.show_message(AlertLevel.CRITICAL, "y", actions=actions)
    assert banner.button("ack") is first
