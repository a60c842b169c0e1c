"""Child process for the soak and idle-CPU benchmark (run by bench/soak.py on a real X display).

``python soak_child.py <folder> <cycles> <idle_seconds>`` opens a record with five active
episodes in the real main window, then for each dialog and preview drives open → close
``cycles`` times (after a warm-up of ``WARMUP`` cycles) and samples, before and after, the
process's RSS (MB), live widgets (``QApplication.allWidgets()``), threads
(``/proc/self/task``) and open descriptors (``/proc/self/fd``). Then, with the board shown and
nothing open, it lets the event loop run for ``idle_seconds`` and measures the CPU time the
process used (``time.process_time``, user + system, every thread). It prints one JSON line:

    SOAK {"cycles": ..., "dialogs": {name: {"before": {...}, "after": {...}}}, "idle": {...}}

``bare`` instead of a folder runs the idle measure on a bare ``QMainWindow`` (the baseline).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "desktop"))
sys.path.insert(0, str(BENCH_DIR.parent / "tests" / "gui"))

from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget  # noqa: E402

#: Unrecorded cycles first: caches (fonts, styles, the PDF library) fill on first use.
WARMUP = 10
#: A dialog or preview that is not open (or not gone) within this is a failure.
WAIT_S = 60.0
#: Synthetic NHS numbers (999 range, valid check digit) for the five active episodes.
IDENTIFIERS = ("9990000018", "9990000026", "9990000034", "9990000042", "9990000050")


def sample() -> dict[str, float]:
    """RSS (MB), live widgets, threads and open descriptors of this process now."""
    gc.collect()
    rss_kb = 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    return {
        "rss_mb": rss_kb / 1024,
        "widgets": float(len(QApplication.allWidgets())),
        "threads": float(len(os.listdir("/proc/self/task"))),
        "fds": float(len(os.listdir("/proc/self/fd"))),
    }


def spin_until(condition: Callable[[], bool], what: str) -> None:
    """Run the event loop (deferred deletes included) until ``condition`` holds."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, int(QEvent.Type.DeferredDelete))
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.001)


def gone(widget: QWidget) -> Callable[[], bool]:
    """Closed: deleted, or at least hidden (code that never deletes it is measured too)."""
    import shiboken6

    def closed() -> bool:
        if not shiboken6.isValid(widget):
            return True
        if widget.isVisible():
            return False
        # Hidden: give a pending deleteLater its turn, then go on either way.
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, int(QEvent.Type.DeferredDelete))
        return True

    return closed


def make_context(folder: Path) -> Any:
    from harness.episodes import episode_drafts

    from mgso4.core.episode import Actor
    from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
    from mgso4.core.vocab import Role
    from mgso4.gui.context import AppContext
    from mgso4.resources import resource_path
    from mgso4.settings import Settings
    from mgso4.storage import Store

    now = datetime.now(UTC)
    store = Store.open(folder / "record.sqlite3")
    library = ProtocolLibrary(resource_path("protocols"))
    settings = Settings(unit_name="Soak ward")
    context = AppContext(
        store=store,
        protocol=library.load(settings.protocol),
        preparations=load_preparations_file(resource_path("preparations.toml")),
        library=library,
        settings=settings,
        settings_path=folder / "settings.json",
        user=Actor(name="Soak Midwife", role=Role.MIDWIFE),
        training=True,
    )
    for number, identifier in enumerate(IDENTIFIERS):
        load_at = now - timedelta(minutes=40 + 20 * number)
        _uuid, drafts = episode_drafts(
            protocol=context.protocol,
            preparations=context.preparations,
            name=f"Soak PATIENT{number}",
            identifier=identifier,
            gestation="27+3",
            created_at=load_at - timedelta(minutes=5),
            load_started_at=load_at,
            observations_at=(now - timedelta(minutes=10),),
        )
        store.append_many(drafts, context.protocol)
    return context


