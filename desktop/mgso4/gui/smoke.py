"""The install check: ``mgso4 --smoke-test PICTURE.png --db THROWAWAY.sqlite3``.

It works the same from every install (wheel, source checkout, the frozen bundle) and from
``mgso4-gui``: it starts the app exactly as a user would (settings, protocol, record, style,
main window), saves a picture of the main window once it is on screen, then opens the audit
screen (matplotlib charts, saved as ``PICTURE-audit.png``) and loads a blank proforma into the
PDF viewer (QtPdf) — both are imported only when first used, so an install missing either
would otherwise fail only on the ward — and closes: exit status 0 when all three worked.
``--db`` is required so that a smoke test never opens the real record; backups are off for the
throwaway record. It is a command-line flag rather than an environment variable so that it can
never be left switched on for a ward PC.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

SMOKE_FLAG = "--smoke-test"
#: Exit statuses of a smoke test, beside the app's own (0 ok, 2 cannot start).
EXIT_SMOKE_USAGE = 2
EXIT_SMOKE_NO_WINDOW = 4
EXIT_SMOKE_NOT_SAVED = 5
EXIT_SMOKE_AUDIT = 6
EXIT_SMOKE_PDF = 7
USAGE = (
    "mgso4 --smoke-test: error: give the picture's path and a throwaway record, e.g. "
    "--smoke-test board.png --db smoke.sqlite3 (the real record is never used)"
)


def smoke_main(argv: Sequence[str], run_app: Callable[[list[str]], int]) -> int:
    """``argv`` after ``--smoke-test``: the picture, then ``--db PATH`` and any app options.

    ``run_app`` is the app's own entry point (``gui.app.main``), handed in so that this
    module does not import the app that dispatches to it.
    """
    if not argv or argv[0].startswith("-") or "--db" not in argv[1:]:
        print(USAGE, file=sys.stderr)
        return EXIT_SMOKE_USAGE
    return smoke_test(Path(argv[0]), list(argv[1:]), run_app)


def smoke_test(
    screenshot: Path, app_argv: Sequence[str], run_app: Callable[[list[str]], int]
) -> int:
    """Start the app with ``app_argv``, save the main window to ``screenshot``, and quit.

    Returns:
        0 if the main window was shown and saved, the audit screen opened and a PDF loaded;
        the app's own status if it could not start (2, its message having been captured
        instead of the window); 4 if no main window was on screen; 5 if a picture could not be
        written; 6 if the audit screen did not open; 7 if the PDF viewer could not load a PDF.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    os.environ["MGSO4_NO_BACKUP_THREAD"] = "1"  # a throwaway record needs no backups
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])

    def _capture() -> None:
        # Runs once the app's event loop is running, i.e. after the window has been shown.
        shown = [w for w in app.topLevelWidgets() if w.isVisible()]
        windows = [w for w in shown if isinstance(w, QMainWindow)]
        target = windows[0] if windows else (shown[0] if shown else None)
        if target is None:
            print("smoke test: nothing on screen", file=sys.stderr)
            app.exit(EXIT_SMOKE_NO_WINDOW)
            return
        saved = target.grab().save(str(screenshot))
        print(f"smoke test: {type(target).__name__} '{target.windowTitle()}' -> {screenshot}")
        if not windows:
            print("smoke test: the main window did not open", file=sys.stderr)
            app.exit(EXIT_SMOKE_NO_WINDOW)
            return
        if not saved:
            app.exit(EXIT_SMOKE_NOT_SAVED)
            return
        app.exit(_check_audit_and_pdf(app, target, screenshot))

    QTimer.singleShot(0, _capture)
    return run_app(list(app_argv))


def _check_audit_and_pdf(app: QApplication, window: QWidget, screenshot: Path) -> int:
    """Open the audit screen and load a blank proforma into QtPdf; 0 or an EXIT_SMOKE_ code."""
    open_audit = getattr(window, "open_audit", None)
    audit = open_audit() if callable(open_audit) else None
    if audit is None:
        print("smoke test: the audit screen did not open", file=sys.stderr)
        return EXIT_SMOKE_AUDIT
    app.processEvents()
    audit_picture = screenshot.with_name(f"{screenshot.stem}-audit{screenshot.suffix}")
    if not audit.grab().save(str(audit_picture)):
        return EXIT_SMOKE_NOT_SAVED
    print(f"smoke test: {type(audit).__name__} '{audit.windowTitle()}' -> {audit_picture}")
    audit.close()

    from mgso4.gui.printing import PdfError, load_pdf
    from mgso4.reports import render_blank

    context = window.context  # type: ignore[attr-defined]
    pdf = render_blank(
        context.protocol,
        context.preparations,
        context.settings.default_preparation,
        unit_name=context.settings.unit_name,
    )
    try:
        document, _buffer = load_pdf(pdf)
    except PdfError as exc:
        print(f"smoke test: the PDF viewer cannot load a proforma: {exc}", file=sys.stderr)
        return EXIT_SMOKE_PDF
    print(f"smoke test: QtPdf loaded the blank proforma ({document.pageCount()} page(s))")
    return 0
