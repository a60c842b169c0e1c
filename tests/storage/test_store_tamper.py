"""Tamper evidence against someone who holds the record file and the hashing code.

Each test is an attack from the adversarial review, done the way a person holding the file
would: open it with another SQLite tool, drop the safeguards, change rows and recompute every
hash with the app's own code (``core.episode.seal``). Before signatures and witnesses, every one
of these left ``verify`` passing. The defender verifies on the ward PC (its signing key is
held there) with the backup folder's witnesses.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from storage_builders import MIDWIFE, PROTOCOL, T0, full_episode, note

from mgso4.core.episode import GENESIS_HASH, EventDraft, EventType, Printed, seal
from mgso4.storage import Store, verify_path
from mgso4.storage.findings import (
    BAD_SIGNATURE,
    KEY_UNCONFIRMED,
    SIGNATURES_REMOVED,
    UNSIGNED_ENTRY,
    WITNESS_AHEAD,
    WITNESS_MISMATCH,
    WORKSTATION_CHANGED,
)
from mgso4.storage.rows import EVENT_COLUMNS, event_to_row, row_to_event
from mgso4.storage.signing import (
    Anchors,
    KeyStore,
    TrustStore,
    WorkstationKey,
    fingerprint,
    read_witnesses,
)

WARD = "ward-a-pc1"


class Ward:
    """A ward PC: its own key folder, trust list, record and backup folder."""

    def __init__(self, root: Path) -> None:
        self.keys = KeyStore(root / "config" / "keys")
        self.trust = TrustStore(root / "config" / "trusted-keys.json")
        self.record = root / "record.sqlite3"
        self.backups = root / "backups"

    def open(self) -> Store:
        return Store.open(
            self.record,
            workstation_id=WARD,
            check_location_safe=False,
            keys=self.keys,
            backup_dir=self.backups,
        )

    def anchors(self) -> Anchors:
        return Anchors.local([self.backups], keys=self.keys, trust=self.trust)

    def verify(self) -> list[str]:
        """The kinds of problem verify finds, checked as `mgso4 verify` does on the ward PC."""
        report = verify_path(self.record, anchors=self.anchors())
        return [finding.kind for finding in report.findings]


@pytest.fixture
def ward(tmp_path: Path) -> Ward:
    """A ward PC whose record holds one whole episode, backed up once."""
    pc = Ward(tmp_path / "ward")
    with pc.open() as store:
        for draft in full_episode(str(uuid.uuid4()), start=T0):
            store.append(draft, PROTOCOL)
        store.backup(pc.backups)
    return pc


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """Another tool's connection with every safeguard dropped, and put back afterwards (a
    careful attacker leaves the file looking untouched)."""
    connection = sqlite3.connect(path, isolation_level=None)
    triggers = connection.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'"
    ).fetchall()
    for name, _ in triggers:
        connection.execute(f'DROP TRIGGER "{name}"')
    try:
        yield connection
    finally:
        for _, sql in triggers:
            connection.execute(sql)
        connection.close()


def rechain(connection: sqlite3.Connection, workstation_id: str) -> None:
    """Recompute every hash of a chain with the app's own code, as an attacker would."""
    rows = connection.execute(
        f"SELECT {', '.join(EVENT_COLUMNS)} FROM event WHERE workstation_id = ? ORDER BY seq",
        (workstation_id,),
    ).fetchall()
    previous = GENESIS_HASH
    for row in rows:
        event = row_to_event(row)
        fields = event.model_dump()
        fields.update(prev_hash=previous, hash="")
        unsealed = type(event).model_validate(fields)
        resealed = unsealed.model_copy(update={"hash": unsealed.computed_hash()})
        new_row = event_to_row(resealed)
        connection.execute(
            "UPDATE event SET prev_hash = ?, hash = ? WHERE uuid = ?",
            (new_row[14], new_row[15], event.uuid),
        )
        previous = resealed.hash


def attacker_key() -> WorkstationKey:
    private = bytes(range(1, 33))
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = (
        Ed25519PrivateKey.from_private_bytes(private)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
        .hex()
    )
    return WorkstationKey(WARD, private, public)


def resign_everything(connection: sqlite3.Connection, key: WorkstationKey) -> None:
    """Replace the registered key with the attacker's and re-sign every entry."""
    connection.execute("UPDATE workstation_key SET public_key = ?", (key.public_key,))
    connection.execute("DELETE FROM event_signature")
    for uuid_, event_hash in connection.execute("SELECT uuid, hash FROM event").fetchall():
        connection.execute(
            "INSERT INTO event_signature VALUES (?, ?)", (uuid_, key.sign_event(event_hash))
        )


