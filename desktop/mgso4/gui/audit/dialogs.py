"""Small dialogs of the audit view: the reason for an identifiable export."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mgso4.gui.style import set_role


class ExportReasonDialog(QDialog):
    """Ask why an identifiable export is needed; OK only once a reason is typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_reason_dialog")
        self.setWindowTitle("Reason for an identifiable export")
        intro = QLabel(
            "This export will contain names, NHS/CHI numbers and dates of birth. Say why they "
            "are needed (for example, the case review it is for). The reason, your name and "
            "the number of rows are recorded in the record.",
            self,
        )
        intro.setWordWrap(True)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("export_reason_edit")
        self.reason_edit.setAccessibleName("Reason for the identifiable export")
        self.reason_edit.setTabChangesFocus(True)
        label = QLabel("Reason", self)
        label.setBuddy(self.reason_edit)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setAccessibleName("Cancel the export")
        set_role(self.cancel_button, "secondary")
        self.ok_button = QPushButton("Export with names", self)
        self.ok_button.setObjectName("ok_button")
        self.ok_button.setAccessibleName("Export with names")
        self.ok_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addLayout(buttons)
        self.reason_edit.textChanged.connect(self._on_reason_edit_text_changed)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self.accept)
        self.resize(480, 260)

    @property
    def reason(self) -> str:
        """The reason as typed, without surrounding spaces."""
        return self.reason_edit.toPlainText().strip()

    def _on_reason_edit_text_changed(self) -> None:
        self.ok_button.setEnabled(bool(self.reason))


def ask_export_reason(parent: QWidget | None) -> str | None:
    """Show :class:`ExportReasonDialog`; the reason, or None if cancelled."""
    dialog = ExportReasonDialog(parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.reason:
        return None
    return dialog.reason
