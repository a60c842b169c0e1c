"""The pseudonym key: created once, owner-only, 32 bytes; never guessed when damaged."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from mgso4.audit.progress import AuditError
from mgso4.audit.pseudonym import (
    KEY_BYTES,
    check_key,
    default_key_path,
    key_id,
    load_or_create_key,
    pseudonym,
)


def test_key_is_created_with_32_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "config" / "pseudonym.key"

    key = load_or_create_key(path)

    assert len(key) == KEY_BYTES
    assert path.read_bytes() == key


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    old_umask = os.umask(0)
    try:
        load_or_create_key(path)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_key_is_reused(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"

    assert load_or_create_key(path) == load_or_create_key(path)


def test_two_installations_get_different_keys(tmp_path: Path) -> None:
    assert load_or_create_key(tmp_path / "a.key") != load_or_create_key(tmp_path / "b.key")


def test_damaged_key_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_bytes(b"too short")

    with pytest.raises(AuditError, match="9 bytes long, not 32"):
        load_or_create_key(path)
    assert path.read_bytes() == b"too short"


def test_default_key_lives_in_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MGSO4_CONFIG_DIR", str(tmp_path))

    assert default_key_path() == tmp_path / "pseudonym.key"


def test_pseudonym_is_hmac_sha256_hex() -> None:
    value = pseudonym(bytes(32), "nhs", "9990000026")

    assert len(value) == 64
    assert value == pseudonym(bytes(32), "nhs", "9990000026")
    assert value != pseudonym(bytes(32), "nhs", "9990000034")


def test_nhs_and_chi_numbers_with_the_same_digits_get_different_pseudonyms() -> None:
    assert pseudonym(bytes(32), "nhs", "0101011237") != pseudonym(bytes(32), "chi", "0101011237")


def test_key_id_does_not_reveal_the_key() -> None:
    key = bytes(range(32))

    assert len(key_id(key)) == 8
    assert key.hex()[:8] != key_id(key)


@pytest.mark.parametrize("key", [b"", bytes(31)])
def test_short_key_is_refused(key: bytes) -> None:
    with pytest.raises(AuditError, match="at least 32"):
        check_key(key)
