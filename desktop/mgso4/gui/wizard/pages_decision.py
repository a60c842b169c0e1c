"""The decision pages: the recommendation and the choice, the named senior decision, and the
coded reason when MgSO4 is not given.

Everything clinical on these pages comes from ``core.eligibility.assess`` (recommendation,
reasons, cautions, warnings, citations, dose plans) and the protocol file (source tags and
"local setting" marks). The pages only show it and record the choice.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mgso4.core import flow
from mgso4.core.actions import bedside_missed_reasons, not_happened_yet, senior_problems
from mgso4.core.citations import cite, plain_citation
from mgso4.core.dosing import plain
from mgso4.core.eligibility import DECISION_SUPPORT_NOTICE, Assessment
from mgso4.core.flow import Step
from mgso4.core.gestation import GestationError
from mgso4.core.protocol import Protocol, Provenance, Sourced
from mgso4.core.timeutil import to_local
from mgso4.core.vocab import Recommendation, Role
from mgso4.gui.style import ToneName
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.widgets.screen_fit import wrapped
from mgso4.gui.wizard.answers import interaction_warning
from mgso4.gui.wizard.base import (
    StepPage,
    WizardHost,
    bullets,
    chain,
    clear_layout,
    emphasise,
    heading,
    muted,
    text_label,
    toned,
)
from mgso4.gui.wizard.fields import ActorFields, LocalDateTimeField

#: The headline for each recommendation, in plain words.
RECOMMENDATION_WORDS: dict[Recommendation, str] = {
    Recommendation.OFFER: "OFFER magnesium sulfate for fetal neuroprotection",
    Recommendation.CONSIDER: "CONSIDER magnesium sulfate for fetal neuroprotection",
    Recommendation.DISCUSS: "DISCUSS magnesium sulfate with the woman and her family",
    Recommendation.NOT_INDICATED: "NOT INDICATED now",
    Recommendation.CONTRAINDICATED: "CONTRAINDICATED: do not give magnesium sulfate",
}

RECOMMENDATION_TONES: dict[Recommendation, ToneName] = {
    Recommendation.OFFER: ToneName.OK,
    Recommendation.CONSIDER: ToneName.INFO,
    Recommendation.DISCUSS: ToneName.INFO,
    Recommendation.NOT_INDICATED: ToneName.NEUTRAL,
    Recommendation.CONTRAINDICATED: ToneName.CRITICAL,
}

_LOCAL_MARK = " — local setting"


def sourced_line(what: str, value: Sourced, unit: str, protocol: Protocol | None = None) -> str:
    """One protocol value with its source (the protocol's citation titles), marked "local
    setting" when not verified."""
    mark = _LOCAL_MARK if value.is_local_setting else ""
    source = cite(value.source, protocol) if protocol is not None else plain_citation(value.source)
    return f"{what}: {plain(value.value)} {unit} ({source}){mark}"


def protocol_values(protocol: Protocol) -> list[str]:
    """The regimen values this episode uses, each with its source and local-setting mark."""
    maintenance = protocol.maintenance
    anchor_words = (
        "the start of maintenance"
        if maintenance.stop_anchor == "maintenance-start"
        else "the start of the loading dose"
    )
    anchor_local = maintenance.stop_anchor_status in (Provenance.UNVERIFIED, Provenance.LOCAL)
    lines = [
        sourced_line("Loading dose", protocol.loading.dose_g, "g", protocol),
        sourced_line("Loading time", protocol.loading.duration_min, "min", protocol),
        sourced_line("Maintenance", maintenance.rate_g_per_h, "g/h", protocol),
        sourced_line("Maximum duration", maintenance.max_hours, "h", protocol),
        f"The maximum duration runs from {anchor_words} "
        f"({cite(maintenance.stop_anchor_source, protocol)})"
        + (_LOCAL_MARK if anchor_local else ""),
    ]
    if maintenance.optional:
        lines.append("Maintenance is optional in this protocol")
    return lines


class DecisionPage(StepPage):
    """The recommendation with reasons and sources, acknowledgements, and the choice."""

    step = Step.DECISION

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle("From the unit protocol. Read the reasons, then record the decision.")
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setAccessibleName("Recommendation details")
        inner = QWidget()
        self.scroll_area.setWidget(inner)
        self.content = QVBoxLayout(inner)
        self.content.setContentsMargins(0, 0, 8, 0)
        self.info = QVBoxLayout()
        self.info.setSpacing(6)
        self.content.addLayout(self.info)

        self.acks = QVBoxLayout()
        self.acks.setSpacing(4)
        self.content.addLayout(self.acks)
        self.ack_boxes: dict[str, QCheckBox] = {}

        self.decided_at = LocalDateTimeField("Decision time", self.context.tz)
        self.decided_at.setObjectName("decided_at")
        self.decided_at.set_rule(self._decided_at_rule)

        self.support_notice = text_label(DECISION_SUPPORT_NOTICE, name="Decision support notice")
        self.support_notice.setObjectName("decision_support_notice")
        self.content.addWidget(self.support_notice)

        self.choice_heading = heading("Decision")
        self.give_button = QRadioButton("Give magnesium sulfate (loading dose next)")
        self.give_button.setObjectName("decision_give")
        self.give_button.setAccessibleName("Decision: give magnesium sulfate")
        self.no_give_button = QRadioButton("Do not give (record the reason next)")
        self.no_give_button.setObjectName("decision_do_not_give")
        self.no_give_button.setAccessibleName("Decision: do not give")
        self._choice = QButtonGroup(self)
        self._choice.addButton(self.give_button, 1)
        self._choice.addButton(self.no_give_button, 0)
        self.choice_note = text_label(name="What happens next")
        # Severe pre-eclampsia or eclampsia as its own indication: a named senior decides and
        # the team's stop plan replaces the stop at birth (decisions.md §4). Pre-eclampsia
        # ticked as a condition changes nothing.
        self.severe_box = QCheckBox(
            "Also for severe pre-eclampsia or eclampsia (a named senior decides)"
        )
        self.severe_box.setObjectName("severe_pre_eclampsia")
        self.severe_box.setAccessibleName("Also for severe pre-eclampsia or eclampsia")
        self.eclampsia_box = QCheckBox("Eclampsia")
        self.eclampsia_box.setObjectName("eclampsia")
        self.eclampsia_box.setAccessibleName("Eclampsia")
        self.stop_plan_edit = QLineEdit()
        self.stop_plan_edit.setObjectName("stop_plan")
        self.stop_plan_edit.setAccessibleName("The team's stop plan")
        self.stop_plan_edit.setMaxLength(500)
        self.stop_plan_edit.setPlaceholderText("The team's stop plan: when the infusion stops")

        decision_form = QFormLayout()
        decision_form.addRow("Decision time", self.decided_at)
        self.content.addWidget(self.choice_heading)
        self.content.addWidget(self.give_button)
        self.content.addWidget(self.no_give_button)
        self.content.addWidget(self.choice_note)
        self.content.addWidget(self.severe_box)
        severe_row = QHBoxLayout()
        severe_row.addWidget(self.eclampsia_box)
        severe_row.addWidget(self.stop_plan_edit, 1)
        self.content.addLayout(severe_row)
        self.content.addLayout(decision_form)
        # Tab follows what is seen: the choice, then the decision time.
        chain(
            self.give_button,
            self.no_give_button,
            self.decided_at.edit,
            self.decided_at.first_choice,
            self.decided_at.second_choice,
        )
        # Where the numbers come from: after the decision, so the choice stays in view.
        self.provenance = QVBoxLayout()
        self.provenance.setSpacing(4)
        self.content.addLayout(self.provenance)
        self.content.addStretch(1)
        self.body.addWidget(self.scroll_area, 1)

        self._choice.idClicked.connect(self._on_choice_id_clicked)
        self.decided_at.sig_changed.connect(self._on_decided_at_changed)
        self.severe_box.toggled.connect(self._on_severe_box_toggled)
        self.eclampsia_box.toggled.connect(self._on_severe_box_toggled)
        self.stop_plan_edit.textChanged.connect(self._on_stop_plan_edit_text_changed)
        self._show_severe()
        self._reassessing = False

    # -- page -----------------------------------------------------------------------------

    def enter(self) -> None:
        """Assess with the answers so far and show the result."""
        answers = self.answers
        if answers.decided_at is None or self.decided_at.value() is None:
            self.decided_at.set_value(self.context.clock())
        answers.decided_at = self.decided_at.value()
        self.owner.reassess()
        self._show_assessment()
        self.changed()

    def first_focus(self) -> QWidget | None:
        """The first unticked acknowledgement, else the choice, else the decision time."""
        for box in self.ack_boxes.values():
            if not box.isChecked():
                return box
        if self.owns_choice():
            checked = self._choice.checkedButton()
            return checked if checked is not None else self.give_button
        return self.decided_at.edit

    def owns_choice(self) -> bool:
        """The give / do-not-give choice is made here (no senior decision is required)."""
        assessment = self.answers.assessment
        if assessment is None or not self.answers.give_possible:
            return False
        return flow.decided_on_decision_page(
            flow.FlowState(
                recommendation=assessment.recommendation,
                senior_decision_required=assessment.senior_decision_required,
                severe_pre_eclampsia=self.severe_box.isChecked(),
            )
        )

    def is_valid(self) -> bool:
        """Assessed, the time accepted, warnings acknowledged, and the choice made here."""
        answers = self.answers
        if answers.assessment is None or self.decided_at.value() is None:
            return False
        if answers.give_possible and answers.interactions_pending:
            return False
        if self.severe_box.isChecked() and not self.stop_plan_edit.text().strip():
            return False
        return not self.owns_choice() or self._choice.checkedId() in (0, 1)

    def store(self) -> None:
        """Keep the decision time, acknowledgements and (when made here) the choice."""
        answers = self.answers
        answers.decided_at = self.decided_at.value()
        severe = answers.give_possible and self.severe_box.isChecked()
        answers.severe_pre_eclampsia = severe
        answers.eclampsia = severe and self.eclampsia_box.isChecked()
        answers.stop_plan = self.stop_plan_edit.text().strip() if severe else ""
        answers.acknowledged = frozenset(
            medication
            for medication in answers.medications
            if (box := self.ack_boxes.get(medication.value)) is not None and box.isChecked()
        )
        if self.owns_choice():
            chosen = self._choice.checkedId()
            answers.give = None if chosen not in (0, 1) else chosen == 1

    # -- content --------------------------------------------------------------------------

    def _show_assessment(self) -> None:
        clear_layout(self.info)
        clear_layout(self.provenance)
        answers = self.answers
        assessment = answers.assessment
        protocol = self.context.protocol
        if assessment is None:
            self.info.addWidget(
                text_label(
                    "The gestation cannot be worked out on the decision date: check the "
                    "decision time or go Back to the gestation.",
                    name="Not assessed",
                )
            )
            self._show_choice(False)
            return
        recommendation = assessment.recommendation
        frame, layout = toned(RECOMMENDATION_TONES[recommendation], name="Recommendation")
        frame.setObjectName("recommendation_frame")
        headline = QLabel(RECOMMENDATION_WORDS[recommendation])
        headline.setObjectName("recommendation_headline")
        headline.setWordWrap(True)
        headline.setAccessibleName(f"Recommendation: {RECOMMENDATION_WORDS[recommendation]}")
        emphasise(headline, 1.25)
        layout.addWidget(headline)
        layout.addWidget(
            text_label(
                f"{assessment.gestation.label} weeks · {assessment.situation.label}",
                name="Gestation and situation",
            )
        )
        self.info.addWidget(frame)

        self.info.addWidget(heading("Why"))
        self.info.addWidget(text_label(bullets(assessment.reasons), name="Reasons"))
        if assessment.cautions:
            caution_frame, caution_layout = toned(ToneName.WARNING, name="Cautions")
            caution_layout.addWidget(QLabel("CAUTION — a named senior decision is required"))
            caution_layout.addWidget(text_label(bullets(assessment.cautions), name="Cautions"))
            self.info.addWidget(caution_frame)
        other_warnings = self._other_warnings(assessment)
        if other_warnings:
            warning_frame, warning_layout = toned(ToneName.WARNING, name="Warnings")
            warning_layout.addWidget(QLabel("WARNING"))
            warning_layout.addWidget(text_label(bullets(other_warnings), name="Warnings"))
            self.info.addWidget(warning_frame)
        if assessment.loading is not None and assessment.maintenance is not None:
            loading, maintenance = assessment.loading, assessment.maintenance
            plan = text_label(
                f"If given: loading dose {plain(loading.dose_g)} g = {plain(loading.volume_ml)} "
                f"mL of {loading.concentration_label} at {plain(loading.rate_ml_per_h)} mL/h "
                f"over {plain(loading.duration_min)} min; then maintenance "
                f"{plain(maintenance.rate_g_per_h)} g/h = {plain(maintenance.rate_ml_per_h)} "
                f"mL/h of {maintenance.concentration_label}.",
                name="Dose plan if given",
            )
            plan.setObjectName("plan_summary")
            self.info.addWidget(plan)
        self.provenance.addWidget(
            muted(
                f"Protocol: {protocol.name}, version {protocol.version} "
                f"(file {protocol.short_hash}).\n" + bullets(protocol_values(protocol)),
                name="Protocol values",
            )
        )
        self.provenance.addWidget(
            muted("Sources:\n" + bullets(assessment.citations), name="Sources")
        )
        self._rebuild_acks(assessment)
        self._show_choice(self.owns_choice())
        self._show_severe()

    def _other_warnings(self, assessment: Assessment) -> list[str]:
        acknowledged_texts = {
            interaction_warning(assessment, self.context.protocol, medication)
            for medication in self.answers.medications
        }
        return [w for w in assessment.warnings if w not in acknowledged_texts]

    def _rebuild_acks(self, assessment: Assessment) -> None:
        clear_layout(self.acks)
        self.ack_boxes = {}
        medications = sorted(self.answers.medications)
        if not medications:
            return
        needed = self.answers.give_possible
        self.acks.addWidget(
            heading(
                "Medicine interactions — tick each to confirm you have read it"
                if needed
                else "Medicine interactions"
            )
        )
        previous: QWidget | None = None
        for medication in medications:
            text = interaction_warning(assessment, self.context.protocol, medication)
            frame, layout = toned(ToneName.WARNING, name=f"Interaction: {medication.value}")
            box = QCheckBox("I have read this warning and will act on it")
            box.setObjectName(f"ack_{medication.value.replace('-', '_')}")
            box.setAccessibleName(f"Acknowledge interaction warning: {medication.value}")
            box.setChecked(medication in self.answers.acknowledged)
            box.toggled.connect(self._on_ack_toggled)
            layout.addWidget(text_label(f"WARNING — {text}", name=text[:80]))
            layout.addWidget(box)
            self.acks.addWidget(frame)
            self.ack_boxes[medication.value] = box
            if previous is not None:
                QWidget.setTabOrder(previous, box)
            previous = box
        if previous is not None:
            # The boxes are new, so Qt put them last; restore what follows them on screen.
            chain(
                previous,
                self.give_button,
                self.no_give_button,
                self.decided_at.edit,
                self.decided_at.first_choice,
                self.decided_at.second_choice,
            )

    def _show_severe(self) -> None:
        """The severe pre-eclampsia tick only where MgSO₄ may be given; its eclampsia tick and
        stop plan once it is ticked."""
        possible = self.answers.give_possible
        self.severe_box.setVisible(possible)
        ticked = possible and self.severe_box.isChecked()
        self.eclampsia_box.setVisible(ticked)
        self.stop_plan_edit.setVisible(ticked)

    def _on_severe_box_toggled(self, _checked: bool) -> None:
        self._show_severe()
        self.changed()
        self._show_choice(self.owns_choice())

    def _on_stop_plan_edit_text_changed(self, _text: str) -> None:
        self.changed()

    def _show_choice(self, visible: bool) -> None:
        for widget in (self.choice_heading, self.give_button, self.no_give_button):
            widget.setVisible(visible)
        # The choice is never pre-filled from another page: each page keeps its own answer,
        # so a senior's decision never reappears here as if the team had made it.
        answers = self.answers
        recommendation = answers.recommendation
        if recommendation is None:
            note = ""
        elif recommendation is Recommendation.NOT_INDICATED:
            note = (
                "Nothing to give now. Saving records the assessment; the episode stays on the "
                "ward board so she can be reassessed."
            )
        elif recommendation is Recommendation.CONTRAINDICATED:
            note = "Do not give. Next: record the reason (it is pre-selected)."
        elif not visible:
            note = "A named senior clinician decides: the next page records who and what."
        else:
            note = ""
        self.choice_note.setText(note)
        self.choice_note.setVisible(bool(note))

    # -- rules ----------------------------------------------------------------------------

    def _decided_at_rule(self, moment: datetime) -> str | None:
        not_yet = not_happened_yet(moment, self.context.clock())
        if not_yet is not None:
            return f"{not_yet} Enter when the decision was made."
        dating = self.answers.dating
        if dating is not None:
            try:
                dating.gestation_on(to_local(moment, self.context.tz).date())
            except GestationError as refusal:
                return str(refusal)
        return None

    # -- slots ----------------------------------------------------------------------------

    def _on_choice_id_clicked(self, _id: int) -> None:
        self.changed()

    def _on_ack_toggled(self, _checked: bool) -> None:
        self.changed()

    def _on_decided_at_changed(self) -> None:
        if self._reassessing or not self.isVisible():
            self.changed()
            return
        # A decision on another calendar day can change the gestation, so assess again.
        previous = self.answers.assessment
        self.answers.decided_at = self.decided_at.value()
        if self.answers.decided_at is not None:
            self._reassessing = True
            try:
                self.owner.reassess()
                if self.answers.assessment != previous:
                    self._show_assessment()
            finally:
                self._reassessing = False
        self.changed()


class SeniorPage(StepPage):
    """The named senior clinician who decides (23-week discussion, consider band, cautions)."""

    step = Step.SENIOR

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle("Record who made the decision and what they decided.")
        self.why = text_label(name="Why a senior decision is needed")
        self.why.setObjectName("senior_why")
        protocol = self.context.protocol
        # The unit's senior roles only, and core's words when the person cannot decide
        # (a role not on the list, a name of initials only: issue 14, defect 10).
        self.senior = ActorFields(
            "Senior clinician", default_role=Role.OBSTETRICIAN, roles=protocol.senior_roles
        )
        self.senior.setObjectName("senior_actor")
        self.senior.set_rule(lambda actor: " ".join(senior_problems(actor, protocol)) or None)
        self.give_button = QRadioButton("Give magnesium sulfate (loading dose next)")
        self.give_button.setObjectName("senior_give")
        self.give_button.setAccessibleName("Senior decision: give magnesium sulfate")
        self.no_give_button = QRadioButton("Do not give (record the reason next)")
        self.no_give_button.setObjectName("senior_do_not_give")
        self.no_give_button.setAccessibleName("Senior decision: do not give")
        self._choice = QButtonGroup(self)
        self._choice.addButton(self.give_button, 1)
        self._choice.addButton(self.no_give_button, 0)

        form = QFormLayout()
        form.addRow("Senior clinician", self.senior)
        self.body.addWidget(self.why)
        self.body.addLayout(form)
        self.body.addWidget(heading("Their decision"))
        self.body.addWidget(self.give_button)
        self.body.addWidget(self.no_give_button)
        self.body.addStretch(1)
        QWidget.setTabOrder(self.senior.role_combo, self.give_button)

        self.registerField("senior_name*", self.senior.name_edit)
        self.senior.sig_changed.connect(self.changed)
        self._choice.idClicked.connect(self._on_choice_id_clicked)

    def enter(self) -> None:
        """Say why a senior decision is needed (the assessment's reasons and cautions)."""
        assessment = self.answers.assessment
        if assessment is None:
            return
        lines = [r for r in assessment.reasons if "senior" in r.lower()]
        lines += list(assessment.cautions)
        self.why.setText(
            f"{RECOMMENDATION_WORDS[assessment.recommendation]} at "
            f"{assessment.gestation.label} weeks.\n" + bullets(lines)
        )
        self.changed()

    def first_focus(self) -> QWidget:
        """The senior's name."""
        return self.senior.name_edit

    def is_valid(self) -> bool:
        """A senior named and a decision chosen."""
        return self.senior.value() is not None and self._choice.checkedId() in (0, 1)

    def store(self) -> None:
        """Keep the senior and their decision."""
        self.answers.senior = self.senior.value()
        chosen = self._choice.checkedId()
        self.answers.give = chosen == 1 if chosen in (0, 1) else None

    def _on_choice_id_clicked(self, _id: int) -> None:
        self.changed()


class NotGivenPage(StepPage):
    """The coded reason MgSO4 was not given (the protocol's list; text only where it asks)."""

    step = Step.NOT_GIVEN

    def __init__(self, owner: WizardHost) -> None:
        super().__init__(owner)
        self.setSubTitle("Choose the reason. This is used for the missed-case audit.")
        protocol = self.context.protocol
        self._group = QButtonGroup(self)
        self.reason_buttons: dict[str, QRadioButton] = {}
        reasons = QVBoxLayout()
        reasons.setSpacing(0)
        # The bedside list: "Not recorded" is for the audit's back-filling only.
        role = self.context.user.role if self.context.user is not None else Role.MIDWIFE
        for index, rule in enumerate(bedside_missed_reasons(protocol, role)):
            # The reason in words; its code is for the audit, never shown.
            button = QRadioButton(wrapped(rule.label, 60))
            button.setObjectName(f"reason_{rule.code.lower().replace('-', '_')}")
            button.setAccessibleName(f"Reason: {rule.label}")
            self._group.addButton(button, index)
            self.reason_buttons[rule.code] = button
            reasons.addWidget(button)
        self.details = QLineEdit()
        self.details.setObjectName("reason_details")
        self.details.setAccessibleName("Reason details")
        self.details.setMaxLength(500)
        self.details.setPlaceholderText("Only for reasons that ask for details")
        self.details_message = FieldMessage(field=self.details)
        self.body.addLayout(reasons)
        form = QFormLayout()
        details_box = QVBoxLayout()
        details_box.setSpacing(2)
        details_box.addWidget(self.details)
        details_box.addWidget(self.details_message)
        form.addRow("Details", details_box)
        self.body.addLayout(form)
        self.body.addStretch(1)
        self._group.idClicked.connect(self._on_group_id_clicked)
        self.details.textChanged.connect(self._on_details_text_changed)
        self._update_details()

    def enter(self) -> None:
        """Pre-select the suggested reason (contraindicated → NG-CONTRAINDICATION)."""
        if self.code() is None:
            suggested = flow.suggested_reason(self.owner.flow_state())
            if suggested is not None and suggested in self.reason_buttons:
                self.reason_buttons[suggested].setChecked(True)
                if not self.details.text().strip():
                    self.details.setText(self._contraindication_text())
        self._update_details()
        self.changed()

    def first_focus(self) -> QWidget:
        """The chosen reason, or the first."""
        chosen = self._group.checkedButton()
        if chosen is not None and self.details.isEnabled() and not self.details.text().strip():
            return self.details
        return chosen if chosen is not None else next(iter(self.reason_buttons.values()))

    def code(self) -> str | None:
        """The chosen reason code."""
        for code, button in self.reason_buttons.items():
            if button.isChecked():
                return code
        return None

    def needs_text(self) -> bool:
        """The chosen reason asks for details (e.g. OTHER)."""
        code = self.code()
        rule = self.context.protocol.missed_reason(code) if code else None
        return bool(rule and rule.needs_text)

    def is_valid(self) -> bool:
        """A reason, with details when it asks for them."""
        if self.code() is None:
            return False
        return not self.needs_text() or bool(self.details.text().strip())

    def store(self) -> None:
        """Keep the code and (only where asked) the details."""
        self.answers.not_given_code = self.code()
        self.answers.not_given_text = self.details.text().strip() if self.needs_text() else ""

    def _contraindication_text(self) -> str:
        protocol = self.context.protocol
        labels = [
            rule.label
            for condition in sorted(self.answers.conditions)
            if (rule := protocol.condition(condition)) is not None
            and rule.kind == "contraindication"
        ]
        return "; ".join(labels)

    def _update_details(self) -> None:
        needed = self.needs_text()
        self.details.setEnabled(needed)
        if needed and not self.details.text().strip():
            self.details_message.show_note("This reason needs a few words of detail.")
        else:
            self.details_message.clear_message()

    def _on_group_id_clicked(self, _id: int) -> None:
        self._update_details()
        self.changed()

    def _on_details_text_changed(self, _text: str) -> None:
        self._update_details()
        self.changed()


__all__ = [
    "RECOMMENDATION_WORDS",
    "DecisionPage",
    "NotGivenPage",
    "SeniorPage",
    "protocol_values",
    "sourced_line",
]
