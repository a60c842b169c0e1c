"""The input budget: how many user inputs the standard case takes, counted honestly.

The standard case (27+3, established labour, no cautions, the unit's default preparation)
is driven by keyboard alone, the way a midwife would: each key press goes to the widget that
has the focus, and nothing is set behind the wizard's back. One input is one typed field (a
whole string), one Enter, one Tab or one click. The count starts at 1 for the main window's
"New episode" button.

Budget (issue #4): the loading instructions on screen within 10 inputs, maintenance running
(saved) within 20.

``run_standard_case`` takes anything with pytest-qt's ``keyClicks``/``keyClick``/``mouseClick``
(``qtbot``, or ``PySide6.QtTest.QTest`` itself), so the benchmark suite can run it without
pytest.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from mgso4.core.episode import Actor
from mgso4.core.flow import Step
from mgso4.core.vocab import Role
from mgso4.gui.context import AppContext
from mgso4.gui.wizard.demo import demo_context
from mgso4.gui.wizard.wizard import NewEpisodeWizard, step_of

#: At most this many inputs until the loading instructions are on screen (issue #4).
LOADING_BUDGET = 10
#: At most this many inputs until the maintenance infusion is saved as running (issue #4).
SAVED_BUDGET = 20

#: The standard case's entries.
STANDARD_USER = "Sam Taylor"
STANDARD_NHS_NUMBER = "943 476 5919"
STANDARD_NAME = "Jane Example"
STANDARD_GESTATION = "27+3"
STANDARD_CHECKER = "Chris Lee"


class KeyDriver(Protocol):
    """What is needed to press keys and click (``qtbot`` or ``QTest``)."""

    def keyClicks(self, widget: QWidget, text: str) -> Any: ...

    def keyClick(self, widget: QWidget, key: Qt.Key) -> Any: ...

    def mouseClick(self, widget: QWidget, button: Qt.MouseButton) -> Any: ...


class BudgetError(RuntimeError):
    """The standard case did not go where an input should have taken it."""


@dataclass
class InputCounter:
    """Sends keys to the focused widget (or clicks a widget) and counts every input."""

    driver: KeyDriver
    count: int = 0
    log: list[str] = field(default_factory=list)

    def focused(self) -> QWidget:
        """The widget with the keyboard focus; refuse to guess if there is none."""
        widget = QApplication.focusWidget()
        if widget is None:
            raise BudgetError("No widget has the keyboard focus: the window is not active.")
        return widget

    def type(self, text: str) -> None:
        """Type a whole string into the focused widget (one input)."""
        target = self.focused()
        self.driver.keyClicks(target, text)
        self._count(f"type {text!r} into {target.accessibleName() or type(target).__name__}")

    def press(self, key: Qt.Key, name: str) -> None:
        """Press one key on the focused widget (one input)."""
        target = self.focused()
        self.driver.keyClick(target, key)
        self._count(f"{name} on {target.accessibleName() or type(target).__name__}")

    def click(self, widget: QWidget, name: str) -> None:
        """Click a widget (one input)."""
        self.driver.mouseClick(widget, Qt.MouseButton.LeftButton)
        self._count(f"click {name}")

    def _count(self, what: str) -> None:
        QApplication.processEvents()
        self.count += 1
        self.log.append(f"{self.count:2d}. {what}")


def loading_instructions_visible(wizard: NewEpisodeWizard) -> bool:
    """The loading dose's volume and pump rate are on screen (decision or loading page)."""
    step = step_of(wizard.currentId())
    if step is Step.LOADING:
        return True
    if step is Step.DECISION:
        plan = wizard.pages[Step.DECISION].findChild(QLabel, "plan_summary")
        return plan is not None and plan.isVisible() and "mL/h" in plan.text()
    return False


def drive_standard_case(wizard: NewEpisodeWizard, counter: InputCounter) -> dict[str, int]:
    """Drive the shown wizard through the standard case by keyboard; return the counts."""
    marks: dict[str, int] = {}

    def on(step: Step) -> None:
        current = step_of(wizard.currentId())
        if current is not step:
            raise BudgetError(
                f"Expected the {step.value} page after input {counter.count}, but the wizard "
                f"is on {current.value if current else 'no page'}:\n" + "\n".join(counter.log)
            )

    def note_instructions() -> None:
        if "loading_instructions_visible" not in marks and loading_instructions_visible(wizard):
            marks["loading_instructions_visible"] = counter.count

    enter = Qt.Key.Key_Return
    if step_of(wizard.currentId()) is Step.USER:
        counter.type(STANDARD_USER)
        counter.press(enter, "Enter")
    on(Step.PATIENT)
    counter.type(STANDARD_NHS_NUMBER)
    counter.press(Qt.Key.Key_Tab, "Tab")
    counter.type(STANDARD_NAME)
    counter.press(enter, "Enter")
    on(Step.GESTATION)
    counter.type(STANDARD_GESTATION)
    counter.press(enter, "Enter")
    on(Step.SITUATION)
    counter.press(enter, "Enter (picks the focused situation)")
    on(Step.DECISION)
    note_instructions()
    counter.press(enter, "Enter (picks the focused choice: give)")
    on(Step.LOADING)
    note_instructions()
    marks["loading_page_visible"] = counter.count
    counter.type(STANDARD_CHECKER)
    counter.press(enter, "Enter")
    on(Step.MAINTENANCE)
    counter.press(enter, "Enter (accepts the default start)")
    on(Step.REVIEW)
    counter.press(enter, "Enter (Save)")
    on(Step.DONE)
    if not wizard.answers.saved:
        raise BudgetError("The Saved page is shown but the answers are not marked saved.")
    marks["saved"] = counter.count
    return marks


def run_standard_case(
    driver: KeyDriver,
    context: AppContext | None = None,
    *,
    user_known: bool = False,
    folder: Path | None = None,
) -> dict[str, Any]:
    """Drive the standard case through a new wizard and count the inputs.

    Args:
        driver: ``qtbot`` or ``PySide6.QtTest.QTest``.
        context: The context to use; a demo one in ``folder`` (or a temporary folder) if None.
        user_known: Someone is already signed in for the shift (no sign-in page); otherwise
            the count includes the sign-in page the first episode of a shift shows.
        folder: Where the demo record goes when no context is given.

    Returns:
        ``loading_instructions_visible``, ``loading_page_visible`` and ``saved`` (input counts,
        the main window's "New episode" button counted as 1), ``user_page`` (bool),
        ``episode_uuid``, ``log`` (each input in words) and the budgets.
    """
    if context is None:
        context = demo_context(folder or Path(tempfile.mkdtemp(prefix="mgso4-budget-")))
    if user_known:
        context.user = context.user or Actor(name=STANDARD_USER, role=Role.MIDWIFE)
    else:
        context.user = None
    counter = InputCounter(driver, count=1, log=[" 1. click New episode (main window)"])
    wizard = NewEpisodeWizard(context)
    try:
        wizard.show()
        wizard.activateWindow()
        QApplication.processEvents()
        user_page = step_of(wizard.currentId()) is Step.USER
        marks = drive_standard_case(wizard, counter)
        episode_uuid = wizard.answers.episode_uuid
    finally:
        wizard.close()
        wizard.deleteLater()
        QApplication.processEvents()
    return {
        **marks,
        "user_page": user_page,
        "episode_uuid": episode_uuid,
        "log": list(counter.log),
        "loading_budget": LOADING_BUDGET,
        "saved_budget": SAVED_BUDGET,
    }
