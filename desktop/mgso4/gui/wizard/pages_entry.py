"""The first pages: who is recording, the patient, the gestation, and the situation.

Each field is checked by ``core`` as it is typed (identifiers, gestation, dates); the message
appears under the field, the text stays as typed, and Next stays disabled until it is right.
While a value is still being typed and could yet become valid (e.g. "943 47"), no error is
shown; it appears once the value is complete or the field is left.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mgso4.core.episode import Dating, EpisodeCreated, Patient
from mgso4.core.flow import Step
from mgso4.core.gestation import DatingMethod, GestationalAge, GestationError
from mgso4.core.identifiers import accepted_in_mode, check_for_mode, check_identifier
from mgso4.core.timeutil import to_local
from mgso4.core.vocab import ConditionId, IdentifierType, MedicationId, Situation
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.widgets.screen_fit import wrapped
from mgso4.gui.wizard.base import StepPage, WizardHost, heading, muted
from mgso4.gui.wizard.fields import ActorFields, LocalDateField

#: A gestation still being typed: up to two digits, optionally a "+" not yet followed by a day.
_GESTATION_PREFIX = re.compile(r"\s*[0-9]{0,2}\s*(\+\s*)?", re.ASCII)
#: An identifier still being typed: fewer than 10 digits, with spaces or hyphens between.
_IDENTIFIER_PREFIX = re.compile(r"\s*([0-9][ -]?){0,9}", re.ASCII)

_ID_TYPE_WORDS = {
    IdentifierType.NHS: "NHS number",
    IdentifierType.CHI: "CHI number (Scotland)",
}


class UserPage(StepPage):
    """Who is using the app: remembered for the shift (``context.user``)."""

    step = Step.USER

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle(
            "Your name and role go on every entry you make. They are remembered until the "
            "app is closed or someone else signs in."
        )
        self.actor = ActorFields("You")
        self.actor.setObjectName("user_actor")
        form = QFormLayout()
        form.addRow("Your name and role", self.actor)
        self.body.addLayout(form)
        self.body.addStretch(1)
        self.registerField("user_name*", self.actor.name_edit)
        self.actor.sig_changed.connect(self.changed)
        if self.context.user is not None:
            self.actor.set_value(self.context.user)

    def first_focus(self) -> QWidget:
        """The name."""
        return self.actor.name_edit

    def is_valid(self) -> bool:
        """A name is entered."""
        return self.actor.value() is not None

    def validatePage(self) -> bool:
        """Remember the user for the shift."""
        actor = self.actor.value()
        if actor is None:
            return False
        self.context.user = actor
        return True


class PatientPage(StepPage):
    """Identifier (NHS or CHI number, checked live), name and optional date of birth."""

    step = Step.PATIENT

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        training = self.context.training
        self.setSubTitle(
            "Training mode: use a synthetic test number starting with 9 (e.g. 999 000 0050)."
            if training
            else "Type the number as it is written; spaces are fine."
        )
        self.type_buttons: dict[IdentifierType, QRadioButton] = {}
        self._type_group = QButtonGroup(self)
        type_row = QHBoxLayout()
        for index, (id_type, words) in enumerate(_ID_TYPE_WORDS.items()):
            button = QRadioButton(words)
            button.setObjectName(f"id_type_{id_type.value}")
            button.setAccessibleName(f"Identifier type: {words}")
            self._type_group.addButton(button, index)
            self.type_buttons[id_type] = button
            type_row.addWidget(button)
        type_row.addStretch(1)
        self.type_buttons[IdentifierType.NHS].setChecked(True)

        self.identifier_edit = QLineEdit()
        self.identifier_edit.setObjectName("identifier_edit")
        self.identifier_edit.setAccessibleName("NHS or CHI number")
        self.identifier_edit.setPlaceholderText("10 digits, e.g. 943 476 5919")
        self.identifier_edit.setMaxLength(40)
        self.identifier_message = FieldMessage(field=self.identifier_edit)
        self.identifier_message.setObjectName("identifier_message")
        self.identifier_readback = muted(name="Identifier as read")
        self.identifier_readback.setObjectName("identifier_readback")

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("patient_name_edit")
        self.name_edit.setAccessibleName("Patient's full name")
        self.name_edit.setMaxLength(200)

        self.dob = LocalDateField("Date of birth (optional)")
        self.dob.setObjectName("date_of_birth")
        self.dob.set_rule(self._dob_rule)

        identifier_box = QVBoxLayout()
        identifier_box.setSpacing(2)
        identifier_box.addWidget(self.identifier_edit)
        identifier_box.addWidget(self.identifier_message)
        identifier_box.addWidget(self.identifier_readback)

        form = QFormLayout()
        form.addRow("Identifier type", type_row)
        form.addRow("Number", identifier_box)
        form.addRow("Full name", self.name_edit)
        form.addRow("Date of birth (optional)", self.dob)
        self.body.addLayout(form)
        self.body.addStretch(1)

        QWidget.setTabOrder(self.type_buttons[IdentifierType.CHI], self.identifier_edit)
        QWidget.setTabOrder(self.identifier_edit, self.name_edit)
        QWidget.setTabOrder(self.name_edit, self.dob.edit)

        self.registerField("identifier*", self.identifier_edit)
        self.registerField("patient_name*", self.name_edit)
        self._type_group.idClicked.connect(self._on_type_group_id_clicked)
        self.identifier_edit.textChanged.connect(self._on_identifier_edit_text_changed)
        self.identifier_edit.editingFinished.connect(self._on_identifier_edit_editing_finished)
        self.name_edit.textChanged.connect(self._on_name_edit_text_changed)
        self.dob.sig_changed.connect(self.changed)
        self._identifier_ok = False

    # -- page -----------------------------------------------------------------------------

    def first_focus(self) -> QWidget:
        """The number (the identifier type defaults to NHS)."""
        return self.identifier_edit

    def id_type(self) -> IdentifierType:
        """The identifier type chosen."""
        for id_type, button in self.type_buttons.items():
            if button.isChecked():
                return id_type
        return IdentifierType.NHS

    def is_valid(self) -> bool:
        """A usable identifier, a name, and an acceptable date of birth (or none)."""
        return (
            self._identifier_ok
            and bool(self.name_edit.text().strip())
            and (self.dob.is_acceptable())
        )

    def store(self) -> None:
        """Keep the patient when complete."""
        result = check_identifier(self.identifier_edit.text(), self.id_type())
        answers = self.answers
        answers.identifier_warning = None
        if self.is_valid() and result.normalised is not None:
            answers.patient = Patient(
                id_type=self.id_type(),
                identifier=result.normalised,
                name=self.name_edit.text().strip(),
                date_of_birth=self.dob.value(),
            )
            answers.identifier_warning = check_for_mode(result, self.context.training)
            self.owner.identifier_display = result.display or result.normalised
        else:
            answers.patient = None

    # -- checks ---------------------------------------------------------------------------

    def _check_identifier(self, *, finished: bool) -> None:
        text = self.identifier_edit.text()
        result = check_identifier(text, self.id_type())
        training = self.context.training
        self._identifier_ok = accepted_in_mode(result, training)
        message = check_for_mode(result, training)
        self.identifier_readback.setText(
            f"Read as {_ID_TYPE_WORDS[self.id_type()].split(' (')[0]} {result.display}"
            if result.valid
            else ""
        )
        if message is None:
            self.identifier_message.clear_message()
        elif self._identifier_ok:
            self.identifier_message.show_note(message)
        elif finished or not _IDENTIFIER_PREFIX.fullmatch(text) or not text.strip():
            if text.strip() or finished:
                self.identifier_message.show_error(message)
            else:
                self.identifier_message.clear_message()
        else:
            # Still typing a number that could become valid: no error yet.
            self.identifier_message.clear_message()
        self.changed()

    def _dob_rule(self, value: date) -> str | None:
        today = to_local(self.context.clock(), self.context.tz).date()
        if value > today:
            return (
                f"{value.isoformat()} is in the future (today is {today.isoformat()}); "
                "check the date of birth."
            )
        return None

    # -- slots ----------------------------------------------------------------------------

    def _on_type_group_id_clicked(self, _id: int) -> None:
        self._check_identifier(finished=bool(self.identifier_edit.text().strip()))

    def _on_identifier_edit_text_changed(self, _text: str) -> None:
        self._check_identifier(finished=False)

    def _on_identifier_edit_editing_finished(self) -> None:
        self._check_identifier(finished=bool(self.identifier_edit.text().strip()))

    def _on_name_edit_text_changed(self, _text: str) -> None:
        self.changed()


class GestationPage(StepPage):
    """Gestation as weeks+days, or from an agreed EDD, or from the LMP, shown live for today."""

    step = Step.GESTATION

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle(
            "Use one of the three. The gestation is counted in completed weeks and days."
        )
        self._method_group = QButtonGroup(self)
        self.method_buttons: dict[DatingMethod, QRadioButton] = {}
        words = {
            DatingMethod.WEEKS_DAYS: "Gestation today (weeks+days)",
            DatingMethod.AGREED_EDD: "Agreed due date (EDD)",
            DatingMethod.LMP: "First day of last period (LMP)",
        }
        for index, (method, text) in enumerate(words.items()):
            button = QRadioButton(text)
            button.setObjectName(f"dating_{method.value.replace('+', '_').replace('-', '_')}")
            button.setAccessibleName(f"Date by: {text}")
            self._method_group.addButton(button, index)
            self.method_buttons[method] = button
        self.method_buttons[DatingMethod.WEEKS_DAYS].setChecked(True)

        self.weeks_days_edit = QLineEdit()
        self.weeks_days_edit.setObjectName("gestation_edit")
        self.weeks_days_edit.setAccessibleName("Gestation today, weeks+days")
        self.weeks_days_edit.setPlaceholderText("e.g. 27+3")
        self.weeks_days_edit.setMaxLength(20)
        self.weeks_days_message = FieldMessage(field=self.weeks_days_edit)
        self.weeks_days_message.setObjectName("gestation_message")
        self.edd = LocalDateField("Agreed EDD")
        self.edd.setObjectName("edd")
        self.lmp = LocalDateField("First day of the last period")
        self.lmp.setObjectName("lmp")
        self.edd.set_rule(self._edd_rule)
        self.lmp.set_rule(self._lmp_rule)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.addWidget(self.method_buttons[DatingMethod.WEEKS_DAYS], 0, 0)
        weeks_box = QVBoxLayout()
        weeks_box.setSpacing(2)
        weeks_box.addWidget(self.weeks_days_edit)
        weeks_box.addWidget(self.weeks_days_message)
        grid.addLayout(weeks_box, 0, 1)
        grid.addWidget(self.method_buttons[DatingMethod.AGREED_EDD], 1, 0)
        grid.addWidget(self.edd, 1, 1)
        grid.addWidget(self.method_buttons[DatingMethod.LMP], 2, 0)
        grid.addWidget(self.lmp, 2, 1)
        self.body.addLayout(grid)

        self.result = QLabel()
        self.result.setObjectName("gestation_result")
        self.result.setAccessibleName("Gestation today")
        self.result.setProperty("role", "heading")
        self.body.addWidget(self.result)
        self.body.addStretch(1)

        # Visual order: each method's choice, then its field.
        QWidget.setTabOrder(self.method_buttons[DatingMethod.WEEKS_DAYS], self.weeks_days_edit)
        QWidget.setTabOrder(self.weeks_days_edit, self.edd.edit)
        QWidget.setTabOrder(self.edd.edit, self.lmp.edit)

        self._method_group.idClicked.connect(self._on_method_group_id_clicked)
        self.weeks_days_edit.textChanged.connect(self._on_weeks_days_edit_text_changed)
        self.weeks_days_edit.editingFinished.connect(self._on_weeks_days_edit_editing_finished)
        self.edd.edit.textEdited.connect(self._on_edd_edited)
        self.lmp.edit.textEdited.connect(self._on_lmp_edited)
        self.edd.sig_changed.connect(self._refresh)
        self.lmp.sig_changed.connect(self._refresh)
        self._gestation: GestationalAge | None = None
        self._dating: Dating | None = None

    # -- page -----------------------------------------------------------------------------

    def first_focus(self) -> QWidget:
        """The weeks+days field (the usual way to date at the bedside)."""
        method = self.method()
        if method is DatingMethod.AGREED_EDD:
            return self.edd.edit
        if method is DatingMethod.LMP:
            return self.lmp.edit
        return self.weeks_days_edit

    def enter(self) -> None:
        """Recompute "today" (the clock may have passed midnight)."""
        self._refresh()

    def method(self) -> DatingMethod:
        """The dating method chosen."""
        for method, button in self.method_buttons.items():
            if button.isChecked():
                return method
        return DatingMethod.WEEKS_DAYS

    def is_valid(self) -> bool:
        """A gestation follows from the chosen method."""
        return self._dating is not None

    def store(self) -> None:
        """Keep the dating inputs (not the result: the record derives it)."""
        self.answers.dating = self._dating

    def gestation(self) -> GestationalAge | None:
        """The gestation today from the chosen method, if accepted."""
        return self._gestation

    # -- checks ---------------------------------------------------------------------------

    def _today(self) -> date:
        return to_local(self.context.clock(), self.context.tz).date()

    def _refresh(self, *, finished: bool = False) -> None:
        today = self._today()
        method = self.method()
        self._dating, self._gestation = None, None
        if method is DatingMethod.WEEKS_DAYS:
            text = self.weeks_days_edit.text()
            try:
                gestation = GestationalAge.parse(text)
            except GestationError as refusal:
                if finished or (text.strip() and not _GESTATION_PREFIX.fullmatch(text)):
                    self.weeks_days_message.show_error(str(refusal))
                else:
                    self.weeks_days_message.clear_message()
            else:
                self.weeks_days_message.clear_message()
                self._gestation = gestation
                self._dating = Dating(
                    method=method, stated_gestation=gestation.label, stated_on=today
                )
        else:
            # The field's own rule has already refused a date giving no gestation today.
            typed = (self.edd if method is DatingMethod.AGREED_EDD else self.lmp).value()
            if typed is not None:
                dating = (
                    Dating(method=method, edd=typed)
                    if method is DatingMethod.AGREED_EDD
                    else Dating(method=method, lmp=typed)
                )
                self._gestation = dating.gestation_on(today)
                self._dating = dating
        if self._gestation is not None:
            self.result.setText(
                f"{self._gestation.label} today ({today.strftime('%a')} {today.isoformat()})"
            )
        else:
            self.result.setText("")
        self.changed()

    def _edd_rule(self, edd: date) -> str | None:
        try:
            GestationalAge.from_edd(edd, self._today())
        except GestationError as refusal:
            return str(refusal)
        return None

    def _lmp_rule(self, lmp: date) -> str | None:
        try:
            GestationalAge.from_lmp(lmp, self._today())
        except GestationError as refusal:
            return str(refusal)
        return None

    # -- slots ----------------------------------------------------------------------------

    def _on_method_group_id_clicked(self, _id: int) -> None:
        self._refresh(finished=True)

    def _on_weeks_days_edit_text_changed(self, _text: str) -> None:
        if not self.method_buttons[DatingMethod.WEEKS_DAYS].isChecked():
            self.method_buttons[DatingMethod.WEEKS_DAYS].setChecked(True)
        self._refresh()

    def _on_weeks_days_edit_editing_finished(self) -> None:
        if self.method() is DatingMethod.WEEKS_DAYS and self.weeks_days_edit.text().strip():
            self._refresh(finished=True)

    def _on_edd_edited(self, _text: str) -> None:
        self.method_buttons[DatingMethod.AGREED_EDD].setChecked(True)
        self._refresh()

    def _on_lmp_edited(self, _text: str) -> None:
        self.method_buttons[DatingMethod.LMP].setChecked(True)
        self._refresh()


class SituationPage(StepPage):
    """The situation now, the maternal conditions and the interacting medicines."""

    step = Step.SITUATION

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle("Choose the situation now and tick anything that applies.")
        protocol = self.context.protocol
        self._situation_group = QButtonGroup(self)
        self.situation_buttons: dict[Situation, QRadioButton] = {}
        situations = QVBoxLayout()
        situations.setSpacing(0)
        situations.addWidget(heading("Situation now"))
        for index, situation in enumerate(Situation):
            button = QRadioButton(situation.label)
            button.setObjectName(f"situation_{situation.value.replace('-', '_')}")
            button.setAccessibleName(f"Situation: {situation.label}")
            self._situation_group.addButton(button, index)
            self.situation_buttons[situation] = button
            situations.addWidget(button)

        # How many babies are expected (decisions.md §13: one birth entry each, and the
        # infusion runs until the last is born). The range is the entry's own.
        babies = QHBoxLayout()
        self.babies_spin = QSpinBox(self)
        self.babies_spin.setObjectName("babies_expected_spin")
        low, high = _field_range(EpisodeCreated, "plurality")
        self.babies_spin.setRange(low, high)
        self.babies_spin.setValue(self.answers.plurality)
        self.babies_spin.setAccessibleName("Number of babies expected")
        for inner in self.babies_spin.findChildren(QLineEdit):
            inner.setAccessibleName("Number of babies expected")
        babies_label = QLabel("Babies expected")
        babies_label.setBuddy(self.babies_spin)
        babies.addWidget(babies_label)
        babies.addWidget(self.babies_spin)
        babies.addWidget(muted("twins: 2 (can be corrected later)"))
        babies.addStretch(1)
        situations.addLayout(babies)

        self.condition_boxes: dict[ConditionId, QCheckBox] = {}
        conditions = QVBoxLayout()
        conditions.setSpacing(0)
        conditions.addWidget(heading("Maternal conditions"))
        for rule in protocol.conditions:
            box = QCheckBox(wrapped(rule.label))
            box.setObjectName(f"condition_{rule.id.value.replace('-', '_')}")
            box.setAccessibleName(f"Condition: {rule.label}")
            self.condition_boxes[rule.id] = box
            conditions.addWidget(box)
        conditions.addStretch(1)

        self.medication_boxes: dict[MedicationId, QCheckBox] = {}
        medications = QVBoxLayout()
        medications.setSpacing(0)
        medications.addWidget(heading("Medicines she is taking"))
        for interaction in protocol.interactions:
            box = QCheckBox(wrapped(interaction.label))
            box.setObjectName(f"medication_{interaction.id.value.replace('-', '_')}")
            box.setAccessibleName(f"Medicine: {interaction.label}")
            self.medication_boxes[interaction.id] = box
            medications.addWidget(box)
        medications.addStretch(1)

        lower = QHBoxLayout()
        lower.addLayout(conditions, 1)
        lower.addLayout(medications, 1)
        self.body.addLayout(situations)
        self.body.addLayout(lower)
        self.body.addStretch(1)

        self._situation_group.idClicked.connect(self._on_situation_group_id_clicked)
        for box in [*self.condition_boxes.values(), *self.medication_boxes.values()]:
            box.toggled.connect(self._on_box_toggled)
        self.babies_spin.valueChanged.connect(self._on_babies_spin_value_changed)

    def first_focus(self) -> QWidget:
        """The chosen situation, or the first one."""
        for button in self.situation_buttons.values():
            if button.isChecked():
                return button
        return next(iter(self.situation_buttons.values()))

    def situation(self) -> Situation | None:
        """The situation chosen."""
        for situation, button in self.situation_buttons.items():
            if button.isChecked():
                return situation
        return None

    def is_valid(self) -> bool:
        """A situation is chosen (conditions and medicines may be none)."""
        return self.situation() is not None

    def store(self) -> None:
        """Keep the situation, conditions and medicines."""
        answers = self.answers
        answers.situation = self.situation()
        answers.plurality = self.babies_spin.value()
        answers.conditions = frozenset(
            c for c, box in self.condition_boxes.items() if box.isChecked()
        )
        answers.medications = frozenset(
            m for m, box in self.medication_boxes.items() if box.isChecked()
        )

    def _on_situation_group_id_clicked(self, _id: int) -> None:
        self.changed()

    def _on_box_toggled(self, _checked: bool) -> None:
        self.changed()

    def _on_babies_spin_value_changed(self, _value: int) -> None:
        self.changed()


def _field_range(model: type[BaseModel], name: str) -> tuple[int, int]:
    """The ``ge``/``le`` bounds a whole-number field of an entry declares."""
    low, high = 1, 1
    for item in model.model_fields[name].metadata:
        low = int(getattr(item, "ge", low))
        high = int(getattr(item, "le", high))
    return low, high
