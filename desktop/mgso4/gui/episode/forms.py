"""Registry actions on screen, each declared as a small :class:`RegistryForm`.

A form names a ``core.actions`` key and the fields it asks for; the fields are that action's
scripting fields (``core.actions.*Fields``), so the dialog turns what was typed into entries
through ``core.actions.plan`` — the very path ``mgso4 record`` takes. The dialog holds no rule:
whether the action is available, whether the values are allowed and what a soft limit says
all come from core, in core's words. A soft limit asks for a confirmation with a reason,
which the entry carries; a hard limit refuses. The store checks everything again at append.

Adding an action to the screen is one :class:`RegistryForm` in :data:`FORMS` (and its spec
in ``core.actions``): the episode view makes its button from the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from mgso4.core import actions as core_actions
from mgso4.core.alerts import open_alerts
from mgso4.core.citations import plain_citation
from mgso4.core.dosing import DoseInputError, loading_plan, maintenance_plan, plain
from mgso4.core.episode import Actor, EpisodeState, EventDraft
from mgso4.core.protocol import Protocol, ProtocolError
from mgso4.core.timeutil import format_local
from mgso4.core.vocab import Role
from mgso4.gui.context import AppContext
from mgso4.gui.episode.action_dialog import Form
from mgso4.gui.episode.actions import TimedDialog
from mgso4.gui.widgets.alert_banner import AlertLevel
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.widgets.user_dialog import ROLE_LABELS

#: ``(context, state, protocol, now) -> [(text, value)]`` for a choice field.
Choices = Callable[[AppContext, EpisodeState, Protocol, datetime], Sequence[tuple[str, Any]]]
#: ``(context, state, protocol) -> words`` shown above the fields.
Words = Callable[[AppContext, EpisodeState, Protocol], str]


@dataclass(frozen=True)
class FormField:
    """One field of a registry form: the action's scripting field it fills.

    Attributes:
        name: The field's name in the action's fields model (``core.actions.*Fields``).
        label: Its label on screen.
        kind: ``text`` (one line), ``long`` (a few lines), ``choice``, ``check`` (a tick),
            ``person`` (a name and a role) or ``number`` (read by core, as typed).
        unit: Shown after a number.
        required: Must be filled in before core is asked (a "needed" message, not a rule).
        choices: The choices of a ``choice`` field.
        placeholder: Grey words in an empty field (e.g. the protocol's value, used if empty).
    """

    name: str
    label: str
    kind: Literal["text", "long", "choice", "check", "person", "number"] = "text"
    unit: str = ""
    required: bool = False
    choices: Choices | None = None
    placeholder: Callable[[AppContext, EpisodeState, Protocol], str] | str = ""
    #: A ``person`` field's role to start with (the first role when None).
    role: Role | None = None
    #: The roles a ``person`` field offers (every role when None), e.g. the unit's senior roles.
    roles: Callable[[Protocol], Sequence[Role]] | None = None
    #: A ``person`` field whose person is judged by ``core.actions.senior_problems``.
    senior: bool = False


@dataclass(frozen=True)
class RegistryForm(Form):
    """A dialog for one ``core.actions`` action: its key, words and fields."""

    key: str = ""
    fields: tuple[FormField, ...] = ()
    intro: Words | None = None
    #: Shown on the button (the registry's label when empty).
    button: str = ""
    danger: bool = False
    #: Turns the typed values into the action's fields where they nest (e.g. a tick and its
    #: text into one object); None: as typed.
    shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None


@dataclass
class _Input:
    spec: FormField
    widget: QWidget
    message: FieldMessage
    role: QComboBox | None = None


class RegistryDialog(TimedDialog):
    """The dialog for a :class:`RegistryForm` (``form=`` keyword)."""

    FORM = Form(title="", save_label="Save", object_name="registry_dialog")

    @property
    def registry_form(self) -> RegistryForm:
        form = self.extra["form"]
        assert isinstance(form, RegistryForm)
        return form

    def build(self) -> None:
        form = self.registry_form
        self.inputs: dict[str, _Input] = {}
        if form.intro is not None:
            intro = QLabel(form.intro(self.context, self.state, self.protocol), self)
            intro.setWordWrap(True)
            intro.setObjectName(f"{form.object_name}_intro")
            self.add_wide(intro)
        for spec in form.fields:
            self.inputs[spec.name] = self._add_input(spec)
        # A soft limit's confirmation: shown only when core says the values need one.
        self.add_confirmation(
            "", "I confirm this is intended", "why, e.g. renal impairment: senior advice"
        )
        self.confirm_note.setObjectName("soft_limit_label")
        self.confirm_note.setProperty("role", "heading")
        self.add_user_fields()
        if form.danger:
            self.save_button.setProperty("role", "danger")

    def _add_input(self, spec: FormField) -> _Input:
        name = f"{spec.name}_field"
        placeholder = (
            spec.placeholder(self.context, self.state, self.protocol)
            if callable(spec.placeholder)
            else spec.placeholder
        )
        widget: QWidget
        role: QComboBox | None = None
        if spec.kind == "choice":
            combo = QComboBox(self)
            combo.addItem("Choose…", None)
            assert spec.choices is not None
            now = self.context.clock()
            for text, value in spec.choices(self.context, self.state, self.protocol, now):
                combo.addItem(text, value)
            for index in range(1, combo.count()):
                combo.setItemData(index, combo.itemText(index), Qt.ItemDataRole.ToolTipRole)
            # A long choice (an alert's message) must not widen the form past the screen: the
            # box keeps a readable width and the whole choice shows, wrapped, under it.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(30)
            if combo.count() == 2:
                combo.setCurrentIndex(1)
            widget = combo
        elif spec.kind == "check":
            widget = QCheckBox(self)
        elif spec.kind == "long":
            edit = QPlainTextEdit(self)
            edit.setFixedHeight(64)
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText(placeholder)
            widget = edit
        else:
            line = QLineEdit(self)
            line.setPlaceholderText(placeholder)
            widget = line
        widget.setObjectName(name)
        label = f"{spec.label} (name)" if spec.kind == "person" else spec.label
        message = self.add_row(label, widget, spec.unit)
        if spec.kind == "person":
            role = QComboBox(self)
            role.setObjectName(f"{spec.name}_role_field")
            offered = spec.roles(self.protocol) if spec.roles is not None else tuple(ROLE_LABELS)
            for value, words in ROLE_LABELS.items():
                if value in offered:
                    role.addItem(words, value)
            if spec.role is not None and role.findData(spec.role) >= 0:
                role.setCurrentIndex(role.findData(spec.role))
            self.add_row(f"{spec.label} (role)", role)
        if isinstance(widget, QComboBox):
            chosen = QLabel("", self)
            chosen.setWordWrap(True)
            chosen.setObjectName(f"{spec.name}_chosen_label")
            self.form.addWidget(chosen, self._next_row, 1, 1, 2)
            self._next_row += 1

            def show_choice(_index: int, box: QComboBox = widget, label: QLabel = chosen) -> None:
                text = box.currentText() if box.currentData() is not None else ""
                label.setText(text if len(text) > 40 else "")
                label.setVisible(len(text) > 40)

            widget.currentIndexChanged.connect(show_choice)
            show_choice(0)
        return _Input(spec, widget, message, role)

    def input(self, name: str) -> QWidget:
        """The widget of a field (for tests and the screenshots)."""
        return self.inputs[name].widget

    def fields_to_fill(self) -> Sequence[QWidget]:
        return tuple(item.widget for item in self.inputs.values() if item.spec.required)

    def _read(self, item: _Input) -> tuple[bool, Any]:
        """(given, value in the scripting fields' JSON shape)."""
        widget = item.widget
        if isinstance(widget, QComboBox):
            value = widget.currentData()
            return value is not None, value
        if isinstance(widget, QCheckBox):
            return True, widget.isChecked()
        if isinstance(widget, QPlainTextEdit):
            text = widget.toPlainText().strip()
        else:
            assert isinstance(widget, QLineEdit)
            text = widget.text().strip()
        if not text:
            return False, None
        if item.spec.kind == "person":
            assert item.role is not None
            return True, {"name": text, "role": str(item.role.currentData())}
        return True, text

    def values(self) -> dict[str, Any] | None:
        """The typed values as the action's fields, or None (messages shown)."""
        found: dict[str, Any] = {}
        ok = True
        for name, item in self.inputs.items():
            given, value = self._read(item)
            if not given and item.spec.required:
                item.message.show_error(f"{item.spec.label} is needed.")
                ok = False
                continue
            item.message.clear_message()
            if given and item.spec.senior:
                # Core's words beside the field: a senior role and more than initials.
                problems = core_actions.senior_problems(
                    Actor(name=value["name"], role=Role(value["role"])), self.protocol
                )
                if problems:
                    item.message.show_error(" ".join(problems))
                    ok = False
            if given:
                found[name] = value
        ok = self.read_confirmation(found, "Say why it is intended.") and ok
        return found if ok else None

    def drafts(self) -> Sequence[EventDraft] | None:
        values = self.values()
        at = self.time_field.value()
        actor = self.recorded_by()
        if values is None or at is None or actor is None:
            return None
        shape = self.registry_form.shape
        if shape is not None:
            values = shape(values)
        try:
            return core_actions.plan(self.registry_form.key, values, self.line_context(at, actor))
        except core_actions.ActionRefused as exc:
            if exc.soft_limits:
                # Beyond a soft limit: core's words beside the tick, and nothing saved yet.
                self.ask_confirmation(exc.soft_limits, "change the value")
                self.confirm_check.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                self.error_banner.show_message(AlertLevel.CRITICAL, "Not saved", str(exc))
            return None


# --------------------------------------------------------------------------- the forms


def _person(
    name: str, label: str, *, required: bool = False, role: Role | None = None
) -> FormField:
    return FormField(name, label, "person", required=required, role=role)


def _decision_words(context: AppContext, state: EpisodeState, protocol: Protocol) -> str:
    number = core_actions.next_course_number(state)
    assessment = state.assessment
    said = (
        ""
        if assessment is None
        else f" The assessment: {assessment.recommendation.value.replace('-', ' ')}."
    )
    repeat = (
        f" Course {number} is a repeat course: a named senior decides (decisions.md §8)."
        if number > 1
        else ""
    )
    return f"Decision for course {number}.{said}{repeat}"


def _load_words(context: AppContext, state: EpisodeState, protocol: Protocol) -> str:
    try:
        plan = loading_plan(protocol, context.preparations.get(state.created.preparation_id))
    except (ProtocolError, DoseInputError) as exc:
        return f"The protocol's loading dose cannot be worked out: {exc}"
    return (
        f"Protocol loading dose {plain(plan.dose_g)} g: {plain(plan.volume_ml)} mL at "
        f"{plain(plan.rate_ml_per_h)} mL/h over {plain(plan.duration_min)} min "
        f"{protocol.loading.dose_g.source}. Leave the dose empty to give the protocol's."
        + "".join(f" {warning}" for warning in plan.warnings)
    )


def _restart_words(context: AppContext, state: EpisodeState, protocol: Protocol) -> str:
    stopped = core_actions.last_stop(state)
    ended = (
        "" if stopped is None else f" The last infusion ended {format_local(stopped, context.tz)}."
    )
    try:
        plan = maintenance_plan(protocol, context.preparations.get(state.created.preparation_id))
        rate = f" Protocol rate {plain(plan.rate_g_per_h)} g/h = {plain(plan.rate_ml_per_h)} mL/h."
    except (ProtocolError, DoseInputError):
        rate = ""
    return (
        "A repeat course within the protocol's gap restarts maintenance without a new "
        f"loading dose (decisions.md §8).{ended}{rate} Leave the rate empty for the protocol's."
    )


def _alert_choices(
    context: AppContext, state: EpisodeState, protocol: Protocol, now: datetime
) -> list[tuple[str, Any]]:
    return [
        (plain_citation(alert.message), alert.id) for alert in open_alerts(state, protocol, now)
    ]


def _severe_pre_eclampsia(values: dict[str, Any]) -> dict[str, Any]:
    """The severe pre-eclampsia tick, the eclampsia tick and the stop plan as core's one
    ``severe_pre_eclampsia`` object (decisions.md §4: its own indication, by a named senior,
    with the team's stop plan); nothing when the tick is not given."""
    shaped = dict(values)
    severe = shaped.pop("severe", False)
    eclampsia = shaped.pop("eclampsia", False)
    plan = shaped.pop("stop_plan", "")
    if severe or eclampsia:
        shaped["severe_pre_eclampsia"] = {"eclampsia": bool(eclampsia), "stop_plan": plan}
    return shaped


def _yes_no(*_args: Any) -> list[tuple[str, Any]]:
    return [("Give MgSO₄", True), ("Do not give", False)]


def _agreement(*_args: Any) -> list[tuple[str, Any]]:
    return [
        ("She agreed", "agreed"),
        ("She declined", "declined"),
        ("Not able to discuss", "not-able-to-discuss"),
    ]


#: Every registry action with a form of its own, by ``core.actions`` key, in screen order.
FORMS: dict[str, RegistryForm] = {
    form.key: form
    for form in (
        RegistryForm(
            "Record the decision",
            "Save decision",
            "decide_dialog",
            "time of the decision",
            key="decide",
            button="&Decision",
            intro=_decision_words,
            fields=(
                FormField("give", "Decision", "choice", required=True, choices=_yes_no),
                FormField(
                    "senior",
                    "Senior",
                    "person",
                    role=Role.OBSTETRICIAN,
                    roles=lambda protocol: protocol.senior_roles,
                    senior=True,
                ),
                FormField("severe", "Also for severe pre-eclampsia or eclampsia", "check"),
                FormField("eclampsia", "Eclampsia", "check"),
                FormField(
                    "stop_plan",
                    "Team's stop plan",
                    "long",
                    placeholder="with severe pre-eclampsia: when the infusion stops",
                ),
                FormField("note", "Note", "long"),
            ),
            shape=_severe_pre_eclampsia,
        ),
        RegistryForm(
            "Start the loading dose",
            "Save load start",
            "start_load_dialog",
            "time the load started",
            key="start-load",
            button="&Start load",
            intro=_load_words,
            fields=(
                FormField("dose_g", "Loading dose", "number", unit="g"),
                FormField("duration_min", "Over", "number", unit="min"),
                _person("checked_by", "Checked by", required=True),
            ),
        ),
        RegistryForm(
            "Restart maintenance (repeat course)",
            "Save maintenance restart",
            "restart_dialog",
            "time maintenance restarted",
            key="restart-maintenance",
            button="R&estart maintenance",
            intro=_restart_words,
            fields=(
                FormField("rate_ml_per_h", "Pump rate", "number", unit="mL/h"),
                FormField("volume_ml", "Syringe volume", "number", unit="mL"),
                _person("checked_by", "Checked by", required=True),
            ),
        ),
        RegistryForm(
            "Information given (decisions.md §16)",
            "Save information given",
            "information_dialog",
            "time of the discussion",
            key="information-given",
            button="&Information given",
            fields=(
                FormField("agreement", "Her answer", "choice", required=True, choices=_agreement),
                FormField("off_label_discussed", "Off-label use discussed", "check"),
                FormField("given_to", "Given to", placeholder="the woman, unless someone else"),
                FormField("note", "Note", "long"),
            ),
        ),
        RegistryForm(
            "Acknowledge an alert",
            "Acknowledge",
            "acknowledge_alert_dialog",
            "time acknowledged",
            key="acknowledge",
            button="Ac&knowledge alert",
            fields=(
                FormField("alert", "Alert", "choice", required=True, choices=_alert_choices),
                FormField("reason", "What was done", required=True),
            ),
        ),
        RegistryForm(
            "Serum magnesium result",
            "Save result",
            "serum_dialog",
            "time the sample was taken",
            key="serum-magnesium",
            button="Serum Mg res&ult",
            fields=(FormField("serum_mg_mmol_l", "Serum magnesium", "number", "mmol/L", True),),
        ),
        RegistryForm(
            "Close the episode",
            "Close episode",
            "close_dialog",
            "time closed",
            key="close",
            button="&Close episode",
            fields=(
                FormField("reason", "Reason", "long"),
                FormField("reassess_at", "Reassess at", placeholder="optional: YYYY-MM-DD HH:MM"),
            ),
        ),
    )
}

__all__ = ["FORMS", "FormField", "RegistryDialog", "RegistryForm"]
