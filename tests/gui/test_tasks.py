"""Background tasks report results and failures on the GUI thread, in words."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from mgso4.gui.tasks import Report, TaskRunner
from mgso4.storage.errors import DiskFullError


def test_a_task_runs_off_the_gui_thread_and_returns_its_value(qtbot: QtBot) -> None:
    runner = TaskRunner()
    gui_thread = threading.get_ident()

    def work(report: Report) -> int:
        report(50, "half way")
        return threading.get_ident()

    handle = runner.run("Test", work)
    with qtbot.waitSignal(handle.sig_finished, timeout=5000) as blocker:
        pass
    assert blocker.args[0] != gui_thread


def test_a_store_error_reaches_the_gui_as_its_own_sentence(qtbot: QtBot) -> None:
    runner = TaskRunner()

    def work(report: Report) -> None:
        raise DiskFullError("The disk is full; free some space.")

    handle = runner.run("Backup", work)
    with qtbot.waitSignal(handle.sig_failed, timeout=5000) as blocker:
        pass
    assert blocker.args == ["The disk is full; free some space."]


def test_an_unexpected_error_is_reported_without_a_traceback(qtbot: QtBot) -> None:
    runner = TaskRunner()

    def work(report: Report) -> None:
        raise KeyError("boom")

    handle = runner.run("Proforma PDF", work)
    with qtbot.waitSignal(handle.sig_failed, timeout=5000) as blocker:
        pass
    message = blocker.args[0]
    assert message.startswith("Proforma PDF could not finish (KeyError")
    assert "Traceback" not in message


def test_the_runner_is_busy_until_the_last_task_reports(qtbot: QtBot) -> None:
    runner = TaskRunner()
    release = threading.Event()
    handle = runner.run("Wait", lambda report: release.wait(5))
    assert runner.busy
    with qtbot.waitSignal(runner.sig_busy_changed, timeout=5000) as blocker:
        release.set()
    assert blocker.args == [False]
    assert not runner.busy
    del handle
