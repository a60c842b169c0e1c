"""The team's feedback sheet as one landscape A4 page (reportlab; DejaVu fonts, embedded).

The content is decided in ``audit.feedback`` (every figure from the audit's metrics) and the
charts are drawn by ``audit.charts``; this module only lays them out. Each column is held in
a ``KeepInFrame`` that shrinks its content rather than spill onto a second page, so the sheet
is always one page.

Print rules as for the other documents: black text, icons carry a letter and words as well as
a colour, nothing identifies a patient (the sheet is built without names, NHS/CHI numbers,
dates of birth, episode ids or free text from the record).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    Image,
    KeepInFrame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from mgso4 import __version__
from mgso4.audit.feedback import (
    MAX_CASE_ROWS,
    TARGET_SOURCE,
    CaseRow,
    FeedbackSheet,
    HeadlineRow,
)
from mgso4.audit.metrics import COUNTING_UNIT, ReasonCount
from mgso4.audit.spc import Assurance, Rule, Variation
from mgso4.core.timeutil import format_local
from mgso4.reports.fonts import BOLD, REGULAR, ensure_fonts
from mgso4.reports.layout import BLACK, HEADER_GREY, RULE_GREY, styles
from mgso4.reports.text import PRODUCT_NAME, esc

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN: Final = 9 * mm
HEADER_HEIGHT: Final = 17 * mm
FOOTER_HEIGHT: Final = 12 * mm
GUTTER: Final = 6 * mm
LEFT_WIDTH: Final = 152 * mm
RIGHT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN - LEFT_WIDTH - GUTTER
COLUMN_TOP: Final = PAGE_HEIGHT - MARGIN - HEADER_HEIGHT
COLUMN_BOTTOM: Final = MARGIN + FOOTER_HEIGHT
COLUMN_HEIGHT: Final = COLUMN_TOP - COLUMN_BOTTOM
#: Sizes the charts are drawn at, in millimetres (the figures are made at exactly this size,
#: so their text is printed at the size it was set).
SPC_CHART_MM: Final = (152.0, 84.0)
PARETO_CHART_MM: Final = (RIGHT_WIDTH / mm, 66.0)
TEXT_SIZE: Final = 8.0

#: Icon colours (as Making Data Count: blue improvement or pass, orange concern or fail,
#: grey neither) — always with a letter and words, never colour alone.
BLUE: Final = colors.HexColor("#0072B2")
ORANGE: Final = colors.HexColor("#E69F00")
GREY: Final = colors.HexColor("#888888")
_VARIATION_COLOURS: Final = {
    Variation.IMPROVEMENT_HIGH: BLUE,
    Variation.IMPROVEMENT_LOW: BLUE,
    Variation.CONCERN_HIGH: ORANGE,
    Variation.CONCERN_LOW: ORANGE,
    Variation.COMMON_CAUSE: GREY,
    Variation.NOT_ASSESSED: colors.white,
}
_ASSURANCE_COLOURS: Final = {
    Assurance.PASS: BLUE,
    Assurance.FAIL: ORANGE,
    Assurance.HIT_AND_MISS: GREY,
    Assurance.NOT_ASSESSED: colors.white,
}
GROUP_WORDS: Final = {
    "avoidable": "Avoidable",
    "not-avoidable": "Not avoidable",
    "review": "Review",
}


@dataclass(frozen=True)
class SheetCharts:
    """The charts as PNG images, drawn at the sizes above (``feedback_pdf`` below)."""

    spc_png: bytes
    pareto_png: bytes | None


def _style(name: str, **kwargs: Any) -> ParagraphStyle:
    settings: dict[str, Any] = {"fontSize": TEXT_SIZE, "leading": 9.6, **kwargs}
    return ParagraphStyle(name, parent=styles().cell, **settings)


class Icon(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A round icon with a letter inside and its meaning beside it."""

    def __init__(self, symbol: str, fill: colors.Color, words: str, width: float) -> None:
        super().__init__()
        self.symbol = symbol
        self.fill = fill
        self.words = Paragraph(esc(words), _style("icon"))
        self.width = width
        self.diameter = 7 * mm
        _, text_height = self.words.wrap(width - self.diameter - 2 * mm, 100 * mm)
        self.height = max(self.diameter, text_height)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        radius = self.diameter / 2
        centre_y = self.height - radius
        canvas.saveState()
        canvas.setStrokeColor(BLACK)
        canvas.setLineWidth(0.8)
        canvas.setFillColor(self.fill)
        canvas.circle(radius, centre_y, radius, stroke=1, fill=1)
        light = self.fill in (colors.white, ORANGE)
        canvas.setFillColor(BLACK if light else colors.white)
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(radius, centre_y - 3.5, self.symbol)
        canvas.restoreState()
        text_height = self.words.height
        self.words.drawOn(canvas, self.diameter + 2 * mm, self.height - text_height)


