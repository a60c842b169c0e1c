"""Interaction budget and wizard page changes, from the scripted standard case.

``run_standard_case`` (``tests/gui/harness/budget.py``, shared with the tests) drives the
new-episode wizard by keyboard the way a midwife would (27+3, established labour, the unit's
default preparation) and counts every input, the main window's "New episode" button being
input 1. The driver here is ``PySide6.QtTest.QTest`` wrapped so that every key press is also
timed: the time from the key press to the end of the event processing it caused (layout and
paint included, as ``QApplication.processEvents`` runs the posted update requests), and
whether the wizard's page changed.

Baseline for page changes: a bare ``QWizard`` of as many pages, each a label and a line edit,
advanced with Enter by the same timed driver.

Targets: loading instructions on screen within 10 inputs, maintenance running within 18 (Tab
and arrow moves reported apart, as a new user counts); median page change within 16 ms (one
frame at 60 Hz).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import TESTS, Result, add_path, judge, median, scratch_folder

PAGE_CHANGE_TARGET_MS = 16.0


#: Qt's offscreen platform says this for every window it shows; it says nothing about the app.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def application() -> Any:
    """The process's QApplication (made once, offscreen when no display is set)."""
    import os
    import sys

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def quiet(_kind: object, _context: object, message: str) -> None:
        if message != OFFSCREEN_NOISE:
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QApplication.instance()
    return app if app is not None else QApplication(["mgso4-bench"])


@dataclass
class PageChange:
    """One key press that moved a wizard to another page."""

    milliseconds: float
    from_page: str
    to_page: str


@dataclass
class TimingDriver:
    """``QTest`` with every key press timed and page changes noted (a ``KeyDriver``)."""

    changes: list[PageChange] = field(default_factory=list)
    page_name: Any = None

    def keyClicks(self, widget: Any, text: str) -> None:
        from PySide6.QtTest import QTest

        QTest.keyClicks(widget, text)

    def keyClick(self, widget: Any, key: Any) -> None:
        import shiboken6
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication, QWizard

        wizard = widget.window()
        before = wizard.currentId() if isinstance(wizard, QWizard) else None
        started = time.perf_counter()
        QTest.keyClick(widget, key)
        QApplication.processEvents()
        elapsed_ms = (time.perf_counter() - started) * 1000
        # The key may have closed the wizard (it is deleted when it closes).
        closed = isinstance(wizard, QWizard) and not shiboken6.isValid(wizard)
        after = wizard.currentId() if isinstance(wizard, QWizard) and not closed else None
        if before is not None and after is not None and before != after:
            self.changes.append(PageChange(elapsed_ms, self._name(before), self._name(after)))

    def mouseClick(self, widget: Any, button: Any, *args: Any) -> None:
        from PySide6.QtTest import QTest

        QTest.mouseClick(widget, button, *args)

    def mouseDClick(self, widget: Any, button: Any, *args: Any) -> None:
        from PySide6.QtTest import QTest

        QTest.mouseDClick(widget, button, *args)

    def _name(self, page: int) -> str:
        return str(self.page_name(page)) if self.page_name else str(page)


def run_case(folder: Path, driver: TimingDriver) -> dict[str, Any]:
    """One standard case (first episode of a shift: sign-in page included)."""
    add_path(TESTS / "gui")
    from harness.budget import run_standard_case

    from mgso4.gui.wizard.wizard import step_of

    driver.page_name = lambda page: getattr(step_of(page), "value", page)
    return run_standard_case(driver, folder=folder)


