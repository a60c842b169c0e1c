"""Tamper evidence that holds against someone who holds the record file.

The hash chain shows that nothing changed since an entry was saved, but anyone with the file
and the hashing code can change an entry and recompute every later hash. Three things kept
**outside** the record close that gap:

1. **Signatures.** Each workstation signs every entry it saves (Ed25519 over the entry's hash,
   which already covers its workstation, place in the chain and the previous hash) with a
   private key kept in the user's config folder (``<config>/keys/``, one owner-only file per
   workstation), never in the record. The public key is registered in the record (from which
   entry of the chain it signs) and goes with the chain into a merged record.
2. **Trust.** Verify and merge confirm a registered key only by something outside the record:
   the key is held on this computer, or this computer was told to trust it
   (``<config>/trusted-keys.json``, written by ``mgso4 merge --trust``), or a witness names it.
3. **Witnesses.** At every backup and every printed document, a small signed note of every
   chain's newest entry is appended to ``mgso4-witness-<workstation>.jsonl`` in the backup
   folder. A record shorter than a witness (entries removed, an older copy put back), or with
   another entry at a witnessed place, is reported.

What this proves, and what someone who also holds a workstation's key could still do, is in
``docs/admin-guide.md`` ("What verify proves").

This module knows nothing about SQLite: it works on plain values (hashes, registrations,
signatures, witnesses), so every storage backend (the SQLite file, a unit's PostgreSQL server)
applies the same rules. Key and witness files are read and written here; the record is not.
``cryptography`` is imported with the module: every read-write open of a record needs it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mgso4.settings import config_dir
from mgso4.storage.errors import StoreError
from mgso4.storage.findings import (
    BAD_SIGNATURE,
    KEY_UNCONFIRMED,
    SIGNATURES_REMOVED,
    UNSIGNED_ENTRY,
    WITNESS_AHEAD,
    WITNESS_MISMATCH,
    WORKSTATION_CHANGED,
    Finding,
)

log = logging.getLogger(__name__)

#: Every signed message starts with what it is, so a signature of one kind can never be
#: presented as another (an entry's signature is not a witness's).
EVENT_DOMAIN: Final = b"mgso4-proforma entry signature v1\n"
WITNESS_DOMAIN: Final = b"mgso4-proforma chain-head witness v1\n"
KEY_FORMAT: Final = "mgso4-workstation-key/1"
WITNESS_FORMAT: Final = "mgso4-witness/1"
KEYS_FOLDER: Final = "keys"
TRUST_FILE: Final = "trusted-keys.json"
WITNESS_PREFIX: Final = "mgso4-witness-"
#: Witness files larger than this are not read whole (a file this large was not written by the
#: app: a line is about 300 bytes per chain, one line per backup or print).
MAX_WITNESS_BYTES: Final = 64 * 1024 * 1024
#: Registration note of a chain accepted at merge without signatures (made before signing).
ACCEPTED_UNSIGNED: Final = "accepted unsigned at merge"

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX128 = re.compile(r"^[0-9a-f]{128}$")


class SigningKeyError(StoreError):
    """A workstation's signing key cannot be created, read or trusted."""


# --------------------------------------------------------------------------- keys


def fingerprint(public_key: str) -> str:
    """A short, readable name of a public key: 20 hex digits of its SHA-256, in fives.

    Printed by ``verify`` and asked for by ``merge --trust``, so a person can compare it
    between two computers.
    """
    if not public_key:
        return "unsigned"
    digest = hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:20]
    return "-".join(digest[i : i + 5] for i in range(0, 20, 5))


def event_message(event_hash: str) -> bytes:
    """What a workstation signs for one entry: the domain and the entry's hash."""
    return EVENT_DOMAIN + event_hash.encode("ascii")


