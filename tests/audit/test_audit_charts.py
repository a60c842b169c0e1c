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