def render_feedback(sheet: FeedbackSheet, charts: SheetCharts) -> bytes:
    """The sheet as PDF bytes (one landscape A4 page; deterministic for the same inputs)."""
    ensure_fonts()
    buffer = io.BytesIO()
    month = sheet.month
    document = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=COLUMN_BOTTOM,
        title=f"MgSO₄ team feedback, {month.label}",
        author=PRODUCT_NAME,
        subject="De-identified monthly feedback sheet",
        creator=PRODUCT_NAME,
        invariant=True,
        initialFontName=REGULAR,
    )
    left = Frame(
        MARGIN, COLUMN_BOTTOM, LEFT_WIDTH, COLUMN_HEIGHT, 0, 0, 0, 0, id="left", showBoundary=0
    )
    right = Frame(
        MARGIN + LEFT_WIDTH + GUTTER,
        COLUMN_BOTTOM,
        RIGHT_WIDTH,
        COLUMN_HEIGHT,
        0,
        0,
        0,
        0,
        id="right",
    )

    def decorate(canvas: Canvas, _document: BaseDocTemplate) -> None:
        _draw_header(canvas, sheet)
        _draw_footer(canvas, sheet)

    document.addPageTemplates([PageTemplate(id="sheet", frames=[left, right], onPage=decorate)])
    story = [
        KeepInFrame(LEFT_WIDTH, COLUMN_HEIGHT, _left_column(sheet, charts), mode="shrink"),
        FrameBreak(),
        KeepInFrame(RIGHT_WIDTH, COLUMN_HEIGHT, _right_column(sheet, charts), mode="shrink"),
    ]
    document.build(story)
    return buffer.getvalue()


# --- header and footer ---------------------------------------------------------------------------


def _draw_header(canvas: Canvas, sheet: FeedbackSheet) -> None:
    top = PAGE_HEIGHT - MARGIN
    right = PAGE_WIDTH - MARGIN
    canvas.saveState()
    canvas.setFillColor(BLACK)
    canvas.setFont(BOLD, 13.5)
    title = f"MgSO₄ for fetal neuroprotection — team feedback, {sheet.month.label}"
    canvas.drawString(MARGIN, top - 5 * mm, title)
    units = ", ".join(sheet.units) if sheet.units else "no births recorded"
    canvas.setFont(REGULAR, 8.5)
    canvas.drawString(
        MARGIN,
        top - 10 * mm,
        f"Unit: {units} · births {sheet.month.first_day.day}–{sheet.month.last_day.day} "
        f"{sheet.month.label} (local dates)",
    )
    made = format_local(sheet.made_at)
    heads = " ".join(f"{head[:12]}" for head in sheet.chain_heads.values())
    record = f"record {sheet.record_name}" + (f" (chain head {heads})" if heads else "")
    canvas.drawString(MARGIN, top - 14 * mm, f"Made {made} from {record}")
    canvas.setFont(BOLD, 8.5)
    canvas.drawRightString(
        right, top - 10 * mm, "DE-IDENTIFIED: no names, NHS/CHI numbers, dates of birth, free text"
    )
    canvas.setFont(REGULAR, 8.5)
    suppression = (
        f"Small numbers: counts below {sheet.suppress_below} shown as <{sheet.suppress_below}"
        if sheet.suppress_below is not None
        else "Small-number suppression off (internal huddle only)"
    )
    canvas.drawRightString(right, top - 14 * mm, suppression)
    canvas.setStrokeColor(RULE_GREY)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top - HEADER_HEIGHT + 1.5 * mm, right, top - HEADER_HEIGHT + 1.5 * mm)
    canvas.restoreState()


