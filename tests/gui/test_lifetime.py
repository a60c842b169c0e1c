"""A shift of use leaves nothing behind: every dialog and print preview is deleted when it
closes, the alert banner's button row does not grow, and icons are drawn once.

A ward PC runs the app all day; a dialog parented to the window and never deleted stays alive
for the whole shift (a cancelled wizard is about 6 MB, a closed preview keeps its PDF, a thread
and a file descriptor). Each test closes the dialog the way a user does and waits for Qt to
destroy it (``destroyed``), so it fails on code that only hides it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import shiboken6
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QDialog, QSpacerItem, QWidget
from pytestqt.qtbot import QtBot

from mgso4.gui.app import build_main_window
from mgso4.gui.context import AppContext
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.main_window import MainWindow
from mgso4.gui.printing import PdfPreviewDialog
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel, BannerAction
from mgso4.gui.widgets.icons import ICON_NAMES, icon, pixmap

#: Rendering a PDF on a worker thread takes well under a second; this is the ceiling.
RENDER_WAIT_MS = 20_000
#: Deletion happens at the next pass of the event loop.
DELETE_WAIT_MS = 5_000


def window_for(qtbot: QtBot, context: AppContext) -> MainWindow:
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    return window


def closes_and_is_deleted(qtbot: QtBot, dialog: QWidget, close: Callable[[], object]) -> None:
    """Close ``dialog`` with ``close`` and wait until Qt has destroyed it."""
    close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=DELETE_WAIT_MS)


def test_a_cancelled_new_episode_wizard_is_deleted(qtbot: QtBot, context: AppContext) -> None:
    window = window_for(qtbot, context)
    wizard = window.new_episode()
    assert isinstance(wizard, QDialog)
    closes_and_is_deleted(qtbot, wizard, wizard.reject)
    assert window.active_dialog is None
    assert window.findChildren(QDialog) == []


def test_the_user_and_settings_dialogs_are_deleted_when_closed(
    qtbot: QtBot, context: AppContext
) -> None:
    window = window_for(qtbot, context)
    for open_dialog in (window.change_user, window.open_settings):
        dialog = open_dialog()
        closes_and_is_deleted(qtbot, dialog, dialog.reject)
        assert window.active_dialog is None
    assert window.findChildren(QDialog) == []


def test_a_closed_blank_proforma_preview_is_deleted_and_its_document_emptied_for_the_next(
    qtbot: QtBot, context: AppContext
) -> None:
    window = window_for(qtbot, context)
    window.print_blank_proforma()
    qtbot.waitUntil(lambda: window.blank_preview is not None, timeout=RENDER_WAIT_MS)
    preview = window.blank_preview
    assert isinstance(preview, PdfPreviewDialog)
    document = preview.document
    assert document.pageCount() > 0
    closes_and_is_deleted(qtbot, preview, preview.close_button.click)
    assert window.blank_preview is None
    assert window.active_dialog is None
    # The last PDF made is kept as bytes (for the print log), not as a live preview.
    assert window.last_blank_pdf is not None
    # The document holds nothing now and serves the next preview (PdfDocumentPool): the PDF
    # engine keeps memory for every document it ever opened, so none is made per preview.
    assert document.status() is QPdfDocument.Status.Null
    assert document.pageCount() == 0

    window.print_blank_proforma()
    qtbot.waitUntil(lambda: window.blank_preview is not None, timeout=RENDER_WAIT_MS)
    again = window.blank_preview
    assert again is not None and again is not preview
    assert again.document is document
    closes_and_is_deleted(qtbot, again, again.close_button.click)


def test_observation_dialogs_and_previews_do_not_pile_up_under_an_open_episode(
    qtbot: QtBot, context: AppContext, add_episode
) -> None:
    view = EpisodeView(context, add_episode(obs_minutes_ago=(30,)), TaskRunner())
    qtbot.addWidget(view)
    for _ in range(3):
        dialog = view.open_observations()
        assert dialog is not None
        closes_and_is_deleted(qtbot, dialog, dialog.reject)
        assert view.active_dialog is None
    view.print_proforma()
    qtbot.waitUntil(lambda: view.preview_dialog is not None, timeout=RENDER_WAIT_MS)
    preview = view.preview_dialog
    assert preview is not None
    closes_and_is_deleted(qtbot, preview, preview.reject)
    assert view.preview_dialog is None
    assert view.findChildren(QDialog) == []


def _stretches(banner: AlertBanner) -> int:
    row = banner._buttons
    return sum(isinstance(row.itemAt(i), QSpacerItem) for i in range(row.count()))


@pytest.mark.parametrize("changes", [1, 50])
def test_the_banner_keeps_one_stretch_however_often_its_actions_change(
    qtbot: QtBot, changes: int
) -> None:
    banner = AlertBanner()
    qtbot.addWidget(banner)
    for number in range(changes):
        banner.show_message(
            AlertLevel.WARNING, "Overdue", "", (BannerAction("open", f"Open bed {number}"),)
        )
    assert _stretches(banner) == 1
    assert banner._buttons.count() == 2  # one button, one stretch
    banner.clear()
    assert banner._buttons.count() == 1  # the stretch alone
    assert _stretches(banner) == 1


def test_icons_and_pixmaps_are_made_once_and_reused(qtbot: QtBot) -> None:
    for name in ICON_NAMES:
        assert icon(name).cacheKey() == icon(name).cacheKey()
        assert pixmap(name, 32).cacheKey() == pixmap(name, 32).cacheKey()
