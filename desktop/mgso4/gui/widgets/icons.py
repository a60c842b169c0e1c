"""Icons from ``resources/icons`` (SVG), so meaning never rests on colour alone."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPixmap

from mgso4.resources import resource_path

#: Icon names shipped in resources/icons (one SVG each).
ICON_NAMES = (
    "warning",
    "overdue",
    "urgent",
    "clock",
    "ok",
    "info",
    "error",
    "training",
    "stop",
)


def icon(name: str) -> QIcon:
    """The named icon; an unknown name is a programming error."""
    if name not in ICON_NAMES:
        raise ValueError(f"unknown icon {name!r}; known: {', '.join(ICON_NAMES)}")
    return QIcon(str(resource_path("icons", f"{name}.svg")))


def pixmap(name: str, size: int = 24) -> QPixmap:
    """The named icon drawn at ``size`` px square."""
    return icon(name).pixmap(QSize(size, size))
