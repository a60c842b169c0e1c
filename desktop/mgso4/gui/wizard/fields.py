"""Small input widgets the wizard pages share: a typed local
date-time with the BST/GMT question, a date, and a name-plus-role pair.

Each widget only reads what was typed and hands it to ``core`` for the rules (parsing, time
zones); it never decides anything clinical. Every message says what is wrong and how to fix
it, and the text the user typed is never changed or cleared by a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mgso4.core.episode import Actor
from mgso4.core.timeutil import (
    DATE_FORMAT_HINT,
    DATETIME_FORMAT_HINT,
    AmbiguousLocalTimeError,
    LocalTimeError,
    format_local,
    parse_local_date,
    parse_local_datetime,
    to_local,
)
from mgso4.core.vocab import Role
from mgso4.gui.widgets.field_message import FieldMessage

#: Plain words for each role, in the order the role lists show them.
ROLE_LABELS: dict[Role, str] = {
    Role.MIDWIFE: "Midwife",
    Role.OBSTETRICIAN: "Obstetrician",
    Role.ANAESTHETIST: "Anaesthetist",
    Role.NEONATOLOGIST: "Neonatologist",
    Role.STUDENT: "Student",
    Role.AUDITOR: "Auditor",
    Role.OTHER: "Other",
}

#: The typed form of a local date-time, the same layout ``parse_local_datetime`` reads.
LOCAL_DATETIME_LAYOUT = "%Y-%m-%d %H:%M"


class LocalDateTimeField(QWidget):
    """A clinical time typed as local wall-clock time ("2026-01-10 10:00"), stored as UTC.

    The text is parsed by ``core.timeutil.parse_local_datetime``: a time in the spring-forward
    gap is refused with core's message; a time in the autumn overlap shows two choices
    (BST, the first time, or GMT, the second) and has no value until one is picked. A page adds
    its own rules (e.g. "not before the decision") with :meth:`set_rule`. The local reading
    with its date and zone is shown under the field so a wrong day is easy to see.
    """

    sig_changed = Signal()
    """The typed time, its overlap choice, or its validity changed."""

    def __init__(self, label: str, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._label = label
        self._rule: Callable[[datetime], str | None] | None = None
        self._value: datetime | None = None
        self._error: str | None = None
        self._ambiguity: AmbiguousLocalTimeError | None = None

        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(label)
        self.edit.setAccessibleDescription(f"Local time, {DATETIME_FORMAT_HINT}")
        self.edit.setPlaceholderText("YYYY-MM-DD HH:MM")
        self.edit.setMaxLength(40)

        self.first_choice = QRadioButton(self)
        self.second_choice = QRadioButton(self)
        self.first_choice.setAccessibleName(
            f"{label}: the first time (before the clocks went back)"
        )
        self.second_choice.setAccessibleName(
            f"{label}: the second time (after the clocks went back)"
        )
        self._choices = QButtonGroup(self)
        self._choices.addButton(self.first_choice, 0)
        self._choices.addButton(self.second_choice, 1)
        self._choice_row = QWidget(self)
        row = QHBoxLayout(self._choice_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.first_choice)
        row.addWidget(self.second_choice)
        row.addStretch(1)
        self._choice_row.hide()

        self.message = FieldMessage(field=self.edit)
        self.readback = QLabel(self)
        self.readback.setProperty("role", "muted")
        self.readback.setAccessibleName(f"{label} as read")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self._choice_row)
        layout.addWidget(self.message)
        layout.addWidget(self.readback)

        self.edit.textChanged.connect(self._on_edit_text_changed)
        self._choices.idClicked.connect(self._on_choices_id_clicked)
        self.setFocusProxy(self.edit)

    # -- public ---------------------------------------------------------------------------

    def set_rule(self, rule: Callable[[datetime], str | None] | None) -> None:
        """A page's own check on the parsed UTC time: returns the refusal message or None."""
        self._rule = rule
        self.revalidate()

    def set_value(self, utc_moment: datetime) -> None:
        """Show an instant as local text (the overlap choice follows the instant)."""
        local = to_local(utc_moment, self._tz)
        self.edit.setText(local.strftime(LOCAL_DATETIME_LAYOUT))
        if self._ambiguity is not None:
            # The same wall time happened twice: pick the reading that is this instant.
            for choice, button in zip(
                self._ambiguity.choices, (self.first_choice, self.second_choice), strict=True
            ):
                if choice.utc == utc_moment.replace(second=0, microsecond=0):
                    button.setChecked(True)
            self.revalidate()

    def value(self) -> datetime | None:
        """The accepted time as an aware UTC datetime, or None while refused or undecided."""
        return self._value

    def error(self) -> str | None:
        """Why there is no value (None when there is one)."""
        return self._error

    def text(self) -> str:
        """What is typed."""
        return self.edit.text()

    def revalidate(self) -> None:
        """Read the text again (after the page's rule or its inputs changed)."""
        self._value, self._error = None, None
        fold = self._choices.checkedId()
        try:
            moment = parse_local_datetime(
                self.edit.text(), self._tz, fold=fold if fold in (0, 1) else None
            )
        except AmbiguousLocalTimeError as ambiguity:
            self._show_choices(ambiguity)
            self._error = f"{ambiguity} Pick one of the two choices under the field."
            self.message.show_error(self._error)
        except LocalTimeError as refusal:
            self._hide_choices()
            self._error = str(refusal)
            self.message.show_error(self._error)
        else:
            if fold not in (0, 1):
                self._hide_choices()
            problem = self._rule(moment) if self._rule is not None else None
            if problem is not None:
                self._error = problem
                self.message.show_error(problem)
            else:
                self._value = moment
                self.message.clear_message()
        self.readback.setText(
            f"Read as {format_local(self._value, self._tz)}" if self._value is not None else ""
        )
        self.sig_changed.emit()

    # -- slots ----------------------------------------------------------------------------

    def _on_edit_text_changed(self, _text: str) -> None:
        # A new text is a new question: an earlier BST/GMT answer was for a different time.
        self._clear_choice()
        self.revalidate()

    def _on_choices_id_clicked(self, _fold: int) -> None:
        self.revalidate()

    # -- internals ------------------------------------------------------------------------

    def _show_choices(self, ambiguity: AmbiguousLocalTimeError) -> None:
        self._ambiguity = ambiguity
        self.first_choice.setText(f"{ambiguity.first.label} (first time)")
        self.second_choice.setText(f"{ambiguity.second.label} (after the clocks went back)")
        self._choice_row.show()

    def _hide_choices(self) -> None:
        self._ambiguity = None
        self._choice_row.hide()

    def _clear_choice(self) -> None:
        self._choices.setExclusive(False)
        self.first_choice.setChecked(False)
        self.second_choice.setChecked(False)
        self._choices.setExclusive(True)


