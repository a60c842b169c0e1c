"""The audit period: presets, a date typed in full, and the last 12 months for an empty
record (it opened on 2000-01-01). A delivered episode shows the gestation at birth, and the
history says how to amend or void an entry."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from mgso4.gui.audit.view import AuditView, preset_range
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner

WAIT_MS = 20_000


def open_audit(qtbot: QtBot, context: Any) -> AuditView:
    view = AuditView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.data is not None and not view.busy, timeout=WAIT_MS)
    return view


def test_presets_cover_calendar_periods() -> None:
    today = date(2026, 5, 14)
    assert preset_range("Last month", today) == (date(2026, 4, 1), date(2026, 4, 30))
    assert preset_range("Last quarter", today) == (date(2026, 1, 1), date(2026, 3, 31))
    assert preset_range("Year to date", today) == (date(2026, 1, 1), today)
    assert preset_range("Last 12 months", today) == (date(2025, 5, 15), today)
    assert preset_range("Last quarter", date(2026, 1, 3)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_an_empty_record_opens_on_the_last_12_months(qtbot: QtBot, context: Any) -> None:
    view = open_audit(qtbot, context)
    today = context.clock().astimezone(context.tz).date()
    assert view.period_combo.currentText() == "Last 12 months"
    assert view.date_to_edit.date() == QDate(today.year, today.month, today.day)
    assert view.date_from_edit.date().year() == today.year - 1


def test_a_preset_sets_both_dates(qtbot: QtBot, context: Any) -> None:
    view = open_audit(qtbot, context)
    view.period_combo.setCurrentText("Year to date")
    today = context.clock().astimezone(context.tz).date()
    assert view.date_from_edit.date() == QDate(today.year, 1, 1)
    assert view.date_to_edit.date() == QDate(today.year, today.month, today.day)


def test_a_whole_date_typed_in_from_is_taken_whole(qtbot: QtBot, context: Any) -> None:
    view = open_audit(qtbot, context)
    edit = view.date_from_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, "2026-10-01")
    assert edit.date() == QDate(2026, 10, 1)
    assert view.period_combo.currentText() == "Dates chosen"


def test_a_delivered_episode_shows_the_gestation_at_birth(
    qtbot: QtBot, context: Any, add_episode: Any, clock: Any
) -> None:
    from mgso4.core.episode import Birth, EventDraft, EventType

    uuid = add_episode(gestation="27+3")
    context.store.append_many(
        [
            EventDraft.make(
                EventType.BIRTH,
                Birth(baby=1),
                episode_uuid=uuid,
                occurred_at=clock(),
                recorded_by=context.user,
            )
        ],
        context.protocol,
    )
    clock.advance(days=40)
    view = EpisodeView(context, uuid, TaskRunner())
    qtbot.addWidget(view)
    details = view.patient_banner.details_label.text()
    assert "gestation at birth 27+" in details
    assert "gestation today" not in details
    assert "select it in the history first" in view.timeline_heading.text()
