"""GUI-stall benchmark: tiny records, structure only (never timed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from stalls import bench_stalls  # noqa: E402


@pytest.mark.gui
def test_stall_benchmark_reports_the_longest_gap_for_each_piece_of_work(tmp_path: Path) -> None:
    from mgso4.audit import write_demo_data

    record = tmp_path / "export.sqlite3"
    write_demo_data(record, episodes=30, seed=5)
    results = bench_stalls(export_record=record, folder=tmp_path, merge_episodes=20)
    assert [r.key for r in results] == ["stall_proforma", "stall_export", "stall_merge"]
    for result in results:
        assert result.unit == "ms"
        assert result.app is not None and result.app > 0
    for result in results[1:]:
        assert result.details["progress_reports"] >= 1
        assert "cancel_ms" in result.details