def test_an_untouched_record_verifies_with_every_key_confirmed(ward: Ward) -> None:
    report = verify_path(ward.record, anchors=ward.anchors())

    assert report.ok, report.problems
    assert [key["confirmed_by"] for key in report.keys] == ["held on this computer"]
    assert report.unsigned == {}


def test_appending_a_forged_entry_with_the_hashing_code_is_caught(ward: Ward) -> None:
    with raw(ward.record) as connection:
        head_seq, head_hash = connection.execute(
            "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        episode = connection.execute("SELECT uuid FROM episode").fetchone()[0]
        forged = seal(
            note(episode, "Mother declined magnesium sulphate", at=T0),
            seq=head_seq + 1,
            prev_hash=head_hash,
            recorded_at=T0,
            workstation_id=WARD,
            app_version="0",
            protocol=PROTOCOL,
        )
        connection.execute(
            f"INSERT INTO event VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
            event_to_row(forged),
        )

    assert UNSIGNED_ENTRY in ward.verify()


def test_a_forged_entry_signed_with_another_key_is_caught(ward: Ward) -> None:
    with raw(ward.record) as connection:
        head_seq, head_hash = connection.execute(
            "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        episode = connection.execute("SELECT uuid FROM episode").fetchone()[0]
        forged = seal(
            note(episode, "forged", at=T0),
            seq=head_seq + 1,
            prev_hash=head_hash,
            recorded_at=T0,
            workstation_id=WARD,
            app_version="0",
            protocol=PROTOCOL,
        )
        connection.execute(
            f"INSERT INTO event VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
            event_to_row(forged),
        )
        connection.execute(
            "INSERT INTO event_signature VALUES (?, ?)",
            (forged.uuid, attacker_key().sign_event(forged.hash)),
        )

    assert BAD_SIGNATURE in ward.verify()


def test_editing_a_dose_mid_chain_and_recomputing_every_hash_is_caught(ward: Ward) -> None:
    with raw(ward.record) as connection:
        row = connection.execute(
            "SELECT uuid, payload FROM event WHERE type = 'load-started'"
        ).fetchone()
        payload = json.loads(row[1])
        payload["dose_g"] = "2"  # the woman's notes now say she had half the dose
        connection.execute(
            "UPDATE event SET payload = ? WHERE uuid = ?",
            (json.dumps(payload, sort_keys=True, separators=(",", ":")), row[0]),
        )
        rechain(connection, WARD)
    assert verify_path(ward.record).findings[0].kind == BAD_SIGNATURE  # even without anchors

    assert BAD_SIGNATURE in ward.verify()


def test_changing_a_womans_name_and_nhs_number_and_re_signing_with_a_new_key_is_caught(
    ward: Ward,
) -> None:
    with raw(ward.record) as connection:
        row = connection.execute(
            "SELECT uuid, payload FROM event WHERE type = 'episode-created'"
        ).fetchone()
        payload = json.loads(row[1])
        payload["patient"].update(name="Another Woman", identifier="9434765870")
        connection.execute(
            "UPDATE event SET payload = ? WHERE uuid = ?",
            (
                json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                row[0],
            ),
        )
        rechain(connection, WARD)
        resign_everything(connection, attacker_key())

    # The file is consistent with itself again: only something outside it can tell.
    assert verify_path(ward.record).ok
    findings = ward.verify()
    assert KEY_UNCONFIRMED in findings
    assert WITNESS_MISMATCH in findings


def test_deleting_the_newest_entries_is_caught_by_the_backup_folders_witness(ward: Ward) -> None:
    with raw(ward.record) as connection:
        connection.execute(
            "DELETE FROM event_signature WHERE event_uuid IN (SELECT uuid FROM event WHERE seq > 6)"
        )
        connection.execute("DELETE FROM event WHERE seq > 6")

    assert verify_path(ward.record).ok  # a shorter chain is still a valid chain
    assert WITNESS_AHEAD in ward.verify()


def test_putting_back_an_older_copy_of_the_record_is_caught(ward: Ward, tmp_path: Path) -> None:
    older = tmp_path / "older.sqlite3"
    shutil.copy(ward.record, older)
    with ward.open() as store:
        store.append(note(store.episode_uuids()[0], "later entry", at=T0), PROTOCOL)
        store.backup(ward.backups)
    shutil.copy(older, ward.record)  # the rollback

    assert WITNESS_AHEAD in ward.verify()


def test_inventing_a_workstation_chain_is_caught(ward: Ward) -> None:
    with raw(ward.record) as connection:
        episode = str(uuid.uuid4())
        draft: EventDraft = full_episode(episode, start=T0)[0]
        invented = seal(
            draft,
            seq=1,
            prev_hash=GENESIS_HASH,
            recorded_at=T0,
            workstation_id="ward-z-invented",
            app_version="0",
            protocol=PROTOCOL,
        )
        connection.execute(
            "INSERT INTO episode VALUES (?, ?, ?, 0)",
            (episode, event_to_row(invented)[4], "ward-z-invented"),
        )
        connection.execute(
            f"INSERT INTO event VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
            event_to_row(invented),
        )
        key = attacker_key()
        connection.execute(
            "INSERT INTO workstation_key VALUES (?, 1, ?, ?, 'signing started')",
            ("ward-z-invented", key.public_key, "2026-03-02T09:00:00.000000Z"),
        )
        connection.execute(
            "INSERT INTO event_signature VALUES (?, ?)",
            (invented.uuid, key.sign_event(invented.hash)),
        )

    assert verify_path(ward.record).ok  # consistent with itself
    assert KEY_UNCONFIRMED in ward.verify()


def test_changing_the_records_workstation_id_is_caught(ward: Ward) -> None:
    with raw(ward.record) as connection:
        connection.execute("UPDATE meta SET value = 'ward-q-pc9' WHERE key = 'workstation_id'")

    findings = ward.verify()
    assert WORKSTATION_CHANGED in findings
    assert verify_path(ward.record).findings[0].kind == WORKSTATION_CHANGED


def test_removing_every_signature_and_registration_is_caught_on_the_ward_pc(ward: Ward) -> None:
    with raw(ward.record) as connection:
        connection.execute("DELETE FROM event_signature")
        connection.execute("DELETE FROM workstation_key")

    findings = ward.verify()
    assert SIGNATURES_REMOVED in findings
    assert WORKSTATION_CHANGED in findings


def test_an_altered_witness_is_not_used_and_is_reported(ward: Ward) -> None:
    witness_file = next(ward.backups.glob("mgso4-witness-*.jsonl"))
    line = json.loads(witness_file.read_text().splitlines()[0])
    line["chains"][0]["seq"] = 1  # pretend the chain was shorter
    witness_file.write_text(json.dumps(line) + "\n")

    witnesses, problems = read_witnesses([ward.backups])

    assert witnesses == []
    assert "signature does not check out" in problems[0]


def test_printing_writes_a_witness_of_the_logged_head(ward: Ward) -> None:
    with ward.open() as store:
        head = store.chain_head()
        store.append(
            EventDraft.make(
                EventType.PRINTED,
                Printed(document="proforma", chain_head=head),
                episode_uuid=store.episode_uuids()[0],
                occurred_at=T0,
                recorded_by=MIDWIFE,
            ),
            PROTOCOL,
        )
        printed_head = store.chain_head()
    witnesses, _ = read_witnesses([ward.backups])

    assert witnesses[-1].reason == "printed"
    assert witnesses[-1].chains[0].hash == printed_head
    assert witnesses[-1].signed


def test_an_old_record_without_signatures_opens_verifies_and_says_what_is_unsigned(
    tmp_path: Path,
) -> None:
    pc = Ward(tmp_path / "old")
    with pc.open() as store:
        for draft in full_episode(str(uuid.uuid4()), start=T0):
            store.append(draft, PROTOCOL)
    # The file as a version without signatures wrote it: format 1, no signature tables.
    connection = sqlite3.connect(pc.record, isolation_level=None)
    for table in ("workstation_key", "event_signature"):
        for action in ("update", "delete"):
            connection.execute(f"DROP TRIGGER {table}_no_{action}")
    connection.execute("DROP TABLE event_signature")
    connection.execute("DROP TABLE workstation_key")
    connection.execute("PRAGMA user_version = 1")
    connection.close()
    shutil.rmtree(pc.keys.folder)  # and no key on this computer yet

    old = verify_path(pc.record)
    assert old.schema_version == 1
    assert old.unsigned == {WARD: (1, 9)}
    assert any("entries 1–9 are unsigned" in n for n in old.notes)

    with pc.open() as store:  # the app opens it: brought up to date, then signs
        store.append(note(store.episode_uuids()[0], "after the upgrade", at=T0), PROTOCOL)
    report = verify_path(pc.record, anchors=pc.anchors())

    assert report.ok, report.problems
    assert report.schema_version == 2
    assert report.unsigned == {WARD: (1, 9)}
    assert any("the signed entries after them fix their content" in n for n in report.notes)


def test_the_fingerprint_is_short_and_readable() -> None:
    text = fingerprint(attacker_key().public_key)

    assert len(text) == 23 and text.count("-") == 3
