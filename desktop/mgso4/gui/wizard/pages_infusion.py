"""The infusion pages: the loading dose card and the maintenance infusion card.

Volumes, pump rates, containers and the stop time come from ``core`` (the assessment's
``core.dosing`` plans and ``core.dosing.stop_due_at``); the pages show them with their units
and record the start times and the second checker.

Time rules (typed as local time, parsed by ``core.timeutil``; spring-gap times refused, autumn
overlap times ask BST or GMT). A clinical record never holds an event that has not happened:

- the loading start may not be before the decision time, nor after now ("that time has not
  happened yet": the loading dose is recorded when it has started);
- the maintenance start may not be before the loading start. It defaults to the planned end of
  the loading dose. At the bedside that is usually still ahead: the page then shows the
  maintenance instructions as the plan and says plainly that nothing about maintenance is
  recorded yet (the end of the load and the maintenance start are recorded from the episode
  view when they happen). A start at or before now is recorded when the episode is saved
  (retrospective entry). A time after now that is also after the planned end of the load is
  refused: it is neither a recorded start nor the plan.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QWidget

from mgso4.core.actions import not_happened_yet
from mgso4.core.citations import cite
from mgso4.core.dosing import plain, stop_due_at
from mgso4.core.episode import Actor
from mgso4.core.flow import Step
from mgso4.core.protocol import Provenance
from mgso4.core.timeutil import format_local
from mgso4.gui.style import ToneName, set_tone
from mgso4.gui.wizard.base import (
    StepPage,
    WizardHost,
    bullets,
    card,
    emphasise,
    heading,
    muted,
    text_label,
    toned,
)
from mgso4.gui.wizard.fields import ActorFields, LocalDateTimeField, same_person
from mgso4.gui.wizard.pages_decision import sourced_line

_LOCAL = (Provenance.UNVERIFIED, Provenance.LOCAL)


def _big(text: str, *, name: str) -> QLabel:
    return emphasise(text_label(text, name=name))


def maintenance_not_recorded_text(load_ends_at: datetime | None, tz: ZoneInfo) -> str:
    """What to do when the maintenance start has not happened yet (page, review, Saved page).

    The episode view opens after saving; once the load end is due, its "Start maintenance"
    records the end of the load and the maintenance start together.
    """
    due = f" (due {format_local(load_ends_at, tz)})" if load_ends_at is not None else ""
    return (
        f"Maintenance is not recorded yet: when the loading dose ends{due}, use Start "
        "maintenance in the episode view (it records the end of the load too)."
    )


class LoadingPage(StepPage):
    """The loading dose: preparation, what to draw up and run, start time, second checker."""

    step = Step.LOADING

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle("Check the preparation with a second person, then start the pump.")
        self.preparation_combo = QComboBox()
        self.preparation_combo.setObjectName("preparation_combo")
        self.preparation_combo.setAccessibleName("Preparation")
        for preparation in self.context.preparations.preparations:
            mark = " — local setting" if preparation.status in _LOCAL else ""
            self.preparation_combo.addItem(f"{preparation.name}{mark}", preparation.id)

        self.card, card_layout = card(name="Loading dose")
        self.card.setObjectName("loading_card")
        card_layout.addWidget(heading("LOADING DOSE — check with a second person"))
        self.drug = text_label(name="Drug")
        self.dose = _big("", name="Loading dose")
        self.dose.setObjectName("loading_dose")
        self.pump = _big("", name="Pump rate")
        self.pump.setObjectName("loading_pump")
        self.container = text_label(name="Container")
        self.make_up = text_label(name="Make-up")
        self.sources = muted(name="Sources")
        for widget in (self.drug, self.dose, self.pump, self.container, self.make_up):
            card_layout.addWidget(widget)
        card_layout.addWidget(self.sources)
        self.warnings_frame, warnings_layout = toned(ToneName.WARNING, name="Preparation warnings")
        self.warnings = text_label(name="Preparation warnings")
        self.warnings.setObjectName("loading_warnings")
        warnings_layout.addWidget(self.warnings)

        self.started_at = LocalDateTimeField("Loading start time", self.context.tz)
        self.started_at.setObjectName("load_started_at")
        self.started_at.set_rule(self._start_rule)
        self.checker = ActorFields("Second checker")
        self.checker.setObjectName("checker_actor")
        self.checker.set_rule(self._checker_rule)
        self.skip_maintenance = QCheckBox(self)
        self.skip_maintenance.setObjectName("skip_maintenance")
        self.skip_maintenance.setAccessibleName("Loading dose only, no maintenance infusion")

        form = QFormLayout()
        form.addRow("Preparation", self.preparation_combo)
        self.body.addLayout(form)
        self.body.addWidget(self.card)
        self.body.addWidget(self.warnings_frame)
        lower = QFormLayout()
        lower.addRow("Started at", self.started_at)
        lower.addRow("Second checker", self.checker)
        self.body.addLayout(lower)
        protocol = self.context.protocol
        if protocol.maintenance.optional:
            self.skip_maintenance.setText(
                "Loading dose only — no maintenance infusion (optional in "
                f"{protocol.name}: {cite(protocol.maintenance.rate_g_per_h.source, protocol)})"
            )
            self.body.addWidget(self.skip_maintenance)
        else:
            self.skip_maintenance.hide()
        self.body.addStretch(1)

        QWidget.setTabOrder(self.preparation_combo, self.started_at.edit)
        QWidget.setTabOrder(self.started_at.edit, self.checker.name_edit)
        QWidget.setTabOrder(self.checker.name_edit, self.checker.role_combo)
        if protocol.maintenance.optional:
            QWidget.setTabOrder(self.checker.role_combo, self.skip_maintenance)

        self.registerField("checker_name*", self.checker.name_edit)
        self.preparation_combo.currentIndexChanged.connect(self._on_preparation_combo_changed)
        self.started_at.sig_changed.connect(self.changed)
        self.checker.sig_changed.connect(self.changed)
        self.skip_maintenance.toggled.connect(self._on_skip_maintenance_toggled)

    # -- page -----------------------------------------------------------------------------

    def enter(self) -> None:
        """Select the episode's preparation, default the start to now, show the plan."""
        index = self.preparation_combo.findData(self.answers.preparation_id)
        if index >= 0 and index != self.preparation_combo.currentIndex():
            self.preparation_combo.blockSignals(True)
            self.preparation_combo.setCurrentIndex(index)
            self.preparation_combo.blockSignals(False)
        if self.answers.load_started_at is None and not self.started_at.text().strip():
            self.started_at.set_value(self.context.clock())
        else:
            self.started_at.revalidate()  # the decision time may have changed
        self.checker.revalidate()
        self._show_plan()
        self.changed()

    def first_focus(self) -> QWidget:
        """The second checker's name: the one thing the standard case must type here."""
        if self.checker.value() is None:
            return self.checker.name_edit
        if self.started_at.value() is None:
            return self.started_at.edit
        return self.checker.name_edit

    def is_valid(self) -> bool:
        """A plan, an accepted start time and a second checker who is not the user."""
        assessment = self.answers.assessment
        return (
            assessment is not None
            and assessment.loading is not None
            and self.started_at.value() is not None
            and self.checker.value() is not None
        )

    def store(self) -> None:
        """Keep the start time, checker and the loading-only choice."""
        answers = self.answers
        answers.load_started_at = self.started_at.value()
        answers.checker = self.checker.value()
        answers.maintenance_skipped = (
            self.context.protocol.maintenance.optional and self.skip_maintenance.isChecked()
        )

    # -- content --------------------------------------------------------------------------

    def _show_plan(self) -> None:
        assessment = self.answers.assessment
        if assessment is None or assessment.loading is None or assessment.preparation is None:
            self.dose.setText("No loading dose: go Back to the decision.")
            for label in (self.drug, self.pump, self.container, self.make_up, self.sources):
                label.setText("")
            self.warnings_frame.hide()
            return
        plan = assessment.loading
        preparation = assessment.preparation
        protocol = self.context.protocol
        self.drug.setText(f"{preparation.drug} — {plan.concentration_label}")
        self.dose.setText(
            f"{plain(plan.dose_g)} g = {plain(plan.volume_ml)} mL of {plan.concentration_label}"
        )
        self.pump.setText(
            f"Pump rate {plain(plan.rate_ml_per_h)} mL/h for {plain(plan.duration_min)} min"
        )
        self.container.setText(f"Container: {plan.container}")
        self.make_up.setText(f"Make up: {plan.make_up}" if plan.make_up else "")
        self.make_up.setVisible(bool(plan.make_up))
        preparation_mark = " — local setting" if preparation.status in _LOCAL else ""
        self.sources.setText(
            bullets(
                [
                    sourced_line("Dose", protocol.loading.dose_g, "g", protocol),
                    sourced_line("Over", protocol.loading.duration_min, "min", protocol),
                    f"Preparation: {cite(preparation.source, protocol)}{preparation_mark}",
                ]
            )
        )
        self.warnings.setText(bullets(plan.warnings))
        self.warnings_frame.setVisible(bool(plan.warnings))

    # -- rules ----------------------------------------------------------------------------

    def _start_rule(self, moment: datetime) -> str | None:
        tz = self.context.tz
        decided_at = self.answers.decided_at
        if decided_at is not None and moment < decided_at.replace(second=0, microsecond=0):
            return (
                f"{format_local(moment, tz)} is before the decision time "
                f"({format_local(decided_at, tz)}): a loading dose starts after the decision. "
                "Check the time, or go Back and correct the decision time."
            )
        not_yet = not_happened_yet(moment, self.context.clock())
        if not_yet is not None:
            return f"{not_yet} Record the loading dose when it has started."
        return None

    def _checker_rule(self, checker: Actor) -> str | None:
        user = self.context.user
        if user is not None and same_person(checker, user):
            return (
                f"The second checker must be someone other than you ({user.name}): "
                "type the name of the person who checked the dose with you."
            )
        return None

    # -- slots ----------------------------------------------------------------------------

    def _on_preparation_combo_changed(self, _index: int) -> None:
        preparation_id = self.preparation_combo.currentData()
        if preparation_id and preparation_id != self.answers.preparation_id:
            self.answers.preparation_id = preparation_id
            self.owner.reassess()
            self._show_plan()
        self.changed()

    def _on_skip_maintenance_toggled(self, _checked: bool) -> None:
        self.changed()


