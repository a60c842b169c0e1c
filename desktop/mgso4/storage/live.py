"""Whether a record is a ward's live record, which other records are never merged into.

A merge adds other workstations' episodes: merged into a ward's own clinical record they would
appear on its board beside its own patients. Merging is for a separate audit record. The rule
is here once; the audit screen and ``mgso4 merge`` both ask it.
"""

from __future__ import annotations

from pathlib import Path

from mgso4.storage.errors import StoreError
from mgso4.storage.location import default_db_path
from mgso4.storage.store import Store

#: What to do instead, for the refusal.
_INSTEAD = (
    "Start the app on a separate audit record (mgso4 --db audit.sqlite3), or use "
    "mgso4 merge --into audit.sqlite3 ..., and merge there."
)


def why_not_merge_into(target: Path, *, store: Store | None = None) -> str | None:
    """Why records must not be merged into ``target``, or None when they may.

    Refused when ``target`` is this computer's live (or training) record, or when it holds an
    episode still running (it is some ward's record in use).

    Args:
        target: The record to merge into (it may not exist yet: then only its path counts).
        store: ``target`` already open (the screen's record), to avoid opening it twice.
    """
    try:
        live = Path(target).resolve() in {
            default_db_path().resolve(),
            default_db_path(training=True).resolve(),
        }
    except OSError as exc:
        return f"The record {target} cannot be checked: {exc}"
    if live:
        return (
            "Records are not merged into a ward's own record: the other PCs' episodes would "
            f"appear on this ward board. {_INSTEAD}"
        )
    try:
        if store is not None:
            active = bool(store.episode_uuids(active_only=True))
        elif Path(target).is_file():
            with Store.open(target, readonly=True) as opened:
                active = bool(opened.episode_uuids(active_only=True))
        else:
            active = False
    except (OSError, StoreError) as exc:
        return f"The record {target} cannot be checked: {exc}"
    if active:
        return (
            f"{Path(target).name} holds episodes still running: it is a ward's record in use, "
            f"and the other PCs' episodes would appear on that ward board. {_INSTEAD}"
        )
    return None
