"""Choices for the team's feedback sheet: the month, the chart, small numbers, next month's plan.

The dialog only collects choices; the sheet is built from the audit's metrics in
``audit.feedback`` (off the GUI thread, by the audit view).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mgso4.audit.feedback import MAX_NOTE_LENGTH, ChartPeriod, FeedbackOptions, YearMonth
from mgso4.audit.spc import ALLOWED_RUN_LENGTHS, SpcSettings
from mgso4.gui.style import set_role
from mgso4.settings import Settings

#: Threshold offered when suppression is switched on and no unit setting exists.
DEFAULT_SUPPRESS_BELOW = 5


class FeedbackDialog(QDialog):
    """Ask which month, how to chart it, whether to hide small numbers, and what to try next."""

    sig_chosen = Signal(object)
    """The QI lead asked for the sheet with these ``FeedbackOptions``."""

    def __init__(
        self,
        months: list[YearMonth],
        settings: Settings,
        *,
        workstations: frozenset[str] = frozenset(),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("feedback_dialog")
        self.setWindowTitle("Print feedback sheet")
        self._settings = settings
        self._workstations = workstations

        intro = QLabel(
            "A one-page, de-identified sheet for the team huddle: this month's figures, the "
            "SPC chart, the babies who did not get MgSO₄ in time (by pseudonymous reference) "
            "and the reasons over 12 months. It is logged in the record as an export when it "
            "is printed or saved.",
            self,
        )
        intro.setWordWrap(True)

        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("feedback_month_combo")
        self.month_combo.setAccessibleName("Month of the sheet")
        for month in months:
            self.month_combo.addItem(month.label, month.iso)

        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("feedback_period_combo")
        self.period_combo.setAccessibleName("What each chart point covers")
        for period in ChartPeriod:
            self.period_combo.addItem(period.label, period.value)

        self.shift_combo = self._lengths("feedback_shift_combo", settings.spc_shift_length)
        self.shift_combo.setAccessibleName("Shift rule: points in a row on one side of the mean")
        self.trend_combo = self._lengths("feedback_trend_combo", settings.spc_trend_length)
        self.trend_combo.setAccessibleName("Trend rule: points in a row rising or falling")
        runs = QHBoxLayout()
        runs.addWidget(QLabel("shift", self))
        runs.addWidget(self.shift_combo)
        runs.addWidget(QLabel("trend", self))
        runs.addWidget(self.trend_combo)
        runs.addStretch(1)

        self.suppress_check = QCheckBox(
            "Hide small numbers (for a sheet that leaves the unit)", self
        )
        self.suppress_check.setObjectName("feedback_suppress_check")
        self.suppress_spin = QSpinBox(self)
        self.suppress_spin.setObjectName("feedback_suppress_spin")
        self.suppress_spin.setAccessibleName("Show counts below this as less than it")
        self.suppress_spin.setRange(2, 50)
        self.suppress_spin.setPrefix("below ")
        self.suppress_spin.setValue(settings.suppress_below or DEFAULT_SUPPRESS_BELOW)
        self.suppress_check.setChecked(settings.suppress_below is not None)
        self.suppress_spin.setEnabled(self.suppress_check.isChecked())
        suppression = QHBoxLayout()
        suppression.addWidget(self.suppress_check)
        suppression.addWidget(self.suppress_spin)
        suppression.addStretch(1)

        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("feedback_note_edit")
        self.note_edit.setAccessibleName("What we will try next month")
        self.note_edit.setPlaceholderText(
            "What we will try next month. Printed on the sheet and kept in the record's "
            "export log: do not name patients or staff."
        )
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(90)
        self.note_count = QLabel("", self)
        self.note_count.setObjectName("feedback_note_count")

        self.remember_check = QCheckBox(
            "Keep the rule lengths and small-number choice as the unit's settings", self
        )
        self.remember_check.setObjectName("feedback_remember_check")

        form = QFormLayout()
        form.addRow(self._buddy("&Month", self.month_combo), self.month_combo)
        form.addRow(self._buddy("&Chart points", self.period_combo), self.period_combo)
        form.addRow(QLabel("Run rules (points)", self), runs)
        form.addRow(QLabel("Small numbers", self), suppression)
        form.addRow(self._buddy("&Next month", self.note_edit), self.note_edit)
        form.addRow(QLabel("", self), self.note_count)

        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("feedback_cancel_button")
        set_role(self.cancel_button, "secondary")
        self.make_button = QPushButton("Make and preview the sheet", self)
        self.make_button.setObjectName("feedback_make_button")
        self.make_button.setAccessibleName("Make and preview the feedback sheet")
        self.make_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.make_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.remember_check)
        layout.addLayout(buttons)

        self.suppress_check.toggled.connect(self.suppress_spin.setEnabled)
        self.note_edit.textChanged.connect(self._on_note_edit_text_changed)
        self.cancel_button.clicked.connect(self.reject)
        self.make_button.clicked.connect(self._on_make_button_clicked)
        self.make_button.setEnabled(bool(months))
        self._on_note_edit_text_changed()
        self.resize(600, 0)

    def _lengths(self, name: str, current: int) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        for length in ALLOWED_RUN_LENGTHS:
            combo.addItem(str(length), length)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        return combo

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    @property
    def note(self) -> str:
        """The plan as typed, without surrounding spaces."""
        return self.note_edit.toPlainText().strip()

    def options(self) -> FeedbackOptions:
        """The choices as options for ``audit.feedback.build_feedback``."""
        settings = self._settings
        return FeedbackOptions(
            month=YearMonth.parse(str(self.month_combo.currentData())),
            period=ChartPeriod(str(self.period_combo.currentData())),
            spc=SpcSettings(
                shift_length=int(self.shift_combo.currentData()),
                trend_length=int(self.trend_combo.currentData()),
                min_denominator=settings.spc_min_denominator,
            ),
            target_percent=settings.nnap_target_percent,
            stretch_percent=settings.nnap_stretch_target_percent,
            suppress_below=self.suppress_spin.value() if self.suppress_check.isChecked() else None,
            note=self.note,
            workstations=self._workstations,
        )

    def unit_settings(self) -> Settings:
        """The unit's settings with this sheet's rule lengths and small-number choice."""
        options = self.options()
        return Settings.model_validate(
            {
                **self._settings.model_dump(),
                "spc_shift_length": options.spc.shift_length,
                "spc_trend_length": options.spc.trend_length,
                "suppress_below": options.suppress_below,
            }
        )

    def _on_note_edit_text_changed(self) -> None:
        length = len(self.note)
        too_long = length > MAX_NOTE_LENGTH
        self.note_count.setText(
            f"{length} of {MAX_NOTE_LENGTH} characters"
            + (" — too long for the sheet; shorten it" if too_long else "")
        )
        self.make_button.setEnabled(not too_long and self.month_combo.count() > 0)

    def _on_make_button_clicked(self) -> None:
        self.sig_chosen.emit(self.options())
        self.accept()
