"""The bedside actions after the start: load end, maintenance, syringe, rate, stop, birth,
not-given reason and alert acknowledgement. Each is a small dialog with field messages.

Doses are never computed here: g/h comes from ``core.dosing.rate_g_per_h`` (concentration ×
rate, reference §3.2) and limits from ``core.dosing.check_maintenance_rate`` (hard limits
refuse, soft limits need a tick to confirm). Typed rates are read strictly by
``core.dosing.parse_decimal_input``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from mgso4.core import actions as core_actions
from mgso4.core.citations import cite, plain_citation
from mgso4.core.dosing import (
    DoseInputError,
    LimitCheck,
    check_maintenance_rate,
    maintenance_plan,
    percent_label,
    plain,
    rate_g_per_h,
    stops_at_birth,
)
from mgso4.core.episode import (
    Actor,
    AlertAcknowledged,
    Birth,
    Confirmation,
    CourseState,
    EpisodeState,
    EventDraft,
    EventType,
    InfusionStopped,
    LoadFinished,
    MaintenanceStarted,
    NotGiven,
    RateChanged,
    StopReason,
    SyringeChanged,
)
from mgso4.core.monitoring import DueItem, stop_plan
from mgso4.core.protocol import Preparation, Protocol, ProtocolError
from mgso4.core.timeutil import format_local
from mgso4.core.vocab import Role
from mgso4.gui.context import AppContext
from mgso4.gui.episode.action_dialog import ActionDialog, Form
from mgso4.gui.episode.inputs import InputError, parse_decimal_field, required_text
from mgso4.gui.widgets.alert_banner import AlertLevel
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.widgets.time_field import TimeField
from mgso4.gui.widgets.user_dialog import ROLE_LABELS


class TimedDialog(ActionDialog):
    """An action with a clinical time field, declared by its :class:`Form` (``FORM``).

    Subclasses declare ``FORM`` and add their own fields in :meth:`build`; the constructor is
    this one, so every action dialog is made the same way: ``(context, state, protocol,
    parent)`` and, for the few that need it, keyword ``extra`` values read in ``build``.
    """

    FORM: ClassVar[Form]

    def __init__(
        self,
        context: AppContext,
        state: EpisodeState,
        protocol: Protocol,
        parent: QWidget | None = None,
        **extra: Any,
    ) -> None:
        given = extra.get("form")
        form = given if isinstance(given, Form) else self.form_for(state, protocol)
        super().__init__(
            context,
            state,
            protocol,
            title=form.title,
            save_label=form.save_label,
            object_name=form.object_name,
            parent=parent,
        )
        self.extra = extra
        self.time_field = TimeField(
            context.clock, context.tz, what=form.time_what, object_name=f"{form.object_name}_time"
        )
        if form.time_first:
            self.add_time_row(self.time_field, form.time_what)
        self.build()

    @classmethod
    def form_for(cls, state: EpisodeState, protocol: Protocol) -> Form:
        """The form for this state (the class's ``FORM`` unless a dialog words it by state)."""
        return cls.FORM

    def build(self) -> None:
        """Add the dialog's own fields (after the time row when the form puts it first)."""

    def add_confirmation(
        self,
        prefix: str,
        check_text: str,
        placeholder: str,
        *,
        check_name: str = "",
        reason_name: str = "",
    ) -> None:
        """A soft limit's confirmation: core's words, a tick and a reason, hidden until core
        says the values need one (``ask_confirmation``). ``prefix`` starts the object names."""
        self.confirm_note = QLabel("", self)
        self.confirm_note.setWordWrap(True)
        self.confirm_check = QCheckBox(check_text, self)
        self.confirm_check.setObjectName(f"{prefix}confirm_check")
        if check_name:
            self.confirm_check.setAccessibleName(check_name)
        self.confirm_reason = QLineEdit(self)
        self.confirm_reason.setObjectName(f"{prefix}confirm_reason_edit")
        if reason_name:
            self.confirm_reason.setAccessibleName(reason_name)
        self.confirm_reason.setPlaceholderText(placeholder)
        self.add_wide(self.confirm_note)
        self.add_wide(self.confirm_check)
        self.confirm_message = self.add_row("Reason to confirm", self.confirm_reason)
        self._confirm_widgets: tuple[QWidget, ...] = (
            self.confirm_note,
            self.confirm_check,
            self.confirm_reason,
            *self.findChildren(QLabel, f"{prefix}confirm_reason_edit_label"),
        )
        for widget in self._confirm_widgets:
            widget.setVisible(False)

    def read_confirmation(self, values: dict[str, Any], missing: str) -> bool:
        """Add ``confirm`` and ``reason`` when the tick is shown and ticked; False (with
        ``missing`` beside the reason) when it is ticked without a reason."""
        if not (self.confirm_check.isVisible() and self.confirm_check.isChecked()):
            return True
        reason = self.confirm_reason.text().strip()
        if not reason:
            self.confirm_message.show_error(missing)
            return False
        self.confirm_message.clear_message()
        values["confirm"] = True
        values["reason"] = reason
        return True

    def ask_confirmation(self, messages: Sequence[str], correct: str) -> None:
        """Show core's soft-limit words and the tick: nothing is saved yet."""
        self.confirm_note.setText(
            " ".join(messages) + f" Not saved yet: tick below and say why, or {correct}."
        )
        for widget in self._confirm_widgets:
            widget.setVisible(True)
        self.error_banner.clear()

    def line_context(self, at: datetime, actor: Actor) -> core_actions.LineContext:
        """What core's ``plan`` needs to turn this form's values into entries."""
        return core_actions.LineContext(
            episode_uuid=self.state.uuid,
            state=self.state,
            protocol=self.protocol,
            preparations=self.context.preparations,
            at=at,
            by=actor,
            tz=self.context.tz,
            unit_name=self.context.settings.unit_name,
            now=self.context.clock(),
        )

    def add_time_row(self, field: TimeField, what: str) -> None:
        """Add a time field with its label ("time the load finished" → "Time the load…")."""
        label = QLabel(what[:1].upper() + what[1:], self)
        label.setObjectName(f"{field.objectName()}_label")
        label.setBuddy(field.line_edit)
        self.form.addWidget(label, self._next_row, 0)
        self.form.addWidget(field, self._next_row, 1, 1, 2)
        self._next_row += 1

    def read_decimal(
        self,
        edit: QLineEdit,
        message: FieldMessage,
        label: str,
        unit: str,
        model: type[BaseModel],
        field: str,
    ) -> Decimal | None:
        """A required number read strictly (its message shown beside it), or None."""
        try:
            value = parse_decimal_field(
                edit.text(), label=label, unit=unit, model=model, field=field, required=True
            )
        except InputError as exc:
            message.show_error(str(exc))
            return None
        message.clear_message()
        return value

    def refusal(self, event_type: EventType, payload: BaseModel) -> str | None:
        """Why core refuses these values now (``core.actions`` checks), or None."""
        spec = core_actions.spec_for(event_type, payload)
        at = self.context.clock()
        return core_actions.check_values(spec, self.state, self.protocol, payload, at)

    def make(self, event_type: EventType, payload: BaseModel) -> list[EventDraft] | None:
        """One draft at the typed time, or None (messages shown) if time or user is missing."""
        occurred_at = self.time_field.value()
        actor = self.recorded_by()
        if occurred_at is None or actor is None:
            return None
        return [
            EventDraft.make(
                event_type,
                payload,
                episode_uuid=self.state.uuid,
                occurred_at=occurred_at,
                recorded_by=actor,
            )
        ]


class _RateCheck:
    """A rate field's live g/h line and the confirmation tick for soft limits."""

    def __init__(self, dialog: ActionDialog, edit: QLineEdit, message: FieldMessage) -> None:
        self.dialog = dialog
        self.edit = edit
        self.message = message
        self.grams_label = QLabel("", dialog)
        self.grams_label.setObjectName("grams_per_hour_label")
        self.grams_label.setProperty("role", "heading")
        self.grams_label.setAccessibleName("Delivered dose, grams per hour (computed)")
        self.confirm = QCheckBox("I confirm this rate is intended", dialog)
        self.confirm.setObjectName("confirm_rate_check")
        self.confirm.setAccessibleName("Confirm this rate is intended")
        self.confirm.setVisible(False)
        self.check: LimitCheck | None = None

    def update(self, concentration_g_per_ml: Decimal | None) -> Decimal | None:
        """Re-read the rate and show the g/h, any limit message, or why it is not a number."""
        self.check = None
        text = self.edit.text()
        if not text.strip():
            self.message.clear_message()
        if not text.strip() or concentration_g_per_ml is None:
            self.grams_label.setText("")
            self.confirm.setVisible(False)
            return None
        try:
            rate = parse_decimal_field(text, label="Rate", unit="mL/h", required=True)
        except InputError as exc:
            # Said at once, as a rate above the limit is ("abc" is never a rate).
            self.message.show_error(str(exc))
            self.grams_label.setText("")
            self.confirm.setVisible(False)
            return None
        assert rate is not None
        try:
            grams = rate_g_per_h(concentration_g_per_ml, rate)
        except DoseInputError:
            grams = None
        if grams is not None:
            self.grams_label.setText(
                f"= {plain(grams)} g/h  ({plain(rate)} mL/h × "
                f"{percent_label(concentration_g_per_ml)}, {plain(concentration_g_per_ml)} g/mL)"
            )
        self.check = check_maintenance_rate(self.dialog.protocol, concentration_g_per_ml, rate)
        if self.check.refused:
            self.message.show_error(" ".join(self.check.messages))
        elif self.check.needs_confirmation:
            self.message.show_note(" ".join(self.check.messages))
        else:
            self.message.clear_message()
        self.confirm.setVisible(self.check.needs_confirmation)
        return rate

    def confirmation(self, reason: str) -> Confirmation | None:
        """The confirmation the entry carries when the tick confirms a soft limit (the store
        refuses a soft limit without one)."""
        check = self.check
        if check is None or not check.needs_confirmation or not self.confirm.isChecked():
            return None
        return Confirmation(reason=reason or self.confirm.text(), messages=check.messages)

    def validated(self, concentration_g_per_ml: Decimal | None) -> Decimal | None:
        """The rate if it may be saved; otherwise shows why and returns None."""
        try:
            rate = parse_decimal_field(self.edit.text(), label="Rate", unit="mL/h", required=True)
        except InputError as exc:
            self.message.show_error(str(exc))
            return None
        assert rate is not None
        if concentration_g_per_ml is None:
            self.message.show_error("The running concentration is not known for this course.")
            return None
        self.update(concentration_g_per_ml)
        check = self.check
        if check is None or check.refused:
            return None
        if check.needs_confirmation and not self.confirm.isChecked():
            self.message.show_error(
                " ".join(check.messages) + " Tick “I confirm this rate is intended” to save it."
            )
            return None
        return rate


class _PersonFields:
    """A name and role for a second person (the checker)."""

    def __init__(
        self, dialog: ActionDialog, what: str, object_name: str, *, required: bool
    ) -> None:
        self.required = required
        self.what = what
        self.name_edit = QLineEdit(dialog)
        self.name_edit.setObjectName(f"{object_name}_name_edit")
        self.message = dialog.add_row(f"{what} (name)", self.name_edit)
        self.role_combo = QComboBox(dialog)
        self.role_combo.setObjectName(f"{object_name}_role_combo")
        for role, label in ROLE_LABELS.items():
            self.role_combo.addItem(label, role)
        dialog.add_row(f"{what} (role)", self.role_combo)

    def value(self) -> tuple[bool, Actor | None]:
        """(ok, actor): ok is False when a required name is missing (message shown)."""
        name = self.name_edit.text().strip()
        if not name:
            if self.required:
                self.message.show_error(
                    f"{self.what}: a name is needed (a second practitioner checks the pump)."
                )
                return False, None
            self.message.clear_message()
            return True, None
        self.message.clear_message()
        return True, Actor(name=name, role=Role(self.role_combo.currentData()))


# ---------------------------------------------------------------------------- load end


class LoadEndDialog(TimedDialog):
    """Record that the loading dose finished.

    A volume-limited load (a container holding more than the load, decisions.md §15) asks
    for the second person who checked the drop to the maintenance rate. An end that core finds
    implausibly early asks for a confirmation with a reason; one before the start is refused.
    The entry is made by ``core.actions.plan("end-load", …)``, as ``mgso4 record`` makes it.
    """

    FORM = Form(
        "Loading dose finished", "Save load end", "load_end_dialog", "time the load finished"
    )

    def build(self) -> None:
        context = self.context
        state = self.state
        self.course = state.running_course
        info = QLabel(self)
        info.setWordWrap(True)
        info.setObjectName("load_info_label")
        #: The pump's volume limit of the running load (None: not volume-limited).
        self.vtbi_ml: Decimal | None = None
        if self.course is not None and self.course.load is not None:
            load = self.course.load
            started = self.course.load_started_at
            assert started is not None
            self.vtbi_ml = load.vtbi_ml
            info.setText(
                f"Course {self.course.number}: {plain(load.dose_g)} g "
                f"({plain(load.volume_ml)} mL at {plain(load.rate_ml_per_h)} mL/h) started "
                f"{format_local(started, context.tz)}, planned over {plain(load.duration_min)} min."
            )
        self.add_wide(info)
        self.checker: _PersonFields | None = None
        if self.vtbi_ml is not None:
            rate = QLabel(
                f"The pump was limited to {plain(self.vtbi_ml)} mL (VTBI) because the container "
                "holds more than the load: a second person checks that the rate is now the "
                "maintenance rate.",
                self,
            )
            rate.setWordWrap(True)
            rate.setObjectName("load_end_rate_check_label")
            self.add_wide(rate)
            self.checker = _PersonFields(self, "Rate checked by", "load_end_checker", required=True)
        self.add_confirmation(
            "load_end_",
            "I confirm this time is right",
            "why, e.g. load stopped early: line disconnected",
            check_name="Confirm the time the load finished is right",
            reason_name="Reason to confirm the time",
        )
        self.confirm_note.setObjectName("load_end_confirm_label")
        self.add_user_fields()

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The checker's name when the load was volume-limited."""
        return () if self.checker is None else (self.checker.name_edit,)

    def drafts(self) -> Sequence[EventDraft] | None:
        if self.course is None or self.course.load_finished_at is not None:
            self.error_banner.show_message(
                AlertLevel.WARNING,
                "Nothing to record",
                "No loading dose is running in this episode (its end may already be recorded).",
            )
            return None
        values: dict[str, Any] = {}
        ok = True
        if self.checker is not None:
            checker_ok, checker = self.checker.value()
            ok = checker_ok and checker is not None
            if checker is not None:
                values["checked_by"] = {"name": checker.name, "role": str(checker.role)}
        ok = self.read_confirmation(values, "Say why this time is right.") and ok
        at = self.time_field.value()
        actor = self.recorded_by()
        if not ok or at is None or actor is None:
            return None
        try:
            return core_actions.plan("end-load", values, self.line_context(at, actor))
        except core_actions.ActionRefused as exc:
            if exc.soft_limits:
                self.ask_confirmation(exc.soft_limits, "correct the time")
            else:
                self.time_field.message.show_error(str(exc))
            return None


# ---------------------------------------------------------------------------- maintenance


class MaintenanceStartDialog(TimedDialog):
    """Start the maintenance infusion after the load (rate prefilled from the protocol).

    Offered once the load's end is recorded or due (``core.actions.why_not_start_maintenance``).
    When the end of the load is not recorded yet, this form records it too: "Load finished"
    at a time shown and editable (the load's planned end by default) and "Maintenance
    started", both in one transaction, and its title and Save button say so. The load end may
    not be after now nor before the load started; the maintenance start may not be after now
    nor before the load end.
    """

    FORM = Form(
        title="Start maintenance infusion",
        save_label="Save maintenance start",
        object_name="maintenance_dialog",
        time_what="time maintenance started",
        time_first=False,
    )

    @classmethod
    def form_for(cls, state: EpisodeState, protocol: Protocol) -> Form:
        """Worded for the two entries it saves when the load's end is not recorded yet."""
        if core_actions.load_end_due_at(state) is None:
            return cls.FORM
        return replace(
            cls.FORM,
            title="Record the load end and start maintenance",
            save_label="Save load end and maintenance start",
        )

    def build(self) -> None:
        context = self.context
        state = self.state
        protocol = self.protocol
        course = state.current_course
        planned_end = core_actions.load_end_due_at(state, course) if course is not None else None
        records_load_end = planned_end is not None
        self.course = course
        #: When this form also records the end of the load (it is not recorded yet): the load
        #: end's time field, else None.
        self.load_end_field: TimeField | None = None
        if records_load_end:
            assert course is not None and planned_end is not None
            self._add_load_end_rows(course, planned_end)
        self.add_time_row(self.time_field, "time maintenance started")
        self.preparation: Preparation | None = None
        try:
            self.preparation = context.preparations.get(state.created.preparation_id)
        except ProtocolError:
            self.preparation = None
        stage = self.preparation.maintenance if self.preparation is not None else None
        self.concentration = stage.concentration_g_per_ml if stage is not None else None
        info = QLabel(self)
        info.setWordWrap(True)
        info.setObjectName("maintenance_info_label")
        if stage is not None and self.preparation is not None:
            plan = maintenance_plan(protocol, self.preparation)
            info.setText(
                f"{stage.concentration_label}: {stage.container}. Protocol rate "
                f"{plain(plan.rate_g_per_h)} g/h = {plain(plan.rate_ml_per_h)} mL/h "
                f"({cite(protocol.maintenance.rate_g_per_h.source, protocol)})."
            )
        else:
            info.setText(
                f"The episode's preparation {state.created.preparation_id!r} is not in the "
                "preparations file: maintenance cannot be started from here."
            )
        self.add_wide(info)
        self.rate_edit = QLineEdit(self)
        self.rate_edit.setObjectName("rate_edit")
        rate_message = self.add_row(
            "Pump rate", self.rate_edit, "mL/h", accessible_name="Pump rate, mL per hour"
        )
        self.rate_check = _RateCheck(self, self.rate_edit, rate_message)
        self.add_wide(self.rate_check.grams_label)
        self.add_wide(self.rate_check.confirm)
        self.volume_edit = QLineEdit(self)
        self.volume_edit.setObjectName("volume_edit")
        self.volume_message = self.add_row(
            "Syringe volume", self.volume_edit, "mL", accessible_name="Syringe volume, mL"
        )
        if stage is not None and self.preparation is not None:
            plan = maintenance_plan(protocol, self.preparation)
            self.rate_edit.setText(plain(plan.rate_ml_per_h))
            self.volume_edit.setText(plain(stage.container_volume_ml))
        self.checker = _PersonFields(self, "Checked by", "checker", required=True)
        self.add_user_fields()
        self.rate_edit.textChanged.connect(lambda _t: self.rate_check.update(self.concentration))
        self.rate_check.update(self.concentration)
        if records_load_end:
            self.set_preferred_size(660, 520)

    def _add_load_end_rows(self, course: CourseState, planned_end: datetime) -> None:
        """The note that two entries are saved, and the load end's time (planned end)."""
        tz = self.context.tz
        note = QLabel(
            "The end of the loading dose is not recorded yet. Saving records both: "
            "“Load finished” at the time below, then “Maintenance started”.",
            self,
        )
        note.setWordWrap(True)
        note.setObjectName("load_end_note_label")
        note.setProperty("role", "heading")
        self.add_wide(note)
        self.load_end_field = TimeField(
            self.context.clock,
            tz,
            what="time the load finished",
            object_name="maintenance_dialog_load_end",
        )
        # The planned end is when the pump finishes the load; never a time still ahead.
        self.load_end_field.set_value(min(planned_end, self.context.clock()))
        self.add_time_row(self.load_end_field, "time the load finished")
        started = course.load_started_at
        assert started is not None
        duration = f"{plain(course.load.duration_min)} min " if course.load is not None else ""
        planned = QLabel(
            f"Planned end {format_local(planned_end, tz)}: {duration}after the load started "
            f"at {format_local(started, tz)}. Change it if the pump finished at another time.",
            self,
        )
        planned.setWordWrap(True)
        planned.setObjectName("load_end_planned_label")
        planned.setProperty("role", "muted")
        self.form.addWidget(planned, self._next_row, 1, 1, 2)
        self._next_row += 1

    def fields_to_fill(self) -> Sequence[QWidget]:
        """Rate and volume come filled in from the protocol; the checker's name does not."""
        return (self.rate_edit, self.volume_edit, self.checker.name_edit)

    def _times(self) -> tuple[datetime | None, datetime | None]:
        """(load end to record or None, maintenance start); messages shown beside the fields.

        Returns ``(None, None)`` when a time is missing or out of order.
        """
        maintenance_at = self.time_field.value()
        load_end_at: datetime | None = None
        if self.load_end_field is not None:
            load_end_at = self.load_end_field.value()
            if load_end_at is None:
                return None, None
        if maintenance_at is None or self.course is None:
            return None, None
        tz = self.context.tz
        started = self.course.load_started_at
        if load_end_at is not None and started is not None and load_end_at < started:
            assert self.load_end_field is not None
            self.load_end_field.message.show_error(
                f"The load cannot have finished before it started "
                f"({format_local(started, tz)}): check the time the load finished."
            )
            return None, None
        finished = load_end_at or self.course.load_finished_at
        if finished is not None and maintenance_at < finished:
            self.time_field.message.show_error(
                f"Maintenance cannot start before the load finished "
                f"({format_local(finished, tz)}): check both times."
            )
            return None, None
        return load_end_at, maintenance_at

    def drafts(self) -> Sequence[EventDraft] | None:
        load_end_at, maintenance_at = self._times()
        rate = self.rate_check.validated(self.concentration)
        volume = self.read_decimal(
            self.volume_edit,
            self.volume_message,
            "Syringe volume",
            "mL",
            MaintenanceStarted,
            "container_volume_ml",
        )
        checker_ok, checker = self.checker.value()
        actor = self.recorded_by()
        if (
            rate is None
            or volume is None
            or not checker_ok
            or checker is None
            or actor is None
            or maintenance_at is None
            or self.course is None
            or self.preparation is None
            or self.concentration is None
        ):
            return None
        payload = MaintenanceStarted(
            course_number=self.course.number,
            preparation_id=self.preparation.id,
            concentration_g_per_ml=self.concentration,
            rate_ml_per_h=rate,
            container_volume_ml=volume,
            given_by=actor,
            checked_by=checker,
            confirmation=self.rate_check.confirmation(""),
        )
        drafts: list[EventDraft] = []
        if load_end_at is not None:
            drafts.append(
                EventDraft.make(
                    EventType.LOAD_FINISHED,
                    LoadFinished(
                        course_number=self.course.number,
                        # Volume-limited load: the same second person checks the drop to the
                        # maintenance rate (decisions.md §15).
                        checked_by=(
                            checker
                            if self.course.load is not None and self.course.load.vtbi_ml
                            else None
                        ),
                    ),
                    episode_uuid=self.state.uuid,
                    occurred_at=load_end_at,
                    recorded_by=actor,
                )
            )
        drafts.append(
            EventDraft.make(
                EventType.MAINTENANCE_STARTED,
                payload,
                episode_uuid=self.state.uuid,
                occurred_at=maintenance_at,
                recorded_by=actor,
            )
        )
        return drafts


# ---------------------------------------------------------------------------- rate change


class RateChangeDialog(TimedDialog):
    """Change the maintenance pump rate; g/h shown computed, limits checked."""

    FORM = Form("Change the pump rate", "Save rate change", "rate_dialog", "time the rate changed")

    def build(self) -> None:
        state = self.state
        self.course = state.running_course
        course = self.course
        self.concentration = core_actions.current_concentration(course) if course else None
        now_rate = core_actions.current_rate_ml_per_h(self.course) if self.course else None
        info = QLabel(self)
        info.setWordWrap(True)
        info.setObjectName("rate_info_label")
        if self.concentration is not None and now_rate is not None:
            info.setText(
                f"Running now: {plain(now_rate)} mL/h of {percent_label(self.concentration)} "
                f"({plain(self.concentration)} g/mL) = "
                f"{plain(rate_g_per_h(self.concentration, now_rate))} g/h."
            )
        else:
            info.setText("No maintenance infusion is running in this episode.")
        self.add_wide(info)
        self.rate_edit = QLineEdit(self)
        self.rate_edit.setObjectName("rate_edit")
        rate_message = self.add_row(
            "New pump rate", self.rate_edit, "mL/h", accessible_name="New pump rate, mL per hour"
        )
        self.rate_check = _RateCheck(self, self.rate_edit, rate_message)
        self.add_wide(self.rate_check.grams_label)
        self.add_wide(self.rate_check.confirm)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("reason_edit")
        self.reason_edit.setPlaceholderText("e.g. oliguria: rate reduced on obstetric review")
        self.reason_message = self.add_row("Reason", self.reason_edit)
        self.add_user_fields()
        self.rate_edit.textChanged.connect(lambda _t: self.rate_check.update(self.concentration))

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The new rate, then the reason."""
        return (self.rate_edit, self.reason_edit)

    def drafts(self) -> Sequence[EventDraft] | None:
        rate = self.rate_check.validated(self.concentration)
        try:
            reason = required_text(
                self.reason_edit.text(), label="A reason", hint="say why the rate changed."
            )
            self.reason_message.clear_message()
        except InputError as exc:
            self.reason_message.show_error(str(exc))
            reason = None
        if rate is None or reason is None or self.course is None:
            self.time_field.value()
            self.recorded_by()
            return None
        return self.make(
            EventType.RATE_CHANGED,
            RateChanged(
                course_number=self.course.number,
                rate_ml_per_h=rate,
                reason=reason,
                confirmation=self.rate_check.confirmation(reason),
            ),
        )


# ---------------------------------------------------------------------------- syringe change


class SyringeChangeDialog(TimedDialog):
    """A new syringe or bag: its concentration and volume (concentration shown everywhere)."""

    FORM = Form("Change of syringe", "Save syringe change", "syringe_dialog", "time of the change")

    def build(self) -> None:
        context = self.context
        state = self.state
        self.course = state.running_course
        course = self.course
        self.running_concentration = core_actions.current_concentration(course) if course else None
        self.running_rate = core_actions.current_rate_ml_per_h(self.course) if self.course else None
        self.concentration_combo = QComboBox(self)
        self.concentration_combo.setObjectName("concentration_combo")
        seen: set[Decimal] = set()
        for option in context.preparations.preparations:
            stage = option.maintenance
            if stage.concentration_g_per_ml in seen:
                continue
            seen.add(stage.concentration_g_per_ml)
            self.concentration_combo.addItem(
                f"{percent_label(stage.concentration_g_per_ml)} "
                f"({plain(stage.concentration_g_per_ml)} g/mL)",
                stage.concentration_g_per_ml,
            )
        if self.running_concentration is not None:
            index = self.concentration_combo.findData(self.running_concentration)
            if index >= 0:
                self.concentration_combo.setCurrentIndex(index)
        self.concentration_message = self.add_row(
            "Concentration",
            self.concentration_combo,
            accessible_name="Concentration of the new syringe",
        )
        self.volume_edit = QLineEdit(self)
        self.volume_edit.setObjectName("volume_edit")
        self.volume_message = self.add_row(
            "Volume", self.volume_edit, "mL", accessible_name="Volume of the new syringe, mL"
        )
        prep: Preparation | None = None
        try:
            prep = context.preparations.get(state.created.preparation_id)
        except ProtocolError:
            prep = None
        if prep is not None:
            self.volume_edit.setText(plain(prep.maintenance.container_volume_ml))
        self.confirm = QCheckBox("I confirm the new concentration and the dose it gives", self)
        self.confirm.setObjectName("confirm_concentration_check")
        self.confirm.setAccessibleName("Confirm the new concentration")
        self.confirm.setVisible(False)
        self.add_wide(self.confirm)
        self.checker = _PersonFields(self, "Checked by", "checker", required=False)
        self.add_user_fields()
        self.concentration_combo.currentIndexChanged.connect(self._on_concentration_changed)
        self._on_concentration_changed()

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The volume (filled in from the preparation; the checker is optional)."""
        return (self.volume_edit,)

    def _check(self) -> LimitCheck | None:
        new = self.concentration_combo.currentData()
        if self.running_concentration is None or new == self.running_concentration:
            return None
        if self.running_rate is None:
            return None
        return check_maintenance_rate(self.protocol, new, self.running_rate)

    def _on_concentration_changed(self, *_args: object) -> None:
        new = self.concentration_combo.currentData()
        check = self._check()
        if self.running_concentration is None or new == self.running_concentration:
            self.concentration_message.clear_message()
            self.confirm.setVisible(False)
            return
        rate_words = ""
        if self.running_rate is not None:
            rate_words = (
                f" At the running {plain(self.running_rate)} mL/h the new syringe gives "
                f"{plain(rate_g_per_h(new, self.running_rate))} g/h."
            )
        text = (
            f"The concentration changes from {percent_label(self.running_concentration)} to "
            f"{percent_label(new)}.{rate_words}"
        )
        if check is not None and check.refused:
            self.concentration_message.show_error(
                text + " " + " ".join(check.messages) + " Record a rate change first."
            )
            self.confirm.setVisible(False)
        else:
            extra = " " + " ".join(check.messages) if check is not None and check.messages else ""
            self.concentration_message.show_note(text + extra)
            self.confirm.setVisible(True)

    def drafts(self) -> Sequence[EventDraft] | None:
        ok = True
        check = self._check()
        self._on_concentration_changed()
        if check is not None and check.refused:
            ok = False
        if self.confirm.isVisible() and not self.confirm.isChecked():
            self.concentration_message.show_error(
                self.concentration_message.message
                + " Tick the confirmation to save a change of concentration."
            )
            ok = False
        volume = self.read_decimal(
            self.volume_edit, self.volume_message, "Volume", "mL", SyringeChanged, "volume_ml"
        )
        checker_ok, checker = self.checker.value()
        if not ok or volume is None or not checker_ok or self.course is None:
            self.time_field.value()
            self.recorded_by()
            return None
        confirmation = None
        if check is not None and check.needs_confirmation and self.confirm.isChecked():
            confirmation = Confirmation(reason=self.confirm.text(), messages=check.messages)
        return self.make(
            EventType.SYRINGE_CHANGED,
            SyringeChanged(
                course_number=self.course.number,
                concentration_g_per_ml=self.concentration_combo.currentData(),
                volume_ml=volume,
                checked_by=checker,
                confirmation=confirmation,
            ),
        )


# ---------------------------------------------------------------------------- stop


class StopDialog(TimedDialog):
    """Stop the infusion: the user's act, with a reason (this dialog is the confirmation)."""

    FORM = Form("Stop the MgSO₄ infusion?", "Stop infusion", "stop_dialog", "time stopped")

    def build(self) -> None:
        state = self.state
        self.course = state.running_course
        info = QLabel(self)
        info.setWordWrap(True)
        info.setObjectName("stop_info_label")
        info.setText(
            "Stop the pump first, then record the stop here. This records that the infusion "
            "was stopped; it does not control the pump."
            if self.course is not None
            else "No infusion is running in this episode."
        )
        self.add_wide(info)
        self.reason_combo = QComboBox(self)
        self.reason_combo.setObjectName("stop_reason_combo")
        preset_reason: StopReason | None = self.extra.get("preset_reason")
        if preset_reason is None:
            # No reason is assumed: Enter on a freshly opened form must not record a stop
            # "for birth" that nobody chose.
            self.reason_combo.addItem("Choose the reason…", None)
        for reason in StopReason:
            self.reason_combo.addItem(reason.label, reason)
        # "Birth" is offered only when core allows it (every baby born, decisions.md §13);
        # otherwise it shows, greyed, with core's words why.
        #: Core's refusal of a stop for birth now, or None.
        self.birth_refused: str | None = None
        if self.course is not None:
            self.birth_refused = self.refusal(
                EventType.INFUSION_STOPPED,
                InfusionStopped(course_number=self.course.number, reason=StopReason.BIRTH),
            )
        if self.birth_refused is not None:
            self.birth_refused = plain_citation(self.birth_refused)
            index = self.reason_combo.findData(StopReason.BIRTH)
            model = self.reason_combo.model()
            assert isinstance(model, QStandardItemModel)
            item = model.item(index)
            item.setEnabled(False)
            item.setToolTip(self.birth_refused)
            if preset_reason is StopReason.BIRTH:
                preset_reason = None
                self.reason_combo.insertItem(0, "Choose the reason…", None)
        if preset_reason is not None:
            self.reason_combo.setCurrentIndex(self.reason_combo.findData(preset_reason))
        else:
            self.reason_combo.setCurrentIndex(0)
        self.reason_message = self.add_row(
            "Reason", self.reason_combo, accessible_name="Reason the infusion stopped"
        )
        self.birth_note = QLabel(self.birth_refused or "", self)
        self.birth_note.setWordWrap(True)
        self.birth_note.setObjectName("stop_birth_refused_label")
        self.birth_note.setProperty("role", "muted")
        self.birth_note.setVisible(self.birth_refused is not None)
        self.add_wide(self.birth_note)
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("stop_text_edit")
        self.text_edit.setText(self.extra.get("preset_text", ""))
        self.text_message = self.add_row(
            "Details", self.text_edit, accessible_name="Details of why the infusion stopped"
        )
        self.add_user_fields()
        self.save_button.setProperty("role", "danger")

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The reason; the details too when the reason is "Other"."""
        if self.reason_combo.currentData() == StopReason.OTHER:
            return (self.reason_combo, self.text_edit)
        return (self.reason_combo,)

    def drafts(self) -> Sequence[EventDraft] | None:
        chosen = self.reason_combo.currentData()
        text = self.text_edit.text().strip()
        ok = True
        if chosen is None:
            self.reason_message.show_error("Choose the reason the infusion was stopped.")
            self.text_message.clear_message()
            ok = False
        else:
            self.reason_message.clear_message()
            self.text_message.clear_message()
            if self.course is not None:
                refused = self.refusal(
                    EventType.INFUSION_STOPPED,
                    InfusionStopped(
                        course_number=self.course.number, reason=StopReason(chosen), text=text
                    ),
                )
                if refused is not None:
                    self.text_message.show_error(refused)
                    ok = False
        if self.course is None:
            self.text_message.show_error("No infusion is running, so there is nothing to stop.")
            ok = False
        if not ok or chosen is None or self.course is None:
            # The time and the name are checked too, so every message shows at once.
            self.time_field.value()
            self.recorded_by()
            return None
        return self.make(
            EventType.INFUSION_STOPPED,
            InfusionStopped(course_number=self.course.number, reason=StopReason(chosen), text=text),
        )


# ---------------------------------------------------------------------------- birth


class BirthDialog(TimedDialog):
    """One entry per baby: which baby (those not yet born), time of birth with the gestation
    computed, and whether the baby was admitted for neonatal care (the NNAP denominator).

    The infusion runs until the last baby is born (decisions.md §13): the dialog says "stop"
    only for the last expected baby, and "N still expected — the infusion continues" before.
    """

    FORM = Form("Record a birth", "Save birth", "birth_dialog", "time of birth")

    #: Whether the baby was admitted for neonatal care (``core.episode.NeonatalCare``).
    NEONATAL_CARE: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Admitted for neonatal care", "admitted"),
        ("Died in the delivery room", "died-in-delivery-room"),
        ("Comfort care", "comfort-care"),
        ("Not admitted", "not-admitted"),
    )

    def build(self) -> None:
        state = self.state
        protocol = self.protocol
        recorded = {birth.baby for birth in state.births}
        self.baby_combo = QComboBox(self)
        self.baby_combo.setObjectName("baby_combo")
        # Babies already born are not offered again (a correction is an amendment).
        for baby in range(1, state.babies_expected + 1):
            if baby not in recorded:
                self.baby_combo.addItem(f"Baby {baby} of {state.babies_expected}", baby)
        self.baby_message = self.add_row("Baby", self.baby_combo, accessible_name="Which baby")
        self.recorded = recorded
        self.label_edit = QLineEdit(self)
        self.label_edit.setObjectName("baby_label_edit")
        self.label_edit.setPlaceholderText("optional, e.g. Twin A")
        self.add_row("Label", self.label_edit, accessible_name="Baby label (optional)")
        self.care_combo = QComboBox(self)
        self.care_combo.setObjectName("neonatal_care_combo")
        self.care_combo.addItem("Not known yet", None)
        for text, value in self.NEONATAL_CARE:
            self.care_combo.addItem(text, value)
        self.add_row(
            "Neonatal care",
            self.care_combo,
            accessible_name="Was the baby admitted for neonatal care",
        )
        self.gestation_label = QLabel("", self)
        self.gestation_label.setObjectName("birth_gestation_label")
        self.gestation_label.setProperty("role", "heading")
        self.gestation_label.setAccessibleName("Gestation at birth (computed)")
        self.add_wide(self.gestation_label)
        course = state.running_course
        conditions = state.assessment.conditions if state.assessment else ()
        #: Babies still expected once this birth is saved.
        self.still_expected_after = max(state.babies_still_expected - 1, 0)
        self.infusion_note: QLabel | None = None
        if course is not None:
            note = QLabel(self)
            note.setWordWrap(True)
            note.setObjectName("birth_infusion_note")
            plan = stop_plan(state)
            if self.still_expected_after > 0:
                note.setText(
                    f"{self.still_expected_after} still expected — the infusion continues "
                    "until the last baby is born."
                )
            elif plan is not None:
                note.setText(
                    "The infusion is still running. It is also given for severe pre-eclampsia "
                    f"or eclampsia: follow the team's stop plan: {plan.stop_plan}"
                )
            elif stops_at_birth(protocol, conditions):
                note.setText(
                    "This is the last baby expected. This protocol stops the infusion at birth "
                    f"({cite(protocol.maintenance.max_hours.source, protocol)}): after saving "
                    "the birth, stop the pump and record the stop."
                )
            else:
                note.setText(
                    "The infusion is still running; this protocol does not stop it at birth "
                    "for this woman: follow the plan recorded with the decision."
                )
            self.infusion_note = note
            self.add_wide(note)
        self.add_user_fields()
        self.time_field.sig_changed.connect(self._show_gestation)
        self._show_gestation()

    def _show_gestation(self) -> None:
        from mgso4.core.timeutil import LocalTimeError, parse_local_datetime

        try:
            moment = parse_local_datetime(self.time_field.text(), self.context.tz)
        except LocalTimeError:
            self.gestation_label.setText("Gestation at birth: (enter the time of birth)")
            return
        gestation = self.state.gestation_at(moment, self.context.tz)
        shown = f"{gestation.label} weeks" if gestation else "cannot be worked out from the dating"
        self.gestation_label.setText(f"Gestation at birth: {shown}")

    def drafts(self) -> Sequence[EventDraft] | None:
        chosen = self.baby_combo.currentData()
        if chosen is None:
            self.baby_message.show_error("Every baby's birth is recorded.")
            return None
        payload = Birth(
            baby=int(chosen),
            label=self.label_edit.text().strip(),
            neonatal_care=self.care_combo.currentData(),
        )
        refused = self.refusal(EventType.BIRTH, payload)
        if refused is not None:
            self.baby_message.show_error(refused)
        else:
            self.baby_message.clear_message()
        drafts = self.make(EventType.BIRTH, payload)
        return drafts if refused is None else None


# ---------------------------------------------------------------------------- not given


class NotGivenDialog(TimedDialog):
    """Why MgSO₄ was not given: the protocol's coded list; text where the code needs it."""

    FORM = Form(
        "Reason MgSO₄ was not given", "Save reason", "not_given_dialog", "time of the decision"
    )

    def build(self) -> None:
        protocol = self.protocol
        self.reason_combo = QComboBox(self)
        self.reason_combo.setObjectName("not_given_reason_combo")
        self.reason_combo.addItem("Choose a reason…", None)
        # The bedside list (no "Not recorded": that is for the audit's back-filling), with
        # the senior-decision reason pre-selected after a senior's "do not give".
        role = self.context.user.role if self.context.user is not None else Role.MIDWIFE
        for rule in core_actions.bedside_missed_reasons(protocol, role):
            self.reason_combo.addItem(rule.label, rule.code)
        suggested = core_actions.suggested_not_given_reason(self.state)
        if suggested is not None and self.reason_combo.findData(suggested) > 0:
            self.reason_combo.setCurrentIndex(self.reason_combo.findData(suggested))
        self.reason_message = self.add_row(
            "Reason", self.reason_combo, accessible_name="Reason MgSO4 was not given"
        )
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("not_given_text_edit")
        self.text_edit.setFixedHeight(72)
        self.text_edit.setTabChangesFocus(True)
        self.text_message = self.add_row(
            "Details", self.text_edit, accessible_name="Details of the reason"
        )
        source = QLabel("Reason list: the unit's protocol (unit-editable).", self)
        source.setProperty("role", "muted")
        source.setWordWrap(True)
        self.add_wide(source)
        self.add_user_fields()

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The reason (the details only when the chosen reason needs words)."""
        return (self.reason_combo,)

    def drafts(self) -> Sequence[EventDraft] | None:
        code = self.reason_combo.currentData()
        text = self.text_edit.toPlainText().strip()
        ok = True
        if code is None:
            self.reason_message.show_error("Choose the reason from the list.")
            ok = False
        else:
            self.reason_message.clear_message()
            refused = self.refusal(EventType.NOT_GIVEN, NotGiven(reason_code=code, text=text))
            if refused is not None:
                self.text_message.show_error(refused)
                ok = False
            else:
                self.text_message.clear_message()
        drafts = self.make(EventType.NOT_GIVEN, NotGiven(reason_code=code or "UNKNOWN", text=text))
        return drafts if ok else None


# ---------------------------------------------------------------------------- acknowledge


class AcknowledgeDialog(TimedDialog):
    """Acknowledge an alert (logged with its key and, optionally, what was done)."""

    FORM = Form("Acknowledge alert", "Acknowledge", "acknowledge_dialog", "time acknowledged")

    def build(self) -> None:
        context = self.context
        self.item: DueItem = self.extra["item"]
        item = self.item
        what = QLabel(f"{item.label}\nDue {format_local(item.due_at, context.tz)}.", self)
        what.setWordWrap(True)
        what.setObjectName("acknowledge_item_label")
        self.add_wide(what)
        self.action_edit = QLineEdit(self)
        self.action_edit.setObjectName("action_taken_edit")
        self.action_edit.setPlaceholderText("e.g. obs delayed: woman in theatre")
        self.action_message = self.add_row(
            "Action taken", self.action_edit, accessible_name="Action taken"
        )
        self.add_user_fields()

    def fields_to_fill(self) -> Sequence[QWidget]:
        """What was done: an alert is acknowledged with a reason (core.actions)."""
        return (self.action_edit,)

    def drafts(self) -> Sequence[EventDraft] | None:
        payload = AlertAcknowledged(key=self.item.key, action_taken=self.action_edit.text().strip())
        refused = self.refusal(EventType.ALERT_ACKNOWLEDGED, payload)
        if refused is not None:
            self.action_message.show_error(refused)
        else:
            self.action_message.clear_message()
        drafts = self.make(EventType.ALERT_ACKNOWLEDGED, payload)
        return drafts if refused is None else None
