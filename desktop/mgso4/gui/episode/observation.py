"""Record one set of toxicity observations; stop triggers appear as the numbers are typed.

Findings come from ``core.monitoring.evaluate`` with the protocol's own thresholds and
action text ([N1] 1.10.5 for what to observe; thresholds are the unit's settings, e.g.
[T1][T2]). The app never stops the infusion: the finding banner offers a "Stop infusion"
button, which asks for confirmation and records the stop with reason "toxicity".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from mgso4.core.actions import baseline_values, why_not
from mgso4.core.alerts import baseline_observations
from mgso4.core.citations import cite
from mgso4.core.episode import (
    AlertRaised,
    EpisodeState,
    EventDraft,
    EventType,
    Observation,
    Reflexes,
)
from mgso4.core.monitoring import Finding, evaluate, missing_required_finding
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import format_local
from mgso4.gui.context import AppContext
from mgso4.gui.episode.action_dialog import ActionDialog
from mgso4.gui.episode.inputs import InputError, parse_decimal_field, parse_whole_number
from mgso4.gui.forms.ui_observation_form import Ui_ObservationForm
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel, BannerAction
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.widgets.time_field import TimeField

#: The signs asked beside the numbers (decisions.md §14): field, label, choices. "Not asked"
#: leaves the field unset, so a sign nobody asked about is never recorded as "no".
SIGN_FIELDS: tuple[tuple[str, str, tuple[tuple[str, Any], ...]], ...] = (
    (
        "consciousness",
        "Consciousness",
        (("Not checked", None), ("Alert", "alert"), ("Reduced", "reduced")),
    ),
    ("chest_pain", "Chest pain", (("Not asked", None), ("No", False), ("Yes", True))),
    (
        "breathing_difficulty",
        "Breathing difficulty",
        (("Not asked", None), ("No", False), ("Yes", True)),
    ),
)

REFLEX_CHOICES: tuple[tuple[str, Reflexes | None], ...] = (
    ("Not checked", None),
    ("Present", Reflexes.PRESENT),
    ("Reduced", Reflexes.REDUCED),
    ("Absent", Reflexes.ABSENT),
)


@dataclass(frozen=True)
class _NumberField:
    key: str  # the .ui name stem
    field: str  # the Observation field
    label: str
    unit: str
    decimal: bool = False


NUMBER_FIELDS: tuple[_NumberField, ...] = (
    _NumberField("pulse", "pulse_per_min", "Pulse", "/min"),
    _NumberField("systolic", "systolic_mmhg", "Systolic blood pressure", "mmHg"),
    _NumberField("diastolic", "diastolic_mmhg", "Diastolic blood pressure", "mmHg"),
    _NumberField(
        "baseline_diastolic", "baseline_diastolic_mmhg", "Baseline diastolic pressure", "mmHg"
    ),
    _NumberField("rr", "rr_per_min", "Respiratory rate", "/min"),
    _NumberField("baseline_rr", "baseline_rr_per_min", "Baseline respiratory rate", "/min"),
    _NumberField("urine_ml", "urine_ml", "Urine output", "mL"),
    _NumberField("urine_period", "urine_period_h", "Urine period", "hours", decimal=True),
    _NumberField("spo2", "spo2_percent", "SpO₂", "%"),
    _NumberField("serum_mg", "serum_mg_mmol_per_l", "Serum magnesium", "mmol/L", decimal=True),
)


class ObservationDialog(ActionDialog):
    """Pulse, BP with baseline, RR with baseline, reflexes, urine over stated hours, SpO₂."""

    def __init__(
        self,
        context: AppContext,
        state: EpisodeState,
        protocol: Protocol,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            context,
            state,
            protocol,
            title="Record toxicity observations",
            save_label="Save observations",
            object_name="observation_dialog",
            parent=parent,
        )
        self.findings_banner = AlertBanner(self, object_name="findings_banner")
        self.body.insertWidget(0, self.findings_banner)
        self.form_widget = QWidget(self)
        self.ui = Ui_ObservationForm()
        self.ui.setupUi(self.form_widget)
        self.body.insertWidget(1, self.form_widget)
        self.add_user_fields()
        self.time_field = TimeField(
            context.clock, context.tz, what="time taken", object_name="observation_time"
        )
        self.ui.time_slot_layout.addWidget(self.time_field)
        self.ui.time_label.setBuddy(self.time_field.line_edit)
        for text, value in REFLEX_CHOICES:
            self.ui.reflexes_combo.addItem(text, value)
        self.ui.reflexes_message.attach(self.ui.reflexes_combo)
        self.edits: dict[str, QLineEdit] = {}
        self.messages: dict[str, FieldMessage] = {}
        for spec in NUMBER_FIELDS:
            edit: QLineEdit = getattr(self.ui, f"{spec.key}_edit")
            message: FieldMessage = getattr(self.ui, f"{spec.key}_message")
            message.attach(edit)
            self.edits[spec.field] = edit
            self.messages[spec.field] = message
            edit.textChanged.connect(self._on_any_field_changed)
            edit.textChanged.connect(lambda _t, s=spec: self._check_live(s))
            edit.editingFinished.connect(lambda s=spec: self._check_one(s))
        self.messages["reflexes"] = self.ui.reflexes_message
        self.sign_combos: dict[str, QComboBox] = {}
        row = self.ui.fields_layout.rowCount()
        for field, label_text, choices in SIGN_FIELDS:
            combo = QComboBox(self.form_widget)
            combo.setObjectName(f"{field}_combo")
            combo.setAccessibleName(label_text)
            for text, value in choices:
                combo.addItem(text, value)
            label = QLabel(label_text, self.form_widget)
            label.setObjectName(f"{field}_label")
            label.setBuddy(combo)
            self.ui.fields_layout.addWidget(label, row, 0)
            self.ui.fields_layout.addWidget(combo, row, 1)
            row += 1
            combo.currentIndexChanged.connect(self._on_any_field_changed)
            self.sign_combos[field] = combo
        self.ui.reflexes_combo.currentIndexChanged.connect(self._on_any_field_changed)
        self.findings_banner.sig_action.connect(self._on_findings_banner_action)
        self._prefill_baselines()
        self.findings: list[Finding] = []
        self.stop_recorded = False
        self.set_preferred_size(700, 760)

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The first reading (pulse); every reading is optional, at least one is needed."""
        return (self.ui.pulse_edit,)

    # ------------------------------------------------------------------ fields

    def _prefill_baselines(self) -> None:
        # Baselines come from the pre-treatment sets only, never from an on-treatment set
        # (decisions.md §14): core says which sets those are and what they hold.
        diastolic, rr = baseline_values(self.state)
        if diastolic is not None:
            self.edits["baseline_diastolic_mmhg"].setText(str(diastolic))
        if rr is not None:
            self.edits["baseline_rr_per_min"].setText(str(rr))
        sets = baseline_observations(self.state)
        if (diastolic is not None or rr is not None) and sets:
            self.ui.baseline_note.setText(
                f"Baselines from the set before treatment "
                f"({format_local(sets[-1].taken_at, self.context.tz)}); change them if the team "
                "agreed others."
            )
        else:
            self.ui.baseline_note.setText(
                "No set before treatment is recorded: enter the baseline diastolic pressure and "
                "respiratory rate from before the loading dose, if known; later sets use them."
            )

    def _parse(self, spec: _NumberField) -> Any:
        text = self.edits[spec.field].text()
        if spec.decimal:
            return parse_decimal_field(
                text, label=spec.label, unit=spec.unit, model=Observation, field=spec.field
            )
        return parse_whole_number(
            text, label=spec.label, unit=spec.unit, model=Observation, field=spec.field
        )

    def _check_one(self, spec: _NumberField) -> Any:
        try:
            value = self._parse(spec)
        except InputError as exc:
            self.messages[spec.field].show_error(str(exc))
            return None
        self.messages[spec.field].clear_message()
        return value

    def values(self, *, show_errors: bool) -> tuple[dict[str, Any], bool]:
        """The readable values (unreadable ones left out) and whether every field was readable."""
        values: dict[str, Any] = {}
        all_ok = True
        for spec in NUMBER_FIELDS:
            try:
                value = self._parse(spec)
            except InputError as exc:
                all_ok = False
                if show_errors:
                    self.messages[spec.field].show_error(str(exc))
                continue
            if show_errors:
                self.messages[spec.field].clear_message()
            if value is not None:
                values[spec.field] = value
        reflexes = self.ui.reflexes_combo.currentData()
        if reflexes is not None:
            values["reflexes"] = reflexes
        for field, combo in self.sign_combos.items():
            if combo.currentData() is not None:
                values[field] = combo.currentData()
        return values, all_ok

    def observation_so_far(self) -> Observation:
        """What is readable now, for the live findings (never for saving)."""
        values, _ = self.values(show_errors=False)
        return Observation.model_validate(values)

    def _cross_checks(self, values: dict[str, Any]) -> bool:
        ok = True
        systolic = values.get("systolic_mmhg")
        diastolic = values.get("diastolic_mmhg")
        if systolic is not None and diastolic is not None and systolic <= diastolic:
            self.messages["systolic_mmhg"].show_error(
                f"Systolic {systolic} mmHg is not higher than diastolic {diastolic} mmHg: check "
                "whether the two numbers were swapped."
            )
            ok = False
        if (systolic is None) != (diastolic is None):
            missing = "diastolic_mmhg" if diastolic is None else "systolic_mmhg"
            self.messages[missing].show_error(
                "Blood pressure needs both numbers (systolic and diastolic)."
            )
            ok = False
        if "urine_ml" in values and "urine_period_h" not in values:
            self.messages["urine_period_h"].show_error(
                "Say how many hours this urine output covers (e.g. 4), so it can be compared "
                "with the protocol's threshold per 4 hours."
            )
            ok = False
        if "urine_period_h" in values and "urine_ml" not in values:
            self.messages["urine_ml"].show_error(
                "Enter the urine output in mL for the hours given, or clear the hours."
            )
            ok = False
        if not values:
            self.messages["pulse_per_min"].show_error(
                "Nothing has been entered: record at least one observation."
            )
            ok = False
        return ok

    # ------------------------------------------------------------------ findings

    def _on_any_field_changed(self, *_args: object) -> None:
        self.refresh_findings()

    def _readings_typed(self) -> bool:
        """A reading was typed or chosen (the baselines and time are filled in for the user,
        so they alone never make a set "incomplete" before anything is typed)."""
        typed = any(
            self.edits[spec.field].text().strip()
            for spec in NUMBER_FIELDS
            if not spec.field.startswith("baseline_")
        )
        signs = any(combo.currentData() is not None for combo in self.sign_combos.values())
        return typed or signs or self.ui.reflexes_combo.currentData() is not None

    def _check_live(self, spec: _NumberField) -> None:
        """As it is typed: a field holding something that is not a number says so at once;
        range messages wait until the field is left (a number is still being typed)."""
        text = self.edits[spec.field].text()
        if text.strip() and not all(ch.isdigit() or ch in " .," for ch in text):
            self._check_one(spec)
        elif self.messages[spec.field].property("message") and not text.strip():
            self.messages[spec.field].clear_message()

    def refresh_findings(self) -> None:
        """Evaluate what is typed so far and show any stop trigger at once."""
        observation = self.observation_so_far()
        self.findings = evaluate(observation, self.protocol)
        stops = [f for f in self.findings if f.severity == "stop"]
        others = [f for f in self.findings if f.severity != "stop"]
        incomplete = missing_required_finding(observation)
        if incomplete is not None and self._readings_typed():
            others.append(incomplete)
        if stops:
            # A stop is offered when core offers one (an infusion is running).
            running = why_not("stop", self.state, self.protocol, self.context.clock()) is None
            actions = (BannerAction("stop", "Stop infusion…"),) if running else ()
            detail_lines = [_short_finding(f) + "." for f in stops]
            detail_lines += [f"• {action}" for action in _unique_actions(stops)]
            detail_lines.append(_sources_line(stops, self.protocol))
            if self.stop_recorded:
                detail_lines.insert(0, "The infusion stop has been recorded.")
                actions = ()
            elif not running:
                detail_lines.insert(0, "No infusion is running in this episode.")
            self.findings_banner.show_message(
                AlertLevel.URGENT,
                "Stop trigger met: " + ", ".join(_finding_name(f) for f in stops),
                "\n".join(detail_lines),
                actions,
            )
        elif others:
            self.findings_banner.show_message(
                AlertLevel.WARNING,
                "Check: " + ", ".join(_finding_name(f) for f in others),
                "\n".join(_short_finding(f) + "." for f in others),
            )
        else:
            self.findings_banner.clear()

    def _on_findings_banner_action(self, action_id: str) -> None:
        if action_id == "stop":
            self.ask_to_stop()

    def ask_to_stop(self) -> bool:
        """Open the stop confirmation (reason: toxicity); True when the stop was recorded."""
        from mgso4.core.episode import StopReason
        from mgso4.gui.episode.actions import StopDialog

        stops = [f for f in self.findings if f.severity == "stop"]
        dialog = StopDialog(
            self.context,
            self.state,
            self.protocol,
            parent=self,
            preset_reason=StopReason.TOXICITY,
            preset_text="; ".join(f.message for f in stops),
        )
        moment = self.time_field.value()
        if moment is not None:
            dialog.time_field.set_value(moment)
        self.stop_dialog = dialog
        dialog.sig_saved.connect(self._on_stop_dialog_saved)
        dialog.open()
        return False

    def _on_stop_dialog_saved(self, _events: list[object]) -> None:
        self.stop_recorded = True
        self.refresh_findings()
        self.error_banner.show_message(
            AlertLevel.OK,
            "Infusion stop recorded",
            "Now save these observations too (they have not been saved yet).",
        )

    # ------------------------------------------------------------------ saving

    def drafts(self) -> Sequence[EventDraft] | None:
        values, readable = self.values(show_errors=True)
        occurred_at = self.time_field.value()
        actor = self.recorded_by()
        ok = readable and self._cross_checks(values) and occurred_at is not None
        if not ok or actor is None or occurred_at is None:
            return None
        observation = Observation.model_validate(values)
        draft = EventDraft.make(
            EventType.OBSERVATION,
            observation,
            episode_uuid=self.state.uuid,
            occurred_at=occurred_at,
            recorded_by=actor,
        )
        drafts = [draft]
        # A stop trigger shown on screen is part of the record: it is logged with the
        # observation that raised it, in the same transaction.
        for finding in evaluate(observation, self.protocol):
            if finding.severity != "stop":
                continue
            drafts.append(
                EventDraft.make(
                    EventType.ALERT_RAISED,
                    AlertRaised(
                        key=f"finding:{finding.code}:{draft.uuid}",
                        kind="toxicity",
                        message=finding.message,
                        severity="critical",
                    ),
                    episode_uuid=self.state.uuid,
                    occurred_at=occurred_at,
                    recorded_by=actor,
                )
            )
        return drafts


