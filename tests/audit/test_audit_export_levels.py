"""Export levels named honestly: shareable (the default, for outside the unit), pseudonymised
(the unit's own audit), identifiable (a purpose, a reason of substance, a marked file name).

Attacks from the adversarial review: the default "de-identified" export carried each baby's
exact birth time, load and stop times, the mother's year of birth, plurality and the unit; an
identifiable export accepted the reason "x" and was offered the same file name as any other;
``--reason '=2+3'`` reached the data dictionary CSV unescaped, where LibreOffice evaluated it;
XLSX dates were text.
"""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from audit_builders import AUDITOR

from mgso4.audit import export as export_module
from mgso4.audit.export import export_csv, export_fhir, export_xlsx
from mgso4.audit.progress import AuditError

#: A date finer than a month (YYYY-MM-DD), or a clock time (HH:MM).
FINER_THAN_A_MONTH = re.compile(r"\d{4}-\d{2}-\d{2}|\b\d{1,2}:\d{2}\b|T\d{2}")
REASON = "Review of the January births for the perinatal morbidity meeting"


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_the_default_export_is_shareable_and_holds_no_date_finer_than_a_month(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "audit-shareable.csv"

    result = export_csv(small_demo, out, key=key)

    assert result.level == "shareable"
    cells = csv_cells(out) + csv_cells(tmp_path / "audit-shareable.dictionary.csv")
    assert [cell for cell in cells if FINER_THAN_A_MONTH.search(cell)] == []
    header = csv_cells(out)[: len(csv_cells(out)) // (result.rows + 1)]
    for column in (
        "episode_uuid",
        "patient_pseudonym",
        "mother_birth_year",
        "plurality",
        "unit_name",
        "workstation_id",
        "birth_at_utc",
    ):
        assert column not in header
    assert {"birth_month", "gestation_band", "hours_load_to_birth"} <= set(header)


def test_the_shareable_xlsx_holds_no_date_or_time_value(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    from openpyxl import load_workbook

    export_xlsx(small_demo, tmp_path / "audit.xlsx", key=key)

    workbook = load_workbook(tmp_path / "audit.xlsx", read_only=True)
    values = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    ]
    assert [v for v in values if isinstance(v, datetime | date)] == []
    assert [v for v in values if isinstance(v, str) and FINER_THAN_A_MONTH.search(v)] == []


def test_small_cells_are_withheld_in_a_shareable_export(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "audit.csv"

    export_csv(small_demo, out, key=key, suppress_below=5)

    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    shown = Counter((r["birth_month"], r["gestation_band"]) for r in rows if r["birth_month"])
    assert shown and min(shown.values()) >= 5
    withheld = [r for r in rows if r["withheld"]]
    assert withheld  # 300 episodes over 24 months: some months hold fewer than 5 of a band
    assert all(r["birth_month"] == "" for r in withheld)


def test_a_fhir_export_is_never_shareable(small_demo: Path, tmp_path: Path, key: bytes) -> None:
    with pytest.raises(AuditError, match="cannot be shareable"):
        export_fhir(small_demo, tmp_path / "bundle.json", key=key, level="shareable")


def test_the_pseudonymised_xlsx_writes_dates_and_times_as_real_dates(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    from openpyxl import load_workbook

    export_xlsx(small_demo, tmp_path / "audit.xlsx", key=key, level="pseudonymised")

    sheet = load_workbook(tmp_path / "audit.xlsx")["Babies"]
    header = [cell.value for cell in sheet[1]]
    birth = sheet.cell(row=2, column=header.index("birth_at_local") + 1)
    day = sheet.cell(row=2, column=header.index("birth_date_local") + 1)
    assert isinstance(birth.value, datetime) and "yy" in birth.number_format
    assert isinstance(day.value, datetime | date) and "yy" in day.number_format
    version = sheet.cell(row=2, column=header.index("protocol_version") + 1)
    assert isinstance(version.value, str)  # "2026.1" stays text


def test_an_identifiable_file_must_be_named_so(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(small_demo, copy)

    with pytest.raises(AuditError, match="-IDENTIFIABLE"):
        export_csv(
            copy,
            tmp_path / "audit.csv",
            key=key,
            identifiable=True,
            purpose="case-review",
            reason=REASON,
            recorded_by=AUDITOR,
        )
    with pytest.raises(AuditError, match="says IDENTIFIABLE"):
        export_csv(copy, tmp_path / "audit-IDENTIFIABLE.csv", key=key)


def test_suggested_names_differ_by_level() -> None:
    on = date(2026, 3, 2)
    levels = ("shareable", "pseudonymised", "identifiable")
    names = {level: export_module.suggested_file_name(level, "csv", on) for level in levels}

    assert names["identifiable"] == "mgso4-audit-2026-03-02-IDENTIFIABLE.csv"
    assert len(set(names.values())) == 3


def test_a_purpose_outside_the_list_is_refused(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    with pytest.raises(AuditError, match="its purpose"):
        export_csv(
            small_demo,
            tmp_path / "a-IDENTIFIABLE.csv",
            key=key,
            identifiable=True,
            purpose="curiosity",
            reason=REASON,
            recorded_by=AUDITOR,
        )


@pytest.mark.parametrize(
    "text",
    ["=2+3", " =2+3", "\n=2+3", "\r\n+1", "\t-1", "@SUM(A1)", "＝2+3", "　＋1", "－1", "＠x"],
)
def test_every_formula_variant_is_neutralised(text: str) -> None:
    assert export_module.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Case review", "2+3", "e-mail", ""])
def test_plain_text_is_left_alone(text: str) -> None:
    assert export_module.neutralise(text) == text


def test_the_data_dictionary_escapes_what_it_copies_from_the_record(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    hostile = tmp_path / "＝HYPERLINK(1).sqlite3"
    shutil.copy(small_demo, hostile)

    export_csv(hostile, tmp_path / "audit.csv", key=key, level="pseudonymised")

    cells = csv_cells(tmp_path / "audit.dictionary.csv")
    assert "'＝HYPERLINK(1).sqlite3" in cells
    assert "＝HYPERLINK(1).sqlite3" not in cells


def test_a_record_that_fails_verification_is_exported_only_when_allowed(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    copy = tmp_path / "tampered.sqlite3"
    shutil.copy(small_demo, copy)
    with sqlite3.connect(copy) as raw:
        raw.execute("DROP TRIGGER event_no_update")
        raw.execute("UPDATE event SET occurred_at = '2026-01-05T07:00:00.000000Z' WHERE seq = 3")

    with pytest.raises(AuditError, match="does not pass verification"):
        export_csv(copy, tmp_path / "a.csv", key=key)
    assert not (tmp_path / "a.csv").exists()

    result = export_csv(copy, tmp_path / "a.csv", key=key, allow_unverified=True)

    assert not result.verified
    assert any(cell.startswith("FAILED") for cell in csv_cells(tmp_path / "a.dictionary.csv"))
