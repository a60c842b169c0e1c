"""Exports and merges run in a child process: progress arrives, errors arrive as sentences, and
cancel ends the work at once leaving no file and an unchanged, verifiable record.

The jobs in ``harness.process_jobs`` never look at a cancel flag, as whole phases of the old
thread-based export and merge did not (cancel then took 46 s and 21 s at the benchmark's
sizes): only ending the process stops them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from harness import process_jobs
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mgso4.audit.demo import write_demo_data
from mgso4.audit.export import ExportLevel
from mgso4.audit.worker import Refused, recover_record
from mgso4.core.episode import Actor
from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
from mgso4.core.vocab import Role
from mgso4.gui.audit import AuditView
from mgso4.gui.context import AppContext
from mgso4.gui.tasks import ProcessHandle, TaskRunner
from mgso4.resources import resource_path
from mgso4.settings import Settings
from mgso4.storage import Store, verify_path

WAIT_MS = 60_000
AUDITOR = Actor(name="Test Auditor", role=Role.AUDITOR)


def contents(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every episode and entry of a record, in order."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        episodes = connection.execute("SELECT * FROM episode ORDER BY uuid").fetchall()
        events = connection.execute("SELECT * FROM event ORDER BY uuid").fetchall()
    finally:
        connection.close()
    return episodes, events


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two demo records of other PCs, each with more entries than one progress step."""
    folder = tmp_path_factory.mktemp("merge-sources")
    first, second = folder / "ward-a.sqlite3", folder / "ward-b.sqlite3"
    write_demo_data(first, episodes=40, seed=31)
    write_demo_data(second, episodes=300, seed=32)
    return first, second


def started(
    qtbot: QtBot, runner: TaskRunner, job: Any, args: tuple[Any, ...], **kwargs: Any
) -> tuple[ProcessHandle, list[tuple[int, str]]]:
    progress: list[tuple[int, str]] = []
    handle = runner.run_process(
        "Test work",
        job,
        args,
        cancelled="The test work was cancelled.",
        on_progress=lambda percent, message: progress.append((percent, message)),
        **kwargs,
    )
    return handle, progress


# --------------------------------------------------------------------------- the runner


def test_progress_and_the_value_come_back_from_the_child(qtbot: QtBot) -> None:
    runner = TaskRunner()
    handle, progress = started(qtbot, runner, process_jobs.counted, (40,))

    with qtbot.waitSignal(handle.sig_finished, timeout=WAIT_MS) as finished:
        pass

    assert finished.args == [40]
    assert progress and progress[-1] == (100, "Counting: 40 of 40")
    assert len(progress) <= 21  # one a 5 % step: the pipe is not flooded
    assert not runner.busy


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("audit", "The folder /nowhere does not exist; choose an existing folder."),
        ("store", "The record is locked by another copy of the app."),
    ],
)
def test_the_audits_own_refusal_comes_back_as_its_sentence(
    qtbot: QtBot, kind: str, message: str
) -> None:
    runner = TaskRunner()
    handle, _ = started(qtbot, runner, process_jobs.raises, (kind, message))

    with qtbot.waitSignal(handle.sig_finished, timeout=WAIT_MS) as finished:
        pass

    assert finished.args == [Refused(message)]


def test_an_os_error_is_a_failure_in_its_own_words(qtbot: QtBot) -> None:
    runner = TaskRunner()
    handle, _ = started(qtbot, runner, process_jobs.raises, ("os", "No space left on device"))

    with qtbot.waitSignal(handle.sig_failed, timeout=WAIT_MS) as failed:
        pass

    assert failed.args == ["No space left on device"]


def test_an_unexpected_error_is_named_without_a_traceback(qtbot: QtBot) -> None:
    runner = TaskRunner()
    handle, _ = started(qtbot, runner, process_jobs.raises, ("runtime", "bad state"))

    with qtbot.waitSignal(handle.sig_failed, timeout=WAIT_MS) as failed:
        pass

    message = failed.args[0]
    assert message.startswith("Test work could not finish (RuntimeError: bad state).")
    assert "Traceback" not in message and "File " not in message


