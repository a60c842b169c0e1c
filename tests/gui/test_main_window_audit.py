"""A case opened in the audit window opens its episode in the main window, when it is in the
open record and no form is open there."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot

from mgso4.gui.app import build_main_window
from mgso4.gui.context import AppContext
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.main_window import MainWindow


def window_for(qtbot: QtBot, context: AppContext) -> MainWindow:
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    return window


def audit_of(qtbot: QtBot, window: MainWindow):  # type: ignore[no-untyped-def]
    audit = window.open_audit()
    assert audit is not None
    qtbot.addWidget(audit)
    return audit


def test_a_case_opened_in_the_audit_opens_its_episode(qtbot: QtBot, context, add_episode) -> None:
    episode = add_episode(name="Audit CASE")
    window = window_for(qtbot, context)
    audit = audit_of(qtbot, window)
    audit.sig_open_episode.emit(episode)
    view = window.episode_view
    assert isinstance(view, EpisodeView)
    assert view.episode_uuid == episode
    assert window.ui.page_stack.currentWidget() is window.ui.episode_page
    assert window.ui.title_label.text() == "Episode — Audit CASE"


def test_a_case_opened_from_the_audit_replaces_another_open_episode(
    qtbot: QtBot, context, add_episode
) -> None:
    first = add_episode(name="First CASE")
    second = add_episode(name="Second CASE", identifier="9990000026")
    window = window_for(qtbot, context)
    window.open_episode(first)
    audit = audit_of(qtbot, window)
    audit.sig_open_episode.emit(second)
    assert window.episode_view is not None
    assert window.episode_view.episode_uuid == second


def test_an_episode_not_in_the_open_record_is_named_not_opened(
    qtbot: QtBot, context, add_episode
) -> None:
    add_episode()
    window = window_for(qtbot, context)
    audit = audit_of(qtbot, window)
    missing = str(uuid.uuid4())
    audit.sig_open_episode.emit(missing)
    assert window.episode_view is None
    assert window.ui.page_stack.currentWidget() is window.ui.board_page
    banner = window.store_banner
    assert banner.title_text == "WARNING: Cannot open that episode"
    assert missing in banner.detail_text


def test_a_form_open_in_the_main_window_is_never_closed_by_the_audit(
    qtbot: QtBot, context, add_episode
) -> None:
    first = add_episode(name="First CASE")
    second = add_episode(name="Second CASE", identifier="9990000026")
    window = window_for(qtbot, context)
    view = window.open_episode(first)
    form = view.open_observations()
    assert form is not None
    form.ui.pulse_edit.setText("84")
    audit = audit_of(qtbot, window)
    audit.sig_open_episode.emit(second)
    assert window.episode_view is view
    assert form.isVisible()
    assert form.ui.pulse_edit.text() == "84"
    assert window.store_banner.title_text == "WARNING: Finish the open form first"
    form.reject()
