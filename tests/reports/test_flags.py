"""Printed marks for observation findings: a symbol and a word, on the value's own cell."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mgso4.core.episode import Observation, Reflexes
from mgso4.core.protocol import Protocol
from mgso4.reports.flags import flag_observation


def marks(protocol: Protocol, **values: object) -> list[tuple[str, str]]:
    return [(f.field, f.mark) for f in flag_observation(Observation(**values), protocol) if f.mark]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"rr_per_min": 11}, [("rr_per_min", "▼ LOW")]),
        ({"rr_per_min": 12}, []),
        ({"rr_per_min": 13, "baseline_rr_per_min": 18}, [("rr_per_min", "▼ FALL")]),
        ({"rr_per_min": 14, "baseline_rr_per_min": 18}, []),
        ({"reflexes": Reflexes.ABSENT}, [("reflexes", "✗ ABSENT")]),
        ({"reflexes": Reflexes.PRESENT}, []),
        ({"urine_ml": 99, "urine_period_h": Decimal(4)}, [("urine_ml", "▼ LOW")]),
        ({"urine_ml": 100, "urine_period_h": Decimal(4)}, []),
        ({"diastolic_mmhg": 64, "baseline_diastolic_mmhg": 80}, [("diastolic_mmhg", "▼ FALL")]),
        ({"diastolic_mmhg": 65, "baseline_diastolic_mmhg": 80}, []),
        ({"spo2_percent": 93}, [("spo2_percent", "▼ LOW")]),
        ({"spo2_percent": 94}, []),
    ],
)
def test_marks_follow_the_protocol_thresholds_on_both_sides(
    protocol: Protocol, values: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert marks(protocol, **values) == expected


def test_detail_names_the_source_and_local_setting(protocol: Protocol) -> None:
    (flag,) = flag_observation(Observation(rr_per_min=10), protocol)
    assert flag.detail == "Respiratory rate 10/min is below 12/min. [T1][T2] (local setting)"


def test_urine_without_its_period_is_reported_without_a_cell_mark(protocol: Protocol) -> None:
    (flag,) = flag_observation(Observation(urine_ml=50), protocol)
    assert flag.mark == ""
    assert "without the hours it covers" in flag.detail
