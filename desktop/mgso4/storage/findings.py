"""What ``verify`` can find, shared by the chain checks and the signature checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem found, with where it is (when it is in a chain)."""

    kind: str
    message: str
    workstation_id: str | None = None
    seq: int | None = None
    uuid: str | None = None


# Kinds of finding: the file and its entries.
INTEGRITY = "integrity"
SCHEMA = "schema"
UNREADABLE = "unreadable"
NOT_CANONICAL = "not-canonical"
HASH_MISMATCH = "hash-mismatch"
SEQ_GAP = "seq-gap"
BROKEN_LINK = "broken-link"
EPISODE_MISMATCH = "episode-mismatch"
SAFEGUARD_MISSING = "safeguard-missing"
CHAIN_KINDS = frozenset({UNREADABLE, NOT_CANONICAL, HASH_MISMATCH, SEQ_GAP, BROKEN_LINK})

# Kinds of finding: signatures, keys and witnesses (``storage.signing``).
BAD_SIGNATURE = "bad-signature"
UNSIGNED_ENTRY = "unsigned-entry"
KEY_UNCONFIRMED = "key-unconfirmed"
SIGNATURES_REMOVED = "signatures-removed"
WITNESS_AHEAD = "witness-ahead"
WITNESS_MISMATCH = "witness-mismatch"
WORKSTATION_CHANGED = "workstation-changed"
SIGNING_KINDS = frozenset(
    {
        BAD_SIGNATURE,
        UNSIGNED_ENTRY,
        KEY_UNCONFIRMED,
        SIGNATURES_REMOVED,
        WITNESS_AHEAD,
        WITNESS_MISMATCH,
        WORKSTATION_CHANGED,
    }
)
