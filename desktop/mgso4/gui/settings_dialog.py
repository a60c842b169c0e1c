"""Unit settings: unit name, protocol for new episodes, default preparation, time zone, backups.

A protocol is checked by loading it (``ProtocolLibrary.load``) before anything is saved; every
problem is listed next to the field with its field path from ``ProtocolError.problems``.
Changing the protocol affects new episodes only: an episode keeps the protocol it started
with (its id, version and hash are on every event).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFileDialog, QWidget

from mgso4.core.protocol import Protocol, ProtocolError
from mgso4.gui.context import AppContext
from mgso4.gui.forms.ui_settings_dialog import Ui_SettingsDialog
from mgso4.gui.style import repolish
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel
from mgso4.gui.widgets.field_message import grow_to_fit
from mgso4.settings import Settings, save_settings

#: Zones offered in the list (any IANA name can be typed).
COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Isle_of_Man",
    "Europe/Jersey",
    "Europe/Guernsey",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Toronto",
    "America/New_York",
)


def _name_line_edit(combo: QComboBox, name: str) -> None:
    """Give an editable combo box's text field its own accessible name."""
    line_edit = combo.lineEdit()
    if line_edit is not None:
        line_edit.setAccessibleName(name)


class SettingsDialog(QDialog):
    """Edit and save the unit's settings, each field checked with its message beside it."""

    sig_settings_saved = Signal()
    """Settings were written and the context updated."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.ui = Ui_SettingsDialog()
        self.ui.setupUi(self)
        self.banner = AlertBanner(self, object_name="settings_banner")
        self.ui.banner_layout.addWidget(self.banner)
        ui = self.ui
        for message, field in (
            (ui.unit_name_message, ui.unit_name_edit),
            (ui.protocol_message, ui.protocol_combo),
            (ui.preparation_message, ui.preparation_combo),
            (ui.timezone_message, ui.timezone_combo),
            (ui.backup_dir_message, ui.backup_dir_edit),
            (ui.backup_keep_message, ui.backup_keep_edit),
        ):
            message.attach(field)
        settings = context.settings
        ui.unit_name_edit.setText(settings.unit_name)
        ui.protocol_combo.addItems(context.library.ids())
        ui.protocol_combo.setEditText(settings.protocol)
        _name_line_edit(ui.protocol_combo, "Protocol file or shipped protocol id")
        for prep in context.preparations.preparations:
            ui.preparation_combo.addItem(f"{prep.name} ({prep.id})", prep.id)
        index = ui.preparation_combo.findData(settings.default_preparation)
        ui.preparation_combo.setCurrentIndex(max(index, 0))
        ui.timezone_combo.addItems(list(COMMON_ZONES))
        ui.timezone_combo.setEditText(settings.timezone)
        _name_line_edit(ui.timezone_combo, "Time zone name")
        ui.backup_dir_edit.setText(settings.backup_dir)
        ui.backup_keep_edit.setText(str(settings.backup_keep))
        if context.training:
            ui.protocol_note.setText(
                ui.protocol_note.text()
                + " Training mode uses the same settings file as clinical mode."
            )
        self.loaded_protocol: Protocol | None = None
        ui.save_button.setDefault(True)
        ui.cancel_button.clicked.connect(self.reject)
        ui.save_button.clicked.connect(self._on_save_button_clicked)
        ui.protocol_browse_button.clicked.connect(self._on_protocol_browse_button_clicked)
        ui.backup_browse_button.clicked.connect(self._on_backup_browse_button_clicked)
        for button in (ui.cancel_button, ui.protocol_browse_button, ui.backup_browse_button):
            button.setProperty("role", "secondary")
            repolish(button)
        self.resize(760, 560)

    def event(self, event: QEvent) -> bool:
        """Grow when a message appears, so wrapped text never overlaps the next row."""
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            grow_to_fit(self)
        return handled

    # ------------------------------------------------------------------ validation

    def check_protocol(self) -> Protocol | None:
        """Load the protocol named in the field; list every problem beside it."""
        text = self.ui.protocol_combo.currentText().strip()
        if not text:
            self.ui.protocol_message.show_error(
                "Choose a shipped protocol or give the path of the unit's protocol file."
            )
            return None
        try:
            protocol = self.context.library.load(text)
        except ProtocolError as exc:
            problems = "\n".join(f"• {problem}" for problem in exc.problems)
            self.ui.protocol_message.show_error(f"{exc.source} cannot be used:\n{problems}")
            return None
        note = ""
        if (
            protocol.id != self.context.protocol.id
            or protocol.sha256 != self.context.protocol.sha256
        ):
            note = (
                f"New episodes will use {protocol.name} {protocol.version}; episodes already "
                "started keep their own protocol."
            )
        if note:
            self.ui.protocol_message.show_note(note)
        else:
            self.ui.protocol_message.clear_message()
        return protocol

    def _check_backup_dir(self) -> str | None:
        text = self.ui.backup_dir_edit.text().strip()
        if not text:
            self.ui.backup_dir_message.clear_message()
            return ""
        path = Path(text).expanduser()
        if not path.is_absolute():
            self.ui.backup_dir_message.show_error(
                "Give the full path of the folder (e.g. /srv/backups/mgso4 or D:\\Backups)."
            )
            return None
        if path.exists() and not path.is_dir():
            self.ui.backup_dir_message.show_error(f"{path} is a file, not a folder.")
            return None
        if not path.exists():
            self.ui.backup_dir_message.show_error(
                f"{path} does not exist: create the folder first, or choose another."
            )
            return None
        self.ui.backup_dir_message.clear_message()
        return str(path)

    def _check_keep(self) -> int | None:
        text = self.ui.backup_keep_edit.text().strip()
        if not text.isascii() or not text.isdigit():
            self.ui.backup_keep_message.show_error(
                f'"{text}" is not a whole number: type how many backups to keep, e.g. 14.'
            )
            return None
        keep = int(text)
        if not 1 <= keep <= 365:
            self.ui.backup_keep_message.show_error("Keep from 1 to 365 backups.")
            return None
        self.ui.backup_keep_message.clear_message()
        return keep

    def build_settings(self) -> Settings | None:
        """Check every field and return the new settings, or None (messages shown)."""
        ui = self.ui
        ok = True
        unit_name = ui.unit_name_edit.text().strip()
        if not unit_name:
            ui.unit_name_message.show_error("The unit name is printed on every proforma: enter it.")
            ok = False
        elif len(unit_name) > 120:
            ui.unit_name_message.show_error("Keep the unit name to 120 characters or fewer.")
            ok = False
        else:
            ui.unit_name_message.clear_message()
        protocol = self.check_protocol()
        ok = ok and protocol is not None
        backup_dir = self._check_backup_dir()
        keep = self._check_keep()
        ok = ok and backup_dir is not None and keep is not None
        timezone = ui.timezone_combo.currentText().strip()
        try:
            Settings(timezone=timezone)
            ui.timezone_message.clear_message()
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            ui.timezone_message.show_error(f"{message}.")
            ok = False
        if not ok:
            return None
        self.loaded_protocol = protocol
        # Settings this form does not show (the feedback sheet's) are kept as they were.
        return Settings.model_validate(
            {
                **self.context.settings.model_dump(),
                "unit_name": unit_name,
                "protocol": ui.protocol_combo.currentText().strip(),
                "default_preparation": ui.preparation_combo.currentData(),
                "timezone": timezone,
                "backup_dir": backup_dir or "",
                "backup_keep": keep or 14,
            }
        )

    # ------------------------------------------------------------------ saving

    def save(self) -> bool:
        """Validate, write the settings file and update the context; True when saved."""
        settings = self.build_settings()
        if settings is None:
            return False
        try:
            save_settings(settings, self.context.settings_path)
        except OSError as exc:
            self.banner.show_message(
                AlertLevel.CRITICAL,
                "Settings not saved",
                f"The settings file could not be written ({exc.strerror or exc}). Your changes "
                "are still in the form.",
            )
            return False
        self.context.settings = settings
        if self.loaded_protocol is not None:
            self.context.protocol = self.loaded_protocol
        self.sig_settings_saved.emit()
        return True

    def _on_save_button_clicked(self) -> None:
        if self.save():
            self.accept()

    def _on_protocol_browse_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the unit's protocol file", "", "Protocol files (*.toml)"
        )
        if path:
            self.ui.protocol_combo.setEditText(path)
            self.check_protocol()

    def _on_backup_browse_button_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose the backup folder")
        if path:
            self.ui.backup_dir_edit.setText(path)
            self._check_backup_dir()