class MaintenancePage(StepPage):
    """The maintenance infusion: rate, container, start time and when it must stop."""

    step = Step.MAINTENANCE

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle("Set the pump to the maintenance rate when the loading dose ends.")
        self.card, card_layout = card(name="Maintenance infusion")
        self.card.setObjectName("maintenance_card")
        card_layout.addWidget(heading("MAINTENANCE INFUSION"))
        self.drug = text_label(name="Drug")
        self.rate = _big("", name="Maintenance rate")
        self.rate.setObjectName("maintenance_rate")
        self.container = text_label(name="Container")
        self.make_up = text_label(name="Make-up")
        self.observations = text_label(name="Observations")
        self.sources = muted(name="Sources")
        for widget in (self.drug, self.rate, self.container, self.make_up, self.observations):
            card_layout.addWidget(widget)
        card_layout.addWidget(self.sources)
        self.warnings_frame, warnings_layout = toned(ToneName.WARNING, name="Maintenance warnings")
        self.warnings = text_label(name="Maintenance warnings")
        warnings_layout.addWidget(self.warnings)

        self.started_at = LocalDateTimeField("Maintenance start time", self.context.tz)
        self.started_at.setObjectName("maintenance_started_at")
        self.started_at.set_rule(self._start_rule)
        self.record_frame, record_layout = toned(ToneName.INFO, name="What is recorded")
        self.record_frame.setObjectName("maintenance_record_frame")
        self.record_note = text_label(name="What is recorded")
        self.record_note.setObjectName("maintenance_record_note")
        record_layout.addWidget(self.record_note)
        self.stop_due = _big("", name="Stop due")
        self.stop_due.setObjectName("stop_due")
        self.stop_note = muted(name="Stop rule")
        self.checked_by = muted(name="Checked by")

        self.body.addWidget(self.card)
        self.body.addWidget(self.warnings_frame)
        form = QFormLayout()
        # Neutral words: the time is either when it started (recorded) or the plan.
        form.addRow("Maintenance start", self.started_at)
        self.body.addLayout(form)
        self.body.addWidget(self.record_frame)
        self.body.addWidget(self.stop_due)
        self.body.addWidget(self.stop_note)
        self.body.addWidget(self.checked_by)
        self.body.addStretch(1)

        self.started_at.sig_changed.connect(self._on_started_at_changed)
        self.started_at.edit.textEdited.connect(self._on_started_at_edited)
        self._typed = False

    # -- page -----------------------------------------------------------------------------

    def enter(self) -> None:
        """Default the start to the end of the load (unless typed), show the plan."""
        if not self._typed:
            default = self.answers.load_ends_at()
            if default is not None:
                self.started_at.set_value(default)
        self.started_at.revalidate()
        self._show_plan()
        self._show_record_note()
        self.changed()

    def first_focus(self) -> QWidget:
        """The start time (Enter accepts the default)."""
        return self.started_at.edit

    def recorded(self) -> bool:
        """Whether the start time shown has happened (so saving records it)."""
        started = self.started_at.value()
        return started is not None and started <= self.context.clock()

    def is_valid(self) -> bool:
        """A plan and an accepted start time (recorded, or the plan)."""
        assessment = self.answers.assessment
        return (
            assessment is not None
            and assessment.maintenance is not None
            and self.started_at.value() is not None
        )

    def store(self) -> None:
        """Keep the start time."""
        self.answers.maintenance_started_at = self.started_at.value()

    # -- content --------------------------------------------------------------------------

    def _show_plan(self) -> None:
        assessment = self.answers.assessment
        protocol = self.context.protocol
        if assessment is None or assessment.maintenance is None or assessment.preparation is None:
            self.rate.setText("No maintenance plan: go Back to the decision.")
            self.warnings_frame.hide()
            return
        plan = assessment.maintenance
        self.drug.setText(f"{assessment.preparation.drug} — {plan.concentration_label}")
        self.rate.setText(
            f"{plain(plan.rate_g_per_h)} g/h = pump rate {plain(plan.rate_ml_per_h)} mL/h"
        )
        self.container.setText(
            f"Container: {plan.container}; at this rate one lasts "
            f"{plain(plan.hours_per_container)} h"
        )
        self.make_up.setText(f"Make up: {plan.make_up}" if plan.make_up else "")
        self.make_up.setVisible(bool(plan.make_up))
        monitoring = protocol.monitoring
        self.observations.setText(
            f"Observations at least every {plain(monitoring.interval_hours.value)} h: "
            f"{monitoring.interval_hours.note or 'pulse, BP, respiratory rate, reflexes'} "
            f"({cite(monitoring.interval_hours.source, protocol)})"
        )
        self.sources.setText(
            bullets(
                [
                    sourced_line("Rate", protocol.maintenance.rate_g_per_h, "g/h", protocol),
                    sourced_line("For at most", protocol.maintenance.max_hours, "h", protocol),
                ]
            )
        )
        self.warnings.setText(bullets(plan.warnings))
        self.warnings_frame.setVisible(bool(plan.warnings))
        checker = self.answers.checker
        self.checked_by.setText(
            f"Checked by {checker.name} (the loading dose checker)" if checker else ""
        )
        self._show_stop()

    def _show_stop(self) -> None:
        protocol = self.context.protocol
        assessment = self.answers.assessment
        started = self.started_at.value()
        due = stop_due_at(
            protocol,
            load_started_at=self.answers.load_started_at,
            maintenance_started_at=started,
        )
        if due is None:
            self.stop_due.setText("Stop due: enter the start time")
            self.stop_note.setText("")
            return
        planned = "" if self.recorded() else " if maintenance starts at the planned time"
        self.stop_due.setText(f"Stop due {format_local(due, self.context.tz)}{planned}")
        maintenance = protocol.maintenance
        anchor = (
            "the start of maintenance"
            if maintenance.stop_anchor == "maintenance-start"
            else "the start of the loading dose"
        )
        local = " — local setting" if maintenance.stop_anchor_status in _LOCAL else ""
        babies = self.answers.plurality
        at_birth = (
            (
                "or at birth, whichever is first"
                if babies == 1
                else f"or at the birth of the last of the {babies} babies, whichever is first"
            )
            if assessment is None or assessment.stops_at_birth
            else "not at birth for her: follow the plan recorded with the decision"
        )
        self.stop_note.setText(
            f"{plain(maintenance.max_hours.value)} h from {anchor} "
            f"({cite(maintenance.stop_anchor_source, protocol)}){local}; {at_birth}."
        )

    # -- rules ----------------------------------------------------------------------------

    def _start_rule(self, moment: datetime) -> str | None:
        tz = self.context.tz
        load_started_at = self.answers.load_started_at
        if load_started_at is not None and moment < load_started_at:
            return (
                f"{format_local(moment, tz)} is before the loading dose started "
                f"({format_local(load_started_at, tz)}): maintenance follows the load."
            )
        not_yet = not_happened_yet(moment, self.context.clock())
        load_ends_at = self.answers.load_ends_at()
        if not_yet is not None and (load_ends_at is None or moment > load_ends_at):
            # A future time is accepted only as the plan (up to the planned end of the load),
            # and is never recorded; a later one is neither.
            planned = (
                f" The plan is to start when the loading dose ends "
                f"({format_local(load_ends_at, tz)})."
                if load_ends_at is not None
                else ""
            )
            return (
                f"{not_yet}{planned} Record the maintenance start from the episode view when "
                "it has started."
            )
        return None

    # -- slots ----------------------------------------------------------------------------

    def _show_record_note(self) -> None:
        started = self.started_at.value()
        if started is None:
            self.record_frame.hide()
            return
        tz = self.context.tz
        load_ends_at = self.answers.load_ends_at()
        if self.recorded():
            text = f"Saving records maintenance as started {format_local(started, tz)}"
            if load_ends_at is not None and started >= load_ends_at:
                text += (
                    f", and the loading dose as finished {format_local(load_ends_at, tz)} "
                    "(its planned duration)"
                )
            text += "."
            set_tone(self.record_frame, ToneName.INFO)
        else:
            text = (
                f"PLAN — {format_local(started, tz)} has not happened yet. "
                f"{maintenance_not_recorded_text(load_ends_at, tz)} Saving now records the "
                "loading dose only."
            )
            set_tone(self.record_frame, ToneName.WARNING)
        self.record_note.setText(text)
        self.record_frame.setAccessibleDescription(text)
        self.record_frame.show()
        # The checker is recorded with a maintenance start; a plan has no check yet.
        self.checked_by.setVisible(self.recorded())

    def _on_started_at_changed(self) -> None:
        self._show_stop()
        self._show_record_note()
        self.changed()

    def _on_started_at_edited(self, _text: str) -> None:
        self._typed = True
