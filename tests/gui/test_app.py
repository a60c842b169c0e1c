"""Start-up: clear refusals instead of tracebacks; backups at start, daily and at exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mgso4.gui import app as app_module
from mgso4.gui.app import EXIT_CANNOT_START, backup_folder, build_main_window, main, parse_args
from mgso4.settings import Settings
from mgso4.storage import list_backups


@pytest.fixture
def quiet_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, str]]:
    """Settings and data in temp folders; start-up errors captured instead of a box."""
    monkeypatch.setenv("MGSO4_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MGSO4_DATA_DIR", str(tmp_path / "data"))
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app_module, "show_startup_error", lambda t, m: shown.append((t, m)))
    return shown


def test_options_are_read_from_the_command_line() -> None:
    options = parse_args(["--db", "x.sqlite3", "--training", "--protocol", "anz-2010"])
    assert options.db == Path("x.sqlite3")
    assert options.training
    assert options.protocol == "anz-2010"


def test_a_damaged_record_stops_the_start_with_a_message_not_a_traceback(
    quiet_start, tmp_path: Path, qapp: QApplication
) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database" * 500)
    assert main(["--db", str(damaged)]) == EXIT_CANNOT_START
    [(title, message)] = quiet_start
    assert title == "The record cannot be opened"
    assert "damaged" in message
    assert "Traceback" not in message


def test_an_unknown_protocol_stops_the_start_with_a_message(
    quiet_start, tmp_path: Path, qapp: QApplication
) -> None:
    code = main(["--db", str(tmp_path / "r.sqlite3"), "--protocol", "nope"])
    assert code == EXIT_CANNOT_START
    [(title, message)] = quiet_start
    assert title == "The protocol cannot be used"
    assert "'nope' is neither a shipped protocol" in message


def test_unreadable_settings_stop_the_start_with_a_message(
    quiet_start, tmp_path: Path, qapp: QApplication
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text("{not json", encoding="utf-8")
    assert main(["--db", str(tmp_path / "r.sqlite3")]) == EXIT_CANNOT_START
    assert quiet_start[0][0] == "Settings cannot be read"


def test_a_normal_start_opens_the_window_then_closes_the_record(
    quiet_start, tmp_path: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = {}

    def fake_exec(self: QApplication) -> int:
        windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow"]
        seen["visible"] = any(w.isVisible() for w in windows)
        for window in windows:
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert main(["--db", str(tmp_path / "r.sqlite3"), "--training"]) == 0
    assert seen["visible"]
    assert quiet_start == []


def test_training_backups_go_to_their_own_folder() -> None:
    settings = Settings(backup_dir="/srv/backups")
    assert backup_folder(settings, training=False) == Path("/srv/backups")
    assert backup_folder(settings, training=True) == Path("/srv/backups/training")


def test_backups_run_at_start_daily_and_at_exit(
    qtbot: QtBot, context, clock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    context.settings = Settings(unit_name="Test ward", backup_dir=str(folder))
    window = build_main_window(context, backups=True)
    qtbot.addWidget(window)
    controller = window.backups
    assert controller is not None and controller.folder == folder / "training"
    qtbot.waitUntil(lambda: not controller.running and controller.last_backup_at is not None)
    assert len(list_backups(controller.folder)) == 1

    assert controller.maybe_run(clock.advance(hours=23)) is None  # not due yet
    handle = controller.maybe_run(clock.advance(hours=1))  # a day since the last one
    assert handle is not None
    with qtbot.waitSignal(controller.sig_backup_done, timeout=10_000):
        pass
    assert len(list_backups(controller.folder)) == 2

    clock.advance(minutes=1)
    window.close()  # a clean exit backs up and waits for it
    assert len(list_backups(controller.folder)) == 3


def test_a_failed_backup_is_shown_in_a_banner(qtbot: QtBot, context, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be", encoding="utf-8")
    context.settings = Settings(unit_name="Test ward", backup_dir=str(blocker))
    window = build_main_window(context, backups=True)
    qtbot.addWidget(window)
    controller = window.backups
    qtbot.waitUntil(lambda: controller.last_error is not None, timeout=10_000)
    assert window.store_banner.title_text == "WARNING: Backup failed"
    assert window.store_banner.detail_text == controller.last_error


def test_without_the_flag_there_is_no_backup(qtbot: QtBot, context) -> None:
    window = build_main_window(context)
    qtbot.addWidget(window)
    assert window.backups is None
