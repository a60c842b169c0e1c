"""verify(): SQLite's integrity check and every workstation's hash chain.

Tampering is simulated the only way it can happen: someone opens a copy of the file with
another tool, drops the append-only triggers and edits or deletes rows.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_builders import PROTOCOL, T0, full_episode

from mgso4.core.episode import GENESIS_HASH, EventDraft, seal
from mgso4.storage import Store, verify_path
from mgso4.storage.rows import EVENT_COLUMNS, event_to_row, row_to_event
from mgso4.storage.schema import REQUIRED_TRIGGERS
from mgso4.storage.verify import (
    BROKEN_LINK,
    CHAIN_KINDS,
    EPISODE_MISMATCH,
    HASH_MISMATCH,
    SAFEGUARD_MISSING,
    SEQ_GAP,
    VerifyReport,
    verify_connection,
)

WARD_A, WARD_B = "ward-a-pc1", "ward-b-pc1"
TAMPER_TRIALS = 1000


def _build_chain(path: Path, workstation_id: str) -> None:
    with Store.open(path, workstation_id=workstation_id, check_location_safe=False) as store:
        for draft in full_episode(str(uuid.uuid4()), start=T0):
            store.append(draft, PROTOCOL)


@pytest.fixture
def two_chains(tmp_path: Path) -> Path:
    """A record holding two workstations' chains, as a merged record does."""
    target, other = tmp_path / "record.sqlite3", tmp_path / "other.sqlite3"
    _build_chain(target, WARD_A)
    _build_chain(other, WARD_B)
    with sqlite3.connect(target) as raw:
        raw.execute("ATTACH DATABASE ? AS other", (str(other),))
        raw.execute("INSERT INTO episode SELECT * FROM other.episode")
        raw.execute("INSERT INTO event SELECT * FROM other.event ORDER BY seq")
    return target


def _unguarded(path: Path) -> sqlite3.Connection:
    """A raw connection to a copy with the safeguards removed (what a tamperer would do)."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA synchronous = OFF")  # a scratch copy: no need to wait for the disk
    for trigger in REQUIRED_TRIGGERS:
        raw.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    raw.execute("DROP INDEX event_chain")  # else a changed seq could not be written
    return raw


@pytest.fixture
def tampered_copy(two_chains: Path, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A raw, trigger-free connection to a copy of the two-chain record."""
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(two_chains, copy)
    raw = _unguarded(copy)
    yield raw
    raw.close()


def _chain_findings(report: VerifyReport) -> list[tuple[str, str | None, int | None]]:
    return [(f.kind, f.workstation_id, f.seq) for f in report.findings if f.kind in CHAIN_KINDS]


def test_a_sound_record_with_two_chains_verifies(two_chains: Path) -> None:
    with Store.open(two_chains, check_location_safe=False) as store:
        report = store.verify()

    assert report.ok, report.problems
    assert report.integrity == "ok"
    assert report.counts == {"episodes": 2, "events": 18, "chains": 2}
    assert {ws: head.seq for ws, head in report.chain_heads.items()} == {WARD_A: 9, WARD_B: 9}


def test_report_names_sqlite_version_journal_mode_and_synchronous(store: Store) -> None:
    report = store.verify()

    assert report.sqlite_version == sqlite3.sqlite_version
    assert report.journal_mode == store.journal_mode
    assert report.synchronous in ("FULL", "EXTRA")


def test_report_as_dict_is_json(two_chains: Path) -> None:
    with Store.open(two_chains, check_location_safe=False) as store:
        as_dict = store.verify().as_dict()

    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["chain_heads"][WARD_B]["seq"] == 9
    assert as_dict["ok"] is True


def _mutate_text(value: str, rng: random.Random) -> str:
    position = rng.randrange(len(value))
    alphabet = "0123456789abcdefABCDEF -:.,{}[]\"'TZzxq_"  # ASCII: one byte for one byte
    replacement = rng.choice([c for c in alphabet if c != value[position]])
    return value[:position] + replacement + value[position + 1 :]


def _mutate_int(value: int, rng: random.Random) -> int:
    text = str(value)
    position = rng.randrange(len(text))
    digit = rng.choice([d for d in "0123456789" if d != text[position]])
    mutated = int(text[:position] + digit + text[position + 1 :])
    return mutated if mutated != value else value + 1


def test_every_single_character_change_to_a_stored_event_field_is_detected(
    tampered_copy: sqlite3.Connection,
) -> None:
    raw = tampered_copy
    rows = raw.execute(f"SELECT rowid, {', '.join(EVENT_COLUMNS)} FROM event").fetchall()
    rng = random.Random(1729)
    undetected = []
    for trial in range(TAMPER_TRIALS):
        row = rng.choice(rows)
        column_index = rng.randrange(len(EVENT_COLUMNS))
        column = EVENT_COLUMNS[column_index]
        original = row[column_index + 1]
        if original is None:  # episode_uuid of an episode-less entry: nothing to change
            continue
        if isinstance(original, int):
            mutated: object = _mutate_int(original, rng)
        else:
            mutated = _mutate_text(original, rng)
        assert mutated != original  # a change that leaves the value identical is no change
        raw.execute(f"UPDATE event SET {column} = ? WHERE rowid = ?", (mutated, row[0]))

        report = verify_connection(raw, path="copy")
        if not _chain_findings(report):
            undetected.append((trial, column, original, mutated))

        raw.execute(f"UPDATE event SET {column} = ? WHERE rowid = ?", (original, row[0]))

    assert undetected == []
    restored = verify_connection(raw, path="copy")
    assert [f.kind for f in restored.findings] == [SAFEGUARD_MISSING]


