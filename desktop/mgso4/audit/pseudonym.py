"""Keyed pseudonyms for de-identified exports (HMAC-SHA256 with a per-installation key).

A de-identified export replaces the NHS or CHI number with
``HMAC-SHA256(key, "<id type>:<10 digits>")`` in hex. The same woman gets the same pseudonym in
every export made with the same key (so repeat admissions can be linked across exports), and
nobody without the key can recompute it from a guessed NHS number — which a plain hash would
allow, because NHS numbers are few enough to try them all.

The key is 32 random bytes in the user's config folder (``config_dir()/pseudonym.key``), created
readable and writable by its owner only (0600) on first use. It is **never** written to the
database or to an export. Losing it only means later exports get new pseudonyms; it holds no
patient data. To link exports made on several computers, copy the key file between them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Final

from mgso4.audit.progress import AuditError
from mgso4.settings import config_dir

#: Key length in bytes (SHA-256's block is 64 bytes; 32 random bytes give 256-bit strength).
KEY_BYTES: Final = 32
KEY_FILE_NAME: Final = "pseudonym.key"
#: Label of the pseudonym column and of the FHIR identifier system for it.
PSEUDONYM_SYSTEM: Final = "urn:mgso4-proforma:pseudonym:hmac-sha256"


def default_key_path() -> Path:
    """``config_dir()/pseudonym.key``."""
    return config_dir() / KEY_FILE_NAME


def load_or_create_key(path: Path | None = None) -> bytes:
    """Read the pseudonym key, creating it (32 random bytes, mode 0600) if there is none.

    Args:
        path: The key file; default ``config_dir()/pseudonym.key``.

    Raises:
        AuditError: the file exists but is not a key of the right length, is one byte
            repeated (e.g. all zeros), can be read by other users, or cannot be read or
            created; the message names the file.
    """
    path = path or default_key_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _create_key(path)
    except OSError as exc:
        raise AuditError(f"The pseudonym key {path} cannot be read ({exc.strerror}).") from None
    if len(data) != KEY_BYTES:
        raise AuditError(
            f"The pseudonym key {path} is {len(data)} bytes long, not {KEY_BYTES}; it has been "
            "damaged or replaced. Restore it from a copy, or move it aside to start a new key "
            "(later exports will then have new pseudonyms)."
        )
    if len(set(data)) == 1:
        raise AuditError(
            f"The pseudonym key {path} is {KEY_BYTES} copies of one byte, not a random key: "
            "anyone could recompute its pseudonyms from NHS numbers. It has been replaced or "
            "damaged; restore it from a copy, or move it aside to start a new key (later "
            "exports will then have new pseudonyms)."
        )
    if os.name == "posix":
        mode = path.stat().st_mode
        if mode & 0o077:
            raise AuditError(
                f"The pseudonym key {path} can be read by other users of this computer "
                f"(permissions {mode & 0o777:o}); with it they could undo the pseudonyms. Make "
                f"it readable by its owner only (chmod 600 {path}) and ask IT whether it has "
                "been copied; nothing was exported."
            )
    return data


def _create_key(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another copy of the app created it a moment ago: use that one.
        return load_or_create_key(path)
    except OSError as exc:
        raise AuditError(
            f"The pseudonym key {path} could not be created ({exc.strerror})."
        ) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, 0o600)  # exact mode whatever the umask
        os.write(descriptor, key)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return key


def check_key(key: bytes) -> None:
    """Refuse a key that is too short to protect the pseudonyms.

    Raises:
        AuditError: the key has fewer than 32 bytes.
    """
    if not isinstance(key, bytes | bytearray) or len(key) < KEY_BYTES or len(set(key)) == 1:
        raise AuditError(
            f"The pseudonym key must be at least {KEY_BYTES} random bytes; use "
            "load_or_create_key() to get the installation's key."
        )


def pseudonym(key: bytes, id_type: str, identifier: str) -> str:
    """The pseudonym of one identifier: HMAC-SHA256(key, "<id type>:<identifier>"), 64 hex digits.

    The identifier type is part of the message so an NHS number and a CHI number with the same
    ten digits do not collide.
    """
    message = f"{id_type}:{identifier}".encode()
    return hmac.new(bytes(key), message, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short, non-reversible label for a key (so an export says which key made it).

    HMAC of a fixed text, first 8 hex digits: it identifies the key without revealing it.
    """
    return hmac.new(bytes(key), b"mgso4-proforma key id", hashlib.sha256).hexdigest()[:8]
