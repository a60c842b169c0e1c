"""The message shown next to a field: what is wrong and how to fix it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from mgso4.gui.style import repolish


class FieldMessage(QLabel):
    """A label under a field: hidden when there is nothing to say.

    Errors are drawn bold in the critical colour and start with "Problem:" so they are not
    carried by colour alone; notes (a warning that does not block) start with "Check:". The
    message is also set as the field's accessible description, so a screen reader announces
    it with the field.
    """

    def __init__(
        self,
        first: QWidget | None = None,
        second: QWidget | None = None,
        *,
        field: QWidget | None = None,
    ) -> None:
        """Two call forms: ``FieldMessage(field, parent)`` from code, and
        ``FieldMessage(parent)`` as Designer's generated code calls it (then :meth:`attach`)."""
        parent: QWidget | None = first
        if second is not None:
            field, parent = first, second
        super().__init__(parent)
        self._field = field
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)
        self.setProperty("role", "field-error")
        self._kind = ""

    @property
    def kind(self) -> str:
        """``"error"``, ``"note"`` or ``""`` when clear."""
        return self._kind

    @property
    def message(self) -> str:
        """The text shown (without the "Problem:"/"Check:" prefix), or ``""``."""
        return self.property("message") or ""

    def buddy_field(self) -> QWidget | None:
        """The field this message describes."""
        return self._field

    def attach(self, field: QWidget) -> None:
        """Say which field this message describes."""
        self._field = field

    def show_error(self, message: str) -> None:
        """Show a blocking problem."""
        self._show("error", "Problem: ", message, "field-error")

    def show_note(self, message: str) -> None:
        """Show a warning that does not block saving."""
        self._show("note", "Check: ", message, "field-note")

    def clear_message(self) -> None:
        """Hide the message and mark the field valid again."""
        self._kind = ""
        self.setProperty("message", "")
        self.setText("")
        self.setVisible(False)
        if self._field is not None:
            self._field.setProperty("invalid", False)
            self._field.setAccessibleDescription("")
            repolish(self._field)

    def _show(self, kind: str, prefix: str, message: str, role: str) -> None:
        self._kind = kind
        self.setProperty("message", message)
        self.setProperty("role", role)
        self.setText(prefix + message)
        self.setAccessibleName(prefix.strip(" :"))
        self.setAccessibleDescription(message)
        self.setVisible(True)
        repolish(self)
        if self._field is not None:
            self._field.setProperty("invalid", kind == "error")
            self._field.setAccessibleDescription(prefix + message)
            repolish(self._field)


def grow_to_fit(window: QWidget) -> None:
    """Make a window tall enough for its wrapped text at its current width.

    Qt does not grow a top-level window for word-wrapped labels (height-for-width); without
    this a message appearing under a field would overlap the row below it.
    """
    layout = window.layout()
    if layout is None or not layout.hasHeightForWidth():
        return
    needed = layout.totalHeightForWidth(window.width())
    if needed > window.height():
        window.resize(window.width(), needed)
