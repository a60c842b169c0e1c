"""Impossible protocols are refused: absolute ceilings fixed in code, not in the file.

Attacks from the adversarial review, each accepted before as valid by ``protocols --check`` and
used by ``assess``: a 40 g load (200 mL at 800 mL/h), 50 g/h maintenance, a load over 0.01 min,
an "offer" band to 44+6, max hours 100000 or 1E+308, observations every 1000 h, a minimum
respiratory rate of 0, an SpO₂ minimum of 400 %. Each variant edits the shipped UK file in one
place, so the tests follow the real file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mgso4.cli import main
from mgso4.core import protocol as protocol_module
from mgso4.core.protocol import ProtocolError, ProtocolLibrary, parse_protocol
from mgso4.resources import resource_path

PROTOCOLS = resource_path("protocols")


def uk_text() -> str:
    return (PROTOCOLS / "uk-nice-ng25.toml").read_text(encoding="utf-8")


def edit(old: str, new: str) -> str:
    text = uk_text()
    assert text.count(old) == 1, f"the shipped file no longer contains {old!r} exactly once"
    return text.replace(old, new)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text.encode("utf-8"), "unit.toml")
    return caught.value.problems


IMPOSSIBLE = [
    pytest.param(
        [
            ('dose_g = { value = "4"', 'dose_g = { value = "40"'),
            ('loading_dose_g_soft_max = { value = "4"', 'loading_dose_g_soft_max = { value = "40"'),
            ('loading_dose_g_hard_max = { value = "6"', 'loading_dose_g_hard_max = { value = "40"'),
        ],
        "loading.dose_g: 40 g is outside the fixed ceiling 1–6 g",
        id="40 g load",
    ),
    pytest.param(
        [
            ('rate_g_per_h = { value = "1"', 'rate_g_per_h = { value = "50"'),
            (
                'maintenance_g_per_h_soft_max = { value = "1"',
                'maintenance_g_per_h_soft_max = { value = "50"',
            ),
            (
                'maintenance_g_per_h_hard_max = { value = "2"',
                'maintenance_g_per_h_hard_max = { value = "50"',
            ),
        ],
        "maintenance.rate_g_per_h: 50 g/h is outside the fixed ceiling 0.1–2 g/h",
        id="50 g/h maintenance",
    ),
    pytest.param(
        [
            ('duration_min = { value = "15"', 'duration_min = { value = "0.01"'),
            (
                'loading_duration_min_soft_min = { value = "15"',
                'loading_duration_min_soft_min = { value = "0.01"',
            ),
            (
                'loading_duration_min_hard_min = { value = "5"',
                'loading_duration_min_hard_min = { value = "0.01"',
            ),
        ],
        "loading.duration_min: 0.01 min is outside the fixed ceiling 5–60 min",
        id="load over 0.01 min",
    ),
    pytest.param(
        [('from = "30+0"\nto = "33+6"', 'from = "30+0"\nto = "44+6"')],
        "bands.consider: 30+0–44+6 is outside the fixed ceiling 22+0–36+6",
        id="band to 44+6",
    ),
    pytest.param(
        [('max_hours = { value = "24"', 'max_hours = { value = "100000"')],
        "maintenance.max_hours: 100000 h is outside the fixed ceiling 1–24 h",
        id="max 100000 h",
    ),
    pytest.param(
        [('max_hours = { value = "24"', "max_hours = { value = 1E+308")],
        "maintenance.max_hours: 1E+308 h is outside the fixed ceiling 1–24 h",
        id="max 1E+308 h",
    ),
    pytest.param(
        [('max_hours = { value = "24"', 'max_hours = { value = "1e100000"')],
        "maintenance.max_hours: 1E+100000 h is outside the fixed ceiling 1–24 h",
        id="max 1e100000 h",
    ),
    pytest.param(
        [('interval_hours = { value = "4"', 'interval_hours = { value = "1000"')],
        "monitoring.interval_hours: 1000 h is outside the fixed ceiling 0.25–4 h",
        id="observations every 1000 h",
    ),
    pytest.param(
        [('rr_min_per_min = { value = "12"', 'rr_min_per_min = { value = "0"')],
        "monitoring.rr_min_per_min: 0 /min is outside the fixed ceiling 12–16 /min",
        id="minimum RR 0",
    ),
    pytest.param(
        [('spo2_min_percent = { value = "94"', 'spo2_min_percent = { value = "400"')],
        "monitoring.spo2_min_percent: 400 % is outside the fixed ceiling 90–99 %",
        id="SpO2 minimum 400 %",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), IMPOSSIBLE)
def test_an_impossible_protocol_is_refused_naming_the_field_and_the_ceiling(
    edits: list[tuple[str, str]], expected: str
) -> None:
    text = uk_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)

    problems = problems_of(text)

    assert any(problem.startswith(expected) for problem in problems), problems


@pytest.mark.parametrize("protocol_id", ProtocolLibrary(PROTOCOLS).ids())
def test_every_shipped_protocol_is_within_the_ceilings(protocol_id: str) -> None:
    protocol = ProtocolLibrary(PROTOCOLS).load(protocol_id)

    assert protocol.id == protocol_id


def test_the_rouse_preset_with_6_g_2_g_per_h_and_12_h_passes() -> None:
    rouse = ProtocolLibrary(PROTOCOLS).load("acog-rouse")

    assert rouse.loading.dose_g.value == 6
    assert rouse.maintenance.rate_g_per_h.value == 2
    assert rouse.maintenance.max_hours.value == 12


def test_every_ceiling_names_where_it_comes_from() -> None:
    for path, ceiling in protocol_module.CEILINGS.items():
        assert ceiling.low <= ceiling.high, path
        assert ceiling.why and ceiling.unit, path


def test_a_deeply_nested_file_is_refused_not_a_crash() -> None:
    text = uk_text() + "\nbad = " + "[" * 100_000 + "]" * 100_000 + "\n"

    (problem,) = problems_of(text)

    assert problem.startswith("(file):")


def test_a_copy_may_not_pass_for_a_shipped_protocol(tmp_path: Path) -> None:
    copy = tmp_path / "our-unit.toml"
    copy.write_text(
        uk_text().replace('spo2_min_percent = { value = "94"', 'spo2_min_percent = { value = "95"')
    )

    with pytest.raises(ProtocolError) as caught:
        ProtocolLibrary(PROTOCOLS).load(str(copy))

    (problem,) = caught.value.problems
    assert problem.startswith("id: uk-nice-ng25 2026.2 is a shipped protocol's id and version")


def test_a_copy_with_its_own_id_loads(tmp_path: Path) -> None:
    copy = tmp_path / "our-unit.toml"
    copy.write_text(
        uk_text()
        .replace('id = "uk-nice-ng25"', 'id = "uk-nice-ng25-local"')
        .replace('spo2_min_percent = { value = "94"', 'spo2_min_percent = { value = "95"')
    )

    assert ProtocolLibrary(PROTOCOLS).load(str(copy)).id == "uk-nice-ng25-local"


def test_protocols_check_refuses_an_impossible_file_naming_field_and_ceiling(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    unit = tmp_path / "unit.toml"
    unit.write_text(edit('interval_hours = { value = "4"', 'interval_hours = { value = "1000"'))

    code = main(["protocols", "--check", str(unit), "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["valid"] is False
    assert any("monitoring.interval_hours: 1000 h" in p for p in data["problems"])


def test_protocols_check_refuses_a_copy_passing_for_a_shipped_protocol(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    unit = tmp_path / "unit.toml"
    unit.write_text(edit('rr_min_per_min = { value = "12"', 'rr_min_per_min = { value = "14"'))

    code = main(["protocols", "--check", str(unit), "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert any("shipped protocol's id and version" in p for p in data["problems"])


def test_assess_refuses_an_impossible_protocol_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    unit = tmp_path / "unit.toml"
    unit.write_text(
        edit('from = "30+0"\nto = "33+6"', 'from = "30+0"\nto = "44+6"').replace(
            'id = "uk-nice-ng25"', 'id = "our-unit"'
        )
    )

    code = main(
        [
            "assess",
            "--gestation",
            "40+0",
            "--situation",
            "established-labour",
            "--protocol",
            str(unit),
        ]
    )

    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "bands.consider: 30+0–44+6 is outside the fixed ceiling" in err
