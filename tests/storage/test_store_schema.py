"""The schema: append-only in the database itself, versioned, and opened with safe pragmas."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from pathlib import Path

import pytest
from storage_builders import PROTOCOL, T0, created, observation

from mgso4.core.episode import GENESIS_HASH
from mgso4.storage import (
    SCHEMA_VERSION,
    NewerSchemaError,
    NotARecordError,
    Store,
    StoreError,
    journal_mode_for,
    wal_is_safe,
)
from mgso4.storage.schema import APPEND_ONLY_MESSAGE, APPLICATION_ID, MIGRATIONS
from mgso4.storage.sqlite_setup import check_sqlite_version, parse_sqlite_version


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def saved(store: Store, episode_uuid: str) -> Path:
    """A record with an episode and one observation; the store is closed."""
    store.append(created(episode_uuid), PROTOCOL)
    store.append(observation(episode_uuid, at=T0), PROTOCOL)
    store.close()
    return store.path


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE event SET payload = '{}'",
        "UPDATE event SET occurred_at = occurred_at",
        "DELETE FROM event",
        "DELETE FROM event WHERE seq = 2",
    ],
)
def test_database_refuses_to_change_or_delete_events(saved: Path, statement: str) -> None:
    with sqlite3.connect(saved) as raw, pytest.raises(sqlite3.IntegrityError) as refused:
        raw.execute(statement)

    assert APPEND_ONLY_MESSAGE in str(refused.value)
    with sqlite3.connect(saved) as raw:
        assert raw.execute("SELECT count(*) FROM event").fetchone() == (2,)


@pytest.mark.parametrize("statement", ["UPDATE episode SET training = 1", "DELETE FROM episode"])
def test_database_refuses_to_change_or_delete_episodes(saved: Path, statement: str) -> None:
    with sqlite3.connect(saved) as raw, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(statement)


def test_database_refuses_an_event_that_skips_a_place_in_the_chain(saved: Path) -> None:
    with sqlite3.connect(saved) as raw:
        row = list(raw.execute("SELECT * FROM event WHERE seq = 2").fetchone())
        row[0], row[13] = "another-uuid", 5  # uuid, seq: a gap after 2
        with pytest.raises(sqlite3.IntegrityError, match="extend the chain"):
            raw.execute(f"INSERT INTO event VALUES ({', '.join('?' * len(row))})", row)


def test_database_refuses_an_event_with_a_wrong_link(saved: Path) -> None:
    with sqlite3.connect(saved) as raw:
        row = list(raw.execute("SELECT * FROM event WHERE seq = 2").fetchone())
        row[0], row[13], row[14] = "another-uuid", 3, GENESIS_HASH  # prev_hash is not seq 2's
        with pytest.raises(sqlite3.IntegrityError, match="extend the chain"):
            raw.execute(f"INSERT INTO event VALUES ({', '.join('?' * len(row))})", row)


def test_database_refuses_to_change_the_workstation_id(saved: Path) -> None:
    with sqlite3.connect(saved) as raw, pytest.raises(sqlite3.IntegrityError, match="never"):
        raw.execute("UPDATE meta SET value = 'elsewhere' WHERE key = 'workstation_id'")


def test_strict_tables_refuse_text_in_the_seq_column(saved: Path) -> None:
    with sqlite3.connect(saved) as raw:
        raw.execute("DROP TRIGGER event_no_update")
        with pytest.raises(sqlite3.IntegrityError, match="cannot store TEXT"):
            raw.execute("UPDATE event SET seq = 'two' WHERE seq = 2")


def test_new_record_is_marked_with_the_schema_version_and_application_id(saved: Path) -> None:
    with sqlite3.connect(saved) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert raw.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)


def test_event_table_has_the_chain_unique_and_lookup_indexes(saved: Path) -> None:
    with sqlite3.connect(saved) as raw:
        indexes = {
            row[1]: (row[2], [c[2] for c in raw.execute(f"PRAGMA index_info({row[1]})")])
            for row in raw.execute("PRAGMA index_list(event)")
            if not row[1].startswith("sqlite_autoindex")
        }

    assert indexes == {
        "event_chain": (1, ["workstation_id", "seq"]),
        "event_episode": (0, ["episode_uuid"]),
        "event_type": (0, ["type"]),
    }


def test_file_from_a_newer_version_is_refused_and_left_unchanged(saved: Path) -> None:
    with sqlite3.connect(saved) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = _digest(saved)

    with pytest.raises(NewerSchemaError) as refused:
        Store.open(saved, check_location_safe=False)

    message = str(refused.value)
    assert "newer version of the app" in message
    assert "Update the app" in message
    assert "not changed" in message
    assert _digest(saved) == before


def test_file_from_a_newer_version_is_refused_read_only_too(saved: Path) -> None:
    with sqlite3.connect(saved) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    with pytest.raises(NewerSchemaError):
        Store.open(saved, readonly=True)


def test_another_programs_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE things (name TEXT)")
    before = _digest(other)

    with pytest.raises(NotARecordError, match="not a MgSO₄ proforma record"):
        Store.open(other, check_location_safe=False)

    assert _digest(other) == before


def test_database_with_another_application_id_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as raw:
        raw.execute("PRAGMA application_id = 1234")

    with pytest.raises(NotARecordError, match="another program"):
        Store.open(other, check_location_safe=False)


def test_opening_read_only_a_file_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no record file"):
        Store.open(tmp_path / "missing.sqlite3", readonly=True)

    assert not (tmp_path / "missing.sqlite3").exists()


@pytest.mark.parametrize(
    ("version", "mode"),
    [
        ("3.40.1", "delete"),
        ("3.44.5", "delete"),
        ("3.44.6", "wal"),
        ("3.44.9", "wal"),
        ("3.45.0", "delete"),
        ("3.50.6", "delete"),
        ("3.50.7", "wal"),
        ("3.51.0", "delete"),
        ("3.51.2", "delete"),
        ("3.51.3", "wal"),
        ("3.52.0", "wal"),
        ("4.0.0", "wal"),
    ],
)
def test_wal_only_where_the_wal_reset_bug_is_fixed(version: str, mode: str) -> None:
    assert journal_mode_for(version) == mode
    assert wal_is_safe(version) is (mode == "wal")


def test_unreadable_sqlite_version_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a SQLite version"):
        parse_sqlite_version("three point forty")


@pytest.mark.parametrize(("version", "accepted"), [("3.36.9", False), ("3.37.0", True)])
def test_sqlite_older_than_3_37_is_refused(version: str, accepted: bool) -> None:
    if accepted:
        check_sqlite_version(version)
    else:
        with pytest.raises(StoreError, match=r"needs 3\.37\.0 or newer"):
            check_sqlite_version(version)


def test_store_uses_the_journal_mode_for_this_sqlite(store: Store) -> None:
    assert store.journal_mode == journal_mode_for(sqlite3.sqlite_version)


def test_durability_and_safety_pragmas_are_set(store: Store) -> None:
    report = store.verify()
    connection = store._conn  # the pragmas are per connection: look at the store's own

    expected_sync = "FULL" if store.journal_mode == "wal" else "EXTRA"
    assert report.synchronous == expected_sync
    assert report.journal_mode == store.journal_mode
    assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert connection.execute("PRAGMA trusted_schema").fetchone() == (0,)
    assert connection.execute("PRAGMA busy_timeout").fetchone() == (10_000,)
    assert connection.isolation_level is None


def test_busy_timeout_is_configurable(db_path: Path) -> None:
    with Store.open(db_path, busy_timeout_s=2.5, check_location_safe=False) as store:
        assert store._conn.execute("PRAGMA busy_timeout").fetchone() == (2500,)


def test_an_empty_sqlite_file_is_refused_not_turned_into_a_record(tmp_path: Path) -> None:
    blank = tmp_path / "blank.sqlite3"
    with sqlite3.connect(blank) as raw:  # a valid database with no tables
        raw.execute("CREATE TABLE scratch (x)")
        raw.execute("DROP TABLE scratch")
    before = _digest(blank)

    with pytest.raises(NotARecordError, match="empty SQLite database"):
        Store.open(blank, check_location_safe=False)

    assert _digest(blank) == before


def test_a_failed_migration_leaves_the_file_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old.sqlite3"
    with Store.open(old, check_location_safe=False) as store:
        store.append(created(str(uuid.uuid4())), PROTOCOL)
    with sqlite3.connect(old, isolation_level=None) as raw:  # as a format 1 file was
        for table in ("workstation_key", "event_signature"):
            raw.execute(f"DROP TRIGGER {table}_no_update")
            raw.execute(f"DROP TRIGGER {table}_no_delete")
            raw.execute(f"DROP TABLE {table}")
        raw.execute("PRAGMA user_version = 1")
    before = _digest(old)

    def half_done(db: object, *args: object) -> None:
        migration_2(db, *args)  # type: ignore[arg-type]
        raise sqlite3.OperationalError("interrupted")

    migration_1, migration_2 = MIGRATIONS
    monkeypatch.setattr("mgso4.storage.schema.MIGRATIONS", (migration_1, half_done))

    with pytest.raises(StoreError, match="interrupted"):
        Store.open(old, check_location_safe=False)

    assert _digest(old) == before


def test_where_wal_is_safe_the_record_uses_wal_with_full_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mgso4.storage.store.journal_mode_for", lambda version: "wal")

    with Store.open(tmp_path / "record.sqlite3", check_location_safe=False) as store:
        store.append(created(str(uuid.uuid4())), PROTOCOL)
        report = store.verify()
        backup = store.backup(tmp_path / "backups")

    assert (report.journal_mode, report.synchronous) == ("wal", "FULL")
    assert report.ok
    with sqlite3.connect(backup) as raw:  # a backup is one self-contained file
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_a_wal_record_is_switched_back_where_wal_is_not_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "record.sqlite3"
    with monkeypatch.context() as patched:
        patched.setattr("mgso4.storage.store.journal_mode_for", lambda version: "wal")
        Store.open(path, check_location_safe=False).close()
    monkeypatch.setattr("mgso4.storage.store.journal_mode_for", lambda version: "delete")

    with Store.open(path, check_location_safe=False) as store:
        assert store.journal_mode == "delete"
        assert store.verify().synchronous == "EXTRA"
