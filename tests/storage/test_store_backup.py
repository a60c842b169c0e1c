"""Backups through SQLite's backup API: verified, rotated, restorable, never overwriting."""

from __future__ import annotations

import sqlite3
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_builders import PROTOCOL, T0, created, full_episode, observation

from mgso4.storage import (
    BackupError,
    BackupNotVerifiedError,
    BackupScheduler,
    Store,
    list_backups,
    newest_good_backup,
    restore,
    rotate,
    verify_path,
)
from mgso4.storage.backup import backup_database, last_backup_at
from mgso4.storage.schema import REQUIRED_TRIGGERS

MINUTE = timedelta(minutes=1)


@pytest.fixture
def filled(store: Store, episode_uuid: str) -> Store:
    """The test store holding one whole episode."""
    for draft in full_episode(episode_uuid):
        store.append(draft, PROTOCOL)
    return store


def test_backup_is_named_by_utc_time_and_verifies(filled: Store, tmp_path: Path) -> None:
    written = filled.backup(tmp_path / "backups")

    assert written.parent == tmp_path / "backups"
    assert written.name.startswith("mgso4-20260302T") and written.name.endswith("Z.sqlite3")
    report = verify_path(written)
    assert report.ok and report.counts["events"] == 9


def test_backup_holds_the_same_events_as_the_record(filled: Store, tmp_path: Path) -> None:
    written = filled.backup(tmp_path / "backups")

    with Store.open(written, readonly=True) as copy:
        assert list(copy.iter_events()) == list(filled.iter_events())
        assert copy.workstation_id == filled.workstation_id


def test_backup_file_is_owner_only(filled: Store, tmp_path: Path) -> None:
    written = filled.backup(tmp_path / "backups")

    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_backup_leaves_no_temporary_files(filled: Store, tmp_path: Path) -> None:
    written = filled.backup(tmp_path / "backups")

    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
        written.name,
        f"mgso4-witness-{filled.workstation_id}.jsonl",
    ]


def test_two_backups_in_the_same_second_get_a_counter(filled: Store, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    moment = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)

    first = backup_database(filled._conn, filled.path, folder, now=moment)
    second = backup_database(filled._conn, filled.path, folder, now=moment)
    third = backup_database(filled._conn, filled.path, folder, now=moment)

    assert [first.name, second.name, third.name] == [
        "mgso4-20260302T100000Z.sqlite3",
        "mgso4-20260302T100000Z-2.sqlite3",
        "mgso4-20260302T100000Z-3.sqlite3",
    ]
    assert [b.path for b in list_backups(folder)] == [third, second, first]


def test_rotation_keeps_the_newest_n(filled: Store, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    written = [
        backup_database(filled._conn, filled.path, folder, keep=3, now=T0 + timedelta(days=day))
        for day in range(5)
    ]

    assert sorted(p.name for p in folder.iterdir()) == [p.name for p in written[2:]]


def test_rotation_never_touches_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "mgso4-training-20260101T000000Z.sqlite3").write_bytes(b"")
    for day in (1, 2, 3):
        (tmp_path / f"mgso4-2026010{day}T000000Z.sqlite3").write_bytes(b"")

    deleted = rotate(tmp_path, keep=1)

    assert sorted(p.name for p in deleted) == [
        "mgso4-20260101T000000Z.sqlite3",
        "mgso4-20260102T000000Z.sqlite3",
    ]
    assert (tmp_path / "notes.txt").exists()
    assert (tmp_path / "mgso4-training-20260101T000000Z.sqlite3").exists()


