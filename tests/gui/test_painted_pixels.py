"""What a ward PC's screen really shows: the pixels an X server painted, not a stylesheet.

Offscreen rendering hid a black background behind every window (a ``QWidget`` rule said
"transparent" and beat the window rule). These tests show the main window, the new-episode
wizard and an action dialog on a real X display (``make test`` runs them under Xvfb with
``QT_QPA_PLATFORM=xcb``), grab the screen's pixels, and check that the background is light and
that text on it reaches the WCAG AA contrast of 4.5:1. Offscreen they are skipped, saying why.
"""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from mgso4.gui.app import build_main_window
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.style import MIN_TEXT_CONTRAST, contrast_ratio, relative_luminance
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.wizard import NewEpisodeWizard


@pytest.fixture(autouse=True)
def _real_display(qapp: QApplication) -> None:
    if QGuiApplication.platformName() != "xcb":
        pytest.skip(
            "needs a real X display (QT_QPA_PLATFORM=xcb, e.g. under xvfb-run): offscreen "
            "rendering hides painting defects"
        )


#: A background darker than this (relative luminance, 0 = black, 1 = white) is "dark".
MIN_BACKGROUND_LUMINANCE = 0.5
#: Pixels a colour needs before it counts as the text colour (anti-aliasing makes strays).
MIN_TEXT_PIXELS = 6


def _hex(rgb: int) -> str:
    return QColor(rgb).name()


def screen_pixels(widget: QWidget) -> QImage:
    """What the X server shows where the widget is (the root window's pixels)."""
    QApplication.processEvents()
    top_left = widget.mapToGlobal(QPoint(0, 0))
    screen = widget.screen()
    shot = screen.grabWindow(0, top_left.x(), top_left.y(), widget.width(), widget.height())
    return shot.toImage().convertToFormat(QImage.Format.Format_RGB32)


def colour_counts(image: QImage) -> Counter[int]:
    counts: Counter[int] = Counter()
    for y in range(image.height()):
        for x in range(image.width()):
            counts[image.pixel(x, y) & 0xFFFFFF] += 1
    return counts


def background_and_text(widget: QWidget) -> tuple[str, str]:
    """The most common colour under the widget, and the colour of strongest contrast with it."""
    counts = colour_counts(screen_pixels(widget))
    background = _hex(counts.most_common(1)[0][0])
    candidates = [_hex(rgb) for rgb, n in counts.items() if n >= MIN_TEXT_PIXELS]
    text = max(candidates, key=lambda colour: contrast_ratio(colour, background))
    return background, text


def assert_light_and_readable(window: QWidget, label: QLabel) -> None:
    window_background, _ = background_and_text(window)
    assert relative_luminance(window_background) >= MIN_BACKGROUND_LUMINANCE, (
        f"{window.objectName() or type(window).__name__} is painted dark ({window_background})"
    )
    background, text = background_and_text(label)
    ratio = contrast_ratio(text, background)
    assert ratio >= MIN_TEXT_CONTRAST, (
        f"{label.text()!r}: {text} on {background} is {ratio:.1f}:1 on screen"
    )


def test_the_main_window_is_painted_light_with_readable_text(qtbot: QtBot, context) -> None:
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    title = next(
        label for label in window.findChildren(QLabel) if label.text().startswith("Ward board")
    )
    assert_light_and_readable(window, title)


def test_the_new_episode_wizard_is_painted_light_with_readable_text(qtbot: QtBot, context) -> None:
    wizard = NewEpisodeWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    label = max(
        (x for x in wizard.currentPage().findChildren(QLabel) if x.isVisible() and x.text()),
        key=lambda x: x.width() * x.height(),
    )
    assert_light_and_readable(wizard, label)


def test_an_action_dialog_is_painted_light_with_readable_text(
    qtbot: QtBot, context, add_episode
) -> None:
    view = EpisodeView(context, add_episode(load_minutes_ago=10, load_finished=False), TaskRunner())
    qtbot.addWidget(view)
    dialog = view.open_load_end()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    info = dialog.findChild(QLabel, "load_info_label")
    assert info is not None
    assert_light_and_readable(dialog, info)


def test_the_check_finds_a_dark_window(qtbot: QtBot) -> None:
    """The check itself can fail: a window painted near-black is caught."""
    window = QWidget()
    window.setObjectName("dark_window")
    window.setStyleSheet("QWidget#dark_window { background-color: #050505; }")
    window.resize(300, 120)
    label = QLabel("Near-black text on black", window)
    label.setStyleSheet("color: #1a1a1a;")
    label.move(10, 10)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with pytest.raises(AssertionError, match="painted dark"):
        assert_light_and_readable(window, label)
