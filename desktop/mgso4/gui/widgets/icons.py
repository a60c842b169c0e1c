"""Icons from ``resources/icons`` (SVG), so meaning never rests on colour alone.

Each icon is read once and each pixmap drawn once per size, then reused: the board and the
banners ask for them on every clock tick, and a fresh ``QIcon`` per call re-rendered the SVG
each second and filled Qt's pixmap cache with copies.
"""

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


_ICONS: dict[str, QIcon] = {}
_PIXMAPS: dict[tuple[str, int], QPixmap] = {}


def icon(name: str) -> QIcon:
    """The named icon (one shared instance per name); an unknown name is a programming error."""
    cached = _ICONS.get(name)
    if cached is not None:
        return cached
    if name not in ICON_NAMES:
        raise ValueError(f"unknown icon {name!r}; known: {', '.join(ICON_NAMES)}")
    made = QIcon(str(resource_path("icons", f"{name}.svg")))
    _ICONS[name] = made
    return made


def pixmap(name: str, size: int = 24) -> QPixmap:
    """The named icon drawn at ``size`` px square (drawn once per name and size)."""
    key = (name, size)
    cached = _PIXMAPS.get(key)
    if cached is None:
        cached = icon(name).pixmap(QSize(size, size))
        _PIXMAPS[key] = cached
    return cached