def test_rotation_must_keep_at_least_one_backup(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        rotate(tmp_path, keep=0)


def test_a_backup_that_does_not_verify_is_deleted_and_reported(
    filled: Store, tmp_path: Path
) -> None:
    with sqlite3.connect(filled.path, isolation_level=None) as raw:  # someone edits the file
        raw.execute("DROP TRIGGER event_no_update")
        raw.execute("UPDATE event SET occurred_at = '2026-01-01T00:00:00.000000Z' WHERE seq = 3")
    folder = tmp_path / "backups"

    with pytest.raises(BackupNotVerifiedError, match="did not check out"):
        filled.backup(folder)

    assert list(folder.iterdir()) == []


def test_backup_into_a_folder_that_cannot_be_made_is_refused(filled: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")

    with pytest.raises(BackupError, match="no backup was made"):
        filled.backup(blocker / "backups")


def test_newest_good_backup_skips_a_damaged_newer_one(filled: Store, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    good = backup_database(filled._conn, filled.path, folder, now=T0)
    damaged = backup_database(filled._conn, filled.path, folder, now=T0 + MINUTE)
    damaged.write_bytes(damaged.read_bytes()[:4096])

    assert newest_good_backup(folder) == good


def test_newest_good_backup_of_an_empty_or_missing_folder_is_none(tmp_path: Path) -> None:
    assert newest_good_backup(tmp_path) is None
    assert newest_good_backup(tmp_path / "missing") is None
    assert newest_good_backup(None) is None


def test_last_backup_time_comes_from_the_newest_name(filled: Store, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    backup_database(filled._conn, filled.path, folder, now=T0)
    backup_database(filled._conn, filled.path, folder, now=T0 + timedelta(hours=30))

    assert last_backup_at(folder) == T0 + timedelta(hours=30)
    assert last_backup_at(tmp_path / "none") is None


def test_restore_to_a_new_file_gives_a_working_record(
    filled: Store, tmp_path: Path, episode_uuid: str
) -> None:
    written = filled.backup(tmp_path / "backups")
    target = tmp_path / "restored" / "record.sqlite3"

    result = restore(written, target)

    assert result.restored == target and result.replaced_moved_to is None
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with Store.open(target, check_location_safe=False) as restored:
        assert restored.verify().ok
        assert restored.events(episode_uuid) == filled.events(episode_uuid)
        restored.append(observation(episode_uuid, at=T0 + 400 * MINUTE), PROTOCOL)


def test_restore_refuses_to_overwrite_an_existing_record(filled: Store, tmp_path: Path) -> None:
    written = filled.backup(tmp_path / "backups")
    before = filled.path.read_bytes()

    with pytest.raises(BackupError, match="already a record"):
        restore(written, filled.path)

    assert filled.path.read_bytes() == before


def test_restore_with_overwrite_moves_the_existing_record_aside(
    db_path: Path, tmp_path: Path
) -> None:
    first, later = str(uuid.uuid4()), str(uuid.uuid4())
    with Store.open(db_path, check_location_safe=False) as store:
        store.append(created(first), PROTOCOL)
        written = store.backup(tmp_path / "backups")
        store.append(created(later), PROTOCOL)
    current = db_path.read_bytes()

    result = restore(written, db_path, overwrite=True, now=T0)

    assert result.replaced_moved_to == db_path.with_name("record.sqlite3.replaced-20260302T090000Z")
    assert result.replaced_moved_to.read_bytes() == current  # kept, byte for byte
    with Store.open(db_path, check_location_safe=False) as restored:
        assert restored.episode_uuids() == [first]


def test_restore_refuses_a_backup_that_does_not_verify(filled: Store, tmp_path: Path) -> None:
    written = filled.backup(tmp_path / "backups")
    with sqlite3.connect(written, isolation_level=None) as raw:
        for trigger in REQUIRED_TRIGGERS:
            raw.execute(f"DROP TRIGGER {trigger}")
    target = tmp_path / "restored.sqlite3"

    with pytest.raises(BackupNotVerifiedError, match="not restored"):
        restore(written, target)

    assert not target.exists()


@pytest.mark.parametrize(
    ("hours_since", "due"),
    [(None, True), (0, False), (23.99, False), (24, True), (30, True), (-1, True)],
)
def test_a_backup_is_due_daily(hours_since: float | None, due: bool) -> None:
    now = T0
    last = None if hours_since is None else now - timedelta(hours=hours_since)

    assert BackupScheduler().due(now, last) is due


def test_backup_interval_is_configurable() -> None:
    scheduler = BackupScheduler(interval=timedelta(hours=6))

    assert scheduler.due(T0, T0 - timedelta(hours=6))
    assert not scheduler.due(T0, T0 - timedelta(hours=5))


def test_a_restore_that_fails_part_way_puts_the_existing_record_back(
    filled: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = filled.backup(tmp_path / "backups")
    filled.close()
    before = filled.path.read_bytes()

    def no_space(source: object, destination: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mgso4.storage.backup.copy_database", no_space)

    with pytest.raises(BackupError, match="could not be restored"):
        restore(written, filled.path, overwrite=True)

    assert filled.path.read_bytes() == before
    assert sorted(p.name for p in filled.path.parent.iterdir() if p.is_file()) == [filled.path.name]
