"""Audit-at-scale benchmark on a tiny demo record: structure and SQL agreement, never timed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from audit_scale import bench_audit, bst_periods  # noqa: E402


def test_bst_periods_start_and_end_at_one_in_the_morning_utc() -> None:
    assert bst_periods(2026, 2026) == [
        ("2026-03-29T01:00:00.000000Z", "2026-10-25T01:00:00.000000Z")
    ]


def test_bst_periods_are_parseable_utc_instants() -> None:
    for start, end in bst_periods(2024, 2025):
        assert datetime.fromisoformat(start).tzinfo == UTC
        assert start < end


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    return {result.key: result for result in bench_audit(episodes=60, runs=1)}


def test_audit_benchmark_writes_the_requested_demo_episodes(results: dict) -> None:
    generation = results["demo_generation"]
    assert generation.details["episodes"] == 60
    assert generation.notes == []


def test_audit_benchmark_times_metrics_and_export_against_sql(results: dict) -> None:
    for key in ("audit_metrics", "audit_csv", "audit_csv_first"):
        result = results[key]
        assert len(result.app_samples) == len(result.baseline_samples) == 1
        assert result.ratio == pytest.approx(result.app / result.baseline)


def test_hand_written_sql_counts_match_the_app_on_a_record_without_amendments(
    results: dict,
) -> None:
    details = results["audit_metrics"].details
    app, sql = details["app_counts"], details["sql_counts"]
    # Amended episodes are folded by the app and not by the SQL: allow that many apart.
    assert abs(app["nnap_d"] - sql["nnap_d"]) <= 3
    assert abs(app["nnap_n"] - sql["nnap_n"]) <= 3


def test_both_csv_exports_have_one_row_per_baby(results: dict) -> None:
    rows = results["audit_csv"].details["rows"]
    assert rows["app"] == rows["sql"] > 0


def test_the_first_export_of_a_session_is_reported_beside_the_ones_after_it(
    results: dict,
) -> None:
    first, later = results["audit_csv_first"], results["audit_csv"]
    assert "full verification" in first.title
    assert "verification reused" in later.title
    assert first.baseline_title != later.baseline_title
