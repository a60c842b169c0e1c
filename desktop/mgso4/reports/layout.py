"""Page furniture and building blocks shared by the proforma, the blank form and the handover.

Every page carries the patient banner (or write-in banner on the blank form) at the top and a
footer with the record's chain head and the print time, plus "Page x of y" in both. The total
page count needs two passes; :class:`NumberedCanvas` keeps each page's drawing until the end
(the reportlab "canvasmaker" pattern) and then stamps the count on every page.

Print rules (photocopy-safe): black text, high contrast, grey only for rules and backgrounds;
body text 9.5 pt, tables 9 pt, nothing below 8 pt except nowhere. Abnormal values carry a
symbol and a word, never colour alone.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TypeAlias

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from mgso4.reports.fonts import BOLD, MONO, REGULAR, ensure_fonts
from mgso4.reports.text import esc, typeset

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X: Final = 14 * mm
BANNER_HEIGHT: Final = 19 * mm
BANNER_LINE_1: Final = 6 * mm
BANNER_LINE_2: Final = 11.5 * mm
BANNER_LINE_3: Final = 16 * mm
RIGHT_BLOCK: Final = 42 * mm
BANNER_TOP: Final = PAGE_HEIGHT - 8 * mm
FOOTER_HEIGHT: Final = 13.5 * mm
FOOTER_BOTTOM: Final = 7 * mm
CONTENT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN_X
FRAME_TOP: Final = BANNER_TOP - BANNER_HEIGHT - 3 * mm
FRAME_BOTTOM: Final = FOOTER_BOTTOM + FOOTER_HEIGHT + 2 * mm

#: Grey for rules and backgrounds only (never for text).
RULE_GREY: Final = colors.Color(0.45, 0.45, 0.45)
HEADER_GREY: Final = colors.Color(0.86, 0.86, 0.86)
SHADE_GREY: Final = colors.Color(0.93, 0.93, 0.93)
FLAG_GREY: Final = colors.Color(0.80, 0.80, 0.80)
BLACK: Final = colors.black

BODY_SIZE: Final = 9.5
TABLE_SIZE: Final = 9.0
FOOTER_SIZE: Final = 8.0
FOOTER_LINE: Final = 4 * mm

#: An empty check box (U+2610); DejaVu has it.
BOX: Final = "☐"


@dataclass(frozen=True)
class Styles:
    """Paragraph styles, built after the fonts are registered."""

    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    dense: ParagraphStyle
    cell_bold: ParagraphStyle
    mono: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    section: ParagraphStyle
    subheading: ParagraphStyle
    warning: ParagraphStyle


@functools.cache
def styles() -> Styles:
    """The shared paragraph styles (fonts registered on first use)."""
    ensure_fonts()
    body = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=BODY_SIZE,
        leading=12,
        textColor=BLACK,
        alignment=TA_LEFT,
        spaceAfter=2,
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=TABLE_SIZE, leading=11, spaceAfter=0)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=9, leading=11),
        cell=cell,
        # Label-and-value pairs on the completed proforma's first page (never below 8 pt).
        dense=ParagraphStyle("dense", parent=cell, fontSize=8.5, leading=10.3),
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=BOLD),
        mono=ParagraphStyle("mono", parent=cell, fontName=MONO, fontSize=8.5, leading=10.5),
        title=ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=2
        ),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=10, leading=13),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            backColor=HEADER_GREY,
            borderPadding=(2, 3, 2, 3),
            spaceBefore=9,
            spaceAfter=5,
        ),
        section=ParagraphStyle(
            "section",
            parent=body,
            fontName=BOLD,
            fontSize=10.5,
            leading=13,
            backColor=HEADER_GREY,
            borderPadding=(1.5, 3, 1.5, 3),
            spaceBefore=4.5,
            spaceAfter=2.5,
        ),
        subheading=ParagraphStyle(
            "subheading",
            parent=body,
            fontName=BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=5,
            spaceAfter=2,
        ),
        warning=ParagraphStyle(
            "warning",
            parent=body,
            fontName=BOLD,
            borderColor=BLACK,
            borderWidth=1,
            borderPadding=4,
            spaceBefore=6,
            spaceAfter=6,
        ),
    )


# --------------------------------------------------------------------------- page furniture


@dataclass(frozen=True)
class Furniture:
    """What is drawn on every page around the content.

    Attributes:
        banner_name: Bold first banner line (the patient's name), or None for a write-in banner.
        banner_details: Up to two more banner lines (identifier and date of birth; episode).
        footer_lines: Footer lines, top to bottom; the last one gets "Page x of y" at its right.
        training: Draw the training marking on every page.
        document_label: Short name of the document, printed at the banner's right.
    """

    banner_name: str | None
    banner_details: tuple[str, ...]
    footer_lines: tuple[str, ...]
    document_label: str
    training: bool = False
    write_in_fields: tuple[str, ...] = field(default_factory=tuple)


def _fit_font_size(text: str, face: str, size: float, width: float, minimum: float) -> float:
    # A patient's name is never cut short; a long one is set smaller instead.
    while size > minimum and stringWidth(text, face, size) > width:
        size -= 0.5
    return size


def _draw_banner(canvas: Canvas, furniture: Furniture) -> None:
    top = BANNER_TOP
    bottom = top - BANNER_HEIGHT
    canvas.saveState()
    canvas.setFillColor(SHADE_GREY)
    canvas.setStrokeColor(BLACK)
    canvas.setLineWidth(1)
    canvas.rect(MARGIN_X, bottom, CONTENT_WIDTH, BANNER_HEIGHT, stroke=1, fill=1)
    canvas.setFillColor(BLACK)
    text_x = MARGIN_X + 3 * mm
    right_x = MARGIN_X + CONTENT_WIDTH - 3 * mm
    usable = CONTENT_WIDTH - 6 * mm - RIGHT_BLOCK
    if furniture.banner_name is not None:
        size = _fit_font_size(furniture.banner_name, BOLD, 12.5, usable, 7)
        canvas.setFont(BOLD, size)
        canvas.drawString(text_x, top - BANNER_LINE_1, furniture.banner_name)
        for index, line in enumerate(furniture.banner_details[:2]):
            face = BOLD if index == 0 else REGULAR
            size = _fit_font_size(line, face, 10, usable, 6.5)
            canvas.setFont(face, size)
            canvas.drawString(text_x, top - (BANNER_LINE_2, BANNER_LINE_3)[index], line)
    else:
        _draw_write_in_banner(canvas, furniture, text_x, top, CONTENT_WIDTH - 6 * mm - RIGHT_BLOCK)
    canvas.setFont(BOLD, 9.5)
    canvas.drawRightString(right_x, top - BANNER_LINE_1, furniture.document_label)
    if furniture.training:
        canvas.setFont(BOLD, 9)
        canvas.drawRightString(right_x, top - BANNER_LINE_3, "TRAINING – NOT A RECORD")
    canvas.restoreState()


def _draw_write_in_banner(
    canvas: Canvas, furniture: Furniture, text_x: float, top: float, usable: float
) -> None:
    canvas.setFont(BOLD, 9.5)
    canvas.setStrokeColor(BLACK)
    canvas.setLineWidth(0.6)
    rows = [furniture.write_in_fields[:2], furniture.write_in_fields[2:4]]
    for index, labels in enumerate(rows):
        baseline = top - (BANNER_LINE_1 + 1.5 * mm) - index * 7 * mm
        column_width = usable / 2
        for position, label in enumerate(labels):
            x = text_x + position * column_width
            canvas.drawString(x, baseline, label)
            start = x + stringWidth(label, BOLD, 9.5) + 2 * mm
            canvas.line(start, baseline - 1, x + column_width - 4 * mm, baseline - 1)


def _draw_footer(canvas: Canvas, furniture: Furniture) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RULE_GREY)
    canvas.setLineWidth(0.6)
    top = FOOTER_BOTTOM + FOOTER_HEIGHT
    canvas.line(MARGIN_X, top, MARGIN_X + CONTENT_WIDTH, top)
    canvas.setFillColor(BLACK)
    for index, line in enumerate(furniture.footer_lines[:3]):
        baseline = top - (index + 1) * FOOTER_LINE
        # One face throughout: a third embedded font (monospace) costs time and bytes for
        # one line.
        face = REGULAR
        # The last line leaves room for "Page x of y" at its right.
        width = CONTENT_WIDTH - (30 * mm if index == 2 else 0)
        size = _fit_font_size(line, face, FOOTER_SIZE, width, 6.5)
        canvas.setFont(face, size)
        canvas.drawString(MARGIN_X, baseline, line)
    canvas.restoreState()


def _page_label(page: int, total: int) -> str:
    return f"Page {page} of {total}"


class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """A canvas that holds every page until the end, then writes "Page x of y" on each.

    reportlab only learns the page count when the story is finished; saving each page's state
    and replaying it at ``save()`` is the standard two-pass pattern.
    """

    def __init__(
        self,
        *args: Any,
        printed_at: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._saved_page_states: list[dict[str, Any]] = []
        if printed_at is not None:
            # The PDF's own creation date is the print time (UTC), so the file says when it
            # was printed, and the same record printed at the same time gives the same bytes.
            stamp = printed_at.astimezone(UTC)
            self.setDateFormatter(
                lambda *_: stamp.strftime("D:%Y%m%d%H%M%S+00'00'"),
            )

    def showPage(self) -> None:
        self._saved_page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_page_states)
        for number, state in enumerate(self._saved_page_states, start=1):
            self.__dict__.update(state)
            self._draw_page_numbers(number, total)
            super().showPage()
        super().save()

    def _draw_page_numbers(self, page: int, total: int) -> None:
        label = _page_label(page, total)
        right_x = MARGIN_X + CONTENT_WIDTH
        self.saveState()
        self.setFillColor(BLACK)
        self.setFont(BOLD, 10.5)
        self.drawRightString(right_x - 3 * mm, BANNER_TOP - BANNER_LINE_2, label)
        self.setFont(BOLD, FOOTER_SIZE + 0.5)
        footer_top = FOOTER_BOTTOM + FOOTER_HEIGHT
        self.drawRightString(right_x, footer_top - 3 * FOOTER_LINE, label)
        self.restoreState()


def _draw_training_mark(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.9, 0.9, 0.9))
    canvas.setFont(BOLD, 64)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, 0, "TRAINING")
    canvas.restoreState()


def build_pdf(
    story: Sequence[Flowable],
    furniture: Furniture,
    *,
    title: str,
    author: str,
    subject: str,
    printed_at: datetime | None,
) -> bytes:
    """Lay out a story on A4 pages with the banner and footer; return the PDF bytes.

    The output is deterministic for the same inputs (reportlab's invariant mode with the
    creation date set to the print time).
    """
    ensure_fonts()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=PAGE_HEIGHT - FRAME_TOP,
        bottomMargin=FRAME_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator="MgSO₄ Preterm Proforma",
        invariant=True,
        # Without an initial font reportlab starts every page in Helvetica, which would add a
        # non-embedded font that lacks the glyphs used here.
        initialFontName=REGULAR,
    )
    frame = Frame(
        MARGIN_X,
        FRAME_BOTTOM,
        CONTENT_WIDTH,
        FRAME_TOP - FRAME_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="content",
    )

    def decorate(canvas: Canvas, _document: BaseDocTemplate) -> None:
        if furniture.training:
            _draw_training_mark(canvas)
        _draw_banner(canvas, furniture)
        _draw_footer(canvas, furniture)

    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
    maker: Callable[..., Canvas] = functools.partial(NumberedCanvas, printed_at=printed_at)
    document.build(list(story), canvasmaker=maker)
    return buffer.getvalue()


# --------------------------------------------------------------------------- building blocks


def para(text: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text (escaped)."""
    return Paragraph(esc(text), style or styles().body)


def markup(text: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of trusted markup (callers escape any recorded text with ``esc``)."""
    return Paragraph(text, style or styles().body)


def section_heading(text: str) -> list[Flowable]:
    """A compact section heading (the completed proforma), never alone at a page's foot."""
    return [CondPageBreak(25 * mm), Paragraph(esc(text), styles().section)]


def heading(text: str, *, flowing: bool = True) -> list[Flowable]:
    """A section heading that is never left alone at the bottom of a page.

    ``flowing=False`` leaves out the page-break guard, for one-page layouts held in a frame.
    """
    # A conditional break, not keepWithNext: keepWithNext would glue the heading to a whole
    # table and push both to the next page, leaving a half-empty page behind.
    paragraph = Paragraph(esc(text), styles().heading)
    return [CondPageBreak(35 * mm), paragraph] if flowing else [paragraph]


def subheading(text: str) -> list[Flowable]:
    """A heading inside a section, with room for a few lines after it."""
    return [CondPageBreak(25 * mm), Paragraph(esc(text), styles().subheading)]


#: A table cell: plain text (escaped for printing) or a ready flowable.
Cell: TypeAlias = str | Flowable


def _cell(value: Cell, style: ParagraphStyle) -> Flowable:
    if isinstance(value, str):
        return Paragraph(esc(value), style)
    return value


def key_values(
    rows: Sequence[tuple[str, Cell]],
    *,
    label_width: float = 48 * mm,
    width: float = CONTENT_WIDTH,
) -> Table:
    """A two-column label/value table with light rules between rows."""
    cells = [
        [_cell(label, styles().cell_bold), _cell(value, styles().cell)] for label, value in rows
    ]
    table = Table(cells, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), REGULAR, TABLE_SIZE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_GREY),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


class _InlinePair(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A bold label and its value on one line, drawn straight onto the canvas."""

    def __init__(self, label: str, value: str, size: float, leading: float) -> None:
        super().__init__()
        self.label = label
        self.value = value
        self.size = size
        self.leading = leading
        self.label_width = stringWidth(label, BOLD, size)
        self.natural_width = self.label_width + stringWidth(value, REGULAR, size)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return avail_width, self.leading

    def draw(self) -> None:
        baseline = self.leading - self.size
        self.canv.setFillColor(BLACK)
        self.canv.setFont(BOLD, self.size)
        self.canv.drawString(0, baseline, self.label)
        self.canv.setFont(REGULAR, self.size)
        self.canv.drawString(self.label_width, baseline, self.value)


def paired(rows: Sequence[tuple[str, Cell]], *, width: float = CONTENT_WIDTH) -> Flowable:
    """ "Label: value" items two to a row, for a dense first page.

    The label is set bold at the start of its value's paragraph, so a short value takes one
    line. A label starting with "=" takes the whole row. A value that is a ready flowable
    (bold markup, a list) is placed under its label; an empty label prints the value alone.
    """
    style = styles().dense
    full, half = width - 5, width / 2 - 5

    def item(label: str, value: Cell, room: float) -> Flowable | list[Flowable]:
        if not label:
            return _cell(value, style)
        if isinstance(value, str):
            pair = _InlinePair(typeset(f"{label}: "), typeset(value), style.fontSize, style.leading)
            if pair.natural_width <= room:
                return pair  # one line: drawn directly, no paragraph to parse and wrap
            return Paragraph(f"<b>{esc(label)}:</b> {esc(value)}", style)
        return [Paragraph(f"<b>{esc(label)}:</b>", style), value]

    cells: list[list[Any]] = []
    spans: list[int] = []
    pending: Any = None
    for label, value in rows:
        wide = label.startswith("=")
        name = label[1:] if wide else label
        if wide:
            if pending is not None:
                cells.append([pending, ""])
                pending = None
            spans.append(len(cells))
            cells.append([item(name, value, full), ""])
        elif pending is not None:
            cells.append([pending, item(name, value, half)])
            pending = None
        else:
            pending = item(name, value, half)
    if pending is not None:
        cells.append([pending, ""])
    if not cells:
        return Spacer(1, 0)
    table = Table(cells, colWidths=[width / 2, width / 2], hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), REGULAR, TABLE_SIZE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
    ]
    commands += [("SPAN", (0, row), (1, row)) for row in spans]
    table.setStyle(TableStyle(commands))
    return table


def grid(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    *,
    shaded: Sequence[tuple[int, int]] = (),
    row_height: float | None = None,
    padding: float = 2,
    size: float = TABLE_SIZE,
) -> Table:
    """A ruled table with a grey header row repeated on every page it spans.

    Text that fits its column on one line is drawn as a plain table string (no paragraph to
    parse and wrap: most of a table's cost); longer text becomes a wrapping paragraph, so
    nothing is ever cut or broken mid-word where a word fits.

    Args:
        header: Column titles.
        rows: Cell text or flowables.
        widths: Column widths in points; they should add up to the content width.
        shaded: (column, row) cells, counted in ``rows``, to shade as flagged.
        row_height: Fixed height for body rows (write-in charts), or None to fit the content.
        padding: Space above and below each cell's text (points).
        size: Body text size (points; 8 at the smallest).
    """
    style_sheet = styles()
    body = (
        style_sheet.cell
        if size == TABLE_SIZE
        else ParagraphStyle(
            f"cell{size}", parent=style_sheet.cell, fontSize=size, leading=size + 1.3
        )
    )
    room = [width - 5 for width in widths]

    def fitted(value: Cell, column: int, face: str, style: ParagraphStyle, size: float) -> Any:
        if isinstance(value, str) and "\n" not in value:
            text = typeset(value)
            if stringWidth(text, face, size) <= room[column]:
                return text
        return _cell(value, style)

    data: list[list[Any]] = [
        [fitted(h, i, BOLD, style_sheet.cell_bold, TABLE_SIZE) for i, h in enumerate(header)]
    ]
    data += [[fitted(value, i, REGULAR, body, size) for i, value in enumerate(row)] for row in rows]
    heights = None if row_height is None else [None] + [row_height] * len(rows)
    table = Table(data, colWidths=list(widths), repeatRows=1, rowHeights=heights, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE_GREY),
        ("BOX", (0, 0), (-1, -1), 0.8, BLACK),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, 0), BOLD, TABLE_SIZE, 11),
        ("FONT", (0, 1), (-1, -1), REGULAR, size, size + 1.3 if size != TABLE_SIZE else 11),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]
    for column, row in shaded:
        commands.append(("BACKGROUND", (column, row + 1), (column, row + 1), FLAG_GREY))
    table.setStyle(TableStyle(commands))
    return table


def write_in(labels: Sequence[str], *, widths: Sequence[float] | None = None) -> Table:
    """A row of labelled write-in spaces ("Time ________"), ruled for handwriting."""
    count = len(labels)
    column_widths = list(widths) if widths else [CONTENT_WIDTH / count] * count
    cells = [[Paragraph(esc(label), styles().cell_bold) for label in labels]]
    table = Table(cells, colWidths=column_widths, rowHeights=[9 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), REGULAR, TABLE_SIZE),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE_GREY),
                ("INNERGRID", (0, 0), (-1, -1), 0.6, RULE_GREY),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def tick_list(options: Sequence[str], *, columns: int = 1) -> Table:
    """Options each with an empty check box, laid out in columns."""
    style_sheet = styles()
    cells = [
        Paragraph(f'<font size="12">{BOX}</font>&nbsp;{esc(option)}', style_sheet.cell)
        for option in options
    ]
    rows: list[list[Flowable | str]] = []
    for start in range(0, len(cells), columns):
        row: list[Flowable | str] = list(cells[start : start + columns])
        row += [""] * (columns - len(row))
        rows.append(row)
    table = Table(rows, colWidths=[CONTENT_WIDTH / columns] * columns, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), REGULAR, TABLE_SIZE),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def signatures(
    roles: Sequence[str],
    title: str = "Signatures",
    *,
    flowing: bool = True,
    compact: bool = False,
) -> list[Flowable]:
    """Signature lines: role, printed name, signature, date and time (kept on one page).

    ``flowing=False`` returns plain flowables, for one-page layouts held in a frame;
    ``compact`` uses the compact section heading and 9 mm rows (the completed proforma).
    """
    widths = (
        [53 * mm, 46 * mm, 44 * mm, CONTENT_WIDTH - 143 * mm]
        if compact
        else [40 * mm, 52 * mm, 50 * mm, CONTENT_WIDTH - 142 * mm]
    )
    rows = [[role, "", "", ""] for role in roles]
    table = grid(
        ["Role", "Name (print)", "Signature", "Date and time"],
        rows,
        widths,
        row_height=(8 if compact else 11) * mm,
    )
    style = styles().section if compact else styles().heading
    parts: list[Flowable] = [Paragraph(esc(title), style), table]
    return [KeepTogether(parts)] if flowing else parts


def gap(height_mm: float = 2) -> Spacer:
    """Vertical space."""
    return Spacer(1, height_mm * mm)
