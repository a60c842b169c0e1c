"""Entry point of the frozen bundle (PyInstaller): the same ``mgso4`` command as a wheel install.

With no arguments it opens the app; with a subcommand it runs it (``mgso4 assess ...``); with
``--smoke-test PICTURE.png --db THROWAWAY.sqlite3`` it runs the install check, which lives in
the package (``mgso4.gui.smoke``) so that every install, not only the bundle, has it.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence

from mgso4.cli import main
from mgso4.gui.smoke import (
    EXIT_SMOKE_AUDIT,
    EXIT_SMOKE_NO_WINDOW,
    EXIT_SMOKE_NOT_SAVED,
    EXIT_SMOKE_PDF,
    EXIT_SMOKE_USAGE,
    SMOKE_FLAG,
)

__all__ = [
    "EXIT_SMOKE_AUDIT",
    "EXIT_SMOKE_NOT_SAVED",
    "EXIT_SMOKE_NO_WINDOW",
    "EXIT_SMOKE_PDF",
    "EXIT_SMOKE_USAGE",
    "SMOKE_FLAG",
    "run",
]


def run(argv: Sequence[str]) -> int:
    """``mgso4`` with ``argv`` (including ``--smoke-test``)."""
    return main(list(argv))


if __name__ == "__main__":
    # Exports and merges run in a "spawn" child process (mgso4.audit.worker): in a frozen
    # bundle the child is this same executable, and this call turns it into the worker.
    multiprocessing.freeze_support()
    sys.exit(run(sys.argv[1:]))
