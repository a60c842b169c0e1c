"""Interaction budget and page-change benchmark, one standard case: structure only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from interaction import bench_interaction  # noqa: E402


@pytest.mark.gui
def test_interaction_benchmark_counts_inputs_and_times_page_changes(qapp: object) -> None:
    loading, maintenance, pages = bench_interaction(runs=1)
    assert (loading.key, maintenance.key, pages.key) == (
        "inputs_to_loading",
        "inputs_to_maintenance",
        "wizard_page_change",
    )
    assert loading.target == 10 and maintenance.target == 18
    assert 1 <= loading.app < maintenance.app
    assert len(pages.app_samples) >= 5
    assert len(pages.baseline_samples) == len(pages.app_samples)
    assert "patient → gestation" in pages.details["median_ms_by_transition"]
