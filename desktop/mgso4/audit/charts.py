"""The three audit charts as matplotlib Figures (no Qt here; the GUI wraps them in a canvas).

One library draws for both screen and paper: matplotlib. The GUI shows a Figure through
``FigureCanvasQTAgg``; the same Figure is saved as PNG or PDF with ``savefig``. One drawing code
path means what a QI lead sees on screen is exactly what is printed for the meeting.

Figures are built with ``matplotlib.figure.Figure`` directly (not ``pyplot``), so there is no
global figure state and charts can be built off the GUI thread.

Colours are the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies;
each group is also named in the legend, never shown by colour alone.

Every chart stands on its own when saved or printed: a footer states the unit (the maternity
unit(s) whose births are counted), the period (local dates of birth), the filters and the
counting unit; each title states its denominator; count axes have whole-number ticks.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from mgso4.audit.facts import GestationBand
from mgso4.audit.metrics import Metrics, OutcomeFilter, ReasonCount
from mgso4.audit.progress import AuditError, atomic_output
from mgso4.audit.spc import PChart, PointKind
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
#: Bar patterns per group, so groups differ in print without colour.
GROUP_HATCHES: Final[dict[AvoidableGroup, str]] = {
    "avoidable": "",
    "not-avoidable": "//",
    "review": "..",
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


#: Size of the footer that says what a chart covers.
FOOTER_FONT_SIZE: Final = 7
#: The counting unit of every chart here (NNAP and its reasons count babies; reference §4.1).
COUNTING_WORDS: Final = "one row per baby (twins count twice)"


def _figure(size: tuple[float, float] = FIGURE_SIZE_IN) -> Figure:
    figure = Figure(figsize=size, layout="constrained")
    return figure


def _no_data(figure: Figure, title: str, metrics: Metrics | None = None) -> Figure:
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.text(0.5, 0.5, "No births in this selection", ha="center", va="center", fontsize=12)
    axes.set_axis_off()
    if metrics is not None:
        _footer(figure, metrics)
    return figure


def units_in(metrics: Metrics) -> str:
    """The maternity unit(s) whose births are in the selection, from the episodes themselves."""
    names = sorted({row.episode.unit_name for row in (*metrics.rows, *metrics.problems)})
    if not names:
        return "no births"
    return names[0] if len(names) == 1 else f"{len(names)} units ({', '.join(names)})"


def period_of(metrics: Metrics) -> str:
    """The date range in words (local calendar dates of birth, inclusive)."""
    start = metrics.date_from.isoformat() if metrics.date_from else "the first birth"
    end = metrics.date_to.isoformat() if metrics.date_to else "the last birth"
    return f"births {start} to {end} (local dates)"


def filters_of(metrics: Metrics) -> str:
    """The filters in words ("no filters" when none is set)."""
    filters = metrics.filters
    parts = []
    if filters.bands:
        order = list(GestationBand)
        bands = sorted(filters.bands, key=order.index)
        parts.append("gestation " + ", ".join(band.label for band in bands))
    if filters.outcome is not OutcomeFilter.ALL:
        parts.append(f"outcome: {filters.outcome.label}")
    if filters.workstations:
        parts.append("workstation " + ", ".join(sorted(filters.workstations)))
    if filters.include_training:
        parts.append("training episodes included")
    return "; ".join(parts) if parts else "none (training episodes never counted)"


def describe_selection(metrics: Metrics) -> str:
    """One line saying what a chart of these metrics covers: unit, period, filters, counting."""
    return (
        f"Unit: {units_in(metrics)} · {period_of(metrics)} · Filters: {filters_of(metrics)} · "
        f"{COUNTING_WORDS}"
    )


def _footer(figure: Figure, metrics: Metrics) -> None:
    # One line: on screen the chart is small, and a second line would squeeze the plot.
    figure.supxlabel(describe_selection(metrics), fontsize=FOOTER_FONT_SIZE)


def _whole_numbers(axes: Axes) -> None:
    # A count of babies is a whole number: never a tick at 0.25 or 0.5 of a baby.
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins="auto", min_n_ticks=1))


def gestations_covered(metrics: Metrics) -> str:
    """Which gestations at birth the timing histogram covers, in words."""
    if metrics.filters.bands:
        order = list(GestationBand)
        bands = sorted(metrics.filters.bands, key=order.index)
        return "gestation " + ", ".join(band.label for band in bands)
    return "all gestations at birth (the audit measures count only babies born before 30+0)"


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
        return _no_data(figure, title, metrics)
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
    axes.set_title(
        f"{title}\n{total_n} of {total_d} babies born before 30+0 (denominator) over the period"
    )
    axes.legend(loc="lower right")
    _footer(figure, metrics)
    return figure


def pareto_chart(
    metrics: Metrics,
    *,
    size: tuple[float, float] = FIGURE_SIZE_IN,
    footer: bool = True,
    title: str | None = None,
) -> Figure:
    """Pareto of why eligible babies did not receive MgSO₄ in the 24 h before birth.

    Bars: missed cases by recorded reason (reference §3.3) plus courses that ended more than
    24 h before birth (G-EXPIRED), most frequent first, coloured by avoidable / not avoidable /
    needs review (``core.outcome.avoidable_group``). Line: cumulative percentage.

    Args:
        metrics: The selection.
        size: Figure size in inches (the feedback sheet draws a smaller one).
        footer: Add the line saying what the chart covers (the sheet states it around it).
        title: Replaces the first title line.
    """
    figure = _figure(size)
    title = title or "Why eligible babies (< 30+0) did not receive MgSO₄ in the 24 h before birth"
    reasons: Sequence[ReasonCount] = metrics.nnap_not_met_reasons
    if not reasons:
        return _no_data(figure, title, metrics if footer else None)
    small = size[0] < FIGURE_SIZE_IN[0]
    axes = figure.add_subplot()
    positions = list(range(len(reasons)))
    counts = [reason.count for reason in reasons]
    colours = [GROUP_COLOURS[reason.group] for reason in reasons]
    hatches = [GROUP_HATCHES[reason.group] for reason in reasons]
    bars = axes.bar(positions, counts, color=colours, edgecolor="white", hatch=hatches)
    axes.bar_label(
        bars,
        padding=2,
        fontsize=7 if small else 9,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
    )
    # The reason in words (wrapped), never its code: the chart is read on the ward.
    axes.set_xticks(
        positions,
        [textwrap.fill(reason.label or reason.code, 22) for reason in reasons],
        rotation=40,
        ha="right",
        fontsize=6.5 if small else None,
    )
    axes.set_ylabel("Babies", fontsize=7.5 if small else None)
    _whole_numbers(axes)
    axes.set_ylim(0, max(counts) * 1.22 + 0.5)
    # At least four bar widths, so one or two reasons do not fill the chart with one bar.
    axes.set_xlim(-0.75, max(len(reasons), 4) - 0.25)
    if not small:
        axes.set_xlabel("Reason recorded (or the course ended more than 24 h before birth)")
    total = sum(counts)
    eligible = metrics.measures["nnap"].d
    cumulative, running = [], 0
    for count in counts:
        running += count
        cumulative.append(100 * running / total)
    line_axes = axes.twinx()
    line_axes.plot(positions, cumulative, color=GREY, marker="o", linewidth=1.5)
    line_axes.set_ylim(0, 105)
    line_axes.set_ylabel("Cumulative %", fontsize=7.5 if small else None)
    if small:
        axes.tick_params(axis="y", labelsize=7)
        line_axes.tick_params(axis="y", labelsize=7)
    # Bars and their counts in front of the cumulative line, so no count is hidden by it.
    axes.set_zorder(line_axes.get_zorder() + 1)
    axes.patch.set_visible(False)
    groups: tuple[AvoidableGroup, ...] = ("avoidable", "not-avoidable", "review")
    handles: list[Artist] = [
        Patch(
            facecolor=GROUP_COLOURS[group],
            hatch=GROUP_HATCHES[group],
            edgecolor="white",
            label=GROUP_LABELS[group],
        )
        for group in groups
        if any(reason.group == group for reason in reasons)
    ]
    handles.append(Line2D([], [], color=GREY, marker="o", label="Cumulative %"))
    if small:
        # Below the chart, in one row: inside it would cover the tallest cumulative points.
        figure.legend(
            handles=handles,
            loc="outside lower center",
            ncols=len(handles),
            fontsize=7,
            frameon=False,
        )
    else:
        axes.legend(handles=handles, loc="center right")
    axes.set_title(
        f"{title}\n{total} of {eligible} eligible babies (born < 30+0): not given in the window",
        fontsize=9 if small else None,
    )
    if footer:
        _footer(figure, metrics)
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
        return _no_data(figure, title, metrics)
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
    _whole_numbers(axes)
    axes.legend(loc="upper right")
    inside = sum(1 for value in hours if lead_h < value < window_h)
    axes.set_title(
        f"{title}\nCovers {gestations_covered(metrics)}\n"
        f"{inside} of {len(hours)} babies (denominator) inside the optimal window"
    )
    _footer(figure, metrics)
    return figure


#: How each kind of point is drawn on an SPC chart: marker shape, colour and legend words.
#: Shapes differ as well as colours (blue and orange as in Making Data Count), so a photocopy
#: still shows which points are signals.
SPC_MARKERS: Final[dict[PointKind, tuple[str, str, str]]] = {
    PointKind.COMMON_CAUSE: ("o", GREY, "Common cause (no signal)"),
    PointKind.IMPROVEMENT: ("^", BLUE, "Special cause: improvement"),
    PointKind.CONCERN: ("v", ORANGE, "Special cause: concern"),
    PointKind.NOT_ASSESSED: ("o", GREY, "Not assessed (see below)"),
}
SPC_FIGURE_SIZE_IN: Final = (6.4, 3.3)


def spc_chart(
    chart: PChart,
    *,
    title: str,
    subtitle: str,
    tick_labels: Sequence[str] | None = None,
    hidden: frozenset[int] = frozenset(),
    size: tuple[float, float] = SPC_FIGURE_SIZE_IN,
    footer: str | None = None,
    mean_text: str | None = None,
) -> Figure:
    """A p-chart as a percentage: points, mean, 3-sigma limits (when analysed) and targets.

    Args:
        chart: The analysed (or plain) chart from ``audit.spc``.
        title: First title line (the measure and its population).
        subtitle: Second title line (the period, the denominator, or why there are no limits).
        tick_labels: One label per point (e.g. the month and its denominator).
        hidden: Indexes of points not to draw (small-number suppression).
        size: Figure size in inches.
        footer: A line saying what the chart covers, when it is saved on its own.
        mean_text: The mean as the report rounds it (default: one decimal place).
    """
    figure = _figure(size)
    axes = figure.add_subplot()
    positions = list(range(len(chart.points)))
    values = [
        float(point.value) * 100 if point.value is not None and index not in hidden else None
        for index, point in enumerate(chart.points)
    ]
    axes.plot(
        positions,
        [float("nan") if value is None else value for value in values],
        color=GREY,
        linewidth=1.0,
        zorder=2,
    )
    for kind, (marker, colour, label) in SPC_MARKERS.items():
        chosen = [
            (x, value)
            for x, point, value in zip(positions, chart.points, values, strict=True)
            if value is not None and point.kind is kind
        ]
        xs, ys = [x for x, _ in chosen], [y for _, y in chosen]
        if not xs:
            continue
        axes.scatter(
            xs,
            ys,
            marker=marker,
            s=36,
            color=colour,
            edgecolor="black",
            linewidth=0.5,
            zorder=3,
            label=label,
        )
    if chart.centre is not None:
        centre = float(chart.centre) * 100
        axes.axhline(centre, color="black", linewidth=1.0, label=f"Mean {centre:.1f} %", zorder=1)
    if chart.analysed:
        for side in ("upper", "lower"):
            axes.plot(
                positions,
                [
                    float("nan") if p.limits is None else getattr(p.limits, side) * 100
                    for p in chart.points
                ],
                color="black",
                linestyle="--",
                linewidth=0.8,
                drawstyle="steps-mid",
                label="Process limits (3 sigma; vary with each denominator)"
                if side == "upper"
                else None,
                zorder=1,
            )
    for index, target in enumerate(chart.assurance):
        percent = float(target.target) * 100
        axes.axhline(
            percent,
            color=GREEN,
            linestyle=":" if index else "-.",
            linewidth=1.2,
            label=f"{target.label} {percent:g} %",
            zorder=1,
        )
    axes.set_ylim(0, 105)
    axes.set_xlim(-0.6, max(positions, default=0) + 0.6)
    axes.set_ylabel("% of eligible babies", fontsize=8)
    labels = list(tick_labels) if tick_labels is not None else [p.label for p in chart.points]
    # Every point keeps its label (its denominator is in it); many points are set upright.
    upright = len(labels) > 12 or sum(len(label) for label in labels) > 60
    axes.set_xticks(positions, labels, fontsize=6.5, rotation=90 if upright else 0)
    axes.tick_params(axis="y", labelsize=7)
    axes.grid(axis="y", alpha=0.25)
    axes.legend(loc="best", fontsize=6.5, ncols=2, framealpha=0.9)
    axes.set_title(f"{title}\n{subtitle}", fontsize=8.5)
    if footer:
        figure.supxlabel(footer, fontsize=FOOTER_FONT_SIZE, wrap=True)
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
