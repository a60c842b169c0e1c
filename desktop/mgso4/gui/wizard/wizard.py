"""The new-episode wizard: a ``QWizard`` whose page order comes from ``core.flow``.

``nextId()`` builds a ``core.flow.FlowState`` from the answers so far and returns the next
step on ``core.flow.path`` after the current one; no page decides where to go. The pages
check what is typed through ``core``, the decision page shows ``core.eligibility.assess``,
and saving appends every event of the new episode with one ``store.append_many`` call.

Keyboard: every page can be completed without a mouse. Tab moves between fields in visual
order; Enter goes to the next page when the page is complete. On a choice (radio button)
that has the focus, Enter picks that choice and goes on, as in a list: the choice picked is
the one with the focus ring, and the next page shows it again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QMessageBox, QRadioButton, QWidget, QWizard

from mgso4.core import flow
from mgso4.core.dosing import plain, stop_due_at
from mgso4.core.eligibility import AssessmentInputs, assess
from mgso4.core.episode import Event, EventDraft, fold
from mgso4.core.flow import Step
from mgso4.core.gestation import DatingMethod, GestationalAge, GestationError
from mgso4.core.protocol import ProtocolError
from mgso4.core.timeutil import format_local, to_local
from mgso4.gui.context import AppContext
from mgso4.gui.style import Colour, set_role
from mgso4.gui.wizard.answers import (
    IncompleteAnswersError,
    WizardAnswers,
    build_drafts,
    flow_state,
    interaction_warning,
)
from mgso4.gui.wizard.base import StepPage
from mgso4.gui.wizard.fields import ROLE_LABELS
from mgso4.gui.wizard.pages_decision import (
    RECOMMENDATION_WORDS,
    DecisionPage,
    NotGivenPage,
    SeniorPage,
)
from mgso4.gui.wizard.pages_entry import GestationPage, PatientPage, SituationPage, UserPage
from mgso4.gui.wizard.pages_infusion import (
    LoadingPage,
    MaintenancePage,
    maintenance_not_recorded_text,
)
from mgso4.gui.wizard.pages_review import DonePage, ReviewPage
from mgso4.reports.describe import event_label
from mgso4.storage.errors import StoreError

LOG = logging.getLogger(__name__)

#: Every page, one per ``core.flow.Step`` (``DONE`` is the "Saved" page shown after the save).
PAGE_CLASSES: tuple[type[StepPage], ...] = (
    UserPage,
    PatientPage,
    GestationPage,
    SituationPage,
    DecisionPage,
    SeniorPage,
    NotGivenPage,
    LoadingPage,
    MaintenancePage,
    ReviewPage,
    DonePage,
)

_ORDER: tuple[Step, ...] = tuple(Step)


def page_id(step: Step) -> int:
    """The ``QWizard`` page id of a step (its position in ``core.flow.Step``)."""
    return _ORDER.index(step)


def step_of(page_id_: int) -> Step | None:
    """The step of a ``QWizard`` page id, or None for -1."""
    return _ORDER[page_id_] if 0 <= page_id_ < len(_ORDER) else None


def choice_indicator_stylesheet() -> str:
    """Visible circles and boxes for radio buttons and checkboxes, in the app's colours.

    Stopgap: the application stylesheet gives every widget a transparent background, and
    with that the Fusion style draws no indicator for an unticked radio button or checkbox,
    so the choices on these pages could not be seen. Once ``gui/style.py`` styles the
    indicators itself, this can go.
    """
    dot = (
        "qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5, "
        f"stop:0 {Colour.PRIMARY}, stop:0.45 {Colour.PRIMARY}, "
        f"stop:0.55 {Colour.SURFACE}, stop:1 {Colour.SURFACE})"
    )
    return (
        "QRadioButton::indicator, QCheckBox::indicator {"
        f" width: 18px; height: 18px; border: 2px solid {Colour.BORDER};"
        f" background-color: {Colour.SURFACE}; }}\n"
        "QRadioButton::indicator { border-radius: 11px; }\n"
        "QCheckBox::indicator { border-radius: 3px; }\n"
        f"QRadioButton::indicator:checked {{ border: 2px solid {Colour.PRIMARY};"
        f" background-color: {dot}; }}\n"
        f"QCheckBox::indicator:checked {{ border: 2px solid {Colour.PRIMARY_DARK};"
        f" background-color: {Colour.PRIMARY}; }}\n"
        "QRadioButton:focus, QCheckBox:focus {"
        f" border: 2px solid {Colour.FOCUS}; border-radius: 4px; }}\n"
    )


class _ChooseOnEnter(QObject):
    """Enter on a focused, unticked choice picks it; the wizard then goes to the next page.

    A held-down Enter (auto-repeat) never picks anything: only a deliberate key press does,
    so a key held after leaving the previous page cannot choose on this one.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.isAutoRepeat()
            and isinstance(watched, QRadioButton)
            and watched.isEnabled()
            and watched.isVisible()
            and not watched.isChecked()
        ):
            watched.click()
        # Never consume Enter: the wizard's default button (Next) still receives it.
        return False


