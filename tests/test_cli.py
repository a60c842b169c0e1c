"""The scripting CLI is a contract: JSON keys, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mgso4.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_standard_case_through_the_installed_entry_point() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mgso4",
            "assess",
            "--gestation",
            "27+3",
            "--situation",
            "established-labour",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["recommendation"] == "offer"
    assert data["loading"] == {
        "dose_g": 4,
        "duration_min": 15,
        "volume_ml": 20,
        "rate_ml_per_h": 80,
        "concentration_g_per_ml": 0.2,
        "make_up": "20 mL: one 4 g in 20 mL ready-to-use syringe",
        "vtbi_ml": None,
    }
    assert data["maintenance"]["rate_g_per_h"] == 1
    assert data["maintenance"]["rate_ml_per_h"] == 5
    assert data["protocol"]["id"] == "uk-nice-ng25"
    assert len(data["protocol"]["sha256"]) == 64


def test_assess_keys_match_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "assess", "--gestation", "31+0", "--situation", "suspected-labour", "--json"
    )
    data = json.loads(out)
    assert code == 0
    assert {
        "gestation",
        "band",
        "recommendation",
        "senior_decision_required",
        "reasons",
        "cautions",
        "warnings",
        "citations",
        "loading",
        "maintenance",
        "protocol",
    } <= set(data)
    assert data["gestation"] == {"weeks": 31, "days": 0, "total_days": 217, "label": "31+0"}
    assert data["band"] == "consider"
    assert data["recommendation"] == "not-indicated"
    assert data["loading"] is None and data["maintenance"] is None


def test_assess_by_edd_on_a_given_day(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "assess",
        "--edd",
        "2025-03-01",
        "--on",
        "2024-11-08T10:00",
        "--situation",
        "established-labour",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["gestation"]["label"] == "23+6"
    assert data["recommendation"] == "discuss"
    assert data["senior_decision_required"] is True


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        (["assess", "--gestation", "27+9", "--situation", "established-labour"], "--gestation"),
        (["assess", "--gestation", "27.3", "--situation", "established-labour"], "--gestation"),
        (["assess", "--edd", "2025-13-01", "--situation", "established-labour"], "--edd"),
        (
            [
                "assess",
                "--gestation",
                "27+3",
                "--situation",
                "established-labour",
                "--on",
                "2026-03-29T01:30",
            ],
            "--on",
        ),
        (
            [
                "assess",
                "--gestation",
                "27+3",
                "--situation",
                "established-labour",
                "--protocol",
                "no-such-protocol",
            ],
            "--protocol",
        ),
        (
            [
                "assess",
                "--gestation",
                "27+3",
                "--situation",
                "established-labour",
                "--preparation",
                "30pct",
            ],
            "--preparation",
        ),
        (["classify", "--birth", "yesterday", "--gestation-at-birth", "27+3"], "--birth"),
        (
            [
                "classify",
                "--birth",
                "2025-01-10T16:00",
                "--gestation-at-birth",
                "27+3",
                "--load-start",
                "2025-01-10T10:00",
                "--stop",
                "2025-01-10T09:00",
            ],
            "--stop",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_argument(
    capsys: pytest.CaptureFixture[str], args: list[str], argument: str
) -> None:
    code, out, err = run_cli(capsys, *args, "--json")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert argument in lines[0]


def test_unknown_situation_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["assess", "--gestation", "27+3", "--situation", "labour"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "--situation" in err and len(err.strip().splitlines()) == 1


def test_classify_worked_case_6_late(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "classify",
        "--birth",
        "2025-01-10T05:30",
        "--gestation-at-birth",
        "28+0",
        "--load-start",
        "2025-01-10T03:00",
        "--gestation-at-decision",
        "28+0",
        "--situation",
        "established-labour",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert data["nnap"] == {"eligible": True, "met": True}
    assert data["qs135"] == {"eligible": True, "measure": "a", "met": True}
    assert data["bapm_optimal"]["met"] is False
    assert data["anznn"] == "started-under-4h-before-birth"


@pytest.mark.parametrize(
    ("number", "valid", "synthetic"),
    [("943 476 5919", True, True), ("943 476 5918", False, False), ("4010232137", True, False)],
)
def test_validate_id(
    capsys: pytest.CaptureFixture[str], number: str, valid: bool, synthetic: bool
) -> None:
    code, out, _ = run_cli(capsys, "validate-id", number, "--json")
    data = json.loads(out)
    assert set(data) == {"valid", "normalised", "synthetic", "reason"}
    assert data["valid"] is valid and data["synthetic"] is synthetic
    assert code == (0 if valid else 1)


def test_protocols_lists_the_five_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "protocols", "--json")
    ids = [p["id"] for p in json.loads(out)["protocols"]]
    assert code == 0
    assert ids == ["acog-crowther", "acog-rouse", "anz-2010", "sogc-2019", "uk-nice-ng25"]


def test_protocols_check_prints_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (ROOT / "resources/protocols/uk-nice-ng25.toml").read_text(encoding="utf-8")
    text = text.replace('from = "24+0"', 'from = "23+5"').replace(
        'dose_g = { value = "4", source = "[N1] 1.10.4" }',
        'dose_g = { value = "-4", source = "[N1] 1.10.4" }',
    )
    bad = tmp_path / "unit.toml"
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run_cli(capsys, "protocols", "--check", str(bad), "--json")
    data = json.loads(out)
    assert code == 1
    assert data["valid"] is False
    joined = " ".join(data["problems"])
    assert "bands" in joined and "overlap" in joined
    assert "loading.dose_g" in joined
