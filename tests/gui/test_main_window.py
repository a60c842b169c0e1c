"""The main window: restart restores the board, one short clock check, training banner,
"Saved" only after a commit, keyboard paths."""

from __future__ import annotations

from pathlib import Path

from harness.budget import InputCounter, drive_standard_case
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventDraft, EventType, Note
from mgso4.gui.app import build_main_window
from mgso4.gui.board.urgency import Urgency
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.main_window import CLOCK_CHECK_MS, TRAINING_BANNER_TEXT
from mgso4.gui.wizard import NewEpisodeWizard
from mgso4.storage import Store


def window_for(qtbot: QtBot, context):
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    return window


def test_restart_with_an_infusion_running_restores_board_and_countdowns(
    qtbot: QtBot, context, add_episode, clock, record_path: Path, context_for
) -> None:
    episode = add_episode(load_minutes_ago=60)
    window = window_for(qtbot, context)
    before = [(r.episode_uuid, r.countdown, r.next_label) for r in window.board.rows]
    assert before == [(episode, "in 3 h 00 min", "Toxicity observations")]
    window.close()
    context.store.close()

    # The app starts again from the same file, two hours later (the laptop slept).
    clock.advance(hours=2)
    reopened = Store.open(record_path, clock=clock)
    try:
        again = context_for(reopened)
        window2 = window_for(qtbot, again)
        rows = window2.board.rows
        assert [(r.episode_uuid, r.next_label) for r in rows] == [
            (episode, "Toxicity observations")
        ]
        assert rows[0].countdown == "in 1 h 00 min"
        # No timer has to fire for the time to be right: the clock check only compares.
        clock.advance(hours=1, minutes=30)
        window2.check_clock()
        assert window2.board.rows[0].countdown == "OVERDUE 30 min"
        assert window2.board.rows[0].urgency is Urgency.URGENT
        window2.close()
    finally:
        reopened.close()


def test_the_only_timer_is_a_short_clock_check(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    timers = window.findChildren(QTimer)
    running = [t for t in timers if t.isActive()]
    assert [t.objectName() for t in running] == ["clock_timer"]
    assert running[0].interval() == CLOCK_CHECK_MS <= 1000


def test_clock_check_runs_on_the_timer(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    with qtbot.waitSignal(window.sig_clock_checked, timeout=3000):
        pass


def test_training_mode_shows_a_permanent_banner_in_words(
    qtbot: QtBot, context, add_episode
) -> None:
    episode = add_episode()
    window = window_for(qtbot, context)
    banner = window.ui.training_banner
    assert banner.isVisible()
    assert banner.text() == TRAINING_BANNER_TEXT
    assert banner.text().startswith("TRAINING MODE — not a clinical record")
    assert window.windowTitle().startswith("TRAINING")
    window.open_episode(episode)  # the banner stays above every page
    assert banner.isVisible()


def test_clinical_mode_has_no_training_banner(qtbot: QtBot, store, context_for) -> None:
    context = context_for(store, training=False)
    window = window_for(qtbot, context)
    assert not window.ui.training_banner.isVisible()
    assert "TRAINING" not in window.windowTitle()


def test_saved_appears_only_after_a_commit(
    qtbot: QtBot, context, add_episode, clock, midwife
) -> None:
    episode = add_episode()
    window = window_for(qtbot, context)
    assert window.saved_label.text() == "Nothing saved yet in this session"
    draft = EventDraft.make(
        EventType.NOTE,
        Note(text="handover given"),
        episode_uuid=episode,
        occurred_at=clock(),
        recorded_by=midwife,
    )
    context.record([draft], context.protocol)
    assert window.saved_label.text() == "Saved 03:00"


def test_a_failed_save_does_not_say_saved(qtbot: QtBot, context, add_episode, request) -> None:
    episode = add_episode()
    window = window_for(qtbot, context)
    request.getfixturevalue("fail_writes")
    view = window.open_episode(episode)
    dialog = view.open_observations()
    dialog.ui.pulse_edit.setText("80")
    dialog.save_button.click()
    assert window.saved_label.text() == "Nothing saved yet in this session"
    assert dialog.error_banner.isVisible()


def test_enter_on_the_board_opens_the_episode_and_escape_goes_back(
    qtbot: QtBot, context, add_episode
) -> None:
    episode = add_episode()
    window = window_for(qtbot, context)
    table = window.board.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert isinstance(window.episode_view, EpisodeView)
    assert window.episode_view.episode_uuid == episode
    assert window.ui.page_stack.currentWidget() is window.ui.episode_page
    window.show_board()
    assert window.episode_view is None
    assert window.ui.page_stack.currentWidget() is window.ui.board_page


def test_new_episode_opens_the_wizard(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    wizard = window.new_episode()
    assert wizard is not None
    assert hasattr(wizard, "sig_episode_saved")
    wizard.close()


def test_wizard_save_refreshes_the_board_and_selects_the_episode(
    qtbot: QtBot, context, add_episode
) -> None:
    window = window_for(qtbot, context)
    assert window.board.rows == []
    episode = add_episode()  # as the wizard would, then it signals
    window._on_wizard_episode_saved(episode)
    assert window.board.selected_uuid() == episode


def _active(qtbot: QtBot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_closing_the_wizard_after_saving_opens_the_new_episode(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    wizard = window.new_episode()
    assert isinstance(wizard, NewEpisodeWizard)
    _active(qtbot, wizard)
    with qtbot.waitSignal(wizard.sig_episode_saved, timeout=2000) as saved:
        drive_standard_case(wizard, InputCounter(qtbot))
    # The "Saved" page is still showing: the board behind it has the new episode selected.
    assert window.episode_view is None
    assert window.board.selected_uuid() == saved.args[0]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # Close
    assert not wizard.isVisible()
    view = window.episode_view
    assert isinstance(view, EpisodeView)
    assert view.episode_uuid == saved.args[0]
    assert window.ui.page_stack.currentWidget() is window.ui.episode_page
    assert window.ui.title_label.text() == "Episode — Jane Example"


def test_closing_the_wizard_without_saving_stays_on_the_board(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    wizard = window.new_episode()
    assert wizard is not None
    wizard.reject()  # nothing typed, so nothing to confirm
    assert not wizard.isVisible()
    assert window.episode_view is None
    assert window.ui.page_stack.currentWidget() is window.ui.board_page


def test_the_summary_banner_names_an_overdue_episode_on_the_board(
    qtbot: QtBot, context, add_episode
) -> None:
    add_episode(name="Late OBS", load_minutes_ago=300)
    window = window_for(qtbot, context)
    banner = window.summary_banner
    assert banner.isVisible()
    assert banner.title_text.startswith("URGENT: 1 episode has something overdue")
    assert "Late OBS" in banner.detail_text


def test_audit_opens_lazily_in_its_own_window(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    assert window.audit_window is None
    audit = window.open_audit()
    assert audit is not None
    qtbot.addWidget(audit)
    assert audit.isVisible()
    assert window.open_audit() is audit  # one audit window, raised again


def test_settings_opens_and_saving_renames_the_board(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    dialog = window.open_settings()
    dialog.ui.unit_name_edit.setText("Delivery Suite")
    with qtbot.waitSignal(dialog.sig_settings_saved):
        dialog.ui.save_button.click()
    assert window.ui.title_label.text() == "Ward board — Delivery Suite"
    assert window.windowTitle().endswith("Delivery Suite")
