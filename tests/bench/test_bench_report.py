"""results.json and the README table written by ``make bench``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from common import Result  # noqa: E402
from report import END_MARKER, START_MARKER, table, write  # noqa: E402

RUN = {
    "finished_at": "2026-11-23 15:00 UTC",
    "total_seconds": 600.0,
    "machine": {
        "cores": 2,
        "cpu": "test cpu",
        "memory_gb": 1.0,
        "os": "Linux",
        "commit": "abc1234",
        "versions": {"python": "3.11.7", "sqlite": "3.40.1"},
    },
    "notes": [],
}


def result(**changes: object) -> Result:
    values: dict[str, object] = {
        "key": "append",
        "title": "Append one event",
        "unit": "ms",
        "app": 6.0,
        "baseline": 4.0,
        "ratio": 1.5,
        "target": 2.0,
        "target_kind": "ratio_max",
        "met": True,
        "baseline_title": "raw INSERT",
    }
    values.update(changes)
    return Result(**values)  # type: ignore[arg-type]


def test_table_row_shows_medians_ratio_target_and_verdict() -> None:
    row = table([result()]).splitlines()[2]
    assert row == "| Append one event | 6.00 ms | 4.00 ms | 1.50× | ≤ 2× | ✓ |"


def test_table_marks_a_missed_target() -> None:
    row = table([result(ratio=2.5, app=10.0, met=False)]).splitlines()[2]
    assert row.endswith("| 2.50× | ≤ 2× | ✗ |")


def test_write_replaces_only_the_block_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Intro kept\n\n{START_MARKER}\nold table\n{END_MARKER}\n\nFindings kept\n")
    write([result()], RUN, readme=readme, results_json=tmp_path / "results.json")
    text = readme.read_text()
    assert text.startswith("# Intro kept\n\n")
    assert text.endswith(f"{END_MARKER}\n\nFindings kept\n")
    assert "old table" not in text
    assert "| Append one event | 6.00 ms |" in text


def test_write_puts_every_result_and_the_machine_in_results_json(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    write([result(), result(key="pdf")], RUN, readme=tmp_path / "README.md", results_json=target)
    data = json.loads(target.read_text())
    assert [entry["key"] for entry in data["results"]] == ["append", "pdf"]
    assert data["machine"]["cores"] == 2
