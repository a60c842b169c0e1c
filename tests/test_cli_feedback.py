"""``mgso4 feedback`` and ``mgso4 periprem``: files written whole, the sheet logged, one-line
errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mgso4.audit.demo import write_demo_data
from mgso4.audit.feedback import ChartPeriod
from mgso4.cli import main
from mgso4.cli.feedback import CHART_PERIODS
from mgso4.core.episode import EventType
from mgso4.storage import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-feedback") / "demo.sqlite3"
    write_demo_data(path, episodes=150, seed=3)
    return path


@pytest.fixture
def record(demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MGSO4_CONFIG_DIR", str(tmp_path / "config"))
    copy = tmp_path / "record.sqlite3"
    copy.write_bytes(demo.read_bytes())
    return copy


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def exported_events(path: Path) -> list[dict[str, object]]:
    with Store.open(path, readonly=True, check_location_safe=False) as store:
        return [e.payload for e in store.iter_events() if e.type is EventType.EXPORTED]


def test_feedback_writes_the_sheet_and_logs_it_with_the_plan(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sheet.pdf"
    code, stdout, stderr = run(
        capsys,
        "feedback",
        "--db", str(record),
        "--month", "2026-09",
        "--out", str(out),
        "--note", "Grab box in triage",
        "--by", "QI Lead",
        "--quiet",
        "--json",
    )  # fmt: skip
    assert (code, stderr) == (0, "")
    result = json.loads(stdout)
    assert out.read_bytes().startswith(b"%PDF-")
    assert result["month"] == "2026-09" and result["chart_analysed"] is False
    assert all(len(case["reference"]) == 8 for case in result["cases"])
    (payload,) = exported_events(record)
    assert payload["format"] == "feedback-sheet-pdf"
    assert payload["identifiable"] is False
    assert payload["note"] == "Grab box in triage"
    assert payload["rows"] == result["babies"]
    assert list(tmp_path.glob(".*partial")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "--month: 2026-13 is not a month"),
        (["--month", "2099-01"], "--month: 2099-01 has not begun yet"),
        (["--month", "2026-09", "--suppress-below", "1"], "--suppress-below"),
        (["--month", "2026-09", "--min-denominator", "2"], "--min-denominator"),
    ],
)
def test_feedback_refuses_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str],
    record: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "sheet.pdf"
    code, _, stderr = run(capsys, "feedback", "--db", str(record), "--out", str(out), *args)
    assert code == 2
    assert stderr.count("\n") == 1 and message in stderr
    assert not out.exists()
    assert exported_events(record) == []


def test_feedback_refuses_an_output_that_is_not_a_pdf(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    code, _, stderr = run(
        capsys, "feedback", "--db", str(record), "--month", "2026-09", "--out", str(tmp_path / "x")
    )
    assert code == 2 and "--out" in stderr


def test_chart_periods_on_the_command_line_match_the_sheets() -> None:
    assert tuple(period.value for period in ChartPeriod) == CHART_PERIODS


def test_periprem_writes_a_block_per_unit(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    code, stdout, stderr = run(
        capsys,
        "periprem",
        "--db", str(record),
        "--month", "2026-09",
        "--out-dir", str(tmp_path),
        "--quiet",
        "--json",
    )  # fmt: skip
    assert (code, stderr) == (0, "")
    (unit,) = json.loads(stdout)["units"]
    assert unit["unit"] == "Demo Maternity Unit"
    paste = Path(unit["paste_block"])
    assert paste.name == "periprem-2026-09-demo-maternity-unit.csv"
    assert len(paste.read_text(encoding="utf-8").splitlines()) == unit["rows"]
    assert Path(unit["row_list"]).is_file()


def test_periprem_refuses_a_missing_folder(
    capsys: pytest.CaptureFixture[str], record: Path, tmp_path: Path
) -> None:
    code, _, stderr = run(
        capsys,
        "periprem",
        "--db", str(record),
        "--month", "2026-09",
        "--out-dir", str(tmp_path / "missing"),
    )  # fmt: skip
    assert code == 2 and "--out-dir" in stderr
