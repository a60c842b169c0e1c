"""Output files never replace a record.

Every writer of a file that leaves the app (PDFs, exports, their data dictionaries) calls
:func:`refuse_record_target` just before it gives the finished file its name, so a mistyped
``--out`` or a wrong choice in a save dialog can never turn the record, a backup or a SQLite
journal into a PDF or a CSV. The check reads the first 16 bytes of the file that is there (the
SQLite header); it never opens a database. The command line adds its own, stricter checks on
top (``mgso4.cli.common.checked_output``): the configured record, backups and any existing file
unless ``--force``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

#: The first 16 bytes of every SQLite database file (https://sqlite.org/fileformat.html §1.3).
SQLITE_HEADER: Final = b"SQLite format 3\x00"
#: Names SQLite gives a database's companion files (rollback journal, write-ahead log, index).
SQLITE_COMPANIONS: Final = ("-journal", "-wal", "-shm")
#: File-name endings kept for records and backups; no document or export is given one.
RECORD_SUFFIXES: Final = frozenset({".sqlite3", ".sqlite", ".db", ".db3"})


class RecordOverwriteError(OSError):
    """Writing here would replace a database (a record or a backup) or its journal."""


def is_sqlite_file(path: Path) -> bool:
    """True when the file at ``path`` starts with the SQLite header (False if unreadable)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def record_target_problem(target: Path) -> str | None:
    """Why a file must not be written at ``target``, or None.

    A SQLite database (a record or a backup), or a companion file of one, is never replaced.
    Symbolic links are followed first, so a link to the record is refused too.
    """
    resolved = Path(target).resolve()
    if is_sqlite_file(resolved):
        return (
            f"{target} is a SQLite database (a record or a backup); it is never written over. "
            "Choose another file name"
        )
    for companion in SQLITE_COMPANIONS:
        if resolved.name.endswith(companion):
            database = resolved.with_name(resolved.name[: -len(companion)])
            if is_sqlite_file(database):
                return (
                    f"{target} belongs to the database {database} (its {companion[1:]} file); "
                    "it is never written over. Choose another file name"
                )
    return None


def refuse_record_target(target: Path) -> None:
    """Raise :class:`RecordOverwriteError` if ``target`` is a database or its companion file."""
    problem = record_target_problem(target)
    if problem is not None:
        raise RecordOverwriteError(problem + ".")
