"""Windows that fit the screen they open on, and long forms that scroll inside them.

A ward PC is often 1280×720 or 1366×768. A window asked for at a fixed size (the main window
at 1280×800, the print preview at 900×1000) put its buttons below the screen's edge. Every
window asks :func:`fit_to_screen` for its preferred size and gets at most what the screen has
room for (less a margin for the window manager's title bar); long forms sit in a
:func:`scrolling` area, so the buttons under them stay on screen however long the form gets.
"""

from __future__ import annotations

import textwrap

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

#: Room left for the window manager's frame: the title bar above and borders around.
FRAME_ALLOWANCE_W = 16
FRAME_ALLOWANCE_H = 48


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The part of the widget's screen windows may use (panels and docks left out)."""
    screen = widget.screen() if widget is not None else None
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def room(widget: QWidget | None = None) -> tuple[int, int]:
    """The largest outer size (width, height) a window may take on the widget's screen."""
    area = available_geometry(widget)
    return area.width() - FRAME_ALLOWANCE_W, area.height() - FRAME_ALLOWANCE_H


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize to the preferred size, or to the screen's room when that is smaller."""
    max_w, max_h = room(window)
    window.resize(max(1, min(width, max_w)), max(1, min(height, max_h)))


def keep_on_screen(window: QWidget) -> None:
    """Shrink a window larger than the screen's room and move it fully onto the screen."""
    max_w, max_h = room(window)
    if window.width() > max_w or window.height() > max_h:
        window.resize(min(window.width(), max_w), min(window.height(), max_h))
    area = available_geometry(window)
    frame = window.frameGeometry()
    x = min(max(frame.x(), area.x()), area.right() + 1 - frame.width())
    y = min(max(frame.y(), area.y()), area.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, area.x()), max(y, area.y()))


def scrolling(content: QWidget, parent: QWidget | None = None) -> QScrollArea:
    """Put a form in a frameless vertical scroll area that resizes its content to its width."""
    area = QScrollArea(parent)
    area.setObjectName(f"{content.objectName() or 'form'}_scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # The area itself never takes the keyboard focus (Tab goes field to field, as before);
    # Tab to a field below the visible part scrolls it into view.
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(content)
    return area


def needed_height(window: QWidget, area: QScrollArea) -> int:
    """The window height that shows all of the scroll area's content at the current width."""
    content = area.widget()
    if content is None:
        return window.height()
    layout = content.layout()
    width = area.viewport().width()
    if layout is not None and layout.hasHeightForWidth():
        inner = layout.totalHeightForWidth(width)
    else:
        inner = content.sizeHint().height()
    return window.height() - area.viewport().height() + inner


def fit_height(window: QWidget, area: QScrollArea, floor: int) -> None:
    """Grow or shrink the window to its content (at least ``floor``), within the screen.

    A message that appears makes the window taller (up to the screen's room; beyond that the
    form scrolls); when it goes the window shrinks back, never below ``floor``.
    """
    _max_w, max_h = room(window)
    target = min(max(needed_height(window, area), min(floor, max_h)), max_h)
    if target != window.height():
        window.resize(window.width(), target)


def wrapped(text: str, chars: int = 42) -> str:
    """A choice's words broken into lines of at most ``chars`` characters.

    A check box or radio button never wraps its own text: a long label was cut off at the
    window's edge ("CNS depressant (opioid, barbiturate, general ana"). Its accessible name
    keeps the words on one line.
    """
    return "\n".join(textwrap.wrap(text, chars, break_long_words=False)) or text
