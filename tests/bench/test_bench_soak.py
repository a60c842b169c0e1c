"""Soak and idle-CPU benchmark: one cycle per dialog, structure only (never timed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from soak import bench_soak  # noqa: E402


@pytest.mark.gui
def test_soak_benchmark_reports_growth_per_dialog_and_idle_cpu() -> None:
    rss, handles, cpu = bench_soak(cycles=1, idle_seconds=0.5)
    assert (rss.key, handles.key, cpu.key) == ("soak_rss", "soak_handles", "idle_cpu")
    dialogs = rss.details["per_dialog"]
    assert set(dialogs) == {
        "new_episode_wizard_cancelled",
        "user_dialog",
        "settings_dialog",
        "blank_proforma_preview",
        "observation_dialog",
        "proforma_preview",
    }
    for row in dialogs.values():
        assert {"rss_mb", "widgets", "threads", "fds", "rss_mb_per_cycle"} <= set(row)
    assert cpu.details["app"]["active_episodes"] == 5
    assert cpu.app is not None and cpu.app >= 0
    assert cpu.baseline is not None and cpu.baseline >= 0
