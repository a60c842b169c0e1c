"""DejaVu fonts for every printed page, registered once per process and embedded.

The standard PDF fonts (Helvetica and friends) have no subscript four, no arrows and no
check-box glyphs, so "MgSO₄", "▲ HIGH" and "☐" would print as empty boxes. DejaVu Sans covers
all of them and its licence allows embedding (resources/fonts/LICENSE-DejaVu.txt).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Final

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from mgso4.resources import resource_path

#: reportlab names of the three registered faces.
REGULAR: Final = "DejaVuSans"
BOLD: Final = "DejaVuSans-Bold"
MONO: Final = "DejaVuSansMono"

#: Face name -> file in resources/fonts/.
FONT_FILES: Final[dict[str, str]] = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
}

_lock = threading.Lock()
_registered = False


def font_path(face: str) -> Path:
    """The TTF file of a registered face name (REGULAR, BOLD or MONO)."""
    return resource_path("fonts", FONT_FILES[face])


def ensure_fonts() -> None:
    """Register the DejaVu faces with reportlab, once per process (thread-safe).

    Paragraph markup ``<b>`` maps to the bold face; there is no italic face in the vendored set,
    so italic maps to regular rather than falling back to a built-in font without the glyphs.

    Raises:
        FileNotFoundError: A font file is missing from the resources folder (a broken install;
            printing must not go ahead with glyphs that would silently become boxes).
    """
    global _registered
    with _lock:
        if _registered:
            return
        for face in FONT_FILES:
            path = font_path(face)
            if not path.is_file():
                raise FileNotFoundError(
                    f"The font file {path} is missing, so documents cannot be printed; "
                    "reinstall the app."
                )
            pdfmetrics.registerFont(TTFont(face, str(path)))
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        addMapping(BOLD, 0, 0, BOLD)
        addMapping(BOLD, 1, 0, BOLD)
        addMapping(BOLD, 0, 1, BOLD)
        addMapping(BOLD, 1, 1, BOLD)
        _registered = True
