"""Review everything entered, save it in one transaction, and show that it was saved.

The review page is the commit page: its button says "Save". The events are appended with one
``store.append_many`` call (one transaction). "Saved" is shown only after that call returns.
What is saved is what the page shows: the moment it is shown is the cut-off for what has
happened (a maintenance start still ahead is shown as not recorded, and is not saved).
If the store refuses (disk full, read-only, locked...) its message is shown on this page,
every answer stays as entered, and Save can be pressed again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget, QWizard

from mgso4.core.dosing import plain, stop_due_at
from mgso4.core.episode import EventType
from mgso4.core.flow import Step
from mgso4.core.timeutil import format_local
from mgso4.gui.style import ToneName
from mgso4.gui.wizard.base import (
    StepPage,
    WizardHost,
    clear_layout,
    emphasise,
    heading,
    text_label,
    toned,
)
from mgso4.gui.wizard.pages_decision import RECOMMENDATION_WORDS
from mgso4.gui.wizard.pages_infusion import maintenance_not_recorded_text


class ReviewPage(StepPage):
    """Everything entered, in the order it was asked, then Save."""

    step = Step.REVIEW

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle("Check each line. Use Back to change anything; Save records it all.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Save")
        self.error_box, error_layout = toned(ToneName.CRITICAL, self, name="Not saved")
        self.error_box.setObjectName("save_error")
        self.error_title = emphasise(text_label("NOT SAVED", name="Not saved"), 1.15)
        self.error_text = text_label(name="Why it was not saved")
        self.error_text.setObjectName("save_error_text")
        error_layout.addWidget(self.error_title)
        error_layout.addWidget(self.error_text)
        self.error_box.hide()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setAccessibleName("Everything entered")
        inner = QWidget()
        self.scroll_area.setWidget(inner)
        self.summary = QVBoxLayout(inner)
        self.summary.setContentsMargins(0, 0, 8, 0)
        self.summary.setSpacing(4)
        self.body.addWidget(self.error_box)
        self.body.addWidget(self.scroll_area, 1)

    def enter(self) -> None:
        """Rebuild the summary from the answers, as of now (the cut-off for what happened)."""
        self.owner.reviewed_at = self.context.clock()
        self.error_box.hide()
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
            self.error_box.hide()
            return True
        self.error_text.setText(
            f"{problem}\nNothing you entered has been lost: press Save again when ready."
        )
        self.error_box.setAccessibleDescription(self.error_text.text())
        self.error_box.show()
        return False


class DonePage(StepPage):
    """Shown only after the save returned: what was saved and what happens next."""

    step = Step.DONE

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
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
        on_board = (
            "The episode is on the ward board."
            if self.owner.saved_state_active()
            else "The episode is closed (not on the ward board)."
        )
        self.saved_label.setText(f"DONE: saved {when}. {on_board}")
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
            saved_types = {event.type for event in self.owner.saved_events}
            maintenance_at = next(
                (
                    event.occurred_at
                    for event in self.owner.saved_events
                    if event.type is EventType.MAINTENANCE_STARTED
                ),
                None,
            )
            if maintenance is not None and maintenance_at is not None:
                lines.append(
                    f"Maintenance {plain(maintenance.rate_g_per_h)} g/h = "
                    f"{plain(maintenance.rate_ml_per_h)} mL/h from "
                    f"{format_local(maintenance_at, tz)}."
                )
                due = stop_due_at(
                    self.context.protocol,
                    load_started_at=answers.load_started_at,
                    maintenance_started_at=maintenance_at,
                )
                if due is not None:
                    at_birth = (
                        "or at birth, whichever is first"
                        if assessment.stops_at_birth
                        else "do not stop automatically at birth"
                    )
                    lines.append(f"Stop due {format_local(due, tz)} ({at_birth}).")
            elif maintenance is not None and not answers.maintenance_skipped:
                lines.append(maintenance_not_recorded_text(answers.load_ends_at(), tz))
            elif EventType.LOAD_FINISHED not in saved_types:
                load_ends_at = answers.load_ends_at()
                due_words = f" (due {format_local(load_ends_at, tz)})" if load_ends_at else ""
                lines.append(
                    f"When the loading dose ends{due_words}, use Load finished in the episode view."
                )
            interval = self.context.protocol.monitoring.interval_hours.value
            lines.append(f"Record observations at least every {plain(interval)} h.")
        elif answers.not_given_code is not None:
            rule = self.context.protocol.missed_reason(answers.not_given_code)
            reason = rule.label if rule is not None else "reason recorded"
            lines.append(f"Recorded as not given: {reason}.")
        elif assessment is not None:
            lines.append(f"Recorded: {RECOMMENDATION_WORDS[assessment.recommendation]}.")
        self.next_steps.setText("\n".join(lines))

    def first_focus(self) -> QWidget | None:
        """The Close (Finish) button."""
        return self.owner.button(QWizard.WizardButton.FinishButton)


__all__ = ["DonePage", "ReviewPage"]