def test_removing_an_entry_from_the_middle_is_reported_at_the_next_entry(
    tampered_copy: sqlite3.Connection,
) -> None:
    tampered_copy.execute("DELETE FROM event WHERE workstation_id = ? AND seq = 4", (WARD_B,))

    report = verify_connection(tampered_copy, path="copy")

    assert not report.ok
    assert _chain_findings(report) == [(SEQ_GAP, WARD_B, 5)]
    uuid_at_5 = tampered_copy.execute(
        "SELECT uuid FROM event WHERE workstation_id = ? AND seq = 5", (WARD_B,)
    ).fetchone()[0]
    assert uuid_at_5 in report.problems[0] and WARD_B in report.problems[0]


def test_removing_the_first_entry_is_reported(tampered_copy: sqlite3.Connection) -> None:
    tampered_copy.execute("DELETE FROM event WHERE workstation_id = ? AND seq = 1", (WARD_A,))

    report = verify_connection(tampered_copy, path="copy")

    assert (SEQ_GAP, WARD_A, 2) in _chain_findings(report)


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(
    tampered_copy: sqlite3.Connection,
) -> None:
    columns = ", ".join(EVENT_COLUMNS)
    row = tampered_copy.execute(
        f"SELECT {columns} FROM event WHERE workstation_id = ? AND seq = 3", (WARD_A,)
    ).fetchone()
    event = row_to_event(row)
    forged_payload = {**event.payload, "give": False}
    forged_draft = EventDraft(
        uuid=event.uuid,
        episode_uuid=event.episode_uuid,
        type=event.type,
        payload=forged_payload,
        occurred_at=event.occurred_at,
        recorded_by=event.recorded_by,
    )
    forged = seal(
        forged_draft,
        seq=event.seq,
        prev_hash=event.prev_hash,
        recorded_at=event.recorded_at,
        workstation_id=event.workstation_id,
        app_version=event.app_version,
        protocol=PROTOCOL,
    )
    placeholders = ", ".join(f"{c} = ?" for c in EVENT_COLUMNS)
    tampered_copy.execute(
        f"UPDATE event SET {placeholders} WHERE uuid = ?", (*event_to_row(forged), event.uuid)
    )

    report = verify_connection(tampered_copy, path="copy")

    assert _chain_findings(report) == [(BROKEN_LINK, WARD_A, 4)]


def test_only_the_first_broken_link_of_each_chain_is_reported(
    tampered_copy: sqlite3.Connection,
) -> None:
    for workstation, seq in ((WARD_A, 2), (WARD_A, 6), (WARD_B, 7)):
        tampered_copy.execute(
            "UPDATE event SET occurred_at = '2026-01-01T00:00:00.000000Z' "
            "WHERE workstation_id = ? AND seq = ?",
            (workstation, seq),
        )

    report = verify_connection(tampered_copy, path="copy")

    assert _chain_findings(report) == [(HASH_MISMATCH, WARD_A, 2), (HASH_MISMATCH, WARD_B, 7)]


def test_an_episode_row_that_disagrees_with_its_creation_entry_is_reported(
    tampered_copy: sqlite3.Connection,
) -> None:
    tampered_copy.execute("UPDATE episode SET training = 1 WHERE workstation_id = ?", (WARD_A,))

    report = verify_connection(tampered_copy, path="copy")

    assert EPISODE_MISMATCH in [f.kind for f in report.findings]


def test_missing_safeguards_are_reported(tampered_copy: sqlite3.Connection) -> None:
    report = verify_connection(tampered_copy, path="copy")

    assert [f.kind for f in report.findings] == [SAFEGUARD_MISSING]
    assert not report.ok


def test_the_first_entry_of_a_chain_links_to_genesis(two_chains: Path) -> None:
    with Store.open(two_chains, check_location_safe=False) as store:
        firsts = [e for e in store.iter_events() if e.seq == 1]

    assert [e.prev_hash for e in firsts] == [GENESIS_HASH, GENESIS_HASH]


def test_verify_path_reports_a_truncated_file_without_raising(two_chains: Path) -> None:
    two_chains.write_bytes(two_chains.read_bytes()[:-4096])

    report = verify_path(two_chains)

    assert not report.ok
    assert "cut short" in report.integrity or "malformed" in report.integrity


def test_verify_path_reports_a_missing_file(tmp_path: Path) -> None:
    report = verify_path(tmp_path / "nothing.sqlite3")

    assert not report.ok and "no file" in report.problems[0]