class NewEpisodeWizard(QWizard):
    """Record a new episode: who, patient, gestation, situation, decision, infusion, save."""

    sig_episode_saved = Signal(str)
    """A new episode was saved (its uuid); emitted after the store's COMMIT returned."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.answers = WizardAnswers(preparation_id=self._default_preparation())
        self.identifier_display = ""
        self.saved_at: datetime | None = None
        self.saved_events: list[Event] = []
        #: When the review page last showed what saving records: the cut-off for what has
        #: happened, so the record is exactly what was reviewed (None before the review).
        self.reviewed_at: datetime | None = None
        self._closing_without_asking = False
        training = " — TRAINING (not a real record)" if context.training else ""
        self.setWindowTitle(f"New MgSO₄ episode{training}")
        self.setObjectName("new_episode_wizard")
        self.setAccessibleName("New episode")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setMinimumSize(760, 640)

        self.pages: dict[Step, StepPage] = {}
        for page_class in PAGE_CLASSES:
            page = page_class(self)
            self.pages[page_class.step] = page
            self.setPage(page_id(page_class.step), page)
        self.setStartId(page_id(flow.next_step(self.flow_state())))

        self._choose_on_enter = _ChooseOnEnter(self)
        for button in self.findChildren(QRadioButton):
            button.installEventFilter(self._choose_on_enter)
        names = {
            QWizard.WizardButton.BackButton: "Back",
            QWizard.WizardButton.NextButton: "Next",
            QWizard.WizardButton.CommitButton: "Save",
            QWizard.WizardButton.FinishButton: "Close",
            QWizard.WizardButton.CancelButton: "Cancel",
        }
        for which, name in names.items():
            self.button(which).setAccessibleName(name)
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            set_role(self.button(which), "secondary")
        self.setStyleSheet(choice_indicator_stylesheet())
        self.currentIdChanged.connect(self._on_current_id_changed)

    # -- flow -----------------------------------------------------------------------------

    def flow_state(self) -> flow.FlowState:
        """The ``core.flow`` state for the answers so far."""
        pages = self.pages
        return flow_state(
            self.answers,
            user_known=self.context.user is not None,
            protocol=self.context.protocol,
            patient_complete=pages[Step.PATIENT].is_valid(),
            gestation_complete=pages[Step.GESTATION].is_valid(),
            situation_complete=pages[Step.SITUATION].is_valid(),
            senior_complete=pages[Step.SENIOR].is_valid(),
            not_given_complete=pages[Step.NOT_GIVEN].is_valid(),
            loading_complete=pages[Step.LOADING].is_valid(),
            maintenance_complete=pages[Step.MAINTENANCE].is_valid(),
        )

    def path(self) -> list[Step]:
        """The steps this episode passes through, as ``core.flow`` says for the answers."""
        return flow.path(self.flow_state())

    def step_after(self, step: Step) -> Step | None:
        """The next step on the path after ``step``; None while the way on is still unknown."""
        position = _ORDER.index(step)
        return next((s for s in self.path() if _ORDER.index(s) > position), None)

    def nextId(self) -> int:
        """The page after the current one, from ``core.flow``; -1 after the "Saved" page."""
        step = step_of(self.currentId())
        if step is None or step is Step.DONE:
            return -1
        following = self.step_after(step)
        if following is None:
            # The page's own question is not answered yet, so Next is disabled; name a later
            # page so the button stays "Next" rather than turning into "Finish".
            return page_id(Step.REVIEW)
        return page_id(following)

    # -- assessment -----------------------------------------------------------------------

    def reassess(self) -> None:
        """Assess again with the answers so far (``core.eligibility.assess``)."""
        answers = self.answers
        answers.assessment, answers.assessment_inputs = None, None
        if answers.dating is None or answers.situation is None:
            return
        when = answers.decided_at or self.context.clock()
        on = to_local(when, self.context.tz).date()
        try:
            gestation = answers.dating.gestation_on(on)
        except GestationError:
            return
        inputs = AssessmentInputs(
            gestation=gestation,
            situation=answers.situation,
            conditions=answers.conditions,
            medications=answers.medications,
            dating_method=answers.dating.method,
            on=on,
            plurality=answers.plurality,
        )
        try:
            assessment = assess(
                inputs, self.context.protocol, self.context.preparations, answers.preparation_id
            )
        except ProtocolError:
            answers.preparation_id = self.context.preparations.default
            assessment = assess(
                inputs, self.context.protocol, self.context.preparations, answers.preparation_id
            )
        answers.assessment, answers.assessment_inputs = assessment, inputs

    def gestation_today(self) -> GestationalAge | None:
        """The gestation today from the dating entered (for the patient banner)."""
        dating = self.answers.dating
        if dating is None:
            return None
        try:
            return dating.gestation_on(to_local(self.context.clock(), self.context.tz).date())
        except GestationError:
            return None

    # -- saving ---------------------------------------------------------------------------

    def record_cutoff(self) -> datetime:
        """The "now" that decides what has happened: the review time, else the clock."""
        return self.reviewed_at if self.reviewed_at is not None else self.context.clock()

    def drafts(self) -> list[EventDraft]:
        """The events saving would record now (``answers.build_drafts``).

        Raises:
            IncompleteAnswersError: Something is missing or has not happened yet.
        """
        user = self.context.user
        if user is None:
            raise IncompleteAnswersError(
                "Nobody is signed in: go Back to the first page and enter your name."
            )
        return build_drafts(
            self.answers,
            path=self.path(),
            user=user,
            protocol=self.context.protocol,
            unit_name=self.context.settings.unit_name,
            training=self.context.training,
            now=self.record_cutoff(),
        )

    def save(self) -> str | None:
        """Append every event in one transaction; the problem in words, or None when saved.

        Only what had happened when the review page was shown is recorded (see ``answers``).

        On success: the answers are marked saved, ``sig_episode_saved`` is emitted with the
        episode uuid, and ``context.changed()`` tells the rest of the app. On a refusal,
        nothing is marked and every answer stays as it is, so Save can be pressed again.
        """
        if self.answers.saved:
            return None
        try:
            drafts = self.drafts()
        except IncompleteAnswersError as error:
            return str(error)
        try:
            events = self.context.store.append_many(drafts, self.context.protocol)
        except StoreError as error:
            return str(error)
        except ValueError as error:
            # A payload the record refuses (a programming error, not the user's): say so
            # plainly rather than showing a traceback; nothing was written.
            return f"The entry could not be recorded ({error}). Nothing was saved."
        self.answers.saved = True
        self.saved_events = list(events)
        self.saved_at = self.saved_events[-1].recorded_at if self.saved_events else None
        try:
            self.sig_episode_saved.emit(self.answers.episode_uuid)
            self.context.changed()
        except Exception:
            # The episode IS saved; a screen that failed to refresh must not make the wizard
            # say otherwise. The failure is logged for the system owner.
            LOG.exception(
                "a screen failed to refresh after episode %s was saved", self.answers.episode_uuid
            )
        return None

    def saved_state_active(self) -> bool:
        """Whether the saved episode is active (shown on the ward board), from its events."""
        if not self.saved_events:
            return False
        return fold(self.saved_events, self.context.tz).active

    # -- review text ----------------------------------------------------------------------

    def summary_sections(self) -> list[tuple[str, list[str]]]:
        """Everything entered, section by section, for the review page."""
        answers = self.answers
        context = self.context
        tz = context.tz
        path = self.path()
        now = self.record_cutoff()
        sections: list[tuple[str, list[str]]] = []
        user = context.user
        if user is not None:
            sections.append(("Recorded by", [f"{user.name} ({ROLE_LABELS[user.role]})"]))
        patient = answers.patient
        if patient is not None:
            lines = [
                patient.name,
                f"{patient.id_type.value.upper()} number {self.identifier_display}",
                "Date of birth: "
                + (patient.date_of_birth.isoformat() if patient.date_of_birth else "not given"),
            ]
            if answers.identifier_warning:
                lines.append(f"Check: {answers.identifier_warning}")
            sections.append(("Patient", lines))
        dating = answers.dating
        assessment = answers.assessment
        if dating is not None and assessment is not None:
            if dating.method is DatingMethod.AGREED_EDD and dating.edd is not None:
                how = f"from the agreed EDD {dating.edd.isoformat()}"
            elif dating.method is DatingMethod.LMP and dating.lmp is not None:
                how = f"from the LMP {dating.lmp.isoformat()}"
            else:
                how = f"stated as {dating.stated_gestation} on {dating.stated_on}"
            sections.append(
                (
                    "Gestation",
                    [f"{assessment.gestation.label} on the decision date ({how})"],
                )
            )
        if answers.situation is not None:
            protocol = context.protocol
            conditions = [
                condition_rule.label
                for c in sorted(answers.conditions)
                if (condition_rule := protocol.condition(c)) is not None
            ]
            medications = [
                interaction_rule.label
                for m in sorted(answers.medications)
                if (interaction_rule := protocol.interaction(m)) is not None
            ]
            lines = [
                answers.situation.label,
                f"Babies expected: {answers.plurality}",
                "Conditions: " + (", ".join(conditions) if conditions else "none ticked"),
                "Medicines: " + (", ".join(medications) if medications else "none ticked"),
            ]
            if assessment is not None:
                lines += [
                    f"Acknowledged: {interaction_warning(assessment, protocol, m)}"
                    for m in sorted(answers.acknowledged & answers.medications)
                ]
            sections.append(("Situation", lines))
        if assessment is not None:
            decision_lines = [RECOMMENDATION_WORDS[assessment.recommendation]]
            if answers.decided_at is not None:
                decision_lines.append(f"Decision time: {format_local(answers.decided_at, tz)}")
            if Step.LOADING in path:
                decision_lines.append("Decision: GIVE magnesium sulfate")
            elif Step.NOT_GIVEN in path:
                decision_lines.append("Decision: NOT given")
            if Step.SENIOR in path and answers.senior is not None:
                decision_lines.append(
                    f"Senior decision by {answers.senior.name} ({ROLE_LABELS[answers.senior.role]})"
                )
            if Step.LOADING in path and answers.severe_pre_eclampsia:
                which = "eclampsia" if answers.eclampsia else "severe pre-eclampsia"
                decision_lines.append(
                    f"Also given for {which}; the team's stop plan: {answers.stop_plan}"
                )
            sections.append(("Recommendation and decision", decision_lines))
        if Step.NOT_GIVEN in path and answers.not_given_code is not None:
            reason_rule = context.protocol.missed_reason(answers.not_given_code)
            label = reason_rule.label if reason_rule is not None else answers.not_given_code
            lines = [label]
            if answers.not_given_text:
                lines.append(f"Details: {answers.not_given_text}")
            sections.append(("Reason not given", lines))
        if Step.LOADING in path and assessment is not None and assessment.loading is not None:
            loading = assessment.loading
            preparation = assessment.preparation
            lines = [
                f"Preparation: {preparation.name if preparation else loading.preparation_id}",
                f"{plain(loading.dose_g)} g = {plain(loading.volume_ml)} mL of "
                f"{loading.concentration_label} at {plain(loading.rate_ml_per_h)} mL/h for "
                f"{plain(loading.duration_min)} min",
            ]
            if answers.load_started_at is not None:
                lines.append(f"Started: {format_local(answers.load_started_at, tz)}")
            load_finished_at = answers.load_end_to_record(now)
            load_ends_at = answers.load_ends_at()
            if Step.MAINTENANCE in path and load_finished_at is not None:
                lines.append(f"Finished: {format_local(load_finished_at, tz)}")
            elif load_ends_at is not None:
                lines.append(f"Due to end: {format_local(load_ends_at, tz)} (not recorded yet)")
            if answers.checker is not None:
                lines.append(
                    f"Checked by: {answers.checker.name} ({ROLE_LABELS[answers.checker.role]})"
                )
            sections.append(("Loading dose", lines))
        if Step.MAINTENANCE in path and assessment is not None and assessment.maintenance:
            maintenance = assessment.maintenance
            lines = [
                f"{plain(maintenance.rate_g_per_h)} g/h = {plain(maintenance.rate_ml_per_h)} mL/h "
                f"of {maintenance.concentration_label}"
            ]
            maintenance_at = answers.maintenance_start_to_record(now)
            if maintenance_at is not None:
                lines.append(f"Started: {format_local(maintenance_at, tz)}")
                due = stop_due_at(
                    context.protocol,
                    load_started_at=answers.load_started_at,
                    maintenance_started_at=maintenance_at,
                )
                if due is not None:
                    lines.append(f"Stop due: {format_local(due, tz)}")
            else:
                lines.append(maintenance_not_recorded_text(answers.load_ends_at(), tz))
            sections.append(("Maintenance infusion", lines))
        elif Step.LOADING in path:
            sections.append(("Maintenance infusion", ["Loading dose only (maintenance skipped)"]))
        recorded = self._recorded_lines()
        if recorded:
            sections.append(("Saving records", recorded))
        protocol = context.protocol
        sections.append(
            (
                "Protocol",
                [f"{protocol.name}, version {protocol.version} (file {protocol.short_hash})"],
            )
        )
        return sections

    def _recorded_lines(self) -> list[str]:
        """Each entry saving records, with its clinical time (every one has happened)."""
        try:
            drafts = self.drafts()
        except IncompleteAnswersError:
            return []
        tz = self.context.tz
        return [
            f"{event_label(draft.type)}: {format_local(draft.occurred_at, tz)}" for draft in drafts
        ]

    # -- closing --------------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel: ask first if anything was entered and not saved."""
        if self._discard_confirmed():
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's close button asks like Cancel; closing from code does not ask."""
        if not event.spontaneous():
            self._closing_without_asking = True
        super().closeEvent(event)

    def _discard_confirmed(self) -> bool:
        if self._closing_without_asking or self.answers.saved or not self._anything_entered():
            return True
        answer = QMessageBox.question(
            self,
            "Discard this new episode?",
            "Nothing has been saved yet. Close the new episode and lose what was entered?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def _anything_entered(self) -> bool:
        patient_page = self.pages[Step.PATIENT]
        assert isinstance(patient_page, PatientPage)
        return bool(patient_page.identifier_edit.text().strip() or self.answers.dating)

    # -- helpers --------------------------------------------------------------------------

    def _default_preparation(self) -> str:
        wanted = self.context.settings.default_preparation
        ids = self.context.preparations.ids
        return wanted if wanted in ids else self.context.preparations.default

    def _on_current_id_changed(self, current: int) -> None:
        step = step_of(current)
        if step is None:
            return
        focus = self.pages[step].first_focus()
        if focus is not None:
            focus.setFocus(Qt.FocusReason.TabFocusReason)
