"""The three audit charts as matplotlib Figures (no Qt here; the GUI wraps them in a canvas).

One library draws for both screen and paper: matplotlib. The GUI shows a Figure through
``FigureCanvasQTAgg``; the same Figure is saved as PNG or PDF with ``savefig``. One drawing code
path means what a QI lead sees on screen is exactly what is printed for the meeting.

Figures are built with ``matplotlib.figure.Figure`` directly (not ``pyplot``), so there is no
global figure state and charts can be built off the GUI thread.

Colours are the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies;
each group is also named in the legend, never shown by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mgso4.audit.metrics import Metrics, ReasonCount
from mgso4.audit.progress import AuditError, atomic_output
from mgso4.core.outcome import OPTIMAL_MINIMUM_LEAD, WINDOW_BEFORE_BIRTH, AvoidableGroup

BLUE: Final = "#0072B2"
SKY: Final = "#56B4E9"
ORANGE: Final = "#E69F00"
VERMILLION: Final = "#D55E00"
GREEN: Final = "#009E73"
GREY: Final = "#555555"

GROUP_COLOURS: Final[dict[AvoidableGroup, str]] = {
    "avoidable": VERMILLION,
    "not-avoidable": BLUE,
    "review": ORANGE,
}
GROUP_LABELS: Final[dict[AvoidableGroup, str]] = {
    "avoidable": "Avoidable",
    "not-avoidable": "Not avoidable",
    "review": "Needs review",
}

#: Figure size in inches and resolution for PNG: 960 × 540 px, small enough to mail.
FIGURE_SIZE_IN: Final = (9.6, 5.4)
PNG_DPI: Final = 100
#: Histogram bins of 2 h up to 48 h; later births are drawn in the last bin (labelled 48+).
HISTOGRAM_MAX_HOURS: Final = 48
HISTOGRAM_BIN_HOURS: Final = 2

ChartFormat = Literal["png", "pdf"]


def _figure() -> Figure:
    figure = Figure(figsize=FIGURE_SIZE_IN, layout="constrained")
    return figure


def _no_data(figure: Figure, title: str) -> Figure:
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.text(0.5, 0.5, "No births in this selection", ha="center", va="center", fontsize=12)
    axes.set_axis_off()
    return figure


def run_chart(metrics: Metrics) -> Figure:
    """Monthly NNAP uptake (%) with its median line: a run chart for QI meetings.

    Each point is one calendar month of birth (local): babies born before 30+0 whose mother
    received MgSO₄ in the 24 h before birth [E1][E2], over all babies born before 30+0 that
    month. Months with no eligible birth are gaps. The dashed line is the median of the monthly
    percentages.
    """
    figure = _figure()
    title = "NNAP: MgSO₄ in the 24 h before birth, babies born before 30+0 (monthly)"
    points = metrics.monthly_nnap
    if not any(p.denominator for p in points):
        return _no_data(figure, title)
    axes = figure.add_subplot()
    positions = list(range(len(points)))
    values = [float(p.percentage) if p.percentage is not None else float("nan") for p in points]
    axes.plot(positions, values, color=BLUE, marker="o", linewidth=1.8, label="Monthly uptake")
    median = metrics.monthly_median
    if median is not None:
        axes.axhline(
            float(median),
            color=GREY,
            linestyle="--",
            linewidth=1.2,
            label=f"Median {median}%",
        )
    axes.set_ylim(0, 105)
    axes.set_ylabel("Babies < 30+0 whose mother received MgSO₄ (%)")
    axes.set_xlabel("Month of birth (local)")
    step = max(1, len(points) // 12)
    axes.set_xticks(positions[::step], [p.month for p in points][::step], rotation=45, ha="right")
    axes.grid(axis="y", alpha=0.3)
    total_n = sum(p.numerator for p in points)
    total_d = sum(p.denominator for p in points)
    axes.set_title(f"{title}\n{total_n} of {total_d} babies overall (one row per baby)")
    axes.legend(loc="lower right")
    return figure


def pareto_chart(metrics: Metrics) -> Figure:
    """Pareto of why eligible babies did not receive MgSO₄ in the 24 h before birth.

    Bars: missed cases by recorded reason (reference §3.3) plus courses that ended more than
    24 h before birth (G-EXPIRED), most frequent first, coloured by avoidable / not avoidable /
    needs review (``core.outcome.avoidable_group``). Line: cumulative percentage.
    """
    figure = _figure()
    title = "Why eligible babies (< 30+0) did not receive MgSO₄ in the 24 h before birth"
    reasons: Sequence[ReasonCount] = metrics.nnap_not_met_reasons
    if not reasons:
        return _no_data(figure, title)
    axes = figure.add_subplot()
    positions = list(range(len(reasons)))
    counts = [reason.count for reason in reasons]
    colours = [GROUP_COLOURS[reason.group] for reason in reasons]
    bars = axes.bar(positions, counts, color=colours, edgecolor="white")
    axes.bar_label(bars, padding=2, fontsize=9)
    axes.set_xticks(positions, [reason.code for reason in reasons], rotation=40, ha="right")
    axes.set_ylabel("Babies")
    axes.set_xlabel("Reason code (reference §3.3; G-EXPIRED = course ended > 24 h before birth)")
    total = sum(counts)
    cumulative, running = [], 0
    for count in counts:
        running += count
        cumulative.append(100 * running / total)
    line_axes = axes.twinx()
    line_axes.plot(positions, cumulative, color=GREY, marker="o", linewidth=1.5)
    line_axes.set_ylim(0, 105)
    line_axes.set_ylabel("Cumulative %")
    groups: tuple[AvoidableGroup, ...] = ("avoidable", "not-avoidable", "review")
    handles: list[Artist] = [
        Patch(color=GROUP_COLOURS[group], label=GROUP_LABELS[group])
        for group in groups
        if any(reason.group == group for reason in reasons)
    ]
    handles.append(Line2D([], [], color=GREY, marker="o", label="Cumulative %"))
    axes.legend(handles=handles, loc="center right")
    axes.set_title(f"{title}\n{total} babies")
    return figure


def timing_histogram(metrics: Metrics) -> Figure:
    """Hours from the latest loading dose before birth to birth, with the 4 h and 24 h lines.

    The shaded band is the BAPM/PERIPrem optimal window (> 4 h and < 24 h) [B1][P2]; a load
    started exactly on a line is not optimal (strict, decisions.md §10).
    """
    figure = _figure()
    title = "Hours from loading dose to birth (babies whose mother received MgSO₄)"
    hours = metrics.hours_load_to_birth
    if not hours:
        return _no_data(figure, title)
    axes = figure.add_subplot()
    clipped = [min(value, HISTOGRAM_MAX_HOURS + HISTOGRAM_BIN_HOURS / 2) for value in hours]
    edges = list(range(0, HISTOGRAM_MAX_HOURS + 2 * HISTOGRAM_BIN_HOURS, HISTOGRAM_BIN_HOURS))
    axes.hist(clipped, bins=edges, color=SKY, edgecolor="white", label="Babies")
    lead_h = OPTIMAL_MINIMUM_LEAD.total_seconds() / 3600
    window_h = WINDOW_BEFORE_BIRTH.total_seconds() / 3600
    axes.axvspan(lead_h, window_h, color=GREEN, alpha=0.12, label="Optimal: > 4 h and < 24 h")
    axes.axvline(lead_h, color="black", linestyle="--", linewidth=1.2)
    axes.axvline(window_h, color="black", linestyle="--", linewidth=1.2)
    label_box = {"facecolor": "white", "edgecolor": "none", "pad": 1}
    for hours_at, text in ((lead_h, "4 h"), (window_h, "24 h")):
        axes.text(
            hours_at,
            0.97,
            f" {text}",
            transform=axes.get_xaxis_transform(),
            va="top",
            bbox=label_box,
        )
    ticks = list(range(0, HISTOGRAM_MAX_HOURS, 4))
    last_bin_centre = HISTOGRAM_MAX_HOURS + HISTOGRAM_BIN_HOURS / 2
    axes.set_xticks(
        [*ticks, last_bin_centre],
        [*map(str, ticks), f"≥ {HISTOGRAM_MAX_HOURS}"],
    )
    axes.set_xlabel("Hours from the start of the latest loading dose to birth")
    axes.set_ylabel("Babies")
    axes.legend(loc="upper right")
    inside = sum(1 for value in hours if lead_h < value < window_h)
    axes.set_title(f"{title}\n{inside} of {len(hours)} inside the optimal window")
    return figure


CHARTS: Final = {
    "run": run_chart,
    "pareto": pareto_chart,
    "timing": timing_histogram,
}


def save_figure(figure: Figure, out: Path, chart_format: ChartFormat | None = None) -> Path:
    """Save a chart as PNG or PDF, all or nothing (temporary file, then rename).

    Args:
        figure: A chart from this module.
        out: Target file; the format is taken from its suffix unless given.
        chart_format: "png" or "pdf".

    Raises:
        AuditError: the format is neither PNG nor PDF, or the folder does not exist.
    """
    chosen = chart_format or out.suffix.lower().lstrip(".")
    if chosen not in ("png", "pdf"):
        raise AuditError(f"Charts are saved as PNG or PDF; {out.name} is neither.")
    with atomic_output(out) as temporary:
        figure.savefig(temporary, format=chosen, dpi=PNG_DPI, metadata=_metadata(chosen))
    return out


def _metadata(chart_format: str) -> dict[str, str | None]:
    # Fixed metadata keeps files reproducible (no creation date, same bytes for the same data).
    if chart_format == "pdf":
        return {"Creator": "MgSO4 Preterm Proforma", "Producer": None, "CreationDate": None}
    return {"Software": "MgSO4 Preterm Proforma"}
