"""The generator's evidence block for the safety case: markers, crash trial and benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "safety"))

import generate  # noqa: E402

CRASH_FILE = generate.CRASH_RESULTS[0]
BENCH_FILE = generate.BENCH_RESULTS[0]


def test_replace_evidence_changes_only_the_text_between_the_markers() -> None:
    text = f"before\n{generate.BEGIN}\nold\n{generate.END}\nafter\n"
    block = f"{generate.BEGIN}\nnew\n{generate.END}"
    assert generate.replace_evidence(text, block) == f"before\n{block}\nafter\n"


@pytest.mark.parametrize(
    "text", ["no markers", f"{generate.END}\n{generate.BEGIN}", f"{generate.BEGIN} only"]
)
def test_replace_evidence_refuses_text_without_both_markers_in_order(text: str) -> None:
    with pytest.raises(SystemExit, match="markers are missing"):
        generate.replace_evidence(text, "block")


def test_without_a_crash_trial_the_evidence_says_it_is_to_be_filled() -> None:
    assert generate.PLACEHOLDER in "\n".join(generate.crash_lines(None))


def test_crash_trial_figures_show_the_entries_lost_and_the_verification() -> None:
    data = {
        "trials": 200,
        "writers": 2,
        "acknowledged": 150,
        "lost": 0,
        "verify_ok": True,
        "partial_actions": 0,
        "interrupted_transactions": 120,
        "present_unacknowledged": 40,
        "problems": [],
        "sqlite_version": "3.40.1",
        "journal_mode": "delete",
    }
    text = "\n".join(generate.crash_lines((CRASH_FILE, data)))
    assert "Trials: 200" in text
    assert "**lost: 0**" in text
    assert "after every trial: yes" in text
    assert "SQLite 3.40.1, journal mode delete" in text


def test_a_crash_trial_that_did_not_verify_says_no() -> None:
    data = {"trials": 1, "lost": 1, "verify_ok": False, "problems": ["chain broken"]}
    text = "\n".join(generate.crash_lines((CRASH_FILE, data)))
    assert "after every trial: NO" in text
    assert "Problems reported: 1" in text


def test_without_bench_results_the_evidence_says_to_run_make_bench() -> None:
    assert generate.PLACEHOLDER in "\n".join(generate.bench_lines(None))


def test_bench_results_become_a_table_with_unmet_targets_marked() -> None:
    data = {
        "finished_at": "2026-11-23 15:00",
        "results": [
            {
                "title": "Append one entry",
                "unit": "ms",
                "app": 1.2,
                "baseline": 0.8,
                "ratio": 1.5,
                "target": 2,
                "target_kind": "ratio_max",
                "met": True,
            },
            {
                "title": "Proforma PDF",
                "unit": "ms",
                "app": 90,
                "baseline": 20,
                "ratio": 4.5,
                "target": 3,
                "target_kind": "ratio_max",
                "met": False,
            },
            {"title": "Start-up", "error": "no display"},
        ],
    }
    lines = generate.bench_lines((BENCH_FILE, data))
    assert "| Append one entry | 1.2 ms | 0.8 ms | 1.5 | ratio ≤ 2 | yes |" in lines
    assert "| Proforma PDF | 90 ms | 20 ms | 4.5 | ratio ≤ 3 | **NO** |" in lines
    assert "| Start-up | error: no display | | | | **NO** |" in lines
