"""What lets an export reuse an earlier full verification: the record's fingerprint (every byte
a reader sees) and the anchors' digest (every key and witness the check used). Both must change
whenever the result of a verification could."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from mgso4.storage import Store
from mgso4.storage.signing import Anchors, ChainPoint, Witness, WorkstationKey
from mgso4.storage.verify import record_fingerprint


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "record.sqlite3"
    Store.open(path, workstation_id="fp-ws", check_location_safe=False).close()
    return path


def test_the_same_bytes_give_the_same_fingerprint_and_one_byte_changes_it(
    record: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(record, copy)
    assert record_fingerprint(copy) == record_fingerprint(record)

    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))

    assert record_fingerprint(copy) != record_fingerprint(record)


@pytest.mark.parametrize("suffix", ["-wal", "-journal"])
def test_a_log_or_journal_beside_the_file_is_part_of_what_is_read(
    record: Path, suffix: str
) -> None:
    alone = record_fingerprint(record)
    companion = record.with_name(record.name + suffix)
    companion.write_bytes(b"")
    empty = record_fingerprint(record)
    companion.write_bytes(b"frames")
    with_frames = record_fingerprint(record)

    assert len({alone, empty, with_frames}) == 3
    companion.unlink()
    assert record_fingerprint(record) == alone


def test_moving_bytes_between_the_file_and_its_log_changes_the_fingerprint(
    record: Path,
) -> None:
    data = record.read_bytes()
    wal = record.with_name(record.name + "-wal")
    record.write_bytes(data[:-1])
    wal.write_bytes(data[-1:])
    split = record_fingerprint(record)
    record.write_bytes(data)
    wal.write_bytes(b"")

    assert split != record_fingerprint(record)


def test_an_unreadable_file_is_an_error_not_a_fingerprint(record: Path) -> None:
    if os.geteuid() == 0:
        # root reads a file whatever its mode: a folder in its place cannot be read by anyone.
        record.with_name(record.name + "-wal").mkdir()
    else:
        record.chmod(0)
    with pytest.raises(OSError):
        record_fingerprint(record)


def key(seed: int) -> WorkstationKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    return WorkstationKey("ward-1", bytes([seed]) * 32, public)


def witness(seq: int) -> Witness:
    return Witness(
        record_workstation="ward-1",
        record_created_at="2026-01-01T00:00:00.000000Z",
        written_at="2026-12-01T08:00:00.000000Z",
        reason="backup",
        chains=(ChainPoint("ward-1", seq, "ab" * 32),),
        signer_public_key="",
        signature="",
    )


def test_equal_anchors_have_equal_digests() -> None:
    one = Anchors(held={"ward-1": key(1)}, witnesses=(witness(10),))
    other = Anchors(held={"ward-1": key(1)}, witnesses=(witness(10),))

    assert one.digest() == other.digest()


@pytest.mark.parametrize(
    "change",
    [
        {"held": {"ward-1": key(2)}},
        {"held": {}},
        {"trusted": {("ward-2", "cd" * 32): 4}},
        {"witnesses": (witness(11),)},
        {"witnesses": ()},
        {"witness_problems": ("a witness line did not check out",)},
    ],
    ids=["other-key", "no-key", "a-trusted-key", "a-longer-witness", "no-witness", "problem"],
)
def test_any_key_or_witness_changes_the_digest(change: dict[str, object]) -> None:
    base = Anchors(held={"ward-1": key(1)}, witnesses=(witness(10),))

    assert replace(base, **change).digest() != base.digest()  # type: ignore[arg-type]
