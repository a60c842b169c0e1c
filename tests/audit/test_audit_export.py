"""Exports: shareable by default; identifiable only with a purpose and reason, logged; all or
nothing."""

from __future__ import annotations

import csv
import json
import shutil
import threading
import zipfile
from datetime import date
from pathlib import Path

import pytest
from audit_builders import AUDITOR, EpisodeBuilder, utc
from fhir.resources.R4B.bundle import Bundle

from mgso4.audit.data import load_audit_data
from mgso4.audit.dictionary import COLUMNS, columns_for
from mgso4.audit.export import (
    UKCORE_MEDICATION_ADMINISTRATION,
    export_csv,
    export_fhir,
    export_xlsx,
    row_values,
)
from mgso4.audit.progress import AuditError, Cancelled
from mgso4.audit.pseudonym import PSEUDONYM_SYSTEM
from mgso4.audit.sql import open_readonly
from mgso4.core.episode import EventType
from mgso4.core.timeutil import LONDON
from mgso4.storage import ReadOnlyError, Store

OTHER_KEY = bytes(range(1, 33))
PSEUDONYMISED = "pseudonymised"
PURPOSE = "case-review"
REASON = "Review of the January births for the perinatal morbidity meeting"


def identities(path: Path) -> tuple[set[str], set[str], set[str]]:
    """Every identifier, name and full date of birth recorded in a record."""
    connection = open_readonly(path)
    try:
        rows = connection.execute(
            "SELECT json_extract(payload, '$.patient.identifier'), "
            "json_extract(payload, '$.patient.name'), "
            "json_extract(payload, '$.patient.date_of_birth') "
            "FROM event WHERE type = 'episode-created'"
        ).fetchall()
    finally:
        connection.close()
    identifiers = {str(row[0]) for row in rows}
    names = {str(row[1]) for row in rows} | {str(row[1]).split()[-1] for row in rows}
    births = {str(row[2]) for row in rows if row[2]}
    return identifiers, names, births


def xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def crafted(store: Store, name: str = "Ada Testcase", identifier: str = "9990000026") -> str:
    built = EpisodeBuilder(
        created_at=utc("2026-01-05 08:00"),
        gestation_days_at_birth_date=27 * 7,
        birth_date=date(2026, 1, 5),
        name=name,
        identifier=identifier,
    )
    built.course(utc("2026-01-05 09:00"), utc("2026-01-05 15:00"))
    built.birth(utc("2026-01-05 15:00"))
    built.save(store)
    return built.episode_uuid


def exported_events(store: Store) -> list[dict[str, object]]:
    return [e.payload for e in store.iter_events() if e.type is EventType.EXPORTED]


# --- de-identified by default -----------------------------------------------------------------