def bare_wizard_changes(pages: int, driver: TimingDriver) -> None:
    """Advance a bare QWizard of ``pages`` label + line-edit pages with Enter, timed."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QApplication,
        QLabel,
        QLineEdit,
        QVBoxLayout,
        QWizard,
        QWizardPage,
    )

    wizard = QWizard()
    for number in range(pages):
        page = QWizardPage()
        page.setTitle(f"Page {number + 1}")
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(f"Question {number + 1}", page))
        layout.addWidget(QLineEdit(page))
        wizard.addPage(page)
    wizard.show()
    wizard.activateWindow()
    QApplication.processEvents()
    try:
        for _ in range(pages - 1):
            focused = QApplication.focusWidget()
            target = focused if focused is not None else wizard
            driver.keyClick(target, Qt.Key.Key_Return)
    finally:
        wizard.close()
        wizard.deleteLater()
        QApplication.processEvents()


def bench_interaction(*, runs: int = 5) -> list[Result]:
    """Input counts of the standard case, and page-change times vs a bare QWizard."""
    application()
    app_driver = TimingDriver()
    bare_driver = TimingDriver()
    outcomes = []
    with scratch_folder("wizard") as folder:
        run_case(folder / "warm-up", TimingDriver())  # first use: imports, fonts, styles
        bare_wizard_changes(3, TimingDriver())
        for index in range(runs):
            changes_before = len(app_driver.changes)
            outcomes.append(run_case(folder / f"run-{index}", app_driver))
            # As many pages as the standard case went through (changes + 1).
            bare_wizard_changes(len(app_driver.changes) - changes_before + 1, bare_driver)
    first = outcomes[0]
    loading = int(first["loading_instructions_visible"])
    running = int(first["maintenance_running"])
    consistent = all(
        outcome["loading_instructions_visible"] == loading
        and outcome["maintenance_running"] == running
        for outcome in outcomes
    )
    notes = [] if consistent else ["input counts differed between runs: see details"]
    log = list(first["log"])
    inputs_loading = Result(
        key="inputs_to_loading",
        title="Inputs from launch to the loading instructions on screen (standard case)",
        unit="inputs",
        app=float(loading),
        baseline=None,
        ratio=None,
        target=float(first["loading_budget"]),
        target_kind="value_max",
        met=judge(loading, None, float(first["loading_budget"]), "value_max"),
        app_samples=[float(outcome["loading_instructions_visible"]) for outcome in outcomes],
        baseline_title="budget from issue #4",
        notes=notes,
        details={"user_page": first["user_page"], "log": log},
    )
    inputs_saved = Result(
        key="inputs_to_maintenance",
        title="Inputs from launch to maintenance running (standard case)",
        unit="inputs",
        app=float(running),
        baseline=None,
        ratio=None,
        target=float(first["maintenance_budget"]),
        target_kind="value_max",
        met=judge(running, None, float(first["maintenance_budget"]), "value_max"),
        app_samples=[float(outcome["maintenance_running"]) for outcome in outcomes],
        baseline_title="budget from issue #4",
        notes=notes,
        details={
            name: first[name]
            for name in (
                "loading_page_visible",
                "saved",
                "wizard_closed",
                "episode_open",
                "load_finished",
                "maintenance_running",
            )
            if name in first
        },
    )
    app_ms = [change.milliseconds for change in app_driver.changes]
    bare_ms = [change.milliseconds for change in bare_driver.changes]
    by_transition: dict[str, list[float]] = {}
    for change in app_driver.changes:
        by_transition.setdefault(f"{change.from_page} → {change.to_page}", []).append(
            change.milliseconds
        )
    app_median = median(app_ms)
    bare_median = median(bare_ms)
    pages = Result(
        key="wizard_page_change",
        title="Wizard page change: Enter to the next page laid out and painted (median)",
        unit="ms",
        app=app_median,
        baseline=bare_median,
        ratio=app_median / bare_median if bare_median > 0 else None,
        target=PAGE_CHANGE_TARGET_MS,
        target_kind="value_max",
        met=judge(app_median, None, PAGE_CHANGE_TARGET_MS, "value_max"),
        app_samples=app_ms,
        baseline_samples=bare_ms,
        baseline_title="bare QWizard, label + line edit per page, same timed driver",
        details={
            "runs": runs,
            "median_ms_by_transition": {
                name: round(median(samples), 2) for name, samples in by_transition.items()
            },
        },
    )
    return [inputs_loading, inputs_saved, pages]
