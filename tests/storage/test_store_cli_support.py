"""The functions behind `mgso4 verify`, `mgso4 backup` and `mgso4 restore`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from storage_builders import PROTOCOL, full_episode

from mgso4.storage import Store
from mgso4.storage.cli_support import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PROBLEMS,
    backup_to,
    restore,
    verify_report_json,
)


@pytest.fixture
def record(db_path: Path, episode_uuid: str) -> Path:
    """A closed record holding one whole episode."""
    with Store.open(db_path, check_location_safe=False) as store:
        for draft in full_episode(episode_uuid):
            store.append(draft, PROTOCOL)
    return db_path


def test_verify_of_a_sound_record_exits_0_with_the_report(record: Path) -> None:
    report, code = verify_report_json(record)

    assert code == EXIT_OK
    assert report["ok"] is True and report["counts"]["events"] == 9
    assert json.loads(json.dumps(report)) == report


def test_verify_of_a_tampered_record_exits_1_with_the_broken_link(record: Path) -> None:
    with sqlite3.connect(record, isolation_level=None) as raw:
        raw.execute("DROP TRIGGER event_no_update")
        raw.execute('UPDATE event SET payload = \'{"baby":2,"label":""}\' WHERE seq = 8')

    report, code = verify_report_json(record)

    assert code == EXIT_PROBLEMS
    assert any(f["seq"] == 8 and f["kind"] == "hash-mismatch" for f in report["findings"])


def test_verify_of_a_damaged_file_exits_1_and_says_it_is_damaged(record: Path) -> None:
    record.write_bytes(record.read_bytes()[:4096])

    report, code = verify_report_json(record)

    assert code == EXIT_PROBLEMS
    assert report["error"] == "CorruptDatabaseError" and "damaged" in report["message"]


def test_verify_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    report, code = verify_report_json(tmp_path / "missing.sqlite3")

    assert code == EXIT_FAILED and "no record file" in report["message"]


def test_backup_writes_a_verified_copy_and_exits_0(record: Path, tmp_path: Path) -> None:
    result, code = backup_to(record, tmp_path / "backups")

    assert code == EXIT_OK
    assert Path(result["backup"]).is_file()
    assert result["counts"] == {"episodes": 1, "events": 9}


def test_backup_of_a_missing_record_exits_2(tmp_path: Path) -> None:
    _, code = backup_to(tmp_path / "missing.sqlite3", tmp_path / "backups")

    assert code == EXIT_FAILED
    assert not (tmp_path / "backups").exists()


def test_restore_to_a_new_file_exits_0(record: Path, tmp_path: Path) -> None:
    written, _ = backup_to(record, tmp_path / "backups")

    result, code = restore(written["backup"], tmp_path / "restored.sqlite3")

    assert code == EXIT_OK and result["replaced_moved_to"] is None
    assert verify_report_json(tmp_path / "restored.sqlite3")[1] == EXIT_OK


def test_restore_over_an_existing_record_without_overwrite_exits_2(
    record: Path, tmp_path: Path
) -> None:
    written, _ = backup_to(record, tmp_path / "backups")

    result, code = restore(written["backup"], record)

    assert code == EXIT_FAILED and "already a record" in result["message"]


def test_restore_with_overwrite_names_where_the_old_record_went(
    record: Path, tmp_path: Path
) -> None:
    written, _ = backup_to(record, tmp_path / "backups")

    result, code = restore(written["backup"], record, overwrite=True)

    assert code == EXIT_OK
    assert Path(result["replaced_moved_to"]).is_file()
    assert result["replaced_moved_to"] in result["message"]


def test_restore_of_a_backup_that_does_not_verify_exits_1(record: Path, tmp_path: Path) -> None:
    written, _ = backup_to(record, tmp_path / "backups")
    Path(written["backup"]).write_bytes(b"not a database at all" * 100)

    _, code = restore(written["backup"], tmp_path / "restored.sqlite3")

    assert code == EXIT_PROBLEMS
    assert not (tmp_path / "restored.sqlite3").exists()
