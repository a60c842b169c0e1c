"""Every window and dialog fits a 1280×720 ward screen: no button lies outside it.

A ward PC is often 1280×720. The main window opened at 1280×800, the observations form at 760
px (Save below the screen) and grew past 1,000 px when a warning appeared, the print preview
at 900×1000 and the audit window at 1,807 px wide. These tests give the app a 1280×720 screen
(``screen_fit.available_geometry``; under ``xvfb-run -s "-screen 0 1280x720x24"`` the real
one), open every window and dialog, and fail when any visible button is not wholly inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from mgso4.core.flow import Step
from mgso4.gui.app import build_main_window
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.widgets import screen_fit
from mgso4.gui.wizard import NewEpisodeWizard

SCREEN = QRect(0, 0, 1280, 720)


@pytest.fixture(autouse=True)
def _small_screen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget=None: QRect(SCREEN))
    yield


def _settle(qtbot: QtBot) -> None:
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(1)


def buttons_off_screen(window: QWidget) -> list[str]:
    """The visible buttons of a window not wholly on the 1280×720 screen (window at 0,0)."""
    QApplication.processEvents()
    outside: list[str] = []
    frame = window.frameGeometry()
    # Measured from the window's own corner, as if the window manager put it at the top left
    # (a window wider or taller than the screen cannot be placed so that everything shows).
    origin = window.mapToGlobal(QPoint(0, 0)) - frame.topLeft()
    if frame.width() > SCREEN.width() or frame.height() > SCREEN.height():
        outside.append(f"the window itself ({frame.width()}×{frame.height()})")
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.window() is not window:
            continue
        top_left = button.mapTo(window, QPoint(0, 0)) + origin
        box = QRect(top_left, button.size())
        if not SCREEN.contains(box):
            words = button.text() or button.accessibleName() or button.objectName()
            outside.append(f"{words!r} at {box.x()},{box.y()} {box.width()}×{box.height()}")
    return outside


def check(window: QWidget, qtbot: QtBot) -> None:
    _settle(qtbot)
    assert buttons_off_screen(window) == [], window.windowTitle()


@pytest.fixture
def window(context: Any, add_episode: Any, qtbot: QtBot) -> Any:
    add_episode(name="First PATIENT", identifier="9990000018", obs_minutes_ago=(200,))
    add_episode(name="Second PATIENT", identifier="9990000026", load_minutes_ago=None)
    main = build_main_window(context)
    qtbot.addWidget(main)
    main.show()
    return main


def test_the_main_window_and_board_fit(window: Any, qtbot: QtBot) -> None:
    check(window, qtbot)
    assert window.height() <= SCREEN.height() and window.width() <= SCREEN.width()


def test_an_episode_page_with_two_alerts_fits(
    window: Any, add_episode: Any, clock: Any, qtbot: QtBot
) -> None:
    uuid = add_episode(
        name="Third PATIENT", identifier="9990000034", load_minutes_ago=30, load_finished=False
    )
    clock.advance(hours=2)
    window.check_clock()
    window.open_episode(uuid)
    window.check_clock()
    check(window, qtbot)


def _dialogs(view: EpisodeView) -> Iterator[tuple[str, QWidget | None]]:
    yield "observations", view.open_observations()
    yield "load end", view.open_load_end()
    yield "maintenance", view.open_maintenance()
    yield "syringe", view.open_syringe()
    yield "rate", view.open_rate()
    yield "stop", view.open_stop()
    yield "birth", view.open_birth()


def test_every_episode_form_fits_and_shrinks_back(
    context: Any, add_episode: Any, qtbot: QtBot
) -> None:
    view = EpisodeView(context, add_episode(obs_minutes_ago=(30,)), TaskRunner())
    qtbot.addWidget(view)
    for name, dialog in _dialogs(view):
        if dialog is None:
            continue
        # Not handed to qtbot: the view owns its dialogs, and a rejected one deletes itself
        # (closing it again at teardown failed on an object already deleted).
        check(dialog, qtbot)
        if name == "observations":
            first = dialog.height()
            edits = dialog.edits  # type: ignore[attr-defined]
            edits["rr_per_min"].setText("8")
            edits["pulse_per_min"].setText("abc")
            dialog.save_button.click()  # type: ignore[attr-defined]
            check(dialog, qtbot)
            edits["rr_per_min"].setText("")
            edits["pulse_per_min"].setText("")
            for message in dialog.messages.values():  # type: ignore[attr-defined]
                message.clear_message()
            _settle(qtbot)
            assert dialog.height() <= max(first, dialog.minimumSizeHint().height()) + 1
        dialog.reject()


def test_the_wizard_fits_on_every_page(context: Any, qtbot: QtBot) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "screenshots"))
    from wizard_pages import _current_step, fill_page, press_next

    context.user = None
    wizard = NewEpisodeWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    seen = []
    while True:
        step = _current_step(wizard)
        seen.append(step)
        fill_page(wizard, step)
        check(wizard, qtbot)
        if step is Step.DONE:
            break
        press_next(wizard)
    assert Step.LOADING in seen


def test_the_print_preview_fits(window: Any, qtbot: QtBot) -> None:
    window.print_blank_proforma()
    qtbot.waitUntil(lambda: window.blank_preview is not None, timeout=30_000)
    check(window.blank_preview, qtbot)


def test_the_audit_window_fits(window: Any, qtbot: QtBot) -> None:
    audit = window.open_audit()
    qtbot.addWidget(audit)
    check(audit, qtbot)


def test_settings_and_sign_in_fit(window: Any, qtbot: QtBot) -> None:
    settings = window.open_settings()
    check(settings, qtbot)
    settings.reject()
    user = window.change_user()
    check(user, qtbot)
    user.reject()
