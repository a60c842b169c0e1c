"""Metric tiles: numerator / denominator and percentage, clickable to list the babies behind it."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from mgso4.gui.style import set_role


class MetricTile(QPushButton):
    """One number on the audit screen. A button, so it works by keyboard and screen reader."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.title = title
        self.setObjectName(f"tile_{key.replace(':', '_')}")
        self.setCheckable(True)
        self.setAutoExclusive(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(96)
        # A light tile: dark text on white reads well; the app's primary blue is for actions.
        set_role(self, "secondary")
        self.title_label = QLabel(title, self)
        self.title_label.setWordWrap(True)
        self.value_label = QLabel("–", self)
        self.value_label.setObjectName(f"{self.objectName()}_value")
        # Size only (the app stylesheet keeps the colours, so contrast stays checked there).
        self.value_label.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName(f"{self.objectName()}_count")
        # The chosen tile says so in words (never by colour alone).
        self.chosen_label = QLabel("", self)
        self.chosen_label.setObjectName(f"{self.objectName()}_chosen")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        for label in (self.title_label, self.value_label, self.count_label, self.chosen_label):
            # The labels only show text; clicks and focus belong to the tile.
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        self.show_empty()
        self.toggled.connect(self._on_toggled)

    def _on_toggled(self, checked: bool) -> None:
        self.chosen_label.setText("▼ listed below" if checked else "")

    def show_value(self, numerator: int, denominator: int, percentage: Decimal | None) -> None:
        """Show "74.5%" and "868 of 1,165 babies" (or "no eligible babies")."""
        self.value_label.setText("–" if percentage is None else f"{percentage}%")
        counts = (
            "no eligible babies" if denominator == 0 else f"{numerator:,} of {denominator:,} babies"
        )
        self.count_label.setText(counts)
        self._describe(f"{self.value_label.text()}, {counts}")

    def show_count(self, count: int, noun: str) -> None:
        """Show a plain count ("12" and "episodes")."""
        self.value_label.setText(f"{count:,}")
        self.count_label.setText(noun)
        self._describe(f"{count:,} {noun}")

    def show_empty(self) -> None:
        """Nothing loaded yet."""
        self.value_label.setText("–")
        self.count_label.setText("not loaded")
        self._describe("not loaded")

    def _describe(self, value: str) -> None:
        self.setAccessibleName(f"{self.title}: {value}. Press to list the babies.")
        self.setToolTip(f"{self.title}\n{value}\nPress to list the babies behind this number.")
