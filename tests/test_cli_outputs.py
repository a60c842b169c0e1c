"""An output path can never replace the record, a backup or any file the user did not mean to.

Attacks from the adversarial review: ``mgso4 proforma --blank --out <record>`` and
``mgso4 export --format csv --out <record>`` replaced the record with a PDF or CSV and exited 0;
with ``--identifiable`` the log entry of the export went with it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from mgso4.cli import main
from mgso4.reports import write_pdf_atomically
from mgso4.storage import Store, default_db_path


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outputs") / "record.sqlite3"
    assert main(["demo-data", "--db", str(path), "--episodes", "6", "--seed", "4", "--quiet"]) == 0
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_refusal(code: int, err: str, *words: str) -> None:
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err


@pytest.mark.parametrize("force", [False, True])
def test_a_blank_proforma_never_replaces_the_record(
    capsys: pytest.CaptureFixture[str], demo_db: Path, force: bool
) -> None:
    before = digest(demo_db)

    code, _, err = run(
        capsys, "proforma", "--blank", "--out", str(demo_db), *(["--force"] if force else [])
    )

    assert_one_line_refusal(code, err, "--out", "never written over")
    assert digest(demo_db) == before
    with Store.open(demo_db, readonly=True) as store:
        assert store.verify().ok


@pytest.mark.parametrize("level", ["shareable", "pseudonymised"])
def test_an_export_never_replaces_the_record(
    capsys: pytest.CaptureFixture[str], demo_db: Path, level: str
) -> None:
    before = digest(demo_db)

    code, _, err = run(
        capsys,
        "export",
        "--db",
        str(demo_db),
        "--format",
        "csv",
        "--level",
        level,
        "--out",
        str(demo_db),
        "--force",
        "--quiet",
    )

    assert_one_line_refusal(code, err, "--out")
    assert digest(demo_db) == before


def test_an_identifiable_export_onto_the_record_keeps_the_record_and_writes_no_log_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_db: Path
) -> None:
    record = tmp_path / "copy.sqlite3"
    record.write_bytes(demo_db.read_bytes())
    events_before = Store.open(record, readonly=True).counts()["events"]

    code, _, err = run(
        capsys,
        "export",
        "--db",
        str(record),
        "--format",
        "csv",
        "--identifiable",
        "--purpose",
        "case-review",
        "--reason",
        "Review of the care of the babies born in March for the perinatal meeting",
        "--out",
        str(record),
        "--force",
        "--quiet",
    )

    assert_one_line_refusal(code, err, "--out")
    with Store.open(record, readonly=True) as store:
        assert store.counts()["events"] == events_before
        assert store.verify().ok


def test_a_symbolic_link_to_the_record_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_db: Path
) -> None:
    link = tmp_path / "innocent.pdf"
    link.symlink_to(demo_db)
    before = digest(demo_db)

    code, _, err = run(capsys, "proforma", "--blank", "--out", str(link), "--force")

    assert_one_line_refusal(code, err, "--out")
    assert digest(demo_db) == before


def test_the_journal_of_a_record_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_db: Path
) -> None:
    code, _, err = run(
        capsys, "proforma", "--blank", "--out", f"{tmp_path / 'elsewhere.sqlite3'}-journal"
    )

    assert_one_line_refusal(code, err, "--out")


def test_the_configured_live_record_is_refused_even_before_it_exists(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MGSO4_DATA_DIR", str(tmp_path / "data"))
    live = default_db_path()
    live.parent.mkdir(parents=True, exist_ok=True)

    code, _, err = run(capsys, "proforma", "--blank", "--out", str(live), "--force")

    assert_one_line_refusal(code, err, "--out", "record")
    assert not live.exists()


def test_a_backup_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_db: Path
) -> None:
    code, out, _ = run(capsys, "backup", "--db", str(demo_db), "--to", str(tmp_path), "--json")
    assert code == 0
    backup = Path(json.loads(out)["backup"])
    before = digest(backup)

    code, _, err = run(capsys, "proforma", "--blank", "--out", str(backup), "--force")

    assert_one_line_refusal(code, err, "--out")
    assert digest(backup) == before


def test_an_existing_file_is_replaced_only_with_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    existing = tmp_path / "letter.pdf"
    existing.write_bytes(b"the discharge letter")

    code, _, err = run(capsys, "proforma", "--blank", "--out", str(existing))
    assert_one_line_refusal(code, err, "--out", "already exists", "--force")
    assert existing.read_bytes() == b"the discharge letter"

    code, _, _ = run(capsys, "proforma", "--blank", "--out", str(existing), "--force")
    assert code == 0
    assert existing.read_bytes().startswith(b"%PDF-")


def test_the_data_dictionary_beside_a_csv_is_protected_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_db: Path
) -> None:
    dictionary = tmp_path / "audit-shareable.dictionary.csv"
    dictionary.write_text("someone's notes")

    code, _, err = run(
        capsys,
        "export",
        "--db",
        str(demo_db),
        "--format",
        "csv",
        "--out",
        str(tmp_path / "audit-shareable.csv"),
        "--quiet",
    )

    assert_one_line_refusal(code, err, "dictionary", "already exists")
    assert dictionary.read_text() == "someone's notes"


def test_a_folder_that_does_not_exist_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "proforma", "--blank", "--out", str(tmp_path / "missing" / "x.pdf"))

    assert_one_line_refusal(code, err, "--out", "does not exist")


def test_the_pdf_writer_itself_never_replaces_a_database(tmp_path: Path, demo_db: Path) -> None:
    record = tmp_path / "record.sqlite3"
    record.write_bytes(demo_db.read_bytes())
    before = digest(record)

    from mgso4.safe_paths import RecordOverwriteError

    with pytest.raises(RecordOverwriteError):
        write_pdf_atomically(b"%PDF-1.4 a page", record)

    assert digest(record) == before
    assert list(tmp_path.glob("*.partial")) == []
