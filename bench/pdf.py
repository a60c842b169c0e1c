"""Completed proforma PDF vs a minimal one-page reportlab table document in the same font.

The app side renders the standard case of issue 16 (reference §9 WC-1 with the proforma's own
fields, six observation sets, one syringe change, one birth, stopped at birth:
``tests/reports/report_builders.build_wc1``) with ``render_proforma``: two A4 pages. The
episode is folded once before timing, as the episode screen already holds it.

A profile splits the app's time into building the story (the sections' flowables), laying
it out (platypus wrap/split/draw onto the canvas) and writing the file (the canvas's save:
page streams, font subsets, the PDF objects), so the ratio can be read against where the
time goes.

The baseline is the least a PDF with the same font costs: ``SimpleDocTemplate`` with one
table (a header row and 25 rows of four short cells) in DejaVu Sans, registered once from the
app's own font files, embedded (subset) exactly as the proforma embeds it.

Target (issues #8 and #16): ≤ 2 × the baseline.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

from common import TESTS, Result, add_path, interleave, median, ratio_result, timed

from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
from mgso4.resources import resource_path

TARGET = 2.0
#: The target (issue #8) was set for a two-page completed proforma.
EXPECTED_PAGES = 2
BASELINE_FONT = "BenchDejaVuSans"
BASELINE_BOLD = "BenchDejaVuSans-Bold"
PRINTED_AT = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
UNIT = "Rivermouth Maternity Unit"


def register_baseline_fonts() -> None:
    """DejaVu Sans (regular and bold) under the baseline's own names, from the app's files."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if BASELINE_FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(BASELINE_FONT, str(resource_path("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(
        TTFont(BASELINE_BOLD, str(resource_path("fonts", "DejaVuSans-Bold.ttf")))
    )


def baseline_pdf() -> bytes:
    """One A4 page: a title and a 26-row table, DejaVu Sans embedded."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    register_baseline_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, invariant=True)
    title = Paragraph(
        "MgSO₄ infusion — observations", ParagraphStyle("t", fontName=BASELINE_BOLD, fontSize=14)
    )
    rows = [["Time", "Pulse /min", "RR /min", "Rate mL/h"]]
    rows += [[f"{hour:02d}:00", "84", "16", "5"] for hour in range(25)]
    table = Table(rows)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), BASELINE_FONT),
                ("FONTNAME", (0, 0), (-1, 0), BASELINE_BOLD),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ]
        )
    )
    document.build([title, table])
    return buffer.getvalue()


def page_count(data: bytes) -> int:
    """Pages in a PDF (pypdf)."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def profile_proforma(render: Callable[[], bytes]) -> dict[str, float]:
    """Shares of one render's time: story building, layout, and writing the file.

    Measured with cProfile's cumulative times of ``BaseDocTemplate.build`` (layout and write)
    and ``NumberedCanvas.save`` (write: the pages replayed and the PDF serialised); the rest
    of ``render`` is building the story.
    """
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    render()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = 0.0
    build = 0.0
    write = 0.0
    for (path, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        cumulative = row[3]
        if name == "render_proforma":
            total = max(total, cumulative)
        elif name == "build" and path.endswith("doctemplate.py"):
            build = max(build, cumulative)
        elif name == "save" and path.endswith("layout.py"):
            write = max(write, cumulative)
    if total <= 0:
        return {}
    return {
        "story": max(total - build, 0.0) / total,
        "layout": max(build - write, 0.0) / total,
        "write": write / total,
    }


def bench_pdf(*, runs: int = 7) -> list[Result]:
    """Median seconds to render the completed proforma and the baseline, interleaved."""
    add_path(TESTS / "reports")
    from report_builders import build_wc1

    from mgso4.reports import render_proforma

    protocol = ProtocolLibrary(resource_path("protocols")).load("uk-nice-ng25")
    preparations = load_preparations_file(resource_path("preparations.toml"))
    scenario = build_wc1(protocol)

    def proforma() -> bytes:
        return render_proforma(
            scenario.state,
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=scenario.head,
            printed_at=PRINTED_AT,
        )

    sizes = {"proforma_bytes": len(proforma()), "baseline_bytes": len(baseline_pdf())}
    pages = {"proforma_pages": page_count(proforma()), "baseline_pages": page_count(baseline_pdf())}
    app_seconds, baseline_seconds = interleave(
        lambda: timed(proforma), lambda: timed(baseline_pdf), runs=runs, warmup=1
    )
    profile = profile_proforma(proforma)
    notes = [
        "app time split (cProfile, one render): "
        + ", ".join(f"{name} {share:.0%}" for name, share in profile.items())
    ]
    if pages["proforma_pages"] != EXPECTED_PAGES:
        notes.append(
            f"the standard episode's completed proforma runs to {pages['proforma_pages']} pages, "
            f"not the {EXPECTED_PAGES} the target assumes; per page it took "
            f"{median(app_seconds) * 1000 / pages['proforma_pages']:.1f} ms against the "
            f"baseline's {median(baseline_seconds) * 1000:.1f} ms"
        )
    return [
        ratio_result(
            key="pdf",
            title=f"Completed proforma PDF (standard episode, {pages['proforma_pages']} pages)",
            unit="ms",
            app_samples=[seconds * 1000 for seconds in app_seconds],
            baseline_samples=[seconds * 1000 for seconds in baseline_seconds],
            target=TARGET,
            baseline_title="one-page reportlab table document, DejaVu Sans embedded",
            notes=notes,
            details={
                "runs": runs,
                **pages,
                **sizes,
                **{f"share_{name}": round(share, 3) for name, share in profile.items()},
            },
        )
    ]
