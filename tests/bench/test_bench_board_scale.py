"""Board-over-history benchmark: tiny records, one run per side, structure only (never timed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from board_scale import bench_board_scale  # noqa: E402


@pytest.mark.gui
def test_board_scale_benchmark_compares_history_with_active_only() -> None:
    paint, open_one = bench_board_scale(runs=1, history=20, active=3)
    assert (paint.key, open_one.key) == ("board_first_paint_history", "open_episode_history")
    for result in (paint, open_one):
        assert result.unit == "ms"
        assert len(result.app_samples) == len(result.baseline_samples) == 1
        assert result.ratio == pytest.approx(result.app / result.baseline)
        assert result.details["history_episodes"] == 20
        assert result.details["active_episodes"] == 3
