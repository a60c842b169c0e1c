"""A non-modal banner for alerts and errors: colour plus an icon plus words, never a box.

Levels escalate: ``info`` → ``warning`` → ``critical`` → ``urgent``. Each level has its own
icon and leading word, so the level is readable without colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mgso4.gui.style import ToneName, set_role, set_tone
from mgso4.gui.widgets.icons import pixmap


class AlertLevel(StrEnum):
    """How loud a banner is."""

    INFO = "info"
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    URGENT = "urgent"

    @property
    def word(self) -> str:
        """The leading word shown in capitals (the non-colour cue)."""
        return _WORDS[self]

    @property
    def icon_name(self) -> str:
        """The icon drawn at the banner's left."""
        return _ICONS[self]

    @property
    def tone(self) -> ToneName:
        """The colour tone."""
        return ToneName(self.value)


_WORDS = {
    AlertLevel.INFO: "NOTE",
    AlertLevel.OK: "DONE",
    AlertLevel.WARNING: "WARNING",
    AlertLevel.CRITICAL: "ALERT",
    AlertLevel.URGENT: "URGENT",
}
_ICONS = {
    AlertLevel.INFO: "info",
    AlertLevel.OK: "ok",
    AlertLevel.WARNING: "warning",
    AlertLevel.CRITICAL: "overdue",
    AlertLevel.URGENT: "urgent",
}


@dataclass(frozen=True)
class BannerAction:
    """A button on a banner."""

    action_id: str
    label: str
    role: str = "secondary"


class AlertBanner(QFrame):
    """One banner: icon, "LEVEL: title", detail text and optional buttons."""

    sig_action = Signal(str)
    """A banner button was pressed (its action id)."""

    def __init__(self, parent: QWidget | None = None, *, object_name: str = "alert_banner") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._level = AlertLevel.INFO
        self._icon = QLabel(self)
        self._icon.setFixedSize(36, 36)
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self._title = QLabel(self)
        self._title.setWordWrap(True)
        self._title.setObjectName(f"{object_name}_title")
        self._title.setProperty("role", "banner-title")
        self._detail = QLabel(self)
        self._detail.setWordWrap(True)
        self._detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._detail.setObjectName(f"{object_name}_detail")
        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(8)
        text_column = QVBoxLayout()
        text_column.setSpacing(2)
        text_column.addWidget(self._title)
        text_column.addWidget(self._detail)
        text_column.addLayout(self._buttons)
        # A row with no buttons still has its stretch: an empty layout is 0 px wide at most,
        # which squeezed the title into a column of single words.
        self._buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 10, 8)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text_column, 1)
        self._action_buttons: dict[str, QPushButton] = {}
        self._actions: tuple[BannerAction, ...] = ()
        self._styled = False
        self.setVisible(False)

    @property
    def level(self) -> AlertLevel:
        """The current level."""
        return self._level

    @property
    def title_text(self) -> str:
        """The title as shown (with the level word)."""
        return self._title.text()

    @property
    def detail_text(self) -> str:
        """The detail as shown."""
        return self._detail.text()

    def button(self, action_id: str) -> QPushButton:
        """The button for an action (for keyboard focus and tests)."""
        return self._action_buttons[action_id]

    def show_message(
        self,
        level: AlertLevel,
        title: str,
        detail: str = "",
        actions: tuple[BannerAction, ...] = (),
    ) -> None:
        """Show the banner with this content (replacing what was there)."""
        if level is not self._level or not self._styled:
            # Re-polishing the banner and its children is the costly part of a refresh: only
            # when the level changes (a banner refreshed every second keeps its level).
            self._level = level
            self._styled = True
            set_tone(self, level.tone)
            self._icon.setPixmap(pixmap(level.icon_name, 32))
            self._icon.setAccessibleName(level.word)
        self._title.setText(f"{level.word}: {title}")
        self._detail.setText(detail)
        self._detail.setVisible(bool(detail))
        self._set_actions(actions)
        self.setAccessibleName(f"{level.word}: {title}")
        self.setAccessibleDescription(detail)
        self.setVisible(True)

    def clear(self) -> None:
        """Hide the banner."""
        self._set_actions(())
        self.setVisible(False)
        self.setAccessibleName("")

    def _set_actions(self, actions: tuple[BannerAction, ...]) -> None:
        if actions == self._actions and len(self._action_buttons) == len(actions):
            # Unchanged: keep the buttons, so a banner refreshed every second keeps focus.
            return
        self._actions = actions
        # Empty the row (buttons and the stretch after them): stretches left behind piled up.
        while self._buttons.count():
            self._buttons.takeAt(0)
        for existing in self._action_buttons.values():
            existing.hide()
            existing.deleteLater()
        self._action_buttons = {}
        for action in actions:
            button = QPushButton(action.label, self)
            button.setObjectName(f"{self.objectName()}_{action.action_id.replace('-', '_')}")
            button.setAccessibleName(action.label)
            set_role(button, action.role)
            button.clicked.connect(lambda _=False, a=action.action_id: self.sig_action.emit(a))
            self._buttons.addWidget(button)
            self._action_buttons[action.action_id] = button
        self._buttons.addStretch(1)