def verify_signature(public_key: str, message: bytes, signature: str) -> bool:
    """True when ``signature`` (hex) is the key's Ed25519 signature of ``message``."""
    if not _HEX64.match(public_key or "") or not _HEX128.match(signature or ""):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class WorkstationKey:
    """A workstation's private signing key (held on this computer only)."""

    workstation_id: str
    private_key: bytes = field(repr=False)
    public_key: str
    #: The first entry of the workstation's chain this key signed when it was made.
    first_signed_seq: int | None = None

    def sign(self, message: bytes) -> str:
        """The Ed25519 signature of ``message``, hex."""
        return Ed25519PrivateKey.from_private_bytes(self.private_key).sign(message).hex()

    def sign_event(self, event_hash: str) -> str:
        """The signature of one entry (over its hash)."""
        return self.sign(event_message(event_hash))

    @property
    def fingerprint(self) -> str:
        """See :func:`fingerprint`."""
        return fingerprint(self.public_key)


def _public_from_private(private_key: bytes) -> str:
    public = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _file_name(workstation_id: str, suffix: str) -> str:
    """A file name for a workstation id: the id itself when it is plain, else its hash."""
    if _SAFE_NAME.match(workstation_id):
        return f"{workstation_id}{suffix}"
    return f"{hashlib.sha256(workstation_id.encode()).hexdigest()[:32]}{suffix}"


def _check_private_mode(path: Path, what: str) -> None:
    """Refuse a secret file other users may read (POSIX permission bits)."""
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if mode & 0o077:
        raise SigningKeyError(
            f"The {what} {path} can be read by other users of this computer (permissions "
            f"{mode & 0o777:o}), so it cannot be trusted to prove who wrote the record. Make "
            f"it readable by its owner only (chmod 600 {path}) and ask IT to check who else "
            "could have read it."
        )