def test_a_child_that_dies_is_reported_not_waited_for(qtbot: QtBot) -> None:
    runner = TaskRunner()
    handle, _ = started(qtbot, runner, process_jobs.dies, (3,))

    with qtbot.waitSignal(handle.sig_failed, timeout=WAIT_MS) as failed:
        pass

    assert "stopped with code 3" in failed.args[0]
    assert not runner.busy


def test_cancel_ends_work_that_never_checks_and_removes_its_temporary_files(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from mgso4.audit.worker import ExportJob, export_outputs

    runner = TaskRunner()
    asked = ExportJob(
        kind="csv", record="unused", out=str(tmp_path / "audit.csv"), level="shareable"
    )
    someone_elses = tmp_path / ".audit.csv.kept.partial"
    someone_elses.write_text("another export under way", encoding="utf-8")
    handle, progress = started(
        qtbot, runner, process_jobs.export_then_hang, (asked,), outputs=export_outputs(asked)
    )
    qtbot.waitUntil(lambda: bool(progress), timeout=WAIT_MS)
    assert len(list(tmp_path.glob(".audit.*.partial"))) == 3  # two of the child's, one kept

    with qtbot.waitSignal(handle.sig_cancelled, timeout=WAIT_MS) as cancelled:
        handle.cancel()

    assert cancelled.args == ["The test work was cancelled."]
    assert sorted(p.name for p in tmp_path.iterdir()) == [someone_elses.name]
    assert not runner.busy


def test_a_merge_killed_inside_a_source_leaves_whole_sources_only(
    qtbot: QtBot, tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    first, second = sources
    target = tmp_path / "audit.sqlite3"
    runner = TaskRunner()
    handle, progress = started(
        qtbot,
        runner,
        process_jobs.merge_then_hang,
        (str(target), [str(first), str(second)], ()),
        after_end=partial(recover_record, str(target)),
    )
    # Inside the second source's transaction: thousands of its entries written, uncommitted.
    qtbot.waitUntil(
        lambda: any(m.startswith(f"Merging {second.name}") and 0 < p < 100 for p, m in progress),
        timeout=WAIT_MS,
    )

    with qtbot.waitSignal(handle.sig_cancelled, timeout=WAIT_MS):
        handle.cancel()

    # A killed transaction leaves a hot journal (or WAL frames) that a read-only reader
    # cannot roll back: the recovery ran before the cancel was reported.
    assert verify_path(target).ok
    episodes, events = contents(target)
    first_episodes, first_events = contents(first)
    second_episodes, second_events = contents(second)
    # The first source whole (it had committed), nothing of the second.
    assert {row[0] for row in first_events} <= {row[0] for row in events}
    assert not {row[0] for row in second_events} & {row[0] for row in events}
    assert not {row[0] for row in second_episodes} & {row[0] for row in episodes}
    assert len(episodes) == len(first_episodes)


# --------------------------------------------------------------------------- the audit screen


@pytest.fixture
def context(sources: tuple[Path, Path], tmp_path: Path) -> Iterator[AppContext]:
    copy = tmp_path / "audit.sqlite3"
    copy.write_bytes(sources[0].read_bytes())
    settings = Settings()
    library = ProtocolLibrary(resource_path("protocols"))
    store = Store.open(copy, check_location_safe=False)
    yield AppContext(
        store=store,
        protocol=library.load(settings.protocol),
        preparations=load_preparations_file(resource_path("preparations.toml")),
        library=library,
        settings=settings,
        user=AUDITOR,
    )
    store.close()


def open_view(qtbot: QtBot, context: AppContext) -> AuditView:
    view = AuditView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.metrics is not None and not view.busy, timeout=WAIT_MS)
    return view


def test_cancelling_an_export_on_screen_ends_it_and_leaves_no_file(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    out = tmp_path / "out" / "audit.csv"
    out.parent.mkdir()
    monkeypatch.setattr(
        "mgso4.gui.audit.view.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), "")
    )
    monkeypatch.setattr("mgso4.gui.audit.view.export_job", process_jobs.export_then_hang)

    qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.progress_bar.value() == 50, timeout=WAIT_MS)
    assert "Writing rows: 1 of 2" in view.status_label.text()  # progress is shown
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)

    assert view.status_label.text() == "The export was cancelled; no file was written or changed."
    assert list(out.parent.iterdir()) == []
    assert view.last_export is None
    assert all(button.isEnabled() for button in view.export_buttons.values())


