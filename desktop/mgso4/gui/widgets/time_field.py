"""Typed clinical time: local wall time in, an aware UTC instant out, every problem in words.

The midwife types the local time the thing happened (prefilled with now). The text is read
by ``core.timeutil.parse_local_datetime``: a time in the spring-forward gap is refused, a
time in the autumn overlap asks which one was meant (BST or GMT) with two choices beside the
field. A time in the future is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mgso4.core.actions import FUTURE_TOLERANCE
from mgso4.core.timeutil import (
    DATETIME_FORMAT_HINT,
    AmbiguousLocalTimeError,
    LocalTimeError,
    format_local,
    parse_local_datetime,
    to_local,
)
from mgso4.gui.style import set_role
from mgso4.gui.widgets.field_message import FieldMessage

# How far ahead of the clock a typed time may be before it is refused as "in the future" is
# core's (``core.actions.FUTURE_TOLERANCE``), the same for every front end.


def local_text(utc_moment: datetime, tz: ZoneInfo) -> str:
    """The editable form of an instant: ``YYYY-MM-DD HH:MM`` local."""
    return to_local(utc_moment, tz).strftime("%Y-%m-%d %H:%M")


class TimeField(QWidget):
    """A line edit for a local date and time, with a Now button and a message below."""

    sig_changed = Signal()
    """The typed text or the BST/GMT choice changed."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        *,
        what: str,
        object_name: str,
        allow_future: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._tz = tz
        self._what = what
        self._allow_future = allow_future
        self.setObjectName(object_name)
        self.line_edit = QLineEdit(self)
        self.line_edit.setObjectName(f"{object_name}_edit")
        self.line_edit.setPlaceholderText("YYYY-MM-DD HH:MM")
        self.line_edit.setAccessibleName(f"{what[:1].upper()}{what[1:]} (local date and time)")
        self.line_edit.setToolTip(f"Type the local date and time: {DATETIME_FORMAT_HINT}")
        self.now_button = QPushButton("Now", self)
        self.now_button.setObjectName(f"{object_name}_now")
        self.now_button.setAccessibleName(f"Set {what} to now")
        set_role(self.now_button, "secondary")
        self.first_choice = QRadioButton(self)
        self.first_choice.setObjectName(f"{object_name}_first")
        self.second_choice = QRadioButton(self)
        self.second_choice.setObjectName(f"{object_name}_second")
        # Shown only for a time the clocks made happen twice; named even while hidden.
        self.first_choice.setAccessibleName(f"{what}: the first time (summer time)")
        self.second_choice.setAccessibleName(f"{what}: the second time (standard time)")
        self._choices = QButtonGroup(self)
        self._choices.addButton(self.first_choice, 0)
        self._choices.addButton(self.second_choice, 1)
        self.message = FieldMessage(self.line_edit, self)
        self.message.setObjectName(f"{object_name}_message")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.now_button)
        choice_row = QHBoxLayout()
        choice_row.setContentsMargins(0, 0, 0, 0)
        choice_row.addWidget(self.first_choice)
        choice_row.addWidget(self.second_choice)
        choice_row.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addLayout(choice_row)
        column.addWidget(self.message)
        self._show_choices(None)

        self.line_edit.textEdited.connect(self._on_line_edit_edited)
        self.now_button.clicked.connect(self._on_now_button_clicked)
        self._choices.idClicked.connect(lambda _id: self.sig_changed.emit())
        self.set_now()

    def set_now(self) -> None:
        """Fill in the current local time."""
        self.set_value(self._clock())

    def set_value(self, utc_moment: datetime) -> None:
        """Show an instant (local). Keeps the BST/GMT choice if the time is in the overlap."""
        local = to_local(utc_moment, self._tz)
        text = local_text(utc_moment, self._tz)
        self.line_edit.setText(text)
        self._show_choices(None)
        self.message.clear_message()
        try:
            parse_local_datetime(text, self._tz)
        except AmbiguousLocalTimeError as exc:
            # The instant is known, so which of the two readings it is is known too.
            self._show_choices(exc)
            (self.second_choice if local.fold else self.first_choice).setChecked(True)
        except LocalTimeError:
            pass
        self.sig_changed.emit()

    def text(self) -> str:
        """What is typed."""
        return self.line_edit.text()

    def value(self) -> datetime | None:
        """The instant typed (UTC), or None after showing what is wrong beside the field."""
        text = self.line_edit.text()
        fold = self._choices.checkedId()
        try:
            moment = parse_local_datetime(text, self._tz, fold=None if fold < 0 else fold)
        except AmbiguousLocalTimeError as exc:
            self._show_choices(exc)
            self.message.show_error(
                f"{exc} Choose {exc.first.label} or {exc.second.label} below the field."
            )
            return None
        except LocalTimeError as exc:
            self._show_choices(None)
            self.message.show_error(str(exc))
            return None
        now = self._clock()
        if not self._allow_future and moment > now + FUTURE_TOLERANCE:
            self.message.show_error(
                f"The {self._what} {format_local(moment, self._tz)} is in the future "
                f"(it is now {format_local(now, self._tz)}). Enter the time it happened."
            )
            return None
        self.message.clear_message()
        return moment

    def _show_choices(self, ambiguity: AmbiguousLocalTimeError | None) -> None:
        visible = ambiguity is not None
        if ambiguity is not None:
            self.first_choice.setText(
                f"{ambiguity.first.label} (first, before the clocks went back)"
            )
            self.first_choice.setAccessibleName(f"{self._what}: {ambiguity.first.label}")
            self.second_choice.setText(f"{ambiguity.second.label} (second, after)")
            self.second_choice.setAccessibleName(f"{self._what}: {ambiguity.second.label}")
        else:
            self._choices.setExclusive(False)
            self.first_choice.setChecked(False)
            self.second_choice.setChecked(False)
            self._choices.setExclusive(True)
        self.first_choice.setVisible(visible)
        self.second_choice.setVisible(visible)

    def _on_line_edit_edited(self, _text: str) -> None:
        self._show_choices(None)
        self.message.clear_message()
        self.sig_changed.emit()

    def _on_now_button_clicked(self) -> None:
        self.set_now()