def test_default_csv_holds_no_name_identifier_or_full_date_of_birth(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "babies.csv"

    export_csv(small_demo, out, key=key)

    text = out.read_text(encoding="utf-8-sig") + out.with_name("babies.dictionary.csv").read_text(
        encoding="utf-8-sig"
    )
    identifiers, names, births = identities(small_demo)
    assert [i for i in identifiers if i in text] == []
    assert [n for n in names if n in text] == []
    assert [b for b in births if b in text] == []


def test_default_xlsx_holds_no_name_identifier_or_full_date_of_birth(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "babies.xlsx"

    export_xlsx(small_demo, out, key=key, level=PSEUDONYMISED)

    text = xlsx_text(out)
    identifiers, names, births = identities(small_demo)
    assert [i for i in identifiers if i in text] == []
    assert [n for n in names if n in text] == []
    assert [b for b in births if b in text] == []
    assert "mother_birth_year" in text


def test_default_fhir_holds_no_name_identifier_or_full_date_of_birth(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "bundle.json"

    export_fhir(small_demo, out, key=key)

    text = out.read_text(encoding="utf-8")
    identifiers, names, births = identities(small_demo)
    assert [i for i in identifiers if i in text] == []
    assert [n for n in names if n in text] == []
    assert [b for b in births if b in text] == []


def test_pseudonym_is_stable_with_the_same_key_and_different_with_another(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    def pseudonyms(name: str, with_key: bytes) -> list[str]:
        out = tmp_path / name
        export_csv(small_demo, out, key=with_key, level=PSEUDONYMISED)
        with out.open(encoding="utf-8-sig", newline="") as handle:
            return [row["patient_pseudonym"] for row in csv.DictReader(handle)]

    first, again, other = (
        pseudonyms("a.csv", key),
        pseudonyms("b.csv", key),
        pseudonyms("c.csv", OTHER_KEY),
    )

    assert first == again
    assert all(a != b for a, b in zip(first, other, strict=True))


def test_every_export_row_has_exactly_the_dictionary_columns(small_demo: Path, key: bytes) -> None:
    row = load_audit_data(small_demo).rows[0]

    for identifiable in (False, True):
        values = row_values(row, key=key, identifiable=identifiable, tz=LONDON)
        assert list(values) == [c.name for c in columns_for(identifiable)]


def test_identifiable_columns_never_appear_in_a_de_identified_export() -> None:
    hidden = {c.name for c in COLUMNS if c.identifiable_only}

    assert hidden == {
        "identifier",
        "patient_name",
        "mother_date_of_birth",
        "not_given_text",
    }
    assert hidden.isdisjoint(c.name for c in columns_for(identifiable=False))


def test_csv_comes_with_its_data_dictionary_and_chain_heads(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    result = export_csv(small_demo, tmp_path / "babies.csv", key=key, level=PSEUDONYMISED)

    dictionary = (tmp_path / "babies.dictionary.csv").read_text(encoding="utf-8-sig")
    assert result.extra_paths == (tmp_path / "babies.dictionary.csv",)
    assert "MgSO4 given?" in dictionary
    for workstation_id, head in result.chain_heads.items():
        assert f"Chain head, workstation {workstation_id}" in dictionary
        assert head in dictionary


def test_xlsx_has_rows_dictionary_and_about_sheets(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    from openpyxl import load_workbook

    result = export_xlsx(small_demo, tmp_path / "babies.xlsx", key=key)

    workbook = load_workbook(tmp_path / "babies.xlsx", read_only=True)
    assert workbook.sheetnames == ["Babies", "Data dictionary", "About this export"]
    assert sum(1 for _ in workbook["Babies"].iter_rows()) == result.rows + 1


def test_export_keeps_only_babies_born_in_the_date_range(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "june.csv"

    export_csv(
        small_demo,
        out,
        key=key,
        date_from=date(2026, 6, 1),
        date_to=date(2026, 6, 30),
        level=PSEUDONYMISED,
    )

    with out.open(encoding="utf-8-sig", newline="") as handle:
        dates = {row["birth_date_local"] for row in csv.DictReader(handle)}
    assert dates
    assert all("2026-06-01" <= d <= "2026-06-30" for d in dates)


# --- FHIR -------------------------------------------------------------------------------------


def test_fhir_bundle_validates_as_r4_medication_administrations(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "bundle.json"

    result = export_fhir(small_demo, out, key=key)

    bundle = Bundle.model_validate(json.loads(out.read_text(encoding="utf-8")))
    assert bundle.type == "collection"
    resources = [entry.resource for entry in bundle.entry or []]
    assert len(resources) == result.rows > 0
    assert {r.__resource_type__ for r in resources} == {"MedicationAdministration"}
    assert all(r.meta.profile == [UKCORE_MEDICATION_ADMINISTRATION] for r in resources)
    assert {r.status for r in resources} <= {"completed", "stopped", "not-done", "in-progress"}
    assert all(r.subject.identifier.system == PSEUDONYM_SYSTEM for r in resources)


def test_fhir_not_done_carries_the_coded_missed_reason(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "bundle.json"
    export_fhir(small_demo, out, key=key)

    bundle = json.loads(out.read_text(encoding="utf-8"))
    not_done = [e["resource"] for e in bundle["entry"] if e["resource"]["status"] == "not-done"]
    assert not_done
    for resource in not_done:
        coding = resource["statusReason"][0]["coding"][0]
        assert coding["code"].startswith(("NG-", "UNKNOWN"))
        assert coding["display"]


def test_fhir_course_has_its_period_and_rate(store: Store, tmp_path: Path, key: bytes) -> None:
    crafted(store)
    out = tmp_path / "bundle.json"

    export_fhir(store, out, key=key)

    resource = json.loads(out.read_text(encoding="utf-8"))["entry"][0]["resource"]
    assert resource["status"] == "completed"
    assert resource["effectivePeriod"] == {
        "start": "2026-01-05T09:00:00Z",
        "end": "2026-01-05T15:00:00Z",
    }
    assert resource["dosage"]["rateQuantity"]["code"] == "g/h"
    assert resource["dosage"]["rateQuantity"]["value"] == 1.0
    assert resource["dosage"]["dose"]["value"] == 4


# --- identifiable exports ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason", [None, "", "   ", "x", "Case review", "aaaaaaaaaaaaaaaaaaaaaaaa"]
)
def test_identifiable_export_without_a_reason_of_substance_is_refused(
    store: Store, tmp_path: Path, key: bytes, reason: str | None
) -> None:
    crafted(store)
    out = tmp_path / "named-IDENTIFIABLE.csv"

    with pytest.raises(AuditError, match="reason of substance"):
        export_csv(
            store,
            out,
            key=key,
            identifiable=True,
            purpose=PURPOSE,
            reason=reason,
            recorded_by=AUDITOR,
        )

    assert not out.exists()
    assert exported_events(store) == []


def test_identifiable_export_without_the_exporters_name_is_refused(
    store: Store, tmp_path: Path, key: bytes
) -> None:
    crafted(store)

    with pytest.raises(AuditError, match="name and role"):
        export_csv(
            store,
            tmp_path / "x-IDENTIFIABLE.csv",
            key=key,
            identifiable=True,
            purpose=PURPOSE,
            reason=REASON,
        )


def test_identifiable_export_with_a_reason_is_recorded_as_an_exported_event(
    store: Store, tmp_path: Path, key: bytes
) -> None:
    crafted(store, name="Ada Testcase", identifier="9990000026")
    out = tmp_path / "named-IDENTIFIABLE.csv"

    result = export_csv(
        store,
        out,
        key=key,
        identifiable=True,
        purpose=PURPOSE,
        reason=f"  {REASON} ",
        recorded_by=AUDITOR,
    )

    text = out.read_text(encoding="utf-8-sig")
    assert "Ada Testcase" in text and "9990000026" in text and "1990-05-17" in text
    events = [e for e in store.iter_events() if e.type is EventType.EXPORTED]
    assert [e.payload for e in events] == [
        {
            "format": "csv",
            "identifiable": True,
            "reason": f"case review: {REASON}",
            "rows": 1,
            "note": "",
        }
    ]
    assert events[0].episode_uuid is None
    assert events[0].uuid == result.exported_event_uuid


def test_identifiable_export_whose_log_entry_cannot_be_saved_writes_no_file(
    store: Store, db_path: Path, tmp_path: Path, key: bytes
) -> None:
    crafted(store)
    out = tmp_path / "named-IDENTIFIABLE.xlsx"

    with Store.open(db_path, readonly=True) as readonly, pytest.raises(ReadOnlyError):
        export_xlsx(
            readonly,
            out,
            key=key,
            identifiable=True,
            purpose=PURPOSE,
            reason=REASON,
            recorded_by=AUDITOR,
        )

    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_de_identified_export_is_not_logged_and_needs_no_reason(
    store: Store, tmp_path: Path, key: bytes
) -> None:
    crafted(store)

    export_csv(store, tmp_path / "x.csv", key=key)

    assert exported_events(store) == []


def test_text_that_looks_like_a_formula_is_neutralised(
    store: Store, tmp_path: Path, key: bytes
) -> None:
    crafted(store, name='=HYPERLINK("http://example.invalid","x")')
    out = tmp_path / "named-IDENTIFIABLE.csv"

    export_csv(
        store,
        out,
        key=key,
        identifiable=True,
        purpose=PURPOSE,
        reason=REASON,
        recorded_by=AUDITOR,
    )

    with out.open(encoding="utf-8-sig", newline="") as handle:
        names = [row["patient_name"] for row in csv.DictReader(handle)]
    assert names == ['\'=HYPERLINK("http://example.invalid","x")']


def test_short_key_is_refused(small_demo: Path, tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="at least 32"):
        export_csv(small_demo, tmp_path / "x.csv", key=b"short")


# --- all or nothing ----------------------------------------------------------------------------


@pytest.mark.parametrize("export", [export_csv, export_xlsx, export_fhir])
def test_cancel_leaves_no_file(
    small_demo: Path, tmp_path: Path, key: bytes, export: object
) -> None:
    cancel = threading.Event()
    out = tmp_path / "cancelled.out"

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in ("Reading the record", "Reading episodes"):
            cancel.set()

    with pytest.raises(Cancelled):
        export(small_demo, out, key=key, progress=progress, cancel=cancel)  # type: ignore[operator]

    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_cancel_keeps_an_earlier_file_unchanged(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    out = tmp_path / "babies.csv"
    export_csv(small_demo, out, key=key)
    before = out.read_bytes()
    cancel = threading.Event()
    cancel.set()

    with pytest.raises(Cancelled):
        export_csv(small_demo, out, key=key, cancel=cancel)

    assert out.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_export_to_a_missing_folder_is_refused(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    with pytest.raises(AuditError, match="does not exist"):
        export_csv(small_demo, tmp_path / "missing" / "x.csv", key=key)


def test_export_reads_a_copy_of_the_record_read_only(
    small_demo: Path, tmp_path: Path, key: bytes
) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(small_demo, copy)
    before = copy.read_bytes()

    export_csv(copy, tmp_path / "x.csv", key=key)

    assert copy.read_bytes() == before
