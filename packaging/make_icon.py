"""Draw the app icon: a blue drop with "Mg", as SVG, PNGs (16–256 px) and a Windows .ico.

The drawing is defined once, as Qt painter paths (the "Mg" glyphs are converted to outlines
from the shipped DejaVu Sans Bold, so the SVG needs no font). From those paths this script
writes the SVG and paints each PNG; the .ico holds the PNG sizes Windows uses. At 16 and
24 px the letters would blur into a smudge, so those sizes show the drop alone.

Run from the project root (writes into resources/icons/)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icon.py

The outputs are committed; ``tests/packaging/test_packaging_icon.py`` checks they exist, have
the right sizes and that the SVG renders.
"""

from __future__ import annotations

import io
import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ICONS_DIR = PROJECT_ROOT / "resources" / "icons"
FONT_FILE = PROJECT_ROOT / "resources" / "fonts" / "DejaVuSans-Bold.ttf"

#: The drawing's own coordinate system (the SVG viewBox).
CANVAS = 256
#: PNG sizes written (px); each is also an entry in the .ico.
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: At or below this size the letters are left out (they would not be legible).
LETTERS_FROM_PX = 32

#: NHS identity blue and dark blue: high contrast with the white letters (≈ 6.7:1 and 14:1).
DROP_FILL = "#005EB8"
DROP_EDGE = "#003087"
LETTER_FILL = "#FFFFFF"
EDGE_WIDTH = 8.0


def drop_path() -> QPainterPath:
    """The drop outline in canvas units: tip at the top, round body below."""
    path = QPainterPath()
    path.moveTo(128, 12)
    path.cubicTo(QPointF(112, 48), QPointF(44, 110), QPointF(44, 162))
    # Body: the lower half of a circle of radius 84 centred at (128, 162), left to right;
    # with the edge stroke it stays inside the 256 canvas.
    path.arcTo(QRectF(44, 78, 168, 168), 180, 180)
    path.cubicTo(QPointF(212, 110), QPointF(144, 48), QPointF(128, 12))
    path.closeSubpath()
    return path


def letters_path(family: str) -> QPainterPath:
    """ "Mg" as outlines, centred in the round body of the drop."""
    font = QFont(family)
    font.setPixelSize(88)
    path = QPainterPath()
    path.addText(0, 0, font, "Mg")
    bounds = path.boundingRect()
    # Centre the letters' ink box on the body's centre, nudged up a little because the
    # descender of "g" makes the ink box sit low.
    target = QPointF(128, 160)
    path.translate(target - bounds.center())
    return path


def svg_path_data(path: QPainterPath) -> str:
    """SVG ``d`` attribute for a Qt path (move, line and cubic segments)."""
    commands: list[str] = []
    index = 0
    count = path.elementCount()
    while index < count:
        element = path.elementAt(index)
        if element.type == QPainterPath.ElementType.MoveToElement:
            if commands:
                commands.append("Z")
            commands.append(f"M{element.x:.2f} {element.y:.2f}")
            index += 1
        elif element.type == QPainterPath.ElementType.LineToElement:
            commands.append(f"L{element.x:.2f} {element.y:.2f}")
            index += 1
        elif element.type == QPainterPath.ElementType.CurveToElement:
            first, second = path.elementAt(index + 1), path.elementAt(index + 2)
            commands.append(
                f"C{element.x:.2f} {element.y:.2f} {first.x:.2f} {first.y:.2f} "
                f"{second.x:.2f} {second.y:.2f}"
            )
            index += 3
        else:  # CurveToDataElement only follows CurveToElement, consumed above
            raise ValueError(f"unexpected path element {element.type} at {index}")
    if commands:
        commands.append("Z")
    return " ".join(commands)


def svg_document(drop: QPainterPath, letters: QPainterPath) -> str:
    """The icon as a standalone SVG (no fonts, no external references)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CANVAS}" height="{CANVAS}" '
        f'viewBox="0 0 {CANVAS} {CANVAS}">\n'
        "  <title>MgSO₄ Preterm Proforma</title>\n"
        f'  <path d="{svg_path_data(drop)}" fill="{DROP_FILL}" stroke="{DROP_EDGE}" '
        f'stroke-width="{EDGE_WIDTH:g}" stroke-linejoin="round"/>\n'
        f'  <path d="{svg_path_data(letters)}" fill="{LETTER_FILL}" fill-rule="nonzero"/>\n'
        "</svg>\n"
    )


def paint(size_px: int, drop: QPainterPath, letters: QPainterPath) -> QImage:
    """The icon at ``size_px`` square, transparent background."""
    image = QImage(size_px, size_px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scale = size_px / CANVAS
    painter.scale(scale, scale)
    # Small sizes get a relatively thicker edge so the drop keeps its shape.
    edge = EDGE_WIDTH if size_px >= LETTERS_FROM_PX else EDGE_WIDTH * 2
    pen = QPen(QColor(DROP_EDGE), edge)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(QBrush(QColor(DROP_FILL)))
    painter.drawPath(drop)
    if size_px >= LETTERS_FROM_PX:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(LETTER_FILL)))
        painter.drawPath(letters)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    """PNG encoding of ``image``."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stub wants bytes; only str works
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(array.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG-compressed entry per size.

    PNG entries are read by Windows Vista and later, Inno Setup and PyInstaller. In the
    directory a width/height of 0 means 256.
    """
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    directory = io.BytesIO()
    payload = io.BytesIO()
    offset = 6 + 16 * len(sizes)
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size
        directory.write(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        payload.write(data)
        offset += len(data)
    return header + directory.getvalue() + payload.getvalue()


def main() -> int:
    """Write app-icon.svg, app-icon-<N>.png and app-icon.ico into resources/icons/."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    font_id = QFontDatabase.addApplicationFont(str(FONT_FILE))
    if font_id < 0:
        raise SystemExit(f"Could not load {FONT_FILE}")
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    drop, letters = drop_path(), letters_path(family)
    ICONS_DIR.mkdir(parents=True, exist_ok=True)
    (ICONS_DIR / "app-icon.svg").write_text(svg_document(drop, letters), encoding="utf-8")
    pngs: dict[int, bytes] = {}
    for size in PNG_SIZES:
        pngs[size] = png_bytes(paint(size, drop, letters))
        (ICONS_DIR / f"app-icon-{size}.png").write_bytes(pngs[size])
    (ICONS_DIR / "app-icon.ico").write_bytes(ico_bytes(pngs))
    del app
    print(f"Wrote app-icon.svg, {len(PNG_SIZES)} PNGs and app-icon.ico to {ICONS_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
