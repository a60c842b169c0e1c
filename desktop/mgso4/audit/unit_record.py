"""``mgso4 merge --into postgresql://…``: per-PC record files into the unit record on a server.

Every rule of the audit merge (``audit.merge``) applies unchanged, because the merge itself is
that merge: the unit record is copied into a SQLite record (``ServerStore.snapshot``), the
sources are merged into the copy (each verified whole, its keys trusted, refused whole if it
would mix two women in one episode), and then whatever the copy now holds that the server does
not is added to the server in one transaction (``ServerStore.import_record``), entries keeping
their chain places, hashes and signatures.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from mgso4.audit.merge import MergeReport, merge_into
from mgso4.audit.progress import ProgressCallback
from mgso4.storage import StoreError, open_record


def merge_into_unit_record(
    target: Path,
    sources: Sequence[Path],
    *,
    progress: ProgressCallback | None = None,
    trust: Sequence[str] = (),
) -> tuple[MergeReport, dict[str, int]]:
    """Merge record files into the unit record named by ``target`` (a server location).

    Returns:
        The audit merge's report (per source: added, skipped or refused, and why) and what
        was added to the server.

    Raises:
        StoreError: the server cannot be reached or refused the import (nothing was added).
    """
    from mgso4.storage.server.store import ServerStore

    with open_record(target) as store:
        if not isinstance(store, ServerStore):  # pragma: no cover - the CLI checks first
            raise StoreError(f"{target} is not a unit record on a server.")
        with tempfile.TemporaryDirectory(prefix="mgso4-merge-") as scratch:
            staging = store.snapshot(Path(scratch) / "unit-record.sqlite3")
            report = merge_into(staging, list(sources), progress=progress, trust=list(trust))
            added = store.import_record(staging)
    return report, added