_FOOTER_LINES: Final = (
    "NNAP [E1][E2]: babies born before 30+0 whose mother received MgSO₄ in the 24 h before "
    "birth. BAPM/PERIPrem optimal [B1][P1][P2]: loading dose started > 4 h and < 24 h before "
    "birth. NICE QS135 [N2]: 24+0–29+6 at decision; (a) established labour, received; (b) "
    "planned birth, in the 24 h before.",
    "SPC: p-chart, centre p̄ = all met ÷ all eligible, limits p̄ ± 3σ for each point's own "
    "denominator; signals read by NHS England \u201cMaking Data Count\u201d rules. Figures "
    "from the same audit as the report (mgso4 report). Reference = first 8 characters of the "
    "keyed pseudonym used in de-identified exports, then the baby number.",
)


def _draw_footer(canvas: Canvas, sheet: FeedbackSheet) -> None:
    lines = (*_FOOTER_LINES[:-1], f"{_FOOTER_LINES[-1]} Counting: {COUNTING_UNIT}.")
    canvas.saveState()
    canvas.setStrokeColor(RULE_GREY)
    canvas.setLineWidth(0.6)
    top = MARGIN + FOOTER_HEIGHT - 2 * mm
    canvas.line(MARGIN, top, PAGE_WIDTH - MARGIN, top)
    width = PAGE_WIDTH - 2 * MARGIN
    y = top - 0.5 * mm
    for text in lines:
        paragraph = Paragraph(esc(text), _style("footer", fontSize=6.8, leading=7.8))
        _, height = paragraph.wrap(width, 20 * mm)
        paragraph.drawOn(canvas, MARGIN, y - height)
        y -= height
    canvas.setFont(REGULAR, 6.8)
    canvas.drawRightString(
        PAGE_WIDTH - MARGIN, MARGIN - 1 * mm, f"{PRODUCT_NAME} {__version__} · Page 1 of 1"
    )
    canvas.restoreState()


# --- left column: headline, SPC chart, icons -----------------------------------------------------


def _left_column(sheet: FeedbackSheet, charts: SheetCharts) -> list[Flowable]:
    flow: list[Flowable] = [_heading("This month beside the last")]
    flow.append(_headline_table(sheet))
    flow.append(
        Paragraph(
            esc(
                f"Targets for NNAP: {sheet.options.target_percent} %, stretch "
                f"{sheet.options.stretch_percent} % ({TARGET_SOURCE})."
            ),
            _style("target_note", fontSize=7.2, leading=8.6),
        )
    )
    flow.append(Spacer(1, 2 * mm))
    chart = sheet.chart
    flow.append(_heading("Is NNAP uptake changing? (SPC chart)"))
    flow.append(_image(charts.spc_png, SPC_CHART_MM))
    flow.append(Spacer(1, 1.5 * mm))
    flow.append(_icons(sheet))
    flow.append(Spacer(1, 1 * mm))
    settings = chart.chart.settings
    rules = "; ".join(rule.describe(settings) for rule in Rule)
    fired = sorted(rule.value for rule in chart.chart.signal_rules)
    if chart.chart.analysed:
        read = (
            f"Signals found: {', '.join(fired)}."
            if fired
            else "No special-cause signal on this chart."
        )
        text = f"Rules (Making Data Count): {rules}. {read}"
    else:
        text = f"{chart.chart.why_not_analysed} " + (
            "For a steadier view print with quarters or a rolling 12 months "
            "(chart period), or count several units together."
            if chart.period.value == "month"
            else ""
        )
    flow.append(Paragraph(esc(text), _style("rules", fontSize=7.4, leading=8.8)))
    return flow


def _headline_table(sheet: FeedbackSheet) -> Table:
    month = sheet.month
    header = [
        "Measure",
        month.label,
        month.plus(-1).label,
        f"12 months to {month.short}",
        "Target",
    ]
    bold = _style("head", fontName=BOLD)
    cell = _style("cell")
    rows: list[list[Flowable]] = [[Paragraph(esc(text), bold) for text in header]]
    for row in sheet.headline:
        rows.append(_headline_cells(sheet, row, cell))
    widths = [58 * mm, 24 * mm, 24 * mm, 24 * mm, 22 * mm]
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(_table_style())
    return table


