"""The proforma's own fields (decisions.md §16) recorded with ``mgso4 record`` and printed by
``mgso4 proforma``: the same registry actions as the screen, read back from the PDF's text."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from test_cli_episode import CHECKER, REGISTRAR, line, record, wc1

from mgso4.cli import main


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGSO4_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MGSO4_DATA_DIR", str(tmp_path / "data"))


def fields_lines() -> list[dict[str, Any]]:
    return [
        line("labour-evidence", "2024-12-03T09:42", kind="established-labour", dilatation_cm=5),
        line(
            "antenatal-steroids",
            "2024-12-03T09:43",
            status="given",
            first_dose_at="2024-12-02T21:00",
        ),
        line(
            "information-given",
            "2024-12-03T09:44",
            agreement="agreed",
            off_label_discussed=True,
            given_to="the woman",
        ),
        line("prescribed", "2024-12-03T09:51", by=REGISTRAR, prescriber=REGISTRAR),
        line("neonatal-team-informed", "2024-12-03T09:52", told="neonatal registrar"),
        line(
            "pre-load-checks",
            "2024-12-03T09:55",
            calcium_gluconate_available=True,
            pump="SP-4471",
            batch="MG24-118",
        ),
        line("in-utero-transfer", "2024-12-03T14:30", from_unit="Rivermouth", to_unit="Northfield"),
    ]


def test_recorded_fields_are_printed_on_the_proforma(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "record.db"
    lines = wc1()
    lines[2:2] = fields_lines()[:3]
    lines[5:5] = fields_lines()[3:6]
    lines.append(fields_lines()[6])
    code, out, err = record(capsys, db, lines, tmp_path)
    assert code == 0, err
    uuid = json.loads(out)["wc1"]
    pdf = tmp_path / "proforma.pdf"
    code = main(["proforma", "--db", str(db), "--episode", uuid, "--out", str(pdf)])
    capsys.readouterr()
    assert code == 0
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for expected in (
        "established labour: cervix 5 cm at 3 Dec 09:42 GMT",
        "Antenatal steroids: given: 2 Dec 21:00 GMT",
        "Agreed; told: the woman; off-label use explained: Yes",
        "Prescribed by: Dr Kim Registrar (obstetrician), 3 Dec 09:51 GMT",
        "Neonatal team informed: 3 Dec 09:52 GMT (neonatal registrar)",
        "Calcium gluconate available: Yes",
        "SP-4471; MG24-118",
        "Rivermouth to Northfield, 3 Dec 14:30 GMT",
        "Pre-load baseline observations: 3 Dec 09:45 GMT: pulse 84",
    ):
        assert expected in text
    assert "Test WC-ONE" not in (reader.metadata.title or "")
    assert CHECKER["name"] in text