def _write_private(path: Path, data: bytes, *, exclusive: bool) -> None:
    """Write a secret file readable by its owner only, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path.parent, 0o700)
    if exclusive:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(descriptor, 0o600)
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, 0o600)
        os.write(descriptor, data)
        os.fsync(descriptor)
        os.close(descriptor)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(descriptor)
        Path(name).unlink(missing_ok=True)
        raise


class KeyStore:
    """The signing keys of this computer's workstations: one owner-only file each."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def default(cls) -> KeyStore:
        """``<config>/keys`` (``MGSO4_CONFIG_DIR`` moves it with the settings)."""
        return cls(config_dir() / KEYS_FOLDER)

    def path_for(self, workstation_id: str) -> Path:
        """The key file of a workstation."""
        return self.folder / _file_name(workstation_id, ".key")

    def load(self, workstation_id: str) -> WorkstationKey | None:
        """The workstation's key, or None if this computer holds none.

        Raises:
            SigningKeyError: the file exists but cannot be read, is not a key of this
                workstation, or other users can read it.
        """
        path = self.path_for(workstation_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SigningKeyError(
                f"The signing key {path} cannot be read ({exc.strerror}). Ask IT to check the "
                "folder's permissions."
            ) from None
        _check_private_mode(path, "signing key")
        key = _parse_key(raw, path)
        if key.workstation_id != workstation_id:
            raise SigningKeyError(
                f"The signing key {path} belongs to workstation {key.workstation_id}, not "
                f"{workstation_id}; it has been replaced. Ask IT to check it."
            )
        return key

    def load_or_create(self, workstation_id: str, *, first_signed_seq: int) -> WorkstationKey:
        """The workstation's key, made now (32 random bytes, owner-only file) if there is none.

        Raises:
            SigningKeyError: the key cannot be read or made (the message says where and why).
        """
        existing = self.load(workstation_id)
        if existing is not None:
            return existing
        private_key = secrets.token_bytes(32)
        key = WorkstationKey(
            workstation_id=workstation_id,
            private_key=private_key,
            public_key=_public_from_private(private_key),
            first_signed_seq=first_signed_seq,
        )
        document = {
            "format": KEY_FORMAT,
            "workstation_id": workstation_id,
            "private_key": private_key.hex(),
            "public_key": key.public_key,
            "first_signed_seq": first_signed_seq,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        path = self.path_for(workstation_id)
        try:
            _write_private(path, json.dumps(document, indent=2).encode(), exclusive=True)
        except FileExistsError:
            loaded = self.load(workstation_id)  # another copy of the app made it just now
            if loaded is None:  # pragma: no cover - removed again in between
                raise SigningKeyError(
                    f"The signing key {path} vanished while being made."
                ) from None
            return loaded
        except OSError as exc:
            raise SigningKeyError(
                f"This workstation's signing key could not be made in {self.folder} "
                f"({exc.strerror}); nothing was saved. The folder must be writable by you "
                "(it is the app's settings folder)."
            ) from None
        log.info("new signing key for workstation %s (%s)", workstation_id, key.fingerprint)
        return key

    def held(self) -> dict[str, WorkstationKey]:
        """Every key file in the folder that reads as a key, by workstation id."""
        found: dict[str, WorkstationKey] = {}
        try:
            paths = sorted(self.folder.glob("*.key"))
        except OSError:
            return found
        for path in paths:
            try:
                _check_private_mode(path, "signing key")
                key = _parse_key(path.read_bytes(), path)
            except (OSError, SigningKeyError) as exc:
                log.warning("signing key %s not used: %s", path.name, exc)
                continue
            found[key.workstation_id] = key
        return found


def _parse_key(raw: bytes, path: Path) -> WorkstationKey:
    try:
        document = json.loads(raw.decode("utf-8"))
        if not isinstance(document, dict) or document.get("format") != KEY_FORMAT:
            raise ValueError("not a workstation key file")
        private_key = bytes.fromhex(str(document["private_key"]))
        if len(private_key) != 32 or private_key == bytes(32):
            raise ValueError("the key is not 32 random bytes")
        public_key = _public_from_private(private_key)
        if public_key != document.get("public_key"):
            raise ValueError("its public key does not match its private key")
        first = document.get("first_signed_seq")
        return WorkstationKey(
            workstation_id=str(document["workstation_id"]),
            private_key=private_key,
            public_key=public_key,
            first_signed_seq=int(first) if isinstance(first, int) else None,
        )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SigningKeyError(
            f"The signing key {path} is damaged ({exc}). Restore it from the copy IT keeps, or "
            "ask IT: without it, new entries are signed with a new key and verify says so."
        ) from None


# --------------------------------------------------------------------------- trust


@dataclass(frozen=True)
class TrustedKey:
    """A key of another workstation this computer was told to accept."""

    workstation_id: str
    #: Empty for a chain accepted without signatures (saved before signing).
    public_key: str
    trusted_at: str = ""
    source: str = ""
    #: For a chain accepted without signatures: its entries up to this one are accepted.
    up_to_seq: int = 0


class TrustStore:
    """``<config>/trusted-keys.json``: other workstations' keys accepted on this computer."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def default(cls) -> TrustStore:
        """The file in the config folder."""
        return cls(config_dir() / TRUST_FILE)

    def entries(self) -> list[TrustedKey]:
        """Every trusted key (an unreadable file trusts nothing, and says so in the log)."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("trusted keys file %s not used: %s", self.path, exc)
            return []
        items = document.get("keys", []) if isinstance(document, dict) else []
        found = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            workstation_id, public_key = item.get("workstation_id"), item.get("public_key")
            up_to = item.get("up_to_seq", 0)
            if isinstance(workstation_id, str) and isinstance(public_key, str):
                found.append(
                    TrustedKey(
                        workstation_id,
                        public_key,
                        str(item.get("trusted_at", "")),
                        str(item.get("source", "")),
                        up_to if isinstance(up_to, int) else 0,
                    )
                )
        return found

    def add(self, keys: Iterable[TrustedKey]) -> None:
        """Remember more trusted keys (whole file rewritten atomically, owner-only)."""
        current = self.entries()
        known = {(k.workstation_id, k.public_key, k.up_to_seq) for k in current}
        added = [k for k in keys if (k.workstation_id, k.public_key, k.up_to_seq) not in known]
        if not added:
            return
        document = {
            "format": "mgso4-trusted-keys/1",
            "keys": [
                {
                    "workstation_id": k.workstation_id,
                    "public_key": k.public_key,
                    "fingerprint": fingerprint(k.public_key),
                    "trusted_at": k.trusted_at,
                    "source": k.source,
                    "up_to_seq": k.up_to_seq,
                }
                for k in (*current, *added)
            ],
        }
        _write_private(self.path, json.dumps(document, indent=2).encode(), exclusive=False)


# --------------------------------------------------------------------------- witnesses


@dataclass(frozen=True)
class ChainPoint:
    """One chain's newest entry at a moment: workstation, place, hash and signing key."""

    workstation_id: str
    seq: int
    hash: str
    public_key: str = ""


@dataclass(frozen=True)
class Witness:
    """A note, kept outside the record, of every chain's head at a moment."""

    record_workstation: str
    record_created_at: str
    written_at: str
    reason: str
    chains: tuple[ChainPoint, ...]
    signer_public_key: str
    signature: str
    source: str = ""

    def body(self) -> dict[str, Any]:
        """Everything the signature covers."""
        return {
            "format": WITNESS_FORMAT,
            "record_workstation": self.record_workstation,
            "record_created_at": self.record_created_at,
            "written_at": self.written_at,
            "reason": self.reason,
            "chains": [
                {
                    "workstation_id": c.workstation_id,
                    "seq": c.seq,
                    "hash": c.hash,
                    "public_key": c.public_key,
                }
                for c in self.chains
            ],
            "signer_public_key": self.signer_public_key,
        }

    @property
    def signed(self) -> bool:
        """True when the witness carries a signature that checks out."""
        return bool(self.signer_public_key) and verify_signature(
            self.signer_public_key, _witness_message(self.body()), self.signature
        )


def _witness_message(body: Mapping[str, Any]) -> bytes:
    return WITNESS_DOMAIN + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def witness_path(folder: Path, record_workstation: str) -> Path:
    """The witness file of a record in a folder."""
    return Path(folder) / (WITNESS_PREFIX + _file_name(record_workstation, ".jsonl"))


def write_witness(
    folder: Path,
    *,
    record_workstation: str,
    record_created_at: str,
    chains: Iterable[ChainPoint],
    reason: str,
    key: WorkstationKey | None,
    now: datetime,
) -> Path:
    """Append one witness line to the record's witness file in ``folder``.

    The line is written with one ``write`` to a file opened for appending, then synced, so a
    crash leaves either the whole line or none of it. An unsigned witness (no key held here)
    still records the heads; it cannot confirm a key.

    Raises:
        OSError: the folder or file cannot be written (the caller says so; the record is safe).
    """
    body = Witness(
        record_workstation=record_workstation,
        record_created_at=record_created_at,
        written_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        reason=reason,
        chains=tuple(sorted(chains, key=lambda c: c.workstation_id)),
        signer_public_key=key.public_key if key is not None else "",
        signature="",
    ).body()
    body["signature"] = key.sign(_witness_message(body)) if key is not None else ""
    line = json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n"
    path = witness_path(folder, record_workstation)
    Path(folder).mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return path


def read_witnesses(folders: Iterable[Path]) -> tuple[list[Witness], list[str]]:
    """Every witness in the folders' witness files, and what could not be read.

    A line whose signature does not check out is reported (someone changed the file) and not
    used.
    """
    witnesses: list[Witness] = []
    problems: list[str] = []
    seen: set[Path] = set()
    for folder in folders:
        try:
            paths = sorted(Path(folder).glob(f"{WITNESS_PREFIX}*.jsonl"))
        except OSError:
            continue
        for path in paths:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                if path.stat().st_size > MAX_WITNESS_BYTES:
                    problems.append(f"the witness file {path} is too large to be the app's")
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                problems.append(f"the witness file {path} cannot be read ({exc.strerror})")
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                witness = _parse_witness(line, f"{path} line {number}")
                if witness is None:
                    problems.append(f"{path} line {number} is not a witness the app wrote")
                elif witness.signer_public_key and not witness.signed:
                    problems.append(
                        f"{path} line {number}: its signature does not check out (the witness "
                        "was changed after it was written)"
                    )
                else:
                    witnesses.append(witness)
    return witnesses, problems


def _parse_witness(line: str, source: str) -> Witness | None:
    try:
        document = json.loads(line)
        if not isinstance(document, dict) or document.get("format") != WITNESS_FORMAT:
            return None
        chains = tuple(
            ChainPoint(
                workstation_id=str(item["workstation_id"]),
                seq=int(item["seq"]),
                hash=str(item["hash"]),
                public_key=str(item.get("public_key", "")),
            )
            for item in document["chains"]
        )
        return Witness(
            record_workstation=str(document["record_workstation"]),
            record_created_at=str(document.get("record_created_at", "")),
            written_at=str(document["written_at"]),
            reason=str(document.get("reason", "")),
            chains=chains,
            signer_public_key=str(document.get("signer_public_key", "")),
            signature=str(document.get("signature", "")),
            source=source,
        )
    except (ValueError, KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- anchors


@dataclass(frozen=True)
class Anchors:
    """What outside the record can confirm a key or a chain's length."""

    held: Mapping[str, WorkstationKey] = field(default_factory=dict)
    #: (workstation id, public key) -> newest entry accepted (for unsigned chains; else 0).
    trusted: Mapping[tuple[str, str], int] = field(default_factory=dict)
    witnesses: tuple[Witness, ...] = ()
    witness_problems: tuple[str, ...] = ()

    @classmethod
    def local(
        cls,
        witness_folders: Iterable[Path] = (),
        *,
        keys: KeyStore | None = None,
        trust: TrustStore | None = None,
    ) -> Anchors:
        """This computer's held and trusted keys, and the witnesses in the given folders."""
        witnesses, problems = read_witnesses(witness_folders)
        trusted = (trust or TrustStore.default()).entries()
        accepted: dict[tuple[str, str], int] = {}
        for item in trusted:
            pair = (item.workstation_id, item.public_key)
            accepted[pair] = max(accepted.get(pair, 0), item.up_to_seq)
        return cls(
            held=(keys or KeyStore.default()).held(),
            trusted=accepted,
            witnesses=tuple(witnesses),
            witness_problems=tuple(problems),
        )

    def confirmed_by(self, workstation_id: str, public_key: str) -> str | None:
        """How a workstation's key is confirmed from outside the record, or None."""
        held = self.held.get(workstation_id)
        if held is not None and held.public_key == public_key:
            return "held on this computer"
        if (workstation_id, public_key) in self.trusted:
            return "trusted on this computer"
        for witness in self.witnesses:
            if not witness.signed:
                continue
            if any(
                c.workstation_id == workstation_id and c.public_key == public_key
                for c in witness.chains
            ):
                return f"named in a signed witness ({witness.source})"
        return None

    def unsigned_confirmed_to(self, workstation_id: str) -> int:
        """The newest unsigned entry of a chain this computer accepted (0 if none)."""
        return self.trusted.get((workstation_id, ""), 0)

    def digest(self) -> str:
        """SHA-256 of everything a verification takes from these anchors (public keys held,
        keys trusted, each witness whole, the witnesses that could not be read): equal only
        when a verification with either would judge a record the same way."""
        body = {
            "held": sorted((ws, key.public_key) for ws, key in self.held.items()),
            "trusted": sorted([ws, key, seq] for (ws, key), seq in self.trusted.items()),
            "witnesses": [
                [witness.source, witness.signer_public_key, witness.signature, witness.body()]
                for witness in self.witnesses
            ],
            "witness_problems": list(self.witness_problems),
        }
        encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(encoded.encode("ascii")).hexdigest()


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Registration:
    """A key registered in a record: it signs a workstation's entries from ``from_seq`` on.

    An empty ``public_key`` means no entry from ``from_seq`` on may exist: the chain was
    accepted without signatures (entries made before signing) and is closed.
    """

    workstation_id: str
    from_seq: int
    public_key: str
    registered_at: str = ""
    note: str = ""


@dataclass(frozen=True)
class ChainEntry:
    """What the checks need of one entry."""

    seq: int
    uuid: str
    hash: str


@dataclass
class KeyStatus:
    """One registered key as verify reports it."""

    workstation_id: str
    from_seq: int
    public_key: str
    confirmed_by: str | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "workstation_id": self.workstation_id,
            "from_seq": self.from_seq,
            "fingerprint": fingerprint(self.public_key),
            "public_key": self.public_key,
            "confirmed_by": self.confirmed_by,
        }


@dataclass
class SigningResult:
    """The signature, key and witness checks of one record."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keys: list[KeyStatus] = field(default_factory=list)
    unsigned: dict[str, tuple[int, int]] = field(default_factory=dict)


def key_in_force(registrations: Sequence[Registration], seq: int) -> Registration | None:
    """The registration that covers entry ``seq`` (registrations sorted by from_seq)."""
    current = None
    for registration in registrations:
        if registration.from_seq <= seq:
            current = registration
        else:
            break
    return current


def check_signing(
    chains: Mapping[str, Sequence[ChainEntry]],
    signatures: Mapping[str, str],
    registrations: Sequence[Registration],
    *,
    record_workstation: str | None,
    record_created_at: str = "",
    signed_format: bool,
    anchors: Anchors | None,
) -> SigningResult:
    """Check every entry's signature, every key's confirmation and every witness.

    Args:
        chains: each workstation's entries in ``seq`` order (only the sound part of a chain:
            the chain checks report a broken one first).
        signatures: entry uuid -> signature (hex).
        registrations: every key registered in the record.
        record_workstation: the record's own workstation (``meta``), or None.
        record_created_at: when the record was made (``meta``), to match witnesses.
        signed_format: the record's format has signatures (format 2 and later); in an older
            file every entry is unsigned and that is only noted.
        anchors: keys and witnesses from outside the record; None checks the record against
            its own registered keys only (a backup copy, a merge source before trust).
    """
    result = SigningResult()
    by_workstation: dict[str, list[Registration]] = {}
    for registration in sorted(registrations, key=lambda r: (r.workstation_id, r.from_seq)):
        by_workstation.setdefault(registration.workstation_id, []).append(registration)
    workstations = sorted(set(chains) | ({record_workstation} if record_workstation else set()))
    for workstation_id in workstations:
        entries = chains.get(workstation_id, ())
        registered = by_workstation.get(workstation_id, [])
        _check_chain(workstation_id, entries, signatures, registered, signed_format, result)
        own = workstation_id == record_workstation
        if own and signed_format and not registered:
            result.findings.append(
                Finding(
                    WORKSTATION_CHANGED,
                    f"The record says it belongs to workstation {workstation_id}, but no signing "
                    "key is registered for it (the app registers one whenever it opens a record "
                    "to write): the workstation id, or its key's registration, was changed "
                    "outside the app",
                    workstation_id,
                )
            )
        if anchors is not None:
            _check_keys(workstation_id, entries, registered, anchors, result, own=own)
    if anchors is not None and record_workstation:
        _check_witnesses(
            chains, by_workstation, record_workstation, record_created_at, anchors, result
        )
    return result


def _check_chain(
    workstation_id: str,
    entries: Sequence[ChainEntry],
    signatures: Mapping[str, str],
    registered: Sequence[Registration],
    signed_format: bool,
    result: SigningResult,
) -> None:
    first_unsigned = last_unsigned = None
    for entry in entries:
        registration = key_in_force(registered, entry.seq)
        if registration is None:
            first_unsigned = entry.seq if first_unsigned is None else first_unsigned
            last_unsigned = entry.seq
            continue
        signature = signatures.get(entry.uuid)
        where = f"Chain of workstation {workstation_id}, entry {entry.seq} ({entry.uuid})"
        if not registration.public_key:
            result.findings.append(
                Finding(
                    UNSIGNED_ENTRY,
                    f"{where}: the chain was closed at entry {registration.from_seq - 1} when it "
                    "was accepted without signatures; this entry was added later, outside the app",
                    workstation_id,
                    entry.seq,
                    entry.uuid,
                )
            )
            return
        if signature is None:
            result.findings.append(
                Finding(
                    UNSIGNED_ENTRY,
                    f"{where}: not signed, though the workstation signs every entry from entry "
                    f"{registration.from_seq} on (added or changed outside the app)",
                    workstation_id,
                    entry.seq,
                    entry.uuid,
                )
            )
            return
        if not verify_signature(registration.public_key, event_message(entry.hash), signature):
            result.findings.append(
                Finding(
                    BAD_SIGNATURE,
                    f"{where}: its signature does not match the workstation's key "
                    f"{fingerprint(registration.public_key)} (the entry or the chain was changed "
                    "and its hashes recomputed)",
                    workstation_id,
                    entry.seq,
                    entry.uuid,
                )
            )
            return
    if first_unsigned is not None and last_unsigned is not None:
        result.unsigned[workstation_id] = (first_unsigned, last_unsigned)
        protected = any(
            key_in_force(registered, e.seq) is not None for e in entries if e.seq > last_unsigned
        )
        result.notes.append(
            f"Chain of workstation {workstation_id}: entries {first_unsigned}–{last_unsigned} are "
            "unsigned (saved before this app signed entries, or in a file of an older version); "
            + (
                "the signed entries after them fix their content"
                if protected
                else "for them verify proves only that the hash chain is unbroken"
            )
        )


def _check_keys(
    workstation_id: str,
    entries: Sequence[ChainEntry],
    registered: Sequence[Registration],
    anchors: Anchors,
    result: SigningResult,
    *,
    own: bool,
) -> None:
    last_seq = entries[-1].seq if entries else 0
    for index, registration in enumerate(registered):
        if not registration.public_key:
            continue
        following = registered[index + 1].from_seq if index + 1 < len(registered) else None
        covers_entries = registration.from_seq <= last_seq
        is_current = following is None
        if not covers_entries and not is_current:
            continue
        how = anchors.confirmed_by(workstation_id, registration.public_key)
        result.keys.append(
            KeyStatus(workstation_id, registration.from_seq, registration.public_key, how)
        )
        if how is None and (covers_entries or own):
            upto = (
                (following - 1) if following is not None else max(last_seq, registration.from_seq)
            )
            result.findings.append(
                Finding(
                    KEY_UNCONFIRMED,
                    f"Chain of workstation {workstation_id}, entries {registration.from_seq}–"
                    f"{upto}: signed with key {fingerprint(registration.public_key)}, which "
                    "nothing outside the record confirms (it is not held or trusted on this "
                    "computer, and no witness names it). Someone holding the file could have "
                    "re-signed these entries. Verify on the workstation that wrote them, give "
                    "its backup folder (--witnesses), or trust the key once its fingerprint is "
                    "checked on that workstation",
                    workstation_id,
                    registration.from_seq,
                )
            )
    unsigned = [e for e in entries if key_in_force(registered, e.seq) is None]
    signed_after = bool(registered) and any(
        key_in_force(registered, e.seq) is not None for e in entries
    )
    held = anchors.held.get(workstation_id)
    if unsigned and not signed_after and held is None:
        accepted_to = anchors.unsigned_confirmed_to(workstation_id)
        if unsigned[-1].seq > accepted_to:
            first = max(accepted_to + 1, unsigned[0].seq)
            result.findings.append(
                Finding(
                    KEY_UNCONFIRMED,
                    f"Chain of workstation {workstation_id}, entries {first}–{unsigned[-1].seq}: "
                    "unsigned, and this computer never accepted them (they were not in the "
                    "record when it was upgraded to signed entries here, nor merged in with "
                    "--trust). They could have been added by someone holding the file",
                    workstation_id,
                    first,
                )
            )
    if held is not None and held.first_signed_seq is not None:
        unsigned = [e for e in unsigned if e.seq >= held.first_signed_seq]
        if unsigned:
            result.findings.append(
                Finding(
                    SIGNATURES_REMOVED,
                    f"Chain of workstation {workstation_id}: this computer holds its signing key, "
                    f"which signs every entry from entry {held.first_signed_seq} on, but entries "
                    f"{unsigned[0].seq}–{unsigned[-1].seq} carry no registered signature (the "
                    "signatures or the key's registration were removed)",
                    workstation_id,
                    unsigned[0].seq,
                    unsigned[0].uuid,
                )
            )


def _check_witnesses(
    chains: Mapping[str, Sequence[ChainEntry]],
    by_workstation: Mapping[str, Sequence[Registration]],
    record_workstation: str,
    record_created_at: str,
    anchors: Anchors,
    result: SigningResult,
) -> None:
    hashes = {
        workstation_id: {entry.seq: entry.hash for entry in entries}
        for workstation_id, entries in chains.items()
    }
    for witness in anchors.witnesses:
        if witness.record_workstation != record_workstation:
            if (
                record_created_at
                and witness.record_created_at == record_created_at
                and witness.record_workstation in chains
            ):
                result.findings.append(
                    Finding(
                        WORKSTATION_CHANGED,
                        f"The record says it belongs to workstation {record_workstation}, but a "
                        f"witness ({witness.source}, {witness.written_at}) shows this record "
                        f"belonged to workstation {witness.record_workstation}: its workstation "
                        "id was changed outside the app",
                    )
                )
            continue
        for point in witness.chains:
            held = hashes.get(point.workstation_id, {})
            newest = max(held, default=0)
            if point.seq > newest:
                result.findings.append(
                    Finding(
                        WITNESS_AHEAD,
                        f"Chain of workstation {point.workstation_id}: the record holds "
                        f"{newest} entries, but a witness written at {witness.written_at} "
                        f"({witness.reason}, {witness.source}) saw entry {point.seq}. Entries "
                        "were removed, or an older copy of the record was put back",
                        point.workstation_id,
                        point.seq,
                    )
                )
                return
            if point.seq and held.get(point.seq) != point.hash:
                result.findings.append(
                    Finding(
                        WITNESS_MISMATCH,
                        f"Chain of workstation {point.workstation_id}, entry {point.seq}: it is "
                        f"not the entry a witness saw at {witness.written_at} ({witness.reason}, "
                        f"{witness.source}); the chain was rewritten",
                        point.workstation_id,
                        point.seq,
                    )
                )
                return
            registration = key_in_force(by_workstation.get(point.workstation_id, ()), point.seq)
            registered_key = registration.public_key if registration is not None else ""
            if point.public_key and point.public_key != registered_key:
                result.findings.append(
                    Finding(
                        WITNESS_MISMATCH,
                        f"Chain of workstation {point.workstation_id}: a witness written at "
                        f"{witness.written_at} names signing key {fingerprint(point.public_key)} "
                        f"for entry {point.seq}, but the record registers "
                        f"{fingerprint(registered_key)}: the key in the record was replaced",
                        point.workstation_id,
                        point.seq,
                    )
                )
                return
