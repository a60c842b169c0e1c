"""Writing a finished PDF to disk without ever leaving a partial file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from mgso4.safe_paths import refuse_record_target


def write_pdf_atomically(data: bytes, path: Path | str) -> Path:
    """Write PDF bytes to ``path`` so the file is either the whole new PDF or untouched.

    The bytes go to a temporary file in the same folder (so the final rename never crosses
    file systems), are flushed and fsync'd, then ``os.replace`` puts the file in place in one
    step. On any failure the temporary file is removed and the original file, if any, is left
    as it was.

    Args:
        data: The PDF document (must start with ``%PDF-``).
        path: Where the PDF goes; the folder must exist.

    Returns:
        The path written.

    Raises:
        ValueError: ``data`` is not a PDF (a programming error: nothing is written).
        OSError: The folder does not exist, is not writable, or the disk is full; the message
            names the path. ``mgso4.safe_paths.RecordOverwriteError`` (an OSError) when the
            path is a record, a backup or a database journal: those are never replaced.
    """
    target = Path(path)
    if not data.startswith(b"%PDF-"):
        raise ValueError("Refusing to write: the data is not a PDF document.")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"Cannot save the PDF: the folder {folder} does not exist.")
    refuse_record_target(target)
    descriptor, temporary_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=folder
    )
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        refuse_record_target(target)  # again: a record may have appeared meanwhile
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _fsync_folder(folder)
    return target


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder for fsync.
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