def _headline_cells(
    sheet: FeedbackSheet, row: HeadlineRow, style: ParagraphStyle
) -> list[Flowable]:
    cells = [Paragraph(esc(row.label), style)]
    for value in (row.this_month, row.previous_month, row.last_12_months):
        shown = sheet.shown(value)
        cells.append(
            Paragraph(f"<b>{esc(shown.percentage)}</b><br/>{esc(shown.fraction_text)}", style)
        )
    cells.append(Paragraph(esc(row.target or ""), style))
    return cells


def _icons(sheet: FeedbackSheet) -> Table:
    chart = sheet.chart.chart
    width = (LEFT_WIDTH - 4 * mm) / 3
    items: list[Flowable] = [
        Icon(
            chart.variation.symbol,
            _VARIATION_COLOURS[chart.variation],
            f"Variation: {chart.variation.words}",
            width,
        )
    ]
    for target in chart.assurance:
        percent = f"{float(target.target) * 100:g} %"
        items.append(
            Icon(
                target.assurance.symbol,
                _ASSURANCE_COLOURS[target.assurance],
                f"Assurance against {target.label.lower()} {percent}: {target.assurance.words}",
                width,
            )
        )
    table = Table([items], colWidths=[width + 2 * mm] * len(items), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


# --- right column: cases, Pareto, next month -----------------------------------------------------


def _right_column(sheet: FeedbackSheet, charts: SheetCharts) -> list[Flowable]:
    month = sheet.month
    flow: list[Flowable] = [_heading(f"Babies not given MgSO₄ in time, {month.label}")]
    if sheet.suppress_below is not None:
        flow.append(
            Paragraph(
                esc(
                    "Case list not shown: small-number suppression is on. Reasons this month "
                    f"(counts below {sheet.suppress_below} shown as <{sheet.suppress_below}):"
                ),
                _style("suppressed"),
            )
        )
        flow.append(_reason_table(sheet, _month_reasons(sheet)))
    else:
        flow += _case_list(sheet)
    flow.append(
        Paragraph(
            esc(
                f"Not given in the 24 h window: {sheet.count(sheet.not_met_babies)} of "
                f"{sheet.shown(_nnap(sheet)).denominator} eligible babies; given late "
                f"(started < 4 h before birth; counts for NNAP, not optimal): "
                f"{sheet.count(sheet.late_babies)}."
            ),
            _style("case_counts", fontSize=7.4, leading=8.8),
        )
    )
    flow.append(Spacer(1, 2 * mm))
    year_title = f"Why not given, 12 months to {month.short} (Pareto)"
    flow.append(_heading(year_title))
    if charts.pareto_png is not None:
        flow.append(_image(charts.pareto_png, PARETO_CHART_MM))
    elif sheet.suppress_below is not None:
        flow.append(_reason_table(sheet, sheet.year_reasons))
    else:
        flow.append(Paragraph("Every eligible baby received MgSO₄ in the window.", _style("none")))
    flow.append(Spacer(1, 2 * mm))
    flow.append(_heading("What we will try next month"))
    flow.append(_note_box(sheet.options.note))
    return flow


def _nnap(sheet: FeedbackSheet) -> Any:
    return sheet.month_metrics.measures["nnap"]


def _month_reasons(sheet: FeedbackSheet) -> tuple[ReasonCount, ...]:
    metrics = sheet.month_metrics
    late = tuple(reason for reason in metrics.timing_classes if reason.code == "G-LATE")
    return (*metrics.nnap_not_met_reasons, *late)


_CASE_WIDTHS: Final = (19 * mm, 18 * mm, 21 * mm, 0.0, 19 * mm)


def _case_list(sheet: FeedbackSheet) -> list[Flowable]:
    cases = sheet.cases
    if not cases:
        return [
            Paragraph(
                esc("No eligible baby missed MgSO₄ or had it late this month."), _style("none")
            )
        ]
    shown = cases[:MAX_CASE_ROWS]
    bold = _style("case_head", fontName=BOLD, fontSize=7.5, leading=8.8)
    cell = _style("case_cell", fontSize=7.5, leading=8.8)
    header = ["Ref.-baby", "Gestation", "Situation", "Reason (code)", "Avoidable?"]
    rows: list[list[Flowable]] = [[Paragraph(esc(text), bold) for text in header]]
    rows += [_case_cells(case, cell) for case in shown]
    widths = list(_CASE_WIDTHS)
    widths[3] = RIGHT_WIDTH - sum(widths)
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(_table_style())
    flow: list[Flowable] = [table]
    if len(cases) > len(shown):
        flow.append(
            Paragraph(
                esc(
                    f"… and {len(cases) - len(shown)} more (the audit screen lists them all: "
                    "NNAP tile, not met)."
                ),
                _style("more", fontSize=7.4, leading=8.8),
            )
        )
    return flow


def _case_cells(case: CaseRow, style: ParagraphStyle) -> list[Flowable]:
    texts = (
        f"{case.reference}-{case.baby}",
        case.band.replace(" to ", "–"),
        case.situation,
        f"{case.reason} ({case.code})",
        GROUP_WORDS.get(case.group, case.group),
    )
    return [Paragraph(esc(text), style) for text in texts]


def _reason_table(sheet: FeedbackSheet, reasons: Sequence[ReasonCount]) -> Flowable:
    if not reasons:
        return Paragraph(esc("None."), _style("none"))
    bold = _style("reason_head", fontName=BOLD)
    cell = _style("reason_cell")
    rows: list[list[Flowable]] = [
        [Paragraph(text, bold) for text in ("Reason (code)", "Babies", "Avoidable?")]
    ]
    for reason in reasons:
        rows.append(
            [
                Paragraph(esc(f"{reason.label} ({reason.code})"), cell),
                Paragraph(esc(str(sheet.count(reason.count))), cell),
                Paragraph(esc(GROUP_WORDS.get(reason.group, reason.group)), cell),
            ]
        )
    widths = [RIGHT_WIDTH - 36 * mm, 14 * mm, 22 * mm]
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(_table_style())
    return table


def _note_box(note: str) -> Table:
    text = note.strip()
    content: Flowable = (
        Paragraph(esc(text), _style("note", fontSize=9, leading=11.5))
        if text
        else Spacer(1, 14 * mm)
    )
    table = Table([[content]], colWidths=[RIGHT_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, BLACK),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


# --- shared pieces -------------------------------------------------------------------------------


def _heading(text: str) -> Paragraph:
    style = _style(
        "section",
        fontName=BOLD,
        fontSize=9.5,
        leading=12,
        backColor=HEADER_GREY,
        borderPadding=(1.5, 2, 1.5, 2),
        spaceAfter=3,
    )
    return Paragraph(esc(text), style)


def _image(png: bytes, size_mm: tuple[float, float]) -> Image:
    width, height = size_mm[0] * mm, size_mm[1] * mm
    return Image(io.BytesIO(png), width=width, height=height)


def _table_style() -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE_GREY),
            ("BOX", (0, 0), (-1, -1), 0.8, BLACK),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]
    )


