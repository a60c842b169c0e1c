"""The feedback sheet's content: every figure is the report's figure for the same dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from mgso4.audit.data import AuditData, compute_metrics, load_audit_data
from mgso4.audit.feedback import (
    HEADLINE_MEASURES,
    MAX_NOTE_LENGTH,
    ChartPeriod,
    FeedbackOptions,
    FeedbackSheet,
    Shown,
    YearMonth,
    build_feedback,
)
from mgso4.audit.metrics import compute_from_rows
from mgso4.audit.pseudonym import pseudonym
from mgso4.audit.spc import SpcSettings

MADE_AT = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
MONTH = YearMonth(2026, 8)


@pytest.fixture(scope="module")
def data(small_demo: Path) -> AuditData:
    return load_audit_data(small_demo)


def sheet_for(data: AuditData, key: bytes, **options: object) -> FeedbackSheet:
    return build_feedback(
        data,
        FeedbackOptions(month=MONTH, **options),
        key=key,
        made_at=MADE_AT,  # type: ignore[arg-type]
    )


def report(path: Path, first: date, last: date) -> dict[str, object]:
    """What ``mgso4 report --from first --to last --json`` prints (its measures)."""
    measures = compute_metrics(path, date_from=first, date_to=last).as_dict()["measures"]
    assert isinstance(measures, dict)
    return measures


def test_every_headline_measure_exists_in_the_metrics() -> None:
    # A renamed or split measure must be named here again, not silently dropped from the sheet.
    assert set(HEADLINE_MEASURES) <= set(compute_from_rows([]).measures)


def test_headline_figures_are_the_reports_for_each_period(
    data: AuditData, small_demo: Path, key: bytes
) -> None:
    sheet = sheet_for(data, key)
    periods = {
        "this_month": (MONTH.first_day, MONTH.last_day),
        "previous_month": (date(2026, 7, 1), date(2026, 7, 31)),
        "last_12_months": (date(2025, 9, 1), date(2026, 8, 31)),
    }
    assert [row.key for row in sheet.headline] == list(HEADLINE_MEASURES)
    for attribute, (first, last) in periods.items():
        expected = report(small_demo, first, last)
        for row in sheet.headline:
            value = getattr(row, attribute)
            shown = expected[row.key]
            assert isinstance(shown, dict)
            assert (value.n, value.d) == (shown["numerator"], shown["denominator"]), (
                row.key,
                attribute,
            )
            assert (None if value.percentage is None else float(value.percentage)) == shown[
                "percentage"
            ]
            assert row.label == shown["label"]
    assert sheet.headline[0].target == "85 % (stretch 95 %)"


def test_chart_points_are_the_monthly_report_figures(
    data: AuditData, small_demo: Path, key: bytes
) -> None:
    sheet = sheet_for(data, key)
    points = sheet.chart.chart.points
    months = [MONTH.plus(-index) for index in range(len(points) - 1, -1, -1)]
    for point, month in zip(points, months, strict=True):
        nnap = report(small_demo, month.first_day, month.last_day)["nnap"]
        assert isinstance(nnap, dict)
        assert (point.numerator, point.denominator) == (nnap["numerator"], nnap["denominator"])
    whole = report(small_demo, months[0].first_day, MONTH.last_day)["nnap"]
    assert isinstance(whole, dict)
    assert sheet.chart.mean_text == f"{whole['percentage']} %"
    assert sheet.chart.chart.centre == Fraction(whole["numerator"], whole["denominator"])  # type: ignore[arg-type]


def test_chart_starts_at_the_records_first_month(data: AuditData, key: bytes) -> None:
    first_birth = min(row.birth_date_local for row in data.rows)
    sheet = sheet_for(data, key)
    assert sheet.chart.date_from == YearMonth.of(first_birth).first_day
    assert sheet.chart.date_to == MONTH.last_day


def test_small_months_are_not_analysed_and_the_sheet_says_why(data: AuditData, key: bytes) -> None:
    # 300 demo episodes over two years: a handful of eligible babies a month.
    sheet = sheet_for(data, key)
    chart = sheet.chart.chart
    assert not chart.analysed
    assert chart.why_not_analysed is not None and "fewer than 10" in chart.why_not_analysed
    assert all(point.limits is None and not point.signals for point in chart.points)


def test_quarters_are_three_month_blocks_ending_with_the_sheets_month(
    data: AuditData, key: bytes
) -> None:
    sheet = sheet_for(data, key, period=ChartPeriod.QUARTER)
    labels = [point.label for point in sheet.chart.chart.points]
    assert labels[-1] == "Jun 26–Aug 26"
    assert labels[-2] == "Mar 26–May 26"
    assert sheet.chart.date_to == MONTH.last_day


def test_rolling_twelve_months_is_never_analysed(data: AuditData, key: bytes) -> None:
    sheet = sheet_for(data, key, period=ChartPeriod.ROLLING_12, spc=SpcSettings(min_denominator=1))
    chart = sheet.chart.chart
    assert not chart.analysed and chart.centre is None
    assert chart.why_not_analysed is not None and "overlap" in chart.why_not_analysed
    last = chart.points[-1]
    year = sheet.headline[0].last_12_months
    assert (last.numerator, last.denominator) == (year.n, year.d)


def test_cases_are_the_reports_not_met_then_late_babies(data: AuditData, key: bytes) -> None:
    sheet = sheet_for(data, key)
    month = sheet.month_metrics
    not_met = {ref for reason in month.nnap_not_met_reasons for ref in reason.babies}
    late = {
        ref for reason in month.timing_classes if reason.code == "G-LATE" for ref in reason.babies
    }
    assert len(sheet.cases) == len(not_met) + len(late) == sheet.not_met_babies + sheet.late_babies
    assert [case.code != "G-LATE" for case in sheet.cases] == sorted(
        (case.code != "G-LATE" for case in sheet.cases), reverse=True
    )
    for case in sheet.cases:
        facts = next(r.episode for r in month.rows if r.episode.episode_uuid == case.episode_uuid)
        assert case.reference == pseudonym(key, facts.id_type, facts.identifier)[:8]


def test_suppression_uses_the_reports_rules() -> None:
    value = compute_from_rows([]).measures["nnap"]
    assert Shown.of(value, 5) == Shown("<5", "<5", "—")
    assert Shown.of(value, None) == Shown(0, 0, "—")


def test_suppressed_sheet_hides_small_counts_and_the_chart_is_not_analysed(
    data: AuditData, key: bytes
) -> None:
    sheet = sheet_for(data, key, suppress_below=5)
    nnap = sheet.headline[0].this_month
    expected = nnap.as_dict(suppress_below=5, include_members=False)
    shown = sheet.shown(nnap)
    assert (shown.numerator, shown.denominator) == (expected["numerator"], expected["denominator"])
    assert sheet.count(3) == "<5" and sheet.count(7) == 7
    assert sheet.chart.hidden
    assert not sheet.chart.chart.analysed


def test_a_note_longer_than_the_sheet_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="keep it to"):
        FeedbackOptions(month=MONTH, note="x" * (MAX_NOTE_LENGTH + 1))


@pytest.mark.parametrize("text", ["2026-13", "26-10", "October", "2026/10", ""])
def test_month_must_be_written_as_year_and_month(text: str) -> None:
    with pytest.raises(ValueError):
        YearMonth.parse(text)


def test_months_move_across_years() -> None:
    assert YearMonth(2026, 1).plus(-1) == YearMonth(2025, 12)
    assert YearMonth(2025, 12).plus(14) == YearMonth(2027, 2)
    assert YearMonth(2024, 2).last_day == date(2024, 2, 29)
    assert YearMonth.parse("2026-10").label == "October 2026"
