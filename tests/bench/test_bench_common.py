"""The shared benchmark pieces: medians, ratios, targets and interleaved runs."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import pytest  # noqa: E402
from common import interleave, judge, median, ratio_result  # noqa: E402


def test_median_of_an_even_number_of_samples_is_the_mean_of_the_middle_two() -> None:
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_median_refuses_no_samples() -> None:
    with pytest.raises(ValueError, match="no samples"):
        median([])


def test_ratio_target_is_met_at_the_target_and_missed_just_above_it() -> None:
    assert judge(None, 1.25, 1.25, "ratio_max")
    assert not judge(None, 1.2501, 1.25, "ratio_max")


def test_value_target_is_met_at_the_target_and_missed_just_above_it() -> None:
    assert judge(10.0, None, 10.0, "value_max")
    assert not judge(11.0, None, 10.0, "value_max")


def test_equals_target_needs_the_exact_value() -> None:
    assert judge(0.0, None, 0.0, "equals")
    assert not judge(1.0, None, 0.0, "equals")


def test_ratio_result_divides_the_app_median_by_the_baseline_median() -> None:
    result = ratio_result(
        key="k",
        title="t",
        unit="ms",
        app_samples=[3.0, 9.0, 6.0],
        baseline_samples=[2.0, 4.0, 3.0],
        target=2.0,
        baseline_title="b",
    )
    assert (result.app, result.baseline, result.ratio) == (6.0, 3.0, 2.0)
    assert result.met


def test_interleave_alternates_which_side_runs_first_and_skips_the_warm_up() -> None:
    calls: list[str] = []

    def side(name: str) -> float:
        calls.append(name)
        return float(len(calls))

    app, baseline = interleave(lambda: side("a"), lambda: side("b"), runs=3, warmup=1)
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]
    assert (app, baseline) == ([3.0, 6.0, 7.0], [4.0, 5.0, 8.0])