# --- the PDF -------------------------------------------------------------------------------------

#: Resolution the charts are drawn at for the sheet (sharp on paper, a small file).
CHART_DPI: Final = 220
_MM_PER_INCH: Final = 25.4


def feedback_pdf(sheet: FeedbackSheet) -> bytes:
    """The sheet as a one-page PDF: charts drawn by ``audit.charts``, laid out here."""
    from mgso4.audit import charts

    data = sheet.chart
    spc = charts.spc_chart(
        data.chart,
        title=data.title,
        subtitle=data.subtitle,
        tick_labels=data.tick_labels,
        hidden=data.hidden,
        size=_inches(SPC_CHART_MM),
        mean_text=data.mean_text,
    )
    pareto = None
    if sheet.suppress_below is None and sheet.year_reasons:
        pareto = charts.pareto_chart(
            sheet.year_metrics,
            size=_inches(PARETO_CHART_MM),
            footer=False,
            title="Not given MgSO₄ in the 24 h before birth (< 30+0), by reason",
        )
    images = SheetCharts(spc_png=_png(spc), pareto_png=None if pareto is None else _png(pareto))
    return render_feedback(sheet, images)


def _inches(size_mm: tuple[float, float]) -> tuple[float, float]:
    return size_mm[0] / _MM_PER_INCH, size_mm[1] / _MM_PER_INCH


def _png(figure: MplFigure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=CHART_DPI, metadata={"Software": None})
    return buffer.getvalue()
