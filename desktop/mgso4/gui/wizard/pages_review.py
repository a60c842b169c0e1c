"""Review everything entered, save it in one transaction, and show that it was saved.

The review page is the commit page: its button says "Save". The events are appended with one
``store.append_many`` call (one transaction). "Saved" is shown only after that call returns.
If the store refuses (disk full, read-only, locked...) its message is shown on this page,
every answer stays as entered, and Save can be pressed again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget, QWizard

from mgso4.core.dosing import plain, stop_due_at
from mgso4.core.flow import Step
from mgso4.core.timeutil import format_local
from mgso4.gui.style import ToneName
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel
from mgso4.gui.wizard.base import StepPage, clear_layout, emphasise, heading, text_label, toned
from mgso4.gui.wizard.pages_decision import RECOMMENDATION_WORDS


class ReviewPage(StepPage):
    """Everything entered, in the order it was asked, then Save."""

    step = Step.REVIEW

    def __init__(self, owner: object) -> None:
        super().__init__(owner)  # type: ignore[arg-type]
        self.setSubTitle("Check each line. Use Back to change anything; Save records it all.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Save")
        self.error_banner = AlertBanner(self, object_name="save_error")
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setAccessibleName("Everything entered")
        inner = QWidget()
        self.scroll.setWidget(inner)
        self.summary = QVBoxLayout(inner)
        self.summary.setContentsMargins(0, 0, 8, 0)
        self.summary.setSpacing(4)
        self.body.addWidget(self.error_banner)
        self.body.addWidget(self.scroll, 1)

    def enter(self) -> None:
        """Rebuild the summary from the answers."""
        self.error_banner.clear()
        clear_layout(self.summary)
        for title, lines in self.owner.summary_sections():
            self.summary.addWidget(heading(title))
            for line in lines:
                self.summary.addWidget(text_label(line, name=f"{title}: {line[:60]}"))
        self.summary.addStretch(1)

    def first_focus(self) -> QWidget | None:
        """The Save button (Enter saves)."""
        return self.owner.button(QWizard.WizardButton.CommitButton)

    def validatePage(self) -> bool:
        """Save; stay on the page with the store's message if it refuses."""
        problem = self.owner.save()
        if problem is None:
            self.error_banner.clear()
            return True
        self.error_banner.show_message(
            AlertLevel.CRITICAL,
            "Not saved",
            f"{problem} Nothing on this page has been lost: press Save again when ready.",
        )
        return False


class DonePage(StepPage):
    """Shown only after the save returned: what was saved and what happens next."""

    step = Step.DONE

    def __init__(self, owner: object) -> None:
        super().__init__(owner)  # type: ignore[arg-type]
        self.setTitle("Saved")
        self.setFinalPage(True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Close")
        self.frame, layout = toned(ToneName.OK, name="Saved")
        self.frame.setObjectName("saved_frame")
        self.saved_label = text_label(name="Saved")
        self.saved_label.setObjectName("saved_label")
        emphasise(self.saved_label, 1.2)
        layout.addWidget(self.saved_label)
        self.next_steps = text_label(name="What happens next")
        self.next_steps.setObjectName("next_steps")
        self.body.addWidget(self.frame)
        self.body.addWidget(self.next_steps)
        self.body.addStretch(1)

    def enter(self) -> None:
        """Say what was saved and when."""
        answers = self.answers
        tz = self.context.tz
        saved_at = self.owner.saved_at
        when = format_local(saved_at, tz) if saved_at is not None else ""
        self.saved_label.setText(f"DONE: saved {when}. The episode is on the ward board.")
        lines: list[str] = []
        assessment = answers.assessment
        if assessment is not None and answers.load_started_at is not None:
            loading = assessment.loading
            if loading is not None:
                lines.append(
                    f"Loading dose {plain(loading.dose_g)} g at {plain(loading.rate_ml_per_h)} "
                    f"mL/h from {format_local(answers.load_started_at, tz)}."
                )
            maintenance = assessment.maintenance
            if maintenance is not None and answers.maintenance_started_at is not None:
                lines.append(
                    f"Maintenance {plain(maintenance.rate_g_per_h)} g/h = "
                    f"{plain(maintenance.rate_ml_per_h)} mL/h from "
                    f"{format_local(answers.maintenance_started_at, tz)}."
                )
                due = stop_due_at(
                    self.context.protocol,
                    load_started_at=answers.load_started_at,
                    maintenance_started_at=answers.maintenance_started_at,
                )
                if due is not None:
                    lines.append(f"Stop due {format_local(due, tz)} (or as the card says).")
            interval = self.context.protocol.monitoring.interval_hours.value
            lines.append(f"Record observations at least every {plain(interval)} h.")
        elif answers.not_given_code is not None:
            lines.append(f"Recorded as not given ({answers.not_given_code}).")
        elif assessment is not None:
            lines.append(f"Recorded: {RECOMMENDATION_WORDS[assessment.recommendation]}.")
        self.next_steps.setText("\n".join(lines))

    def first_focus(self) -> QWidget | None:
        """The Close (Finish) button."""
        return self.owner.button(QWizard.WizardButton.FinishButton)


__all__ = ["DonePage", "ReviewPage"]
