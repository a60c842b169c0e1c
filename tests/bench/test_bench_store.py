"""Append and crash-trial benchmarks with tiny sizes: structure only (never timed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from append import bench_append  # noqa: E402
from crash import bench_crash  # noqa: E402


def test_append_benchmark_gives_one_sample_per_saved_event_on_each_side() -> None:
    (result,) = bench_append(events=3, warmup=1)
    assert result.key == "append"
    assert len(result.app_samples) == len(result.baseline_samples) == 3
    assert result.ratio == pytest.approx(result.app / result.baseline)
    assert result.details["journal_mode"] in {"delete", "wal"}
    assert result.details["synchronous"] in {"FULL", "EXTRA"}


@pytest.mark.slow
def test_crash_benchmark_reports_acknowledged_and_lost_entries() -> None:
    (result,) = bench_crash(trials=2)
    assert result.key == "crash_trials"
    assert result.details["trials"] == 2
    assert result.details["lost"] == result.app == 0
    assert result.met