class LocalDateField(QWidget):
    """An optional or required calendar date typed as YYYY-MM-DD, with its message."""

    sig_changed = Signal()
    """The typed date or its validity changed."""

    def __init__(
        self, label: str, *, required: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._label = label
        self._required = required
        self._rule: Callable[[date], str | None] | None = None
        self._value: date | None = None
        self._error: str | None = None

        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(label)
        self.edit.setAccessibleDescription(DATE_FORMAT_HINT)
        self.edit.setPlaceholderText("YYYY-MM-DD")
        self.edit.setMaxLength(40)
        self.message = FieldMessage(field=self.edit)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.setFocusProxy(self.edit)

    def set_rule(self, rule: Callable[[date], str | None] | None) -> None:
        """A page's own check on the parsed date: returns the refusal message or None."""
        self._rule = rule
        self.revalidate()

    def value(self) -> date | None:
        """The accepted date, or None (empty, or refused)."""
        return self._value

    def error(self) -> str | None:
        """Why the text is refused (None when accepted or, if optional, empty)."""
        return self._error

    def is_acceptable(self) -> bool:
        """Accepted, or empty when the date is optional."""
        if self._error is not None:
            return False
        return self._value is not None or not self._required

    def revalidate(self) -> None:
        """Read the text again."""
        self._value, self._error = None, None
        text = self.edit.text()
        if not text.strip():
            self.message.clear_message()
        else:
            try:
                parsed = parse_local_date(text)
            except LocalTimeError as refusal:
                self._error = str(refusal)
            else:
                problem = self._rule(parsed) if self._rule is not None else None
                if problem is None:
                    self._value = parsed
                else:
                    self._error = problem
            if self._error is not None:
                self.message.show_error(self._error)
            else:
                self.message.clear_message()
        self.sig_changed.emit()

    def _on_edit_text_changed(self, _text: str) -> None:
        self.revalidate()


class ActorFields(QWidget):
    """A person's name and role, side by side, with one message under them."""

    sig_changed = Signal()
    """The name or role changed."""

    def __init__(
        self,
        label: str,
        *,
        default_role: Role = Role.MIDWIFE,
        roles: Sequence[Role] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._label = label
        self._rule: Callable[[Actor], str | None] | None = None
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName(f"{label}: name")
        self.name_edit.setPlaceholderText("Full name")
        self.name_edit.setMaxLength(120)
        self.role_combo = QComboBox(self)
        self.role_combo.setAccessibleName(f"{label}: role")
        for role, words in ROLE_LABELS.items():
            if roles is None or role in roles:
                self.role_combo.addItem(words, role.value)
        self.role_combo.setCurrentIndex(max(self.role_combo.findData(default_role.value), 0))
        self.message = FieldMessage(field=self.name_edit)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name_edit, 3)
        row.addWidget(self.role_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.name_edit.textChanged.connect(self._on_name_edit_text_changed)
        self.role_combo.currentIndexChanged.connect(self._on_role_combo_current_index_changed)
        self.setFocusProxy(self.name_edit)
        QWidget.setTabOrder(self.name_edit, self.role_combo)

    def set_rule(self, rule: Callable[[Actor], str | None] | None) -> None:
        """A page's own check on the person (e.g. "not the same person as the user")."""
        self._rule = rule
        self.revalidate()

    def role(self) -> Role:
        """The chosen role."""
        return Role(self.role_combo.currentData())

    def value(self) -> Actor | None:
        """The person, or None while the name is empty or refused."""
        name = self.name_edit.text().strip()
        if not name:
            return None
        actor = Actor(name=name, role=self.role())
        if self._rule is not None and self._rule(actor) is not None:
            return None
        return actor

    def set_value(self, actor: Actor | None) -> None:
        """Fill in a person (or clear the fields)."""
        self.name_edit.setText(actor.name if actor else "")
        if actor is not None:
            self.role_combo.setCurrentIndex(self.role_combo.findData(actor.role.value))

    def revalidate(self) -> None:
        """Check again and show or hide the message."""
        name = self.name_edit.text().strip()
        problem = None
        if name and self._rule is not None:
            problem = self._rule(Actor(name=name, role=self.role()))
        if problem is None:
            self.message.clear_message()
        else:
            self.message.show_error(problem)
        self.sig_changed.emit()

    def _on_name_edit_text_changed(self, _text: str) -> None:
        self.revalidate()

    def _on_role_combo_current_index_changed(self, _index: int) -> None:
        self.revalidate()


def same_person(first: Actor, second: Actor) -> bool:
    """Whether two typed names are the same person's (case and spacing ignored)."""

    def key(actor: Actor) -> str:
        return " ".join(actor.name.casefold().split())

    return key(first) == key(second)
