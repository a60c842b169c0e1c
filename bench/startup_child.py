"""Child process for the start-up and idle-memory benchmarks (run by bench/startup.py).

``python startup_child.py app <record>`` starts the real app (``mgso4.cli.main(["--db", ...])``)
and ``python startup_child.py bare`` shows a bare ``QMainWindow``. The app side first imports
what the ``mgso4`` command imports before its ``QApplication`` exists (``mgso4.cli``, then
``mgso4.gui.app``, as ``cli.main.cmd_gui`` does), so the order of imports is the real one. Both
then create the ``QApplication`` (the app reuses it) and install the same application-wide
event filter, which waits for
the first ``QEvent.Paint`` delivered to the target (the ward board, or the bare window) or
any widget inside it. A zero-delay timer then fires once that paint has finished, prints

    PAINTED <time.perf_counter()> <VmRSS kB> <VmHWM kB>

and quits. ``perf_counter`` is CLOCK_MONOTONIC on Linux, shared by all processes, so the parent
subtracts the instant it spawned this process. The same code path runs for both, so the only
difference measured is what each side does before its first frame.
"""

from __future__ import annotations

import sys
import time

STARTED_AT = time.perf_counter()

if sys.argv[1:2] == ["app"]:
    # What `mgso4` imports before the GUI makes its QApplication (see the docstring).
    import mgso4.cli
    import mgso4.gui.app  # noqa: F401

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget  # noqa: E402

#: The object name of the widget whose first paint ends the measurement.
APP_TARGET = "ward_board"
BARE_TARGET = "bare_window"
#: Both windows are shown at the same size (the app's window sets its own, which wins).
BARE_SIZE = (1280, 800)


def memory_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in kB, from /proc/self/status (Linux)."""
    values = {"VmRSS:": 0, "VmHWM:": 0}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            parts = line.split()
            if parts and parts[0] in values:
                values[parts[0]] = int(parts[1])
    return values["VmRSS:"], values["VmHWM:"]


class FirstPaint(QObject):
    """Application-wide filter: reports once, after the target's first paint has finished."""

    def __init__(self, app: QApplication, target_name: str) -> None:
        super().__init__()
        self._app = app
        self._target_name = target_name
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._seen and event.type() == QEvent.Type.Paint and self._is_target(watched):
            self._seen = True
            QTimer.singleShot(0, self._report)
        return False

    def _is_target(self, watched: QObject) -> bool:
        widget: QObject | None = watched
        while isinstance(widget, QWidget):
            if widget.objectName() == self._target_name:
                return True
            widget = widget.parentWidget()
        return False

    def _report(self) -> None:
        painted_at = time.perf_counter()
        rss_kb, hwm_kb = memory_kb()
        print(f"STARTED {STARTED_AT!r}", flush=True)
        print(f"PAINTED {painted_at!r} {rss_kb} {hwm_kb}", flush=True)
        self._app.quit()


def main(argv: list[str]) -> int:
    """Run one side (``app <record>`` or ``bare``); return its exit status."""
    mode = argv[0]
    app = QApplication(sys.argv[:1])
    watcher = FirstPaint(app, APP_TARGET if mode == "app" else BARE_TARGET)
    app.installEventFilter(watcher)
    if mode == "app":
        from mgso4.cli import main as app_main

        return app_main(["--db", argv[1]])
    window = QMainWindow()
    window.setObjectName(BARE_TARGET)
    window.setWindowTitle("Bare window")
    window.resize(*BARE_SIZE)
    window.show()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
