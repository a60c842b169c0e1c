"""Start the bedside app: settings, record, protocol, preparations, then the main window.

``mgso4`` with no arguments calls :func:`main`. Options: ``--db PATH`` (another record file),
``--training`` (the separate training record, a permanent banner, synthetic numbers only),
``--protocol ID_OR_PATH`` (the protocol for new episodes instead of the setting).

Anything that stops the app from starting safely (a damaged record, a record from a newer
version, a protocol file with problems, unreadable settings) is shown as one clear message
and the app exits with status 2. A message box is used only here, before there is a window.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from mgso4.core.protocol import Protocol, ProtocolError, ProtocolLibrary, load_preparations_file
from mgso4.gui.context import AppContext
from mgso4.gui.main_window import MainWindow
from mgso4.gui.style import apply_style
from mgso4.gui.tasks import BackupController, TaskRunner
from mgso4.resources import resource_path
from mgso4.settings import (
    Settings,
    SettingsError,
    backup_folder,
    config_dir,
    data_dir,
    load_settings,
)
from mgso4.storage import Store, StoreError, default_db_path, open_record
from mgso4.storage.spec import spec_path

LOG = logging.getLogger(__name__)

#: Exit status when the app cannot start (distinct from a normal close, 0).
EXIT_CANNOT_START = 2
#: Set to "1" to start without backups (e.g. a throwaway demo); tests use the flag instead.
NO_BACKUP_ENV = "MGSO4_NO_BACKUP_THREAD"


@dataclass(frozen=True)
class StartOptions:
    """What the command line asked for."""

    db: Path | None
    training: bool
    protocol: str | None


def parse_args(argv: list[str]) -> StartOptions:
    """Read ``--db``, ``--training`` and ``--protocol``."""
    parser = argparse.ArgumentParser(prog="mgso4", description="MgSO4 Preterm Proforma")
    parser.add_argument(
        "--db", type=spec_path, help="the record file to open, or a postgresql:// unit record"
    )
    parser.add_argument("--training", action="store_true", help="open the separate training record")
    parser.add_argument("--protocol", help="protocol for new episodes: shipped id or file path")
    args, _unknown = parser.parse_known_args(argv)
    return StartOptions(db=args.db, training=args.training, protocol=args.protocol)


def show_startup_error(title: str, message: str) -> None:
    """Tell the user why the app cannot start (the only message box in the app)."""
    QMessageBox.critical(None, title, message)


def build_context(
    options: StartOptions,
    *,
    settings: Settings,
    settings_path: Path | None = None,
) -> AppContext:
    """Open everything the screens need.

    Raises:
        ProtocolError: the protocol or the preparations file cannot be used.
        StoreError: the record cannot be opened.
    """
    library = ProtocolLibrary(resource_path("protocols"))
    protocol = library.load(options.protocol or settings.protocol)
    preparations = load_preparations_file(resource_path("preparations.toml"))
    # The unit record (settings) is the ward's clinical record; training never goes there.
    unit = (
        spec_path(settings.unit_record) if settings.unit_record and not options.training else None
    )
    db_path = options.db or unit or default_db_path(options.training)
    store = open_record(db_path, backup_dir=backup_folder(settings, options.training))
    log_start(store, protocol, options.protocol or settings.protocol)
    return AppContext(
        store=store,
        protocol=protocol,
        preparations=preparations,
        library=library,
        settings=settings,
        training=options.training,
        settings_path=settings_path,
    )


def log_start(store: Store, protocol: Protocol, chosen: str) -> None:
    """Say in the log which record, protocol and folders are in use (and which were moved by
    ``MGSO4_DATA_DIR`` / ``MGSO4_CONFIG_DIR``), so a support call can tell at once."""
    moved = {
        name: os.environ[name]
        for name in ("MGSO4_DATA_DIR", "MGSO4_CONFIG_DIR")
        if name in os.environ
    }
    LOG.info(
        "record in use: %s (workstation %s); protocol for new episodes: %s %s, sha256 %s "
        "(chosen as %r); data folder %s; settings folder %s%s",
        store.path.resolve(),
        store.workstation_id,
        protocol.id,
        protocol.version,
        protocol.short_hash,
        chosen,
        data_dir(),
        config_dir(),
        "; moved by " + ", ".join(f"{k}={v}" for k, v in moved.items()) if moved else "",
    )


def build_main_window(
    context: AppContext,
    *,
    backups: bool = False,
    tasks: TaskRunner | None = None,
) -> MainWindow:
    """The main window for a context (used by :func:`main`, tests and benchmarks).

    Args:
        context: The open record, protocol, settings and clock.
        backups: Back up at start, daily and at a clean exit (off the GUI thread).
        tasks: The background runner to use (one is made if None).
    """
    runner = tasks or TaskRunner()
    controller = None
    if backups:
        controller = BackupController(
            context.store,
            backup_folder(context.settings, context.training),
            keep=context.settings.backup_keep,
            clock=context.clock,
            runner=runner,
        )
    window = MainWindow(context, backups=controller, tasks=runner)
    runner.setParent(window)
    if controller is not None:
        controller.setParent(window)
        controller.run_now()  # the start-up backup
    return window


def main(argv: list[str] | None = None) -> int:
    """Run the bedside app; returns the exit status (0 after a normal close).

    ``--smoke-test PICTURE.png --db THROWAWAY.sqlite3`` runs the install check instead
    (``mgso4.gui.smoke``), so ``mgso4-gui`` honours it as ``mgso4`` does.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] == "--smoke-test":
        from mgso4.gui.smoke import smoke_main

        return smoke_main(arguments[1:], run_app=main)
    options = parse_args(arguments)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("MgSO4 Preterm Proforma")
    app.setDesktopFileName("mgso4-proforma")
    icon = resource_path("icons", "app-icon.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    apply_style(app)
    try:
        settings = load_settings()
    except SettingsError as exc:
        show_startup_error(
            "Settings cannot be read", f"{exc}\n\nFix or delete the file, then start again."
        )
        return EXIT_CANNOT_START
    try:
        context = build_context(options, settings=settings)
    except ProtocolError as exc:
        show_startup_error(
            "The protocol cannot be used",
            f"{exc}\n\nChoose another protocol in Settings or with --protocol, or ask the "
            "protocol owner to fix the file.",
        )
        return EXIT_CANNOT_START
    except StoreError as exc:
        show_startup_error("The record cannot be opened", str(exc))
        return EXIT_CANNOT_START
    window = build_main_window(context, backups=os.environ.get(NO_BACKUP_ENV) != "1")
    window.show()
    try:
        return int(app.exec())
    finally:
        context.store.close()
