"""Small dialogs of the audit view: the purpose and reason for an identifiable export."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mgso4.audit.export import ExportPurpose, recorded_reason
from mgso4.audit.progress import AuditError
from mgso4.gui.style import set_role


class ExportReasonDialog(QDialog):
    """Ask why an identifiable export is needed: a purpose from the list and a reason of
    substance (``audit.export.recorded_reason``); OK only once both are given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_reason_dialog")
        self.setWindowTitle("Reason for an identifiable export")
        intro = QLabel(
            "This export will contain names, NHS/CHI numbers and dates of birth. Choose what it "
            "is for and say, in a sentence, why the names are needed (for example, the case "
            "review it is for). The purpose, the reason, your name and the number of rows are "
            "recorded in the record, and the file's name will end -IDENTIFIABLE.",
            self,
        )
        intro.setWordWrap(True)
        self.purpose_combo = QComboBox(self)
        self.purpose_combo.setObjectName("export_purpose_combo")
        self.purpose_combo.setAccessibleName("Purpose of the identifiable export")
        self.purpose_combo.addItem("Choose the purpose…", None)
        for purpose in ExportPurpose:
            self.purpose_combo.addItem(purpose.label.capitalize(), purpose.value)
        purpose_label = QLabel("Purpose", self)
        purpose_label.setBuddy(self.purpose_combo)
        self.problem_label = QLabel("", self)
        self.problem_label.setObjectName("export_reason_problem")
        self.problem_label.setWordWrap(True)
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
        layout.addWidget(purpose_label)
        layout.addWidget(self.purpose_combo)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.problem_label)
        layout.addLayout(buttons)
        self.reason_edit.textChanged.connect(self._on_reason_edit_text_changed)
        self.purpose_combo.currentIndexChanged.connect(self._on_reason_edit_text_changed)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self.accept)
        self.resize(560, 420)

    @property
    def reason(self) -> str:
        """The reason as typed, without surrounding spaces."""
        return self.reason_edit.toPlainText().strip()

    @property
    def purpose(self) -> str | None:
        """The purpose chosen (an ``ExportPurpose`` value), or None."""
        value = self.purpose_combo.currentData()
        return str(value) if value else None

    def problem(self) -> str | None:
        """What is still missing, or None when the purpose and reason will be accepted."""
        if self.purpose is None:
            return "Choose the purpose."
        try:
            recorded_reason(self.purpose, self.reason)
        except AuditError:
            return "Say in a sentence what the names are needed for (at least a few words)."
        return None

    def _on_reason_edit_text_changed(self) -> None:
        problem = self.problem()
        self.ok_button.setEnabled(problem is None)
        self.problem_label.setText(problem if self.reason and problem else "")


def ask_export_reason(parent: QWidget | None) -> tuple[str, str] | None:
    """Show :class:`ExportReasonDialog`; (purpose, reason), or None if cancelled."""
    dialog = ExportReasonDialog(parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.problem() is not None:
        return None
    purpose = dialog.purpose
    return (purpose, dialog.reason) if purpose else None
