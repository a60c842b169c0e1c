"""Start-up and idle-memory benchmark: one run per side, structure only (never timed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from startup import bench_startup  # noqa: E402


@pytest.mark.gui
def test_startup_benchmark_measures_both_sides_in_fresh_processes() -> None:
    startup, memory = bench_startup(runs=1, warmup=0)
    assert (startup.key, startup.unit, memory.key, memory.unit) == (
        "startup",
        "ms",
        "idle_memory",
        "MB",
    )
    for result in (startup, memory):
        assert len(result.app_samples) == len(result.baseline_samples) == 1
        assert result.app is not None and result.app > 0
        assert result.baseline is not None and result.baseline > 0
        assert result.ratio == pytest.approx(result.app / result.baseline)
    assert startup.details["interpreter_start_ms_median"] < startup.baseline