def test_cancelling_a_merge_on_screen_leaves_the_record_verifiable_and_unchanged(
    qtbot: QtBot,
    context: AppContext,
    sources: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = open_view(qtbot, context)
    target = context.store.path
    before = contents(target)
    second = sources[1]
    monkeypatch.setattr(
        "mgso4.gui.audit.view.QFileDialog.getOpenFileNames", lambda *a, **k: ([str(second)], "")
    )
    monkeypatch.setattr(
        "mgso4.gui.audit.view.QMessageBox.question",
        lambda *a, **k: __import__("PySide6.QtWidgets").QtWidgets.QMessageBox.StandardButton.Yes,
    )
    monkeypatch.setattr("mgso4.gui.audit.view.merge_job", process_jobs.merge_then_hang)

    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: 0 < view.progress_bar.value() < 100, timeout=WAIT_MS)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)

    assert view.status_label.text().startswith("The merge was cancelled; nothing of the file")
    assert view.last_merge is None
    assert verify_path(target).ok
    assert contents(target) == before
    assert context.store.verify().ok  # the app's own connection reads it as before


def test_an_export_refused_in_the_child_shows_the_specific_message(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    out = tmp_path / "named.csv"  # an identifiable export must be marked in its name
    monkeypatch.setattr(
        "mgso4.gui.audit.view.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), "")
    )
    monkeypatch.setattr(
        "mgso4.gui.audit.view.ask_export_reason",
        lambda parent: ("case-review", "Review of the January births for the meeting"),
    )
    view.level_combo.setCurrentIndex(view.level_combo.findData(ExportLevel.IDENTIFIABLE))

    qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)

    message = view.status_label.text()
    assert "IDENTIFIABLE" in message and "Traceback" not in message
    assert view.status_label.property("tone") == "warning"
    assert not out.exists()


APP_CLOSES_MID_EXPORT = """
import sys
from pathlib import Path

def main() -> int:
    from PySide6.QtCore import QCoreApplication
    from harness import process_jobs
    from mgso4.audit.worker import ExportJob, export_outputs
    from mgso4.gui.tasks import TaskRunner

    app = QCoreApplication([])
    asked = ExportJob(kind="csv", record="unused", out=sys.argv[1], level="shareable")
    runner = TaskRunner()
    progress = []
    runner.run_process(
        "Export", process_jobs.export_then_hang, (asked,), cancelled="cancelled",
        outputs=export_outputs(asked), on_progress=lambda *a: progress.append(a),
    )
    while not progress:
        app.processEvents()
    print(len(list(Path(sys.argv[1]).parent.glob(".*.partial"))), flush=True)
    return 0  # the app closes with the export still running

if __name__ == "__main__":
    sys.exit(main())
"""


def test_closing_the_app_mid_export_ends_the_child_and_leaves_no_file(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    script = tmp_path / "app.py"
    script.write_text(APP_CLOSES_MID_EXPORT, encoding="utf-8")
    out = tmp_path / "out" / "audit.csv"
    out.parent.mkdir()
    here = Path(__file__).resolve().parent
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(here), str(here.parent.parent / "desktop")]),
    }

    finished = subprocess.run(
        [sys.executable, str(script), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "2"  # the child had its two temporary files open
    assert list(out.parent.iterdir()) == []