def scenarios(window: Any) -> dict[str, Callable[[], None]]:
    """One open → close cycle per dialog or preview, driven as a user would."""

    def wizard() -> None:
        dialog = window.new_episode()
        spin_until(dialog.isVisible, "the wizard")
        dialog.reject()
        spin_until(gone(dialog), "the wizard to go")

    def user() -> None:
        dialog = window.change_user()
        spin_until(dialog.isVisible, "the user dialog")
        dialog.reject()
        spin_until(gone(dialog), "the user dialog to go")

    def settings() -> None:
        dialog = window.open_settings()
        spin_until(dialog.isVisible, "the settings dialog")
        dialog.reject()
        spin_until(gone(dialog), "the settings dialog to go")

    def blank_preview() -> None:
        window.blank_preview = None
        window.print_blank_proforma()
        spin_until(lambda: window.blank_preview is not None, "the blank preview")
        dialog = window.blank_preview
        spin_until(dialog.isVisible, "the blank preview shown")
        dialog.close_button.click()
        spin_until(gone(dialog), "the blank preview to go")

    def observations() -> None:
        view = window.episode_view
        dialog = view.open_observations()
        spin_until(dialog.isVisible, "the observation form")
        dialog.reject()
        spin_until(gone(dialog), "the observation form to go")

    def proforma_preview() -> None:
        view = window.episode_view
        view.preview_dialog = None
        view.print_proforma()
        spin_until(lambda: view.preview_dialog is not None, "the proforma preview")
        dialog = view.preview_dialog
        spin_until(dialog.isVisible, "the proforma preview shown")
        dialog.reject()
        spin_until(gone(dialog), "the proforma preview to go")

    return {
        "new_episode_wizard_cancelled": wizard,
        "user_dialog": user,
        "settings_dialog": settings,
        "blank_proforma_preview": blank_preview,
        "observation_dialog": observations,
        "proforma_preview": proforma_preview,
    }


def idle_cpu(seconds: float) -> dict[str, float]:
    """Percent of one core used while the event loop runs untouched for ``seconds``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    loop.exec()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"cpu_s": cpu, "wall_s": wall, "percent_of_core": 100 * cpu / wall}


def main(argv: list[str]) -> int:
    target, cycles, idle_seconds = argv[0], int(argv[1]), float(argv[2])
    app = QApplication(sys.argv[:1])
    if target == "bare":
        window = QMainWindow()
        window.resize(1280, 800)
        window.show()
        spin_until(window.isVisible, "the bare window")
        print("SOAK " + json.dumps({"idle": idle_cpu(idle_seconds)}), flush=True)
        return 0
    os.environ.setdefault("MGSO4_NO_BACKUP_THREAD", "1")
    from mgso4.gui.app import build_main_window
    from mgso4.gui.style import apply_style

    apply_style(app)
    context = make_context(Path(target))
    window = build_main_window(context)
    window.resize(1280, 800)
    window.show()
    spin_until(window.isVisible, "the main window")
    results: dict[str, Any] = {}
    runs = scenarios(window)
    for name, cycle in runs.items():
        if name in ("observation_dialog", "proforma_preview"):
            if window.episode_view is None:
                window.open_episode(window.board.rows[0].episode_uuid)
        else:
            window.show_board()
        spin_until(lambda: True, "events")
        for _ in range(WARMUP):
            cycle()
        before = sample()
        started = time.perf_counter()
        for _ in range(cycles):
            cycle()
        took = time.perf_counter() - started
        results[name] = {"before": before, "after": sample(), "seconds": took}
    window.show_board()
    spin_until(lambda: True, "events")
    idle = idle_cpu(idle_seconds)
    idle["active_episodes"] = len(window.board.rows)
    print("SOAK " + json.dumps({"cycles": cycles, "dialogs": results, "idle": idle}), flush=True)
    window.close()
    context.store.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
