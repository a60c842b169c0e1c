"""Faults: a full disk, a read-only file, a damaged file, a record held by another copy.

Each must end in a specific error the user can act on, with nothing saved by the failed
action, nothing saved earlier lost, and a damaged file never changed.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from storage_builders import PROTOCOL, T0, created, full_episode, note, observation

from mgso4.storage import (
    CorruptDatabaseError,
    DiskFullError,
    LockedError,
    ReadOnlyError,
    Store,
    journal_mode_for,
)
from mgso4.storage.errors import translate

MINUTE = timedelta(minutes=1)
PAGE = 4096


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _limit_pages(store: Store, extra_pages: int) -> None:
    """Make the disk "full" after ``extra_pages`` more pages (SQLITE_FULL, as on a real disk)."""
    connection = store._conn  # the limit is per connection: set it on the store's own
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages + extra_pages}")


def _lift_page_limit(store: Store) -> None:
    store._conn.execute("PRAGMA max_page_count = 4294967294")


@pytest.fixture
def record(db_path: Path) -> Path:
    """A closed record holding six whole episodes (several pages of each table)."""
    with Store.open(db_path, check_location_safe=False) as store:
        for _ in range(6):
            for draft in full_episode(str(uuid.uuid4())):
                store.append(draft, PROTOCOL)
    return db_path


# --------------------------------------------------------------------------- disk full


@pytest.mark.parametrize("extra_pages", [0, 1, 2, 3, 5, 8])
def test_disk_full_refuses_the_action_and_keeps_everything_saved_before(
    store: Store, episode_uuid: str, extra_pages: int
) -> None:
    acknowledged = [store.append(created(episode_uuid), PROTOCOL)]
    _limit_pages(store, extra_pages)
    text = "x" * 600  # fills pages quickly, without overflow pages
    rng = random.Random(extra_pages)
    refused = None
    for action in range(1, 400):
        at = T0 + action * MINUTE
        drafts = [note(episode_uuid, f"{action} {text}", at=at)]
        if rng.random() < 0.5:
            drafts.append(observation(episode_uuid, at=at))
        before = [d.model_copy(deep=True) for d in drafts]
        try:
            acknowledged.extend(store.append_many(drafts, PROTOCOL))
        except DiskFullError as exc:
            refused = (drafts, before, exc)
            break
    assert refused is not None, "the page limit was never reached"
    drafts, before, error = refused

    assert "full" in str(error) and "save again" in str(error)
    assert drafts == before  # what the user typed is untouched
    assert store.events(episode_uuid) == acknowledged  # all earlier, nothing of the failed one
    assert store.verify().ok

    _lift_page_limit(store)
    retried = store.append_many(drafts, PROTOCOL)  # the same drafts save once space is freed
    assert retried[0].seq == acknowledged[-1].seq + 1
    assert store.verify().ok


def test_disk_full_while_creating_an_episode_saves_neither_row_nor_event(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(str(uuid.uuid4())), PROTOCOL)
    _limit_pages(store, 0)

    with pytest.raises(DiskFullError):
        store.append_many(
            [created(episode_uuid)]
            + [note(episode_uuid, "y" * 900, at=T0 + i * MINUTE) for i in range(1, 30)],
            PROTOCOL,
        )

    assert episode_uuid not in store.episode_uuids()
    assert store.events(episode_uuid) == []
    assert store.verify().ok


# --------------------------------------------------------------------------- read-only


def test_writing_through_a_read_only_connection_becomes_read_only_error(record: Path) -> None:
    raw = sqlite3.connect(record.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            raw.execute("INSERT INTO meta VALUES ('k', 'v')")
    finally:
        raw.close()

    error = translate(caught.value, path=record, writing=True)

    assert isinstance(error, ReadOnlyError)
    assert "Nothing was saved" in str(error)


def test_read_only_store_reads_the_record_without_changing_it(record: Path) -> None:
    before = _digest(record)

    with Store.open(record, readonly=True) as viewer:
        report = viewer.verify()
        episodes = viewer.episode_uuids()

    assert report.ok and len(episodes) == 6
    assert _digest(record) == before


def test_read_only_folder_is_refused_when_opening_for_writing(
    record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = record.parent
    real_access = os.access

    def access(path: object, mode: int) -> bool:
        return False if Path(str(path)) == folder else real_access(path, mode)

    monkeypatch.setattr("mgso4.storage.sqlite_setup.os.access", access)

    with pytest.raises(ReadOnlyError, match=r"folder .* is read-only"):
        Store.open(record, check_location_safe=False)


# --------------------------------------------------------------------------- damaged files


def _pages(path: Path) -> int:
    return path.stat().st_size // PAGE


def test_random_bytes_in_any_page_are_reported_as_damage_and_the_file_is_not_changed(
    record: Path, tmp_path: Path
) -> None:
    original = record.read_bytes()
    rng = random.Random(20260302)
    for page in range(1, _pages(record) + 1):
        damaged = bytearray(original)
        damaged[(page - 1) * PAGE : page * PAGE] = rng.randbytes(PAGE)
        copy = tmp_path / f"damaged-page-{page}.sqlite3"
        copy.write_bytes(damaged)

        with pytest.raises(CorruptDatabaseError, match="damaged"):
            Store.open(copy, check_location_safe=False)

        assert copy.read_bytes() == damaged, f"page {page}: the damaged file was changed"


@pytest.mark.parametrize("keep_bytes", [50, 100, PAGE, 3 * PAGE, -PAGE, -1])
def test_truncated_file_is_reported_as_damage_and_not_changed(
    record: Path, keep_bytes: int
) -> None:
    original = record.read_bytes()
    cut = original[:keep_bytes]
    record.write_bytes(cut)

    with pytest.raises(CorruptDatabaseError):
        Store.open(record, check_location_safe=False)

    assert record.read_bytes() == cut


def test_truncated_file_is_reported_as_damage_when_opened_read_only(record: Path) -> None:
    record.write_bytes(record.read_bytes()[:-PAGE])

    with pytest.raises(CorruptDatabaseError):
        Store.open(record, readonly=True)


def test_a_text_file_is_reported_as_not_a_database_and_not_changed(tmp_path: Path) -> None:
    text_file = tmp_path / "record.sqlite3"
    text_file.write_text("Ward 7 handover notes\n" * 40, encoding="utf-8")
    before = _digest(text_file)

    with pytest.raises(CorruptDatabaseError, match="not a database"):
        Store.open(text_file, check_location_safe=False)

    assert _digest(text_file) == before


def test_an_empty_existing_file_is_damage_not_a_new_record(tmp_path: Path) -> None:
    emptied = tmp_path / "record.sqlite3"
    emptied.touch()

    with pytest.raises(CorruptDatabaseError, match="empty"):
        Store.open(emptied, check_location_safe=False)

    assert emptied.stat().st_size == 0


def test_damage_message_names_the_newest_good_backup(record: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    with Store.open(record, check_location_safe=False) as store:
        store.backup(backups)
        newest = store.backup(backups)
    record.write_bytes(record.read_bytes()[: 2 * PAGE])

    with pytest.raises(CorruptDatabaseError) as caught:
        Store.open(record, backup_dir=backups, check_location_safe=False)

    assert caught.value.newest_backup == newest
    assert str(newest) in str(caught.value)
    assert "has not been changed" in str(caught.value)


def test_damage_message_says_when_no_backup_checks_out(record: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    record.write_bytes(record.read_bytes()[: 2 * PAGE])

    with pytest.raises(CorruptDatabaseError, match="No backup that checks out") as caught:
        Store.open(record, backup_dir=backups, check_location_safe=False)

    assert caught.value.newest_backup is None


# --------------------------------------------------------------------------- locked


def test_save_while_another_copy_holds_the_record_too_long_is_locked_error(
    db_path: Path, episode_uuid: str
) -> None:
    with Store.open(db_path, busy_timeout_s=0.05, check_location_safe=False) as store:
        store.append(created(episode_uuid), PROTOCOL)
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(LockedError, match="Another copy of the app"):
                store.append(observation(episode_uuid, at=T0), PROTOCOL)
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        saved = store.append(observation(episode_uuid, at=T0), PROTOCOL)  # works once released
        assert saved.seq == 2


@pytest.mark.skipif(
    journal_mode_for(sqlite3.sqlite_version) == "wal", reason="WAL readers never block a commit"
)
def test_a_commit_that_cannot_complete_returns_nothing_and_keeps_nothing(
    db_path: Path, episode_uuid: str
) -> None:
    with Store.open(db_path, busy_timeout_s=0.05, check_location_safe=False) as store:
        store.append(created(episode_uuid), PROTOCOL)
        draft = observation(episode_uuid, at=T0)
        reader = sqlite3.connect(db_path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM event").fetchone()  # holds a shared lock
        try:
            with pytest.raises(LockedError):
                store.append(draft, PROTOCOL)  # the insert is made; COMMIT cannot finish
        finally:
            reader.execute("COMMIT")
            reader.close()

        assert store.counts()["events"] == 1
        assert store.append(draft, PROTOCOL).seq == 2  # the same draft saves afterwards


def test_opening_while_another_copy_holds_an_exclusive_lock_is_locked_error(
    record: Path,
) -> None:
    holder = sqlite3.connect(record, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LockedError, match="close it or wait"):
            Store.open(record, busy_timeout_s=0.05, check_location_safe=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_journal_that_cannot_be_created_while_saving_is_read_only_error(
    db_path: Path,
) -> None:
    error = sqlite3.OperationalError("unable to open database file")
    error.sqlite_errorcode = 14  # type: ignore[attr-defined]  # SQLITE_CANTOPEN

    translated = translate(error, path=db_path, writing=True)

    assert isinstance(translated, ReadOnlyError)
    assert "nothing was saved" in str(translated)
