"""Proforma PDF benchmark with one run per side: structure only (never timed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from pdf import baseline_pdf, bench_pdf, page_count  # noqa: E402


def test_baseline_document_is_one_page() -> None:
    assert page_count(baseline_pdf()) == 1


def test_pdf_benchmark_times_the_proforma_and_the_baseline() -> None:
    (result,) = bench_pdf(runs=1)
    assert result.key == "pdf"
    assert len(result.app_samples) == len(result.baseline_samples) == 1
    assert result.details["baseline_pages"] == 1
    assert result.details["proforma_pages"] >= 2
    assert result.ratio == pytest.approx(result.app / result.baseline)