#: Short names of the findings for banner titles (by ``Finding.code``).
FINDING_NAMES = {
    "rr-low": "respiratory rate low",
    "rr-fall": "respiratory rate fallen",
    "reflexes-absent": "reflexes absent",
    "reflexes-reduced": "reflexes reduced",
    "urine-low": "urine output low",
    "urine-period-missing": "urine period missing",
    "diastolic-fall": "diastolic pressure fallen",
    "spo2-low": "SpO₂ low",
    "observations-incomplete": "NICE set incomplete",
    "serum-mg-act-now": "serum magnesium very high",
    "serum-mg-high": "serum magnesium high",
    "systolic-low": "systolic pressure low",
    "pulse-low": "pulse low",
    "consciousness-reduced": "reduced consciousness",
    "chest-pain": "chest pain",
    "breathing-difficulty": "breathing difficulty",
}


def _finding_name(finding: Finding) -> str:
    return FINDING_NAMES.get(finding.code, finding.code)


def _short_finding(finding: Finding) -> str:
    local = " (local setting)" if finding.local_setting else ""
    return finding.message.rstrip(".") + local


def _unique_actions(findings: list[Finding]) -> list[str]:
    """Each action once; an action that only repeats the antidote line's drug is left out (the
    antidote was listed twice: "If toxicity: calcium gluconate 10% …" and "Antidote: …")."""
    seen: list[str] = []
    for finding in findings:
        for action in finding.actions:
            if action not in seen:
                seen.append(action)
    antidotes = [a.removeprefix("Antidote:").strip() for a in seen if a.startswith("Antidote:")]
    drugs = [a.split(",")[0].strip().lower() for a in antidotes if a]
    return [
        action
        for action in seen
        if action.startswith("Antidote:") or not any(d and d in action.lower() for d in drugs)
    ]


def _sources_line(findings: list[Finding], protocol: Protocol) -> str:
    sources: list[str] = []
    for finding in findings:
        for source in (finding.source, finding.actions_source):
            for words in (cite(source, protocol) if source else "").split("; "):
                if words and words not in sources:
                    sources.append(words)
    return "Sources: " + "; ".join(sources)
