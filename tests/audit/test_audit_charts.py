"""Charts build from metrics without Qt and save as PNG or PDF, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from mgso4.audit import charts
from mgso4.audit.data import load_audit_data
from mgso4.audit.metrics import Metrics, compute_from_rows
from mgso4.audit.progress import AuditError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def metrics(small_demo: Path) -> Metrics:
    return load_audit_data(small_demo).metrics()


@pytest.mark.parametrize("name", sorted(charts.CHARTS))
def test_chart_saves_as_png_under_200_kb(metrics: Metrics, tmp_path: Path, name: str) -> None:
    out = tmp_path / f"audit-{name}.png"

    charts.save_figure(charts.CHARTS[name](metrics), out)

    data = out.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) < 200_000


@pytest.mark.parametrize("name", sorted(charts.CHARTS))
def test_chart_saves_as_a_one_page_pdf(metrics: Metrics, tmp_path: Path, name: str) -> None:
    out = tmp_path / f"audit-{name}.pdf"

    charts.save_figure(charts.CHARTS[name](metrics), out)

    assert len(PdfReader(out).pages) == 1


def test_run_chart_shows_the_median_of_the_monthly_percentages(metrics: Metrics) -> None:
    figure = charts.run_chart(metrics)

    legend = figure.axes[0].get_legend()
    assert legend is not None
    labels = [text.get_text() for text in legend.get_texts()]
    assert f"Median {metrics.monthly_median}%" in labels


def test_pareto_bars_follow_the_reason_counts(metrics: Metrics) -> None:
    figure = charts.pareto_chart(metrics)

    heights = [patch.get_height() for patch in figure.axes[0].patches]
    assert heights == [reason.count for reason in metrics.nnap_not_met_reasons]


def test_timing_histogram_marks_4_and_24_hours(metrics: Metrics) -> None:
    figure = charts.timing_histogram(metrics)

    vertical = {
        line.get_xdata()[0]
        for line in figure.axes[0].get_lines()
        if len(set(line.get_xdata())) == 1
    }
    assert {4.0, 24.0} <= vertical


@pytest.mark.parametrize("name", sorted(charts.CHARTS))
def test_empty_selection_says_there_are_no_births(name: str) -> None:
    figure = charts.CHARTS[name](compute_from_rows([]))

    texts = [text.get_text() for text in figure.axes[0].texts]
    assert "No births in this selection" in texts


def test_other_formats_are_refused(metrics: Metrics, tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="PNG or PDF"):
        charts.save_figure(charts.run_chart(metrics), tmp_path / "chart.svg")
    assert list(tmp_path.iterdir()) == []


def test_count_axes_have_whole_number_ticks_only(metrics: Metrics) -> None:
    from mgso4.audit.metrics import Filters

    few = compute_from_rows(metrics.rows[:40], filters=Filters())
    for build in (charts.pareto_chart, charts.timing_histogram):
        figure = build(few)
        figure.canvas.draw()
        ticks = figure.axes[0].get_yticks()
        assert all(float(tick).is_integer() for tick in ticks), (build.__name__, ticks)


@pytest.mark.parametrize("name", sorted(charts.CHARTS))
def test_every_chart_states_unit_period_filters_and_counting(metrics: Metrics, name: str) -> None:
    figure = charts.CHARTS[name](metrics)
    footer = figure.get_supxlabel()
    assert footer.startswith("Unit: Demo Maternity Unit · births ")
    assert "Filters: none" in footer and "one row per baby" in footer
    assert "denominator" in figure.axes[0].get_title() or "eligible babies" in (
        figure.axes[0].get_title()
    )


def test_timing_chart_says_which_gestations_it_covers(small_demo: Path) -> None:
    from mgso4.audit.facts import GestationBand
    from mgso4.audit.metrics import Filters

    data = load_audit_data(small_demo)
    everyone = charts.timing_histogram(data.metrics()).axes[0].get_title()
    assert "Covers all gestations at birth" in everyone
    assert "count only babies born before 30+0" in everyone
    band = Filters(bands=frozenset({GestationBand.FROM_28_TO_29}))
    one_band = charts.timing_histogram(data.metrics(filters=band)).axes[0].get_title()
    assert "Covers gestation 28+0 to 29+6" in one_band


def test_spc_chart_draws_limits_only_when_analysed() -> None:
    from mgso4.audit.spc import SpcSettings, p_chart

    labels = [f"m{i}" for i in range(13)]
    analysed = p_chart(labels, [30] * 13, [40] * 13, SpcSettings())
    plain = p_chart(labels, [3] * 13, [4] * 13, SpcSettings())

    def legend(chart: object) -> list[str]:
        figure = charts.spc_chart(chart, title="t", subtitle="s")  # type: ignore[arg-type]
        return [text.get_text() for text in figure.axes[0].get_legend().get_texts()]

    assert any("Process limits" in label for label in legend(analysed))
    assert not any("Process limits" in label for label in legend(plain))


def test_pareto_names_reasons_in_words_not_codes(metrics: Metrics) -> None:
    figure = charts.pareto_chart(metrics)
    axes = figure.axes[0]
    ticks = [label.get_text() for label in axes.get_xticklabels()]
    assert ticks and not [t for t in ticks if t.startswith(("NG-", "G-"))]
    words = [t.get_text() for t in figure.findobj(lambda o: hasattr(o, "get_text"))]
    assert not [w for w in words if "reference §" in w or "decisions.md" in w]
