"""What the ``mgso4 verify``, ``backup`` and ``restore`` commands call.

Each function returns ``(JSON-ready dict, exit code)`` and never raises for a problem with the
files: the command prints the dict (or its ``message``) and exits with the code.

Exit codes: 0 done and everything checks out; 1 the record or backup has problems (listed);
2 the action could not be done (the ``message`` says why and what to do).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mgso4.storage.backup import DEFAULT_KEEP
from mgso4.storage.backup import restore as restore_backup
from mgso4.storage.errors import BackupNotVerifiedError, CorruptDatabaseError, StoreError
from mgso4.storage.record import open_record
from mgso4.storage.spec import is_server_spec, spec_path

if TYPE_CHECKING:
    from mgso4.storage.signing import Anchors

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_FAILED = 2


def _failure(path: Path, error: StoreError) -> dict[str, Any]:
    return {
        "ok": False,
        "path": str(path),
        "error": type(error).__name__,
        "message": str(error),
        "problems": [str(error)],
    }


def verify_report_json(
    path: Path | str,
    *,
    anchors: Anchors | None = None,
    expected_heads: Sequence[str] = (),
) -> tuple[dict[str, Any], int]:
    """Verify a record read-only (it may be in use by the app meanwhile).

    Args:
        path: the record.
        anchors: keys and witnesses from outside the record (see ``storage.signing``).
        expected_heads: chain heads printed on documents (64 hex digits, or at least the first
            12): each must be an entry of the record, else entries were removed or rewritten.

    Returns:
        ``VerifyReport.as_dict()`` and 0 (ok) or 1 (problems); for a file that cannot be
        opened, an error dict and 1 if it is damaged, 2 otherwise.
    """
    path = spec_path(path) if isinstance(path, str) else path
    try:
        with open_record(path, readonly=True) as store:
            report = store.verify(anchors)
            missing = [head for head in expected_heads if store.find_hash(head) is None]
    except CorruptDatabaseError as exc:
        return _failure(path, exc), EXIT_PROBLEMS
    except StoreError as exc:
        return _failure(path, exc), EXIT_FAILED
    data = report.as_dict()
    for head in missing:
        data["problems"].append(
            f"The chain head {head} (from a printed document) is not an entry of this record: "
            "entries were removed or rewritten since it was printed, or it belongs to another "
            "record"
        )
        data["findings"].append({"kind": "printed-head-missing", "message": data["problems"][-1]})
    ok = report.ok and not missing
    data["ok"] = ok
    return data, EXIT_OK if ok else EXIT_PROBLEMS


def backup_to(
    path: Path | str, folder: Path | str, *, keep: int = DEFAULT_KEEP
) -> tuple[dict[str, Any], int]:
    """Write a verified backup of a record into a folder and rotate old backups.

    Returns:
        ``{"ok": True, "backup": <file>, ...}`` and 0, or an error dict and 2 (the backup could
        not be made, e.g. the record is damaged; the message says which).
    """
    path = spec_path(path) if isinstance(path, str) else path
    try:
        with open_record(path, readonly=True) as store:
            written = store.backup(Path(folder), keep=keep)
            counts = store.counts()
            warning = store.last_backup_warning
    except StoreError as exc:  # a damaged record cannot be backed up: the action failed
        return _failure(path, exc), EXIT_FAILED
    return {
        "ok": True,
        "path": str(path),
        "backup": str(written),
        "counts": counts,
        "warning": warning,
        "message": f"Backup written and verified: {written}"
        + (f". WARNING: {warning}" if warning else ""),
    }, EXIT_OK


def restore(
    backup: Path | str, to: Path | str, *, overwrite: bool = False
) -> tuple[dict[str, Any], int]:
    """Restore a verified backup to a record file (moving any existing file aside).

    Returns:
        ``{"ok": True, "restored": <file>, "replaced_moved_to": <file or None>, ...}`` and 0,
        or an error dict and 1 (the backup does not verify) or 2 (not done).
    """
    if is_server_spec(to):
        return {
            "ok": False,
            "backup": str(backup),
            "error": "StoreError",
            "message": "A unit record on a server is never replaced by a backup: its DBA "
            "restores the server from the server's own backups. To add a backup's entries to "
            "it, use “mgso4 merge --into <the server>”.",
            "problems": [],
        }, EXIT_FAILED
    backup, to = Path(backup), Path(to)
    try:
        result = restore_backup(backup, to, overwrite=overwrite)
    except StoreError as exc:
        code = EXIT_PROBLEMS if isinstance(exc, BackupNotVerifiedError) else EXIT_FAILED
        return _failure(backup, exc), code
    moved = result.replaced_moved_to
    message = f"Restored {backup} to {result.restored}."
    if moved is not None:
        message += f" The record that was there was kept as {moved}."
    return {
        "ok": True,
        "backup": str(backup),
        "restored": str(result.restored),
        "replaced_moved_to": str(moved) if moved is not None else None,
        "counts": dict(result.report.counts),
        "message": message,
    }, EXIT_OK
