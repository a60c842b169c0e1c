"""Who is recording: a name and a role, remembered for the shift (``AppContext.user``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mgso4.core.episode import Actor
from mgso4.core.vocab import Role
from mgso4.gui.style import set_role
from mgso4.gui.widgets.field_message import FieldMessage

ROLE_LABELS = {
    Role.MIDWIFE: "Midwife",
    Role.OBSTETRICIAN: "Obstetrician",
    Role.ANAESTHETIST: "Anaesthetist",
    Role.NEONATOLOGIST: "Neonatologist",
    Role.STUDENT: "Student",
    Role.AUDITOR: "Auditor",
    Role.OTHER: "Other",
}


class UserDialog(QDialog):
    """Ask for the name and role every entry will carry."""

    def __init__(self, current: Actor | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("user_dialog")
        self.setWindowTitle("Who is recording")
        self.actor: Actor | None = None
        intro = QLabel(
            "Every entry records who made it. Give your name and role; they are used until "
            "you change them or close the app.",
            self,
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("user_name_edit")
        self.name_edit.setAccessibleName("Your name")
        self.name_message = FieldMessage(self.name_edit, self)
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("user_role_combo")
        self.role_combo.setAccessibleName("Your role")
        for role, label in ROLE_LABELS.items():
            self.role_combo.addItem(label, role)
        if current is not None:
            self.name_edit.setText(current.name)
            self.role_combo.setCurrentIndex(self.role_combo.findData(current.role))
        name_label = QLabel("Your name", self)
        name_label.setBuddy(self.name_edit)
        role_label = QLabel("Your role", self)
        role_label.setBuddy(self.role_combo)
        grid = QGridLayout()
        grid.addWidget(name_label, 0, 0)
        grid.addWidget(self.name_edit, 0, 1)
        grid.addWidget(self.name_message, 1, 1)
        grid.addWidget(role_label, 2, 0)
        grid.addWidget(self.role_combo, 2, 1)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setAccessibleName("Cancel")
        set_role(self.cancel_button, "secondary")
        self.ok_button = QPushButton("Use this name", self)
        self.ok_button.setObjectName("ok_button")
        self.ok_button.setAccessibleName("Use this name")
        self.ok_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        self.resize(460, 220)

    def _on_ok_button_clicked(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.name_message.show_error("Your name is needed: every entry says who made it.")
            self.name_edit.setFocus()
            return
        self.name_message.clear_message()
        self.actor = Actor(name=name, role=Role(self.role_combo.currentData()))
        self.accept()
