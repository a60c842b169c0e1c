"""CLI commands over a record: verify, backup/restore, proforma, report, export, merge."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mgso4.cli import main
from mgso4.storage import Store


@pytest.fixture(scope="module", autouse=True)
def private_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Settings, keys and data of this module's own (the demo record's signing keys too)."""
    base = tmp_path_factory.mktemp("cli-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MGSO4_CONFIG_DIR", str(base / "config"))
        patch.setenv("MGSO4_DATA_DIR", str(base / "data"))
        yield base


@pytest.fixture(scope="module")
def demo_db(private_folders: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite3"
    assert main(["demo-data", "--db", str(path), "--episodes", "40", "--seed", "3", "--quiet"]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_reports_a_clean_record(capsys: pytest.CaptureFixture[str], demo_db: Path) -> None:
    code, out, _ = run(capsys, "verify", "--db", str(demo_db), "--json")
    data = json.loads(out)
    assert code == 0
    assert data["ok"] is True
    assert data["integrity"] == "ok"
    assert data["journal_mode"] in {"delete", "wal"}
    assert data["sqlite_version"]


def test_verify_of_a_missing_file_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "verify", "--db", str(tmp_path / "none.sqlite3"), "--json")
    assert code != 0
    assert json.loads(out)["ok"] is False


def test_backup_then_restore_gives_an_identical_chain(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "backup", "--db", str(demo_db), "--to", str(tmp_path), "--json")
    backup = Path(json.loads(out)["backup"])
    assert code == 0 and backup.is_file()
    restored = tmp_path / "restored.sqlite3"
    code, _, _ = run(capsys, "restore", str(backup), "--to", str(restored), "--json")
    assert code == 0
    with Store.open(demo_db, readonly=True) as a, Store.open(restored, readonly=True) as b:
        assert a.verify().chain_heads == b.verify().chain_heads


def test_proforma_is_written_and_printing_is_logged_with_the_chain_head(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    with Store.open(demo_db, readonly=True) as store:
        episode = store.episode_uuids()[0]
    out_pdf = tmp_path / "p.pdf"
    code, out, _ = run(
        capsys,
        "proforma",
        "--db",
        str(demo_db),
        "--episode",
        episode,
        "--out",
        str(out_pdf),
        "--by",
        "Ann Auditor",
        "--json",
    )
    head = json.loads(out)["chain_head"]
    assert code == 0
    assert out_pdf.read_bytes().startswith(b"%PDF")
    with Store.open(demo_db, readonly=True) as store:
        printed = [e for e in store.events(episode) if e.type.value == "printed"]
    assert printed[-1].payload["chain_head"] == head
    assert printed[-1].recorded_by.name == "Ann Auditor"


def test_proforma_of_an_unknown_episode_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    code, _, err = run(
        capsys,
        "proforma",
        "--db",
        str(demo_db),
        "--episode",
        "nope",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert code == 2 and "--episode" in err
    assert not (tmp_path / "x.pdf").exists()


def test_report_json_has_the_measures(capsys: pytest.CaptureFixture[str], demo_db: Path) -> None:
    code, out, _ = run(capsys, "report", "--db", str(demo_db), "--quiet", "--json")
    assert code == 0
    assert "nnap" in json.dumps(json.loads(out))


def test_default_export_holds_no_identifier_or_name(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    out_csv = tmp_path / "e.csv"
    code, _, _ = run(
        capsys,
        "export",
        "--db",
        str(demo_db),
        "--format",
        "csv",
        "--out",
        str(out_csv),
        "--quiet",
    )
    assert code == 0
    text = out_csv.read_text(encoding="utf-8")
    with Store.open(demo_db, readonly=True) as store:
        patients = [store.episode(u).patient for u in store.episode_uuids()]
    for patient in patients:
        assert patient.identifier not in text
        assert patient.name not in text
    assert text.splitlines()[0].lstrip("\ufeff").startswith("row_number,birth_month")


def test_identifiable_export_needs_a_reason(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    out_csv = tmp_path / "named-IDENTIFIABLE.csv"
    code, _, err = run(
        capsys,
        "export",
        "--db",
        str(demo_db),
        "--format",
        "csv",
        "--out",
        str(out_csv),
        "--identifiable",
        "--purpose",
        "case-review",
        "--reason",
        "x",
    )
    assert code == 2 and "--reason" in err and "substance" in err
    assert not out_csv.exists()


def test_merge_twice_changes_nothing_the_second_time(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    unit = tmp_path / "unit.sqlite3"
    code, out, _ = run(capsys, "merge", "--into", str(unit), str(demo_db), "--quiet", "--json")
    first = json.loads(out)["sources"][0]
    code2, out2, _ = run(capsys, "merge", "--into", str(unit), str(demo_db), "--quiet", "--json")
    second = json.loads(out2)["sources"][0]
    assert code == code2 == 0
    assert first["events_added"] > 0
    assert second["events_added"] == 0
    assert second["events_skipped"] == first["events_added"]


def test_demo_data_never_writes_into_an_existing_file(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    code, _, err = run(capsys, "demo-data", "--db", str(demo_db), "--episodes", "2")
    assert code == 2 and "--db" in err
