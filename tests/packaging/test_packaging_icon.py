"""The app icon: one drawing, shipped as SVG, PNGs 16–256 px and a Windows .ico."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontDatabase, QGuiApplication, QImage
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)

sys.path.insert(0, str(ROOT / "packaging"))
import make_icon  # noqa: E402  (packaging/ is not a package)


@pytest.fixture(scope="module")
def gui_app() -> QGuiApplication:
    app = QGuiApplication.instance() or QGuiApplication([])
    assert isinstance(app, QGuiApplication)
    return app


def ico_sizes(data: bytes) -> list[int]:
    """Square sizes (px) listed in an .ico directory (0 in the byte means 256)."""
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1), "not an icon file"
    sizes = []
    for index in range(count):
        width, height = struct.unpack_from("<BB", data, 6 + 16 * index)
        assert width == height
        sizes.append(width or 256)
    return sizes


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icon_has_its_stated_size(gui_app: QGuiApplication, size: int) -> None:
    image = QImage(str(ICONS / f"app-icon-{size}.png"))
    assert (image.width(), image.height()) == (size, size)


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icon_is_transparent_in_the_corner_and_drawn_in_the_middle(
    gui_app: QGuiApplication, size: int
) -> None:
    image = QImage(str(ICONS / f"app-icon-{size}.png"))
    assert image.pixelColor(0, 0).alpha() == 0
    assert image.pixelColor(size // 2, size * 2 // 3).alpha() == 255


def test_ico_holds_every_png_size() -> None:
    assert ico_sizes((ICONS / "app-icon.ico").read_bytes()) == list(PNG_SIZES)


def test_svg_icon_renders(gui_app: QGuiApplication) -> None:
    renderer = QSvgRenderer(str(ICONS / "app-icon.svg"))
    assert renderer.isValid()
    assert renderer.viewBoxF() == QRectF(0, 0, 256, 256)


def test_svg_icon_needs_no_font() -> None:
    # The letters are outlines, so the icon looks the same on a PC without DejaVu.
    assert "<text" not in (ICONS / "app-icon.svg").read_text(encoding="utf-8")


def test_committed_svg_is_what_make_icon_draws(gui_app: QGuiApplication) -> None:
    font_id = QFontDatabase.addApplicationFont(str(make_icon.FONT_FILE))
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    drawn = make_icon.svg_document(make_icon.drop_path(), make_icon.letters_path(family))
    assert drawn == (ICONS / "app-icon.svg").read_text(encoding="utf-8")
