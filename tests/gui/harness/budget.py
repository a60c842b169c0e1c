"""The input budget: how many user inputs the standard case takes, counted honestly.

The standard case (27+3, established labour, no cautions, the unit's default preparation)
starts in the main window (``mgso4.gui.app.build_main_window``) and is driven the way a
midwife would: each key press goes to the widget that has the focus, each click goes to a
widget on screen, and nothing is set behind the screens' backs. It is counted as a new user
counts: one input is each field filled (a whole string), each choice made, each command (a
button, a shortcut, an Enter that advances or picks, the Close of a finished wizard); Tab and
arrow presses only move between fields and are reported apart (``moves``). ``make test`` runs
it on a real X display (Xvfb, the xcb platform).

1. "New episode" in the main window (input 1), then the wizard by keyboard: sign-in (first
   episode of a shift only), patient, gestation, situation, decision, loading dose (second
   checker), maintenance plan, review, Save, and Close on the "Saved" page. The wizard records
   the loading dose only: the maintenance start is still ahead (``answers``). Closing the
   wizard after the save opens the new episode's page (the main window does it; no input).
2. The loading dose runs: the demo clock is moved on by the loading duration (no sleeping),
   and the main window's clock check runs, as its one-second timer would.
3. With the load's end due, "Start maintenance" is clicked in the episode view. Its form
   records the load end (at the load's planned end, filled in) and the maintenance start
   (now, filled in) together; the pump rate and syringe volume come from the protocol, and
   the focus starts on the second checker's name, the one empty field. The name is typed
   and Enter saves, until the record's fold says ``Stage.MAINTENANCE``.

Budget: the loading instructions on screen within 10 inputs and maintenance running within 18,
first episode of a shift (sign-in included). The counts are measured, never adjusted: see
``tests/gui/test_wizard_budget.py`` for what is asserted. Giving a window the focus when it
opens or is uncovered is the window manager's doing and is not counted; everything the user
does is.

``run_standard_case`` takes anything with pytest-qt's ``keyClicks``/``keyClick``/
``mouseClick``/``mouseDClick`` (``qtbot``, or ``PySide6.QtTest.QTest`` itself), so the
benchmark suite can run it without pytest.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from harness.demo import DemoClock, demo_context
from mgso4.core.episode import Actor, Stage
from mgso4.core.flow import Step
from mgso4.core.vocab import Role
from mgso4.gui.app import build_main_window
from mgso4.gui.context import AppContext
from mgso4.gui.episode.actions import MaintenanceStartDialog
from mgso4.gui.main_window import MainWindow
from mgso4.gui.wizard.answers import minutes
from mgso4.gui.wizard.wizard import NewEpisodeWizard, step_of

_W = TypeVar("_W", bound=QWidget)

#: At most this many inputs until the loading instructions are on screen (issue #4).
LOADING_BUDGET = 10
#: At most this many inputs until the maintenance infusion is recorded as running.
MAINTENANCE_BUDGET = 18
#: The earlier name of :data:`MAINTENANCE_BUDGET` (kept for callers that read it).
SAVED_BUDGET = MAINTENANCE_BUDGET

#: The standard case's entries.
STANDARD_USER = "Sam Taylor"
STANDARD_NHS_NUMBER = "943 476 5919"
STANDARD_NAME = "Jane Example"
STANDARD_GESTATION = "27+3"
STANDARD_CHECKER = "Chris Lee"


#: Keys that only move between fields or choices: counted apart, as a new user counts them.
MOVE_KEYS = frozenset(
    {
        Qt.Key.Key_Tab,
        Qt.Key.Key_Backtab,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
    }
)


class KeyDriver(Protocol):
    """What is needed to press keys and click (``qtbot`` or ``QTest``)."""

    def keyClicks(self, widget: QWidget, text: str) -> Any: ...

    def keyClick(self, widget: QWidget, key: Qt.Key) -> Any: ...

    def mouseClick(self, widget: QWidget, button: Qt.MouseButton, *args: Any) -> Any: ...

    def mouseDClick(self, widget: QWidget, button: Qt.MouseButton, *args: Any) -> Any: ...


class BudgetError(RuntimeError):
    """The standard case did not go where an input should have taken it."""


@dataclass
class InputCounter:
    """Sends keys to the focused widget (or clicks a widget) and counts every input."""

    driver: KeyDriver
    count: int = 0
    #: Tab and arrow presses: moves between fields, reported apart from the inputs.
    moves: int = 0
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
        """Press one key on the focused widget: one input, or one move for Tab and arrows."""
        target = self.focused()
        # Named before the key: it may close (and so delete) the dialog holding the target.
        target_name = target.accessibleName() or type(target).__name__
        self.driver.keyClick(target, key)
        where = f"{name} on {target_name}"
        if key in MOVE_KEYS:
            QApplication.processEvents()
            self.moves += 1
            self.log.append(f"  (move) {where}")
            return
        self._count(where)

    def click(self, widget: QWidget, name: str) -> None:
        """Click a widget in its middle (one input)."""
        if not (widget.isVisible() and widget.isEnabled()):
            raise BudgetError(f"Cannot click {name}: it is hidden or greyed out.")
        self.driver.mouseClick(widget, Qt.MouseButton.LeftButton)
        self._count(f"click {name}")

    def double_click(self, widget: QWidget, at: QPoint, name: str) -> None:
        """Double-click a point of a widget (one input).

        A real double-click is a press and release followed by a second press that the
        system reports as a double-click: ``mouseDClick`` alone sends only the latter, which
        an item view takes as a single press.
        """
        no_modifier = Qt.KeyboardModifier.NoModifier
        self.driver.mouseClick(widget, Qt.MouseButton.LeftButton, no_modifier, at)
        self.driver.mouseDClick(widget, Qt.MouseButton.LeftButton, no_modifier, at)
        self._count(f"double-click {name}")

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
    """Drive the shown wizard through the standard case by keyboard, up to "Saved".

    Returns:
        ``loading_instructions_visible``, ``loading_page_visible`` and ``saved``: the input
        count when each was reached.
    """
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
    counter.press(enter, "Enter (accepts the plan: maintenance when the load ends)")
    on(Step.REVIEW)
    counter.press(enter, "Enter (Save)")
    on(Step.DONE)
    if not wizard.answers.saved:
        raise BudgetError("The Saved page is shown but the answers are not marked saved.")
    marks["saved"] = counter.count
    return marks


def _activate(window: QWidget) -> None:
    """Give a newly shown or uncovered window the focus, as the window manager does."""
    window.activateWindow()
    QApplication.processEvents()


def _stage(context: AppContext, episode_uuid: str) -> Stage:
    return context.store.episode(episode_uuid).stage


def drive_to_maintenance(
    window: MainWindow,
    wizard: NewEpisodeWizard,
    clock: DemoClock,
    counter: InputCounter,
) -> dict[str, int]:
    """From the wizard's "Saved" page to maintenance running, through the main window.

    Closes the wizard (which opens the new episode), lets the loading duration pass on the
    demo clock, and records the load end with the maintenance start in one form.

    Returns:
        ``wizard_closed``, ``episode_open`` (the same input: Close opens the episode),
        ``load_finished`` and ``maintenance_running`` (the same input: one form saves both):
        the input count when each was reached.
    """
    context = window.context
    episode_uuid = wizard.answers.episode_uuid
    marks: dict[str, int] = {}

    def expect(stage: Stage, after: str) -> None:
        found = _stage(context, episode_uuid)
        if found is not stage:
            raise BudgetError(
                f"Expected {stage.label!r} after {after} (input {counter.count}), but the "
                f"record says {found.label!r}:\n" + "\n".join(counter.log)
            )

    expect(Stage.LOADING, "saving the new episode")
    counter.press(Qt.Key.Key_Return, "Enter (Close on the Saved page)")
    # A closed wizard is deleted (WA_DeleteOnClose): gone or hidden both mean closed.
    if shiboken6.isValid(wizard) and wizard.isVisible():
        raise BudgetError("Enter on the Saved page did not close the wizard.")
    marks["wizard_closed"] = counter.count
    view = window.episode_view
    if view is None or view.episode_uuid != episode_uuid:
        raise BudgetError("Closing the wizard after the save did not open the new episode.")
    marks["episode_open"] = counter.count

    # The loading dose runs for its planned duration; the main window's one-second timer
    # would notice the new time, so its clock check runs (no input, no sleeping).
    course = context.store.episode(episode_uuid).courses[0]
    if course.load is None:
        raise BudgetError("The saved episode has no loading dose.")
    clock.advance(minutes(course.load.duration_min))
    window.check_clock()
    _activate(window)

    counter.click(view.buttons["maintenance"], "Start maintenance (episode view)")
    maintenance = view.active_dialog
    if not isinstance(maintenance, MaintenanceStartDialog) or not maintenance.isVisible():
        raise BudgetError("Start maintenance did not open its form.")
    if maintenance.load_end_field is None:
        raise BudgetError("The maintenance form does not offer to record the end of the load.")
    _activate(maintenance)
    # The load end (planned end), the maintenance start (now), the pump rate and the
    # syringe volume are filled in; the focus starts on the checker's name, the empty field.
    checker = _child(maintenance, QLineEdit, "checker_name_edit")
    if counter.focused() is not checker:
        raise BudgetError(
            "The maintenance form did not open with the focus on the checker's name:\n"
            + "\n".join(counter.log)
        )
    counter.type(STANDARD_CHECKER)
    counter.press(Qt.Key.Key_Return, "Enter (Save load end and maintenance start)")
    expect(Stage.MAINTENANCE, "saving the load end and the maintenance start")
    marks["load_finished"] = counter.count
    marks["maintenance_running"] = counter.count
    return marks


def _child(parent: QWidget, kind: type[_W], name: str) -> _W:
    found = parent.findChild(kind, name)
    if found is None:
        raise BudgetError(f"{type(parent).__name__} has no {kind.__name__} named {name!r}.")
    return found


def run_standard_case(
    driver: KeyDriver,
    context: AppContext | None = None,
    *,
    user_known: bool = False,
    folder: Path | None = None,
) -> dict[str, Any]:
    """Drive the standard case from the main window to maintenance running; count inputs.

    Args:
        driver: ``qtbot`` or ``PySide6.QtTest.QTest``.
        context: The context to use; a demo one in ``folder`` (or a temporary folder) if None.
            Its clock must be a :class:`~harness.demo.DemoClock` (as
            ``demo_context`` gives), so the loading duration can pass without sleeping.
        user_known: Someone is already signed in for the shift (no sign-in page); otherwise
            the count includes the sign-in page the first episode of a shift shows.
        folder: Where the demo record goes when no context is given.

    Returns:
        Input counts, the main window's "New episode" button counted as 1:
        ``loading_instructions_visible``, ``loading_page_visible``, ``saved`` (the wizard's
        Save), ``wizard_closed``, ``episode_open`` (the same as ``wizard_closed``),
        ``load_finished`` and ``maintenance_running`` (the same: one form saves both); also
        ``user_page`` (bool), ``episode_uuid``, ``stage`` (the record's final stage), ``log``
        (each input in words) and the budgets (``loading_budget``, ``maintenance_budget``;
        ``saved_budget`` is the same as ``maintenance_budget``).

    Raises:
        BudgetError: An input did not lead where it should, or the clock cannot be moved on.
    """
    if context is None:
        context = demo_context(folder or Path(tempfile.mkdtemp(prefix="mgso4-budget-")))
    clock = context.clock
    if not isinstance(clock, DemoClock):
        raise BudgetError(
            "The standard case lets the loading dose run by moving the clock on: use a "
            "context from harness.demo.demo_context (a DemoClock)."
        )
    if user_known:
        context.user = context.user or Actor(name=STANDARD_USER, role=Role.MIDWIFE)
    else:
        context.user = None
    counter = InputCounter(driver)
    window = build_main_window(context)
    try:
        window.show()
        _activate(window)
        counter.click(window.ui.new_episode_button, "New episode (main window)")
        wizard = window.active_dialog
        if not isinstance(wizard, NewEpisodeWizard) or not wizard.isVisible():
            raise BudgetError("New episode did not open the new-episode wizard.")
        _activate(wizard)
        user_page = step_of(wizard.currentId()) is Step.USER
        marks = drive_standard_case(wizard, counter)
        answers = wizard.answers  # kept: the wizard is deleted once it closes
        marks.update(drive_to_maintenance(window, wizard, clock, counter))
        episode_uuid = answers.episode_uuid
        stage = _stage(context, episode_uuid)
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()
    return {
        **marks,
        "user_page": user_page,
        "episode_uuid": episode_uuid,
        "stage": stage,
        "log": list(counter.log),
        "moves": counter.moves,
        "loading_budget": LOADING_BUDGET,
        "maintenance_budget": MAINTENANCE_BUDGET,
        "saved_budget": SAVED_BUDGET,
    }


def budget_report(result: dict[str, Any]) -> str:
    """The counts and every input, in words (printed by the test and the benchmark)."""
    lines = [
        f"loading instructions on screen after {result['loading_instructions_visible']} inputs "
        f"(budget {result['loading_budget']}); wizard saved after {result['saved']}; "
        f"maintenance running after {result['maintenance_running']} "
        f"(budget {result['maintenance_budget']}); Tab/arrow moves {result['moves']} "
        "(not counted as inputs)",
        *result["log"],
    ]
    return "\n".join(str(line) for line in lines)
