"""The frame every bedside action shares: fields with messages, save through the store.

Saving is honest: the dialog calls ``AppContext.record`` (one transaction) and says "saved"
only after it returns. A ``StoreError`` is shown in a non-modal banner at the top of the
dialog with the store's own sentence, and everything typed stays where it was.

Keyboard: the form opens with the focus on the first field still to be filled in (the first
field when there is nothing to type; never on a button, where a typed space would press it).
Enter anywhere in the form is Save: Save is the only default button, and no other button
(Cancel, "Now", banner buttons) takes Enter for itself, so Enter never closes a form without
saving. Save checks every field first; when one is missing or wrong its message shows and the
form stays open. Escape is Cancel. Escape, Cancel and the window's close button ask before
losing anything typed; a number field that cannot be read says so as it is typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mgso4.core.episode import Actor, EpisodeState, Event, EventDraft
from mgso4.core.protocol import Protocol
from mgso4.core.vocab import Role
from mgso4.gui.context import AppContext
from mgso4.gui.style import set_role
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.widgets.screen_fit import fit_height, fit_to_screen, scrolling
from mgso4.gui.widgets.user_dialog import ROLE_LABELS
from mgso4.storage.errors import StoreError


@dataclass(frozen=True)
class Form:
    """What an action dialog is, declared once.

    Attributes:
        title: The window title and heading.
        save_label: The Save button's words.
        object_name: The dialog's object name (its fields' names start with it).
        time_what: The clinical time it asks for, in words ("time of birth").
        time_first: The time row comes first (False: the dialog places it itself).
    """

    title: str
    save_label: str
    object_name: str
    time_what: str = "time"
    time_first: bool = True


def actor_text(actor: Actor) -> str:
    """ "Jane Smith (midwife)"."""
    return f"{actor.name} ({ROLE_LABELS.get(actor.role, actor.role).lower()})"


def is_unfilled(field: QWidget) -> bool:
    """A field with nothing in it yet: empty text, or a list still on its "Choose…" entry."""
    if isinstance(field, QLineEdit):
        return not field.text().strip()
    if isinstance(field, QPlainTextEdit):
        return not field.toPlainText().strip()
    if isinstance(field, QComboBox):
        return field.currentData() is None
    return False


def ask_discard(parent: QWidget) -> bool:
    """Ask whether to close a form and lose what was typed; True to discard."""
    answer = QMessageBox.question(
        parent,
        "Discard what you typed?",
        "Nothing in this form has been saved. Close it and lose what was typed?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class ActionDialog(QDialog):
    """Base for the bedside actions. Subclasses add fields and implement :meth:`drafts`."""

    sig_saved = Signal(list)
    """The entries were committed (the list of committed events)."""

    def __init__(
        self,
        context: AppContext,
        state: EpisodeState,
        protocol: Protocol,
        *,
        title: str,
        save_label: str,
        object_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.context = context
        self.state = state
        self.protocol = protocol
        self.saved_events: list[Event] = []
        self.error_banner = AlertBanner(self, object_name="store_error_banner")
        self.heading = QLabel(title, self)
        self.heading.setObjectName("dialog_heading")
        self.heading.setProperty("role", "heading")
        self.patient_line = QLabel(self._patient_words(), self)
        self.patient_line.setObjectName("dialog_patient_line")
        self.patient_line.setProperty("role", "muted")
        self.form = QGridLayout()
        self.form.setHorizontalSpacing(10)
        self.form.setVerticalSpacing(4)
        self.form.setColumnStretch(1, 1)
        self._next_row = 0
        self.body = QVBoxLayout()
        self.body.addLayout(self.form)
        self._user_name: QLineEdit | None = None
        self._user_role: QComboBox | None = None
        self._user_message: FieldMessage | None = None
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setAccessibleName("Cancel without saving")
        set_role(self.cancel_button, "secondary")
        self.save_button = QPushButton(save_label, self)
        self.save_button.setObjectName("save_button")
        self.save_button.setAccessibleName(save_label)
        # Save is the dialog's one default button: Enter in any field presses it.
        self.save_button.setDefault(True)
        self._focus_placed = False
        #: Every field's value when the form first showed (None before it showed).
        self._as_opened: list[object] | None = None
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        # The form scrolls between the error banner and the buttons, so on a small screen
        # (1280×720) a long form never pushes Save and Cancel below the screen's edge.
        self.form_content = QWidget(self)
        self.form_content.setObjectName(f"{object_name}_content")
        content = QVBoxLayout(self.form_content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(8)
        content.addWidget(self.heading)
        content.addWidget(self.patient_line)
        content.addLayout(self.body)
        content.addStretch(1)
        self.scroll_area = scrolling(self.form_content, self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 12)
        outer.setSpacing(8)
        outer.addWidget(self.error_banner)
        outer.addWidget(self.scroll_area, 1)
        outer.addLayout(buttons)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._on_save_button_clicked)
        self.preferred_height = 360
        fit_to_screen(self, 620, self.preferred_height)

    def set_preferred_size(self, width: int, height: int) -> None:
        """The size the form opens at when the screen has room (it may grow for messages)."""
        self.preferred_height = height
        fit_to_screen(self, width, height)

    def event(self, event: QEvent) -> bool:
        """Grow when a message appears (within the screen), shrink back when it goes."""
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            fit_height(self, self.scroll_area, self.preferred_height)
            # A banner that appeared may have brought buttons of its own.
            self._keep_enter_for_save()
        return handled

    def showEvent(self, event: QShowEvent) -> None:
        """On first showing, put the focus on the first field to fill in (else Save)."""
        super().showEvent(event)
        self._keep_enter_for_save()
        if not self._focus_placed:
            self._focus_placed = True
            self._as_opened = self.typed_values()
            self.initial_focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ leaving

    def typed_values(self) -> list[object]:
        """What every field holds now (texts, choices, ticks), to tell whether anything was
        typed since the form opened."""
        values: list[object] = []
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit):
                values.append(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                values.append(widget.toPlainText())
            elif isinstance(widget, QComboBox):
                values.append(widget.currentIndex())
            elif isinstance(widget, QAbstractButton) and widget.isCheckable():
                values.append(widget.isChecked())
        return values

    def has_typed_input(self) -> bool:
        """Something was typed or chosen since the form opened, and not saved."""
        return (
            not self.saved_events
            and self._as_opened is not None
            and self.typed_values() != self._as_opened
        )

    def cancel(self) -> None:
        """Cancel, Escape or the window's close button: ask first if anything was typed."""
        if not self.has_typed_input() or ask_discard(self):
            self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape asks before losing what was typed (as the new-episode wizard does)."""
        if event.key() == Qt.Key.Key_Escape and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            event.accept()
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's close button asks like Cancel; closing from code does not ask."""
        if event.spontaneous() and self.has_typed_input() and not ask_discard(self):
            event.ignore()
            return
        super().closeEvent(event)

    def _keep_enter_for_save(self) -> None:
        """Only Save answers Enter.

        In a dialog every push button is "auto-default" unless told otherwise: whichever has
        the focus takes Enter for itself. That is how a form opening with the focus on Cancel
        closed without saving when Enter was pressed. Space still presses a focused button.
        """
        save = getattr(self, "save_button", None)
        if save is None:
            return
        for button in self.findChildren(QPushButton):
            if button is not save and button.autoDefault():
                button.setAutoDefault(False)

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The fields a user may have to fill in, in form order (each dialog lists its own).

        The "Your name" field (when nobody is signed in) comes after these, as on screen.
        """
        return ()

    def initial_focus_widget(self) -> QWidget:
        """Where the keyboard focus starts: the first field still empty, else the first field.

        Never Save: a space typed into what the user took for the time field pressed a focused
        Save and recorded a load end at once. Enter in any field still saves.
        """
        for field in (*self.fields_to_fill(), self._user_name):
            if field is not None and field.isEnabled() and is_unfilled(field):
                return field
        return self.first_input() or self.save_button

    def first_input(self) -> QWidget | None:
        """The first enabled text field or list in the form, in Tab order."""
        start = self.form_content
        widget = start.nextInFocusChain()
        for _ in range(500):
            if widget is None or widget is start:
                return None
            if (
                isinstance(widget, (QLineEdit, QComboBox, QPlainTextEdit))
                and widget.isEnabled()
                and self.form_content.isAncestorOf(widget)
                and not widget.isHidden()
            ):
                return widget
            widget = widget.nextInFocusChain()
        return None

    # ------------------------------------------------------------------ building

    def add_row(
        self, label_text: str, field: QWidget, unit: str = "", *, accessible_name: str = ""
    ) -> FieldMessage:
        """Add a labelled field (with its unit) and the message line under it."""
        label = QLabel(label_text, self)
        label.setObjectName(f"{field.objectName()}_label")
        label.setBuddy(field)
        field.setAccessibleName(accessible_name or label_text.replace("&", ""))
        row = self._next_row
        self.form.addWidget(label, row, 0, Qt.AlignmentFlag.AlignVCenter)
        self.form.addWidget(field, row, 1)
        if unit:
            unit_label = QLabel(unit, self)
            unit_label.setProperty("role", "muted")
            unit_label.setObjectName(f"{field.objectName()}_unit")
            self.form.addWidget(unit_label, row, 2)
        message = FieldMessage(field, self)
        message.setObjectName(f"{field.objectName()}_message")
        self.form.addWidget(message, row + 1, 1, 1, 2)
        self._next_row += 2
        return message

    def add_wide(self, widget: QWidget) -> None:
        """Add a widget across the form's width."""
        self.form.addWidget(widget, self._next_row, 0, 1, 3)
        self._next_row += 1

    def add_user_fields(self) -> None:
        """Ask who is recording when nobody is signed in for the shift yet."""
        if self.context.user is not None:
            line = QLabel(f"Recorded by: {actor_text(self.context.user)}", self)
            line.setObjectName("recorded_by_label")
            line.setProperty("role", "muted")
            self.add_wide(line)
            return
        self._user_name = QLineEdit(self)
        self._user_name.setObjectName("user_name_edit")
        self._user_message = self.add_row("Your name", self._user_name)
        self._user_role = QComboBox(self)
        self._user_role.setObjectName("user_role_combo")
        for role, label in ROLE_LABELS.items():
            self._user_role.addItem(label, role)
        self.add_row("Your role", self._user_role)

    def recorded_by(self) -> Actor | None:
        """Who records this entry; shows a message and returns None when not given."""
        if self.context.user is not None:
            return self.context.user
        assert self._user_name is not None and self._user_role is not None
        assert self._user_message is not None
        name = self._user_name.text().strip()
        if not name:
            self._user_message.show_error("Your name is needed: every entry says who made it.")
            return None
        self._user_message.clear_message()
        return Actor(name=name, role=Role(self._user_role.currentData()))

    # ------------------------------------------------------------------ saving

    def drafts(self) -> Sequence[EventDraft] | None:
        """Validate every field (showing each message) and build the entries, or None."""
        raise NotImplementedError

    def first_error_field(self) -> QWidget | None:
        """The first field showing a problem (focus goes there after a refused save)."""
        for message in self.findChildren(FieldMessage):
            if message.kind == "error" and message.isVisibleTo(self):
                return message.buddy_field()
        return None

    def save(self) -> bool:
        """Validate and record; True when committed."""
        drafts = self.drafts()
        if drafts is None:
            field = self.first_error_field()
            if field is not None:
                field.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        try:
            events = self.context.record(drafts, self.protocol)
        except StoreError as exc:
            self.error_banner.show_message(
                AlertLevel.CRITICAL,
                "Not saved",
                f"{exc} Your entry is still in the form below.",
            )
            return False
        if self.context.user is None:
            self.context.user = drafts[0].recorded_by
        self.error_banner.clear()
        self.saved_events = events
        self.sig_saved.emit(events)
        return True

    def _on_save_button_clicked(self) -> None:
        if self.save():
            self.accept()

    def _patient_words(self) -> str:
        from mgso4.gui.board.rows import identifier_text

        return f"{self.state.patient.name} · {identifier_text(self.state)}"
