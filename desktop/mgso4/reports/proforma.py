"""The completed proforma: one episode, from its committed events, on A4.

Everything printed comes from the folded :class:`EpisodeState` and its timeline (the
committed events with corrections applied); nothing is read from a database here and nothing
clinical is decided here. g/h is computed from concentration × rate for display (reference §3.2:
never a typed label). The audit classes come from :func:`mgso4.core.outcome.classify`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from mgso4.core.dosing import DoseInputError, loading_plan, maintenance_plan
from mgso4.core.eligibility import DECISION_SUPPORT_NOTICE
from mgso4.core.episode import (
    AlertAcknowledged,
    CourseState,
    EpisodeState,
    EventType,
    Observation,
    TimelineEntry,
)
from mgso4.core.gestation import GestationalAge, GestationError
from mgso4.core.outcome import (
    DEFAULT_MISSED_REASONS,
    AnznnCode,
    Classification,
    baby_classes,
)
from mgso4.core.protocol import (
    Preparation,
    PreparationSet,
    PreparationStage,
    Protocol,
    ProtocolError,
)
from mgso4.core.timeutil import LONDON
from mgso4.core.vocab import Band, Recommendation
from mgso4.reports import describe
from mgso4.reports.common import (
    Entry,
    checked_chain_head,
    checked_time,
    course_entry,
    document_header,
    live_entries,
    patient_furniture,
    when_and_who,
)
from mgso4.reports.flags import ObservationFlag, flag_observation
from mgso4.reports.layout import (
    CONTENT_WIDTH,
    Cell,
    build_pdf,
    gap,
    grid,
    heading,
    key_values,
    markup,
    para,
    signatures,
    styles,
    subheading,
)
from mgso4.reports.text import (
    DATING_LABELS,
    calendar_date,
    concentration,
    esc,
    gestation,
    grams,
    local_time,
    number,
    person,
    rate_with_grams,
    short_uuid,
    yes_no,
)

TITLE: Final = "MgSO₄ for fetal neuroprotection — proforma"

_RECOMMENDATION_WORDS: Final = {
    Recommendation.DISCUSS: "DISCUSS",
    Recommendation.OFFER: "OFFER",
    Recommendation.CONSIDER: "CONSIDER",
    Recommendation.NOT_INDICATED: "NOT INDICATED NOW",
    Recommendation.CONTRAINDICATED: "CONTRAINDICATED",
}

_ANZNN_WORDS: Final = {
    AnznnCode.NOT_GIVEN: "Not given",
    AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH: "Stopped more than 24 h before birth",
    AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H: (
        "Started more than 24 h before birth, stopped within 24 h of birth"
    ),
    AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH: "Started 4 to 24 h before birth",
    AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH: "Started less than 4 h before birth",
}

_TAG: Final = re.compile(r"\[([A-Z]{1,2}\d{0,2}[a-z]?)")

SIGNATURE_ROLES: Final = (
    "Midwife",
    "Checker (second practitioner)",
    "Obstetrician",
)


def render_proforma(
    state: EpisodeState,
    protocol: Protocol,
    preparations: PreparationSet,
    *,
    unit_name: str,
    chain_head: str,
    printed_at: datetime,
    tz: ZoneInfo = LONDON,
    classification: Classification | None = None,
    missed_reason_label: str | None = None,
) -> bytes:
    """Render the completed proforma for one episode as PDF bytes (A4).

    Args:
        state: The folded episode (``fold`` of its committed events).
        protocol: The unit protocol (thresholds, wording, sources for the print).
        preparations: The preparations file (names, concentration labels, containers).
        unit_name: The unit's name for the header and footer.
        chain_head: The record's hash-chain head from the store (``verify``/``chain_head``),
            printed in every footer so the paper can be checked against the database.
        printed_at: The print time (aware; shown in local time).
        tz: Zone for every printed time (default Europe/London).
        classification: The audit classification of the first birth computed by the caller
            with :func:`mgso4.core.outcome.classify`; when None and births are recorded, each
            baby is classified here through the same function.
        missed_reason_label: The missed-case reason in words, if the caller has one.

    Returns:
        The PDF document.

    Raises:
        ReportInputError: The chain head is not a SHA-256 value or the print time is naive.
    """
    head = checked_chain_head(chain_head)
    printed_at = checked_time(printed_at, "print time")
    builder = _ProformaBuilder(state, protocol, preparations, tz=tz, printed_at=printed_at)
    story = document_header(TITLE, unit_name, protocol, state)
    story += builder.status()
    story += builder.dating()
    story += builder.situation()
    story += builder.recommendation()
    story += builder.decision()
    story += builder.preparation()
    story += builder.courses()
    story += builder.observations()
    story += builder.alerts()
    story += builder.births()
    story += builder.audit(classification, missed_reason_label)
    story += builder.corrections()
    story += builder.notes()
    story += builder.history()
    story += signatures(SIGNATURE_ROLES)
    furniture = patient_furniture(
        state,
        protocol,
        unit_name=unit_name,
        chain_head=head,
        printed_at=printed_at,
        tz=tz,
        document_label="MgSO₄ proforma",
    )
    return build_pdf(
        story,
        furniture,
        title=f"{TITLE} – {state.patient.name}",
        author=unit_name,
        subject=f"Episode {state.uuid}",
        printed_at=printed_at,
    )


class _ProformaBuilder:
    """Builds each section's flowables from the episode state."""

    def __init__(
        self,
        state: EpisodeState,
        protocol: Protocol,
        preparations: PreparationSet,
        *,
        tz: ZoneInfo,
        printed_at: datetime,
    ) -> None:
        self.state = state
        self.protocol = protocol
        self.preparations = preparations
        self.tz = tz
        self.printed_at = printed_at
        self.sheet = styles()

    def _time(self, moment: datetime | None) -> str:
        return local_time(moment, self.tz)

    # ----------------------------------------------------------------------- sections

    def status(self) -> list[Flowable]:
        state = self.state
        return [
            gap(1),
            key_values(
                [
                    ("Episode", state.uuid),
                    ("Stage at print", state.stage.label),
                    ("Opened", when_and_who(self._created_entry(), self.tz)),
                    ("Unit recorded", state.created.unit_name or "not recorded"),
                ]
            ),
        ]

    def _created_entry(self) -> Entry | None:
        return next(iter(live_entries(self.state, EventType.EPISODE_CREATED)), None)

    def dating(self) -> list[Flowable]:
        state = self.state
        dating = state.created.dating
        rows: list[tuple[str, Cell]] = [
            ("Dating method", DATING_LABELS.get(dating.method, str(dating.method))),
        ]
        if dating.edd is not None:
            rows.append(("EDD", calendar_date(dating.edd)))
        if dating.lmp is not None:
            rows.append(("LMP", calendar_date(dating.lmp)))
        if dating.stated_gestation:
            stated_on = f" on {calendar_date(dating.stated_on)}" if dating.stated_on else ""
            rows.append(("Stated gestation", f"{dating.stated_gestation} weeks{stated_on}"))
        decision_time = state.decided_at or state.assessed_at
        if decision_time is not None:
            rows.append(
                (
                    "Gestation at decision",
                    f"{gestation(state.gestation_at(decision_time, self.tz))} "
                    f"(on {self._time(decision_time)})",
                )
            )
        if state.assessment is not None:
            try:
                assessed = GestationalAge(state.assessment.gestation_days).label + " weeks"
            except GestationError as exc:
                assessed = f"{state.assessment.gestation_days} days ({exc})"
            rows.append(("Gestation used at assessment", assessed))
        rows.append(("Number of babies expected", str(state.created.plurality)))
        return [*heading("1. Dating and gestation"), key_values(rows)]

    def situation(self) -> list[Flowable]:
        assessment = self.state.assessment
        story = heading("2. Situation and conditions")
        if assessment is None:
            story.append(para("No assessment recorded."))
            return story
        conditions: list[str] = []
        for condition_id in assessment.conditions:
            rule = self.protocol.condition(condition_id)
            if rule is None:
                conditions.append(f"{condition_id} (not in this protocol)")
            else:
                conditions.append(f"{rule.label} – {rule.kind}: {rule.text} {rule.source}")
        medicines: list[str] = []
        for medication_id in assessment.medications:
            rule_m = self.protocol.interaction(medication_id)
            if rule_m is None:
                medicines.append(f"{medication_id} (not in this protocol)")
            else:
                medicines.append(
                    f"{rule_m.label}: {rule_m.warning} Action: {rule_m.action} {rule_m.source}"
                )
        acknowledged = [
            f"{entry.payload.medication}: acknowledged {self._time(entry.at)} by "
            f"{person(entry.event.recorded_by)}"
            for entry in live_entries(self.state, EventType.INTERACTION_ACKNOWLEDGED)
        ]
        story.append(
            key_values(
                [
                    ("Situation", assessment.situation.label),
                    ("Assessed", when_and_who(self._first(EventType.ASSESSED), self.tz)),
                    ("Maternal conditions", _lines(conditions) if conditions else "None recorded"),
                    ("Interacting medicines", _lines(medicines) if medicines else "None recorded"),
                    (
                        "Interaction warnings acknowledged",
                        _lines(acknowledged) if acknowledged else "None",
                    ),
                ]
            )
        )
        return story

    def _first(self, event_type: EventType) -> Entry | None:
        found = None
        for entry in live_entries(self.state, event_type):
            found = entry
        return found

    def recommendation(self) -> list[Flowable]:
        assessment = self.state.assessment
        story = heading("3. Recommendation")
        if assessment is None:
            story.append(para("No recommendation recorded."))
            return story
        band_rule = self.protocol.band_rule(assessment.band)
        band_text = (
            f"{band_rule.band.capitalize()} band: {band_rule.start.label} to "
            f"{band_rule.end.label} weeks "
            f"{band_rule.source}" + (f" – {band_rule.wording}" if band_rule.wording else "")
            if band_rule is not None
            else ("outside every band" if assessment.band is Band.OUTSIDE else assessment.band)
        )
        tags = sorted({tag for c in assessment.citations for tag in _TAG.findall(c)})
        sources = [self.protocol.citation(tag) for tag in tags]
        story.append(
            key_values(
                [
                    (
                        "Recommendation",
                        markup(
                            f"<b>{_RECOMMENDATION_WORDS.get(assessment.recommendation, '')}</b>",
                            self.sheet.cell,
                        ),
                    ),
                    ("Gestation band", band_text),
                    ("Senior decision required", yes_no(assessment.senior_decision_required)),
                    ("Reasons", _lines(assessment.reasons) if assessment.reasons else "None"),
                    ("Cautions", _lines(assessment.cautions) if assessment.cautions else "None"),
                    ("Warnings", _lines(assessment.warnings) if assessment.warnings else "None"),
                    (
                        "Citations",
                        _lines(assessment.citations) if assessment.citations else "None",
                    ),
                    ("Sources", _lines(sources) if sources else "None"),
                ]
            )
        )
        story.append(para(DECISION_SUPPORT_NOTICE, self.sheet.small))
        return story

    def decision(self) -> list[Flowable]:
        state = self.state
        story = heading("4. Decision")
        rows: list[tuple[str, Cell]] = []
        if state.decision is None:
            rows.append(("Decision", "No decision recorded"))
        else:
            decision = state.decision
            senior_required = (
                state.assessment is not None and state.assessment.senior_decision_required
            )
            if decision.senior is not None:
                senior = person(decision.senior)
            elif senior_required:
                senior = "REQUIRED by the assessment – none recorded"
            else:
                senior = "not required"
            rows += [
                (
                    "Decision",
                    markup(
                        "<b>Give MgSO₄</b>" if decision.give else "<b>Do not give MgSO₄</b>",
                        self.sheet.cell,
                    ),
                ),
                ("Decided by", person(decision.decided_by)),
                ("Senior decision", senior),
                ("Course number", str(decision.course_number)),
                ("Time", when_and_who(self._first(EventType.DECISION), self.tz)),
            ]
            if decision.note:
                rows.append(("Note", decision.note))
        if state.not_given is not None:
            rule = self.protocol.missed_reason(state.not_given.reason_code)
            label = rule.label if rule is not None else "reason not in this protocol's list"
            text = f"{state.not_given.reason_code} – {label}"
            if state.not_given.text:
                text += f": {state.not_given.text}"
            rows.append(("Not given – reason", text))
            rows.append(("Recorded", when_and_who(self._first(EventType.NOT_GIVEN), self.tz)))
        story.append(key_values(rows))
        return story

    def _load_make_up(self, preparation: Preparation) -> str:
        """The make-up for the dose recorded (or the protocol's), computed in core (§15)."""
        course = self.state.current_course
        load = None if course is None else course.load
        try:
            plan = loading_plan(
                self.protocol, preparation, dose_g=None if load is None else load.dose_g
            )
        except DoseInputError:
            return preparation.loading.make_up
        return plan.make_up

    def _maint_make_up(self, preparation: Preparation) -> str:
        try:
            return maintenance_plan(self.protocol, preparation).make_up
        except DoseInputError:
            return preparation.maintenance.make_up

    def preparation(self) -> list[Flowable]:
        story = heading("5. Preparation")
        preparation_id = self.state.created.preparation_id
        try:
            preparation = self.preparations.get(preparation_id)
        except ProtocolError:
            story.append(
                para(
                    f"Preparation {preparation_id!r} is not in the preparations file used for "
                    "this print; the concentrations recorded with each dose are shown below.",
                    self.sheet.warning,
                )
            )
            return story
        rows: list[tuple[str, Cell]] = [
            ("Preparation", f"{preparation.name} ({preparation.id})"),
            ("Drug", preparation.drug),
            ("Loading dose", _stage_text(preparation.loading, self._load_make_up(preparation))),
            ("Maintenance", _stage_text(preparation.maintenance, self._maint_make_up(preparation))),
        ]
        story.append(key_values(rows))
        for warning in preparation.warnings:
            story.append(para(f"Warning: {warning}", self.sheet.warning))
        return story

    def courses(self) -> list[Flowable]:
        story = heading("6. Loading, maintenance and stop")
        if not self.state.courses:
            story.append(para("No MgSO₄ was started."))
            return story
        for course in self.state.courses:
            story += self._course(course)
        until = self._grams_until()
        story.append(
            markup(
                f"<b>Cumulative MgSO₄ across all courses to {esc(self._time(until))}:</b> "
                f"{esc(grams(self.state.total_grams(until)))} (load plus maintenance by "
                "elapsed time at the recorded rates)",
            )
        )
        return story

    def _grams_until(self) -> datetime:
        stops = [c.stopped_at for c in self.state.courses if c.stopped_at is not None]
        if stops and all(not c.running for c in self.state.courses):
            return max(stops)
        return self.printed_at

    def _course(self, course: CourseState) -> list[Flowable]:
        tz = self.tz
        n = course.number
        story: list[Flowable] = subheading(f"Course {n}")
        load = course.load
        rows: list[tuple[str, Cell]] = []
        if load is None:
            rows.append(("Loading dose", "not recorded"))
        else:
            rows += [
                (
                    "Loading dose",
                    f"{number(load.dose_g)} g as {number(load.volume_ml)} mL of "
                    f"{concentration(load.concentration_g_per_ml)}",
                ),
                (
                    "Loading pump rate",
                    f"{number(load.rate_ml_per_h)} mL/h over {number(load.duration_min)} min",
                ),
                (
                    "Load started",
                    when_and_who(course_entry(self.state, EventType.LOAD_STARTED, n), tz),
                ),
                ("Given by / checked by", f"{person(load.given_by)} / {person(load.checked_by)}"),
            ]
        rows.append(
            (
                "Load finished",
                when_and_who(course_entry(self.state, EventType.LOAD_FINISHED, n), tz),
            )
        )
        maintenance = course.maintenance
        if maintenance is None:
            rows.append(("Maintenance", "not started"))
        else:
            rows += [
                (
                    "Maintenance started",
                    when_and_who(course_entry(self.state, EventType.MAINTENANCE_STARTED, n), tz),
                ),
                (
                    "Maintenance rate",
                    rate_with_grams(maintenance.rate_ml_per_h, maintenance.concentration_g_per_ml)
                    + f" ({concentration(maintenance.concentration_g_per_ml)})",
                ),
                ("Container", f"{number(maintenance.container_volume_ml)} mL"),
                (
                    "Given by / checked by",
                    f"{person(maintenance.given_by)} / {person(maintenance.checked_by)}",
                ),
            ]
        stop_entry = course_entry(self.state, EventType.INFUSION_STOPPED, n)
        if course.stopped_at is None:
            rows.append(("Stopped", f"still running at print ({self._time(self.printed_at)})"))
        else:
            reason = course.stop_reason.label if course.stop_reason is not None else "not recorded"
            if course.stop_text:
                reason += f": {course.stop_text}"
            rows += [("Stopped", when_and_who(stop_entry, tz)), ("Stop reason", reason)]
        until = course.stopped_at or self.printed_at
        rows.append(
            (
                "Grams given this course",
                f"{grams(course.grams_given(until))} to {self._time(until)}",
            )
        )
        story.append(key_values(rows))
        if course.rates:
            story.append(gap(1.5))
            story.append(self._rate_table(course))
        if course.syringe_changes:
            story.append(gap(1.5))
            story.append(self._syringe_table(course))
        return story

    def _rate_table(self, course: CourseState) -> Flowable:
        reasons: dict[datetime, str] = {}
        who: dict[datetime, str] = {}
        for entry in live_entries(self.state, EventType.MAINTENANCE_STARTED):
            if entry.payload.course_number == course.number:
                reasons[entry.at] = "maintenance started"
                who[entry.at] = person(entry.event.recorded_by)
        for entry in live_entries(self.state, EventType.SYRINGE_CHANGED):
            if entry.payload.course_number == course.number:
                reasons.setdefault(entry.at, "new syringe of a different concentration")
                who.setdefault(entry.at, person(entry.event.recorded_by))
        for entry in live_entries(self.state, EventType.RATE_CHANGED):
            if entry.payload.course_number == course.number:
                reasons[entry.at] = f"rate changed: {entry.payload.reason}"
                who[entry.at] = person(entry.event.recorded_by)
        rows: list[list[Cell]] = []
        for period in course.rates:
            end = period.end or course.stopped_at
            rows.append(
                [
                    self._time(period.start),
                    self._time(end) if end is not None else "running",
                    rate_with_grams(period.rate_ml_per_h, period.concentration_g_per_ml),
                    reasons.get(period.start, ""),
                    who.get(period.start, ""),
                ]
            )
        widths = [26, 26, 52, 42, 34]
        return grid(
            ["From", "To", "Pump rate × concentration = dose (computed)", "Why", "Recorded by"],
            rows,
            [w * CONTENT_WIDTH / sum(widths) for w in widths],
        )

    def _syringe_table(self, course: CourseState) -> Flowable:
        rows: list[list[Cell]] = []
        for entry in live_entries(self.state, EventType.SYRINGE_CHANGED):
            payload = entry.payload
            if payload.course_number != course.number:
                continue
            rows.append(
                [
                    self._time(entry.at) + (" – corrected" if entry.corrected else ""),
                    concentration(payload.concentration_g_per_ml),
                    f"{number(payload.volume_ml)} mL "
                    f"({number(payload.volume_ml * payload.concentration_g_per_ml)} g)",
                    person(payload.checked_by),
                    person(entry.event.recorded_by),
                ]
            )
        widths = [34, 30, 24, 36, 36]
        return grid(
            ["Syringe changed", "Concentration", "Volume", "Checked by", "Recorded by"],
            rows,
            [w * CONTENT_WIDTH / sum(widths) for w in widths],
        )

    def observations(self) -> list[Flowable]:
        rules = self.protocol.monitoring
        story = heading("7. Observations")
        story.append(
            para(
                f"Observe at least every {number(rules.interval_hours.value)} h "
                f"{rules.interval_hours.source}. A symbol and a word beside a value show a finding "
                "against the protocol's stop triggers; the alerts and actions recorded at the "
                "bedside are in section 8."
            )
        )
        entries = list(live_entries(self.state, EventType.OBSERVATION))
        if not entries:
            story.append(para("No observations recorded."))
            return story
        rows: list[list[Cell]] = []
        shaded: list[tuple[int, int]] = []
        details: list[str] = []
        for row_index, entry in enumerate(entries):
            observation: Observation = entry.payload
            flags = flag_observation(observation, self.protocol)
            marks = _marks_by_field(flags)
            row = _observation_row(observation, marks)
            time_text = self._time(entry.at)
            if entry.corrected:
                time_text += " – corrected"
            rows.append([time_text, *row, person(entry.event.recorded_by)])
            for column, field_names in enumerate(_OBSERVATION_COLUMNS, start=1):
                if any(name in marks for name in field_names):
                    shaded.append((column, row_index))
            details += [
                f"{self._time(entry.at)}: " + (f"{flag.mark} – " if flag.mark else "") + flag.detail
                for flag in flags
            ]
        widths = [28, 13, 23, 20, 18, 19, 14, 18, 27]
        story.append(
            grid(
                [
                    "Time",
                    "Pulse (/min)",
                    "BP (mmHg) (baseline diastolic)",
                    "Resp. rate (/min) (baseline)",
                    "Patellar reflexes",
                    "Urine (mL) (period)",
                    "SpO₂ (%)",
                    "Serum Mg (mmol/L)",
                    "Recorded by",
                ],
                rows,
                [w * CONTENT_WIDTH / sum(widths) for w in widths],
                shaded=shaded,
            )
        )
        if details:
            story.append(gap(1.5))
            story += subheading("Marked values")
            story += [para(detail, self.sheet.small) for detail in details]
        return story

    def alerts(self) -> list[Flowable]:
        story = heading("8. Alerts and actions taken")
        raised = list(live_entries(self.state, EventType.ALERT_RAISED))
        acknowledged = list(live_entries(self.state, EventType.ALERT_ACKNOWLEDGED))
        if not raised and not acknowledged:
            story.append(para("No alerts raised."))
            return story
        by_key: dict[str, list[Entry]] = {}
        for entry in acknowledged:
            by_key.setdefault(entry.payload.key, []).append(entry)
        rows: list[list[Cell]] = []
        matched: set[str] = set()
        for entry in raised:
            alert = entry.payload
            acks = by_key.get(alert.key, [])
            matched.add(alert.key)
            rows.append(
                [
                    self._time(entry.at),
                    f"{alert.severity.upper()}: {alert.message}",
                    _ack_text(acks, self.tz) if acks else "NOT ACKNOWLEDGED",
                    _actions(acks) if acks else "",
                ]
            )
        for key, acks in by_key.items():
            if key not in matched:
                rows.append(["", f"(alert {key})", _ack_text(acks, self.tz), _actions(acks)])
        widths = [30, 62, 44, 44]
        story.append(
            grid(
                ["Raised", "Alert", "Acknowledged", "Action taken"],
                rows,
                [w * CONTENT_WIDTH / sum(widths) for w in widths],
            )
        )
        rules = self.protocol.monitoring
        story.append(gap(1))
        story.append(
            para(
                f"Antidote: {rules.antidote} {rules.antidote_source}",
                self.sheet.small,
            )
        )
        return story

    def births(self) -> list[Flowable]:
        story = heading("9. Birth")
        if not self.state.births:
            story.append(para("No birth recorded at the time of printing."))
            return story
        rows: list[list[Cell]] = []
        for birth in self.state.births:
            entry = next((e for e in self.state.timeline if e.event.uuid == birth.event_uuid), None)
            recorded = (
                f"{self._time(entry.event.recorded_at)} by {person(entry.event.recorded_by)}"
                if entry is not None
                else ""
            )
            rows.append(
                [
                    f"Baby {birth.baby}: {birth.label}",
                    self._time(birth.born_at),
                    gestation(birth.gestation),
                    recorded,
                ]
            )
        widths = [40, 40, 30, 60]
        story.append(
            grid(
                ["Baby", "Born", "Gestation at birth", "Recorded"],
                rows,
                [w * CONTENT_WIDTH / sum(widths) for w in widths],
            )
        )
        return story

    def audit(
        self, classification: Classification | None, missed_reason_label: str | None
    ) -> list[Flowable]:
        story = heading("10. Audit classification")
        story.append(
            para(
                "Fixed definitions computed from the recorded times (decisions.md §10): NNAP "
                "[E1][E2]; NICE QS135 statement 6 [N2]; BAPM/PERIPrem optimal [B1][P1][P2]; "
                "ANZNN timing code [Z2].",
                self.sheet.small,
            )
        )
        results: list[tuple[str, Classification | str]] = []
        if classification is not None:
            results.append(("First baby (audit anchor)", classification))
        else:
            # The one classification path (core.outcome.baby_classes): paper and audit agree.
            for baby in baby_classes(self.state):
                shown = baby.classification or f"Cannot classify: {baby.problem}"
                results.append((f"Baby {baby.baby}", shown))
        if not results:
            story.append(para("No birth recorded: nothing to classify yet."))
        else:
            rows: list[list[Cell]] = []
            for who, result in results:
                if isinstance(result, str):
                    rows.append([who, result, "", "", ""])
                    continue
                rows.append(
                    [
                        who,
                        _nnap_text(result),
                        _qs135_text(result),
                        _bapm_text(result),
                        _ANZNN_WORDS.get(result.anznn, result.anznn.value)
                        + (
                            f"; timing class {result.timing_class.value}: "
                            f"{self._reason_label(result.timing_class.value)}"
                            if result.timing_class is not None
                            else ""
                        ),
                    ]
                )
            widths = [26, 34, 38, 40, 42]
            story.append(
                grid(
                    ["Baby", "NNAP", "NICE QS135", "BAPM/PERIPrem optimal", "ANZNN code"],
                    rows,
                    [w * CONTENT_WIDTH / sum(widths) for w in widths],
                )
            )
        missed = missed_reason_label
        if missed is None and self.state.not_given is not None:
            code = self.state.not_given.reason_code
            missed = f"{code} – {self._reason_label(code)}"
            if self.state.not_given.text:
                missed += f": {self.state.not_given.text}"
        story.append(gap(1))
        story.append(
            key_values([("Missed-case reason", missed or "None recorded")], label_width=40 * mm)
        )
        return story

    def _reason_label(self, code: str) -> str:
        rule = self.protocol.missed_reason(code)
        if rule is not None:
            return rule.label
        default = next((r for r in DEFAULT_MISSED_REASONS if r.code == code), None)
        return default.label if default is not None else "not in the reason list"

    def corrections(self) -> list[Flowable]:
        story = heading("11. Corrections and entries in error")
        by_uuid = {entry.event.uuid: entry for entry in self.state.timeline}
        amendment_rows: list[list[Cell]] = []
        void_rows: list[list[Cell]] = []
        for entry in self.state.timeline:
            if entry.amended_by:
                amendment_rows += self._amendment_rows(entry, by_uuid)
            if entry.voided_by is not None:
                void = entry.voided_by
                original = entry.event
                void_rows.append(
                    [
                        f"{describe.event_label(original.type)} ({short_uuid(original.uuid)}) at "
                        f"{self._time(original.occurred_at)}",
                        describe.summary(original.type, original.payload) or "–",
                        str(void.payload.get("reason", "")),
                        f"{person(void.recorded_by)}, {self._time(void.recorded_at)}",
                    ]
                )
        if not amendment_rows and not void_rows:
            story.append(para("No corrections and no entries in error."))
            return story
        if amendment_rows:
            story += subheading("Corrections (original value kept in the record)")
            widths = [34, 22, 24, 24, 38, 38]
            story.append(
                grid(
                    ["Entry", "Field", "Original", "Corrected to", "Reason", "By, when"],
                    amendment_rows,
                    [w * CONTENT_WIDTH / sum(widths) for w in widths],
                )
            )
        if void_rows:
            story += subheading("Entries in error (struck out of the episode, kept in the record)")
            widths = [40, 60, 40, 40]
            story.append(
                grid(
                    ["Entry", "Original content", "Reason", "By, when"],
                    void_rows,
                    [w * CONTENT_WIDTH / sum(widths) for w in widths],
                )
            )
        return story

    def _amendment_rows(
        self, entry: TimelineEntry, by_uuid: dict[str, TimelineEntry]
    ) -> list[list[Cell]]:
        rows: list[list[Cell]] = []
        original = entry.event
        payload = dict(original.payload)
        occurred_at: datetime = original.occurred_at
        label = (
            f"{describe.event_label(original.type)} ({short_uuid(original.uuid)}) at "
            f"{self._time(original.occurred_at)}"
        )
        for amendment in entry.amended_by:
            amendment_entry = by_uuid.get(amendment.uuid)
            withdrawn = amendment_entry is not None and amendment_entry.voided_by is not None
            reason = str(amendment.payload.get("reason", ""))
            if withdrawn and amendment_entry is not None and amendment_entry.voided_by is not None:
                reason += (
                    " [this correction was itself entered in error: "
                    f"{amendment_entry.voided_by.payload.get('reason', '')}]"
                )
            who = f"{person(amendment.recorded_by)}, {self._time(amendment.recorded_at)}"
            changes = describe.flatten(amendment.payload.get("changes") or {})
            for name, new_value in changes.items():
                old_value = describe.lookup(payload, name)
                rows.append(
                    [
                        label,
                        describe.field_label(name),
                        describe.value_text(old_value),
                        describe.value_text(new_value),
                        reason,
                        who,
                    ]
                )
            new_time = amendment.payload.get("occurred_at")
            if new_time:
                rows.append(
                    [
                        label,
                        "Clinical time",
                        self._time(occurred_at),
                        describe.time_text(new_time, self.tz),
                        reason,
                        who,
                    ]
                )
            if not withdrawn:
                for name, new_value in changes.items():
                    _assign(payload, name, new_value)
                if new_time:
                    occurred_at = datetime.fromisoformat(str(new_time).replace("Z", "+00:00"))
        return rows

    def notes(self) -> list[Flowable]:
        entries = list(live_entries(self.state, EventType.NOTE))
        if not entries:
            return []
        story = heading("12. Notes")
        rows: list[list[Cell]] = [
            [self._time(e.at), e.payload.text, person(e.event.recorded_by)] for e in entries
        ]
        widths = [34, 110, 36]
        story.append(
            grid(
                ["Time", "Note", "Recorded by"],
                rows,
                [w * CONTENT_WIDTH / sum(widths) for w in widths],
            )
        )
        return story

    def history(self) -> list[Flowable]:
        story = heading("13. Record history (every entry, in the order recorded)")
        rows: list[list[Cell]] = []
        for index, entry in enumerate(self.state.timeline, start=1):
            event = entry.event
            status = []
            if entry.voided_by is not None:
                status.append("entered in error")
            if entry.amended_by:
                status.append("corrected")
            if event.type in (EventType.AMENDMENT, EventType.VOID):
                status.append(f"refers to {short_uuid(str(event.payload.get('target', '')))}")
            rows.append(
                [
                    str(index),
                    f"{describe.event_label(event.type)} ({short_uuid(event.uuid)})",
                    self._time(event.occurred_at),
                    f"{self._time(event.recorded_at)} by {person(event.recorded_by)}",
                    ", ".join(status),
                ]
            )
        widths = [8, 46, 34, 58, 34]
        story.append(
            grid(
                ["#", "Entry (id)", "Clinical time", "Recorded", "Status"],
                rows,
                [w * CONTENT_WIDTH / sum(widths) for w in widths],
            )
        )
        return story


# --------------------------------------------------------------------------- helpers

#: Observation table columns after the time, with the fields each shows.
_OBSERVATION_COLUMNS: Final[tuple[tuple[str, ...], ...]] = (
    ("pulse_per_min",),
    ("systolic_mmhg", "diastolic_mmhg", "baseline_diastolic_mmhg"),
    ("rr_per_min", "baseline_rr_per_min"),
    ("reflexes",),
    ("urine_ml", "urine_period_h"),
    ("spo2_percent",),
    ("serum_mg_mmol_per_l",),
)


def _marks_by_field(flags: Sequence[ObservationFlag]) -> dict[str, list[str]]:
    marks: dict[str, list[str]] = {}
    for flag in flags:
        if flag.mark:
            marks.setdefault(flag.field, []).append(flag.mark)
    return marks


def _with_marks(text: str, marks: Sequence[str]) -> Cell:
    if not marks:
        return text
    # A non-breaking space keeps the symbol and its word together in a narrow column.
    joined = "<br/>".join(f"<b>{esc(mark).replace(' ', '&nbsp;')}</b>" for mark in marks)
    return Paragraph(f"{esc(text)}<br/>{joined}", styles().cell)


def _observation_row(observation: Observation, marks: dict[str, list[str]]) -> list[Cell]:
    def value(v: object) -> str:
        return "–" if v is None else str(v)

    bp = "–"
    if observation.systolic_mmhg is not None or observation.diastolic_mmhg is not None:
        bp = f"{value(observation.systolic_mmhg)}/{value(observation.diastolic_mmhg)}"
    if observation.baseline_diastolic_mmhg is not None:
        bp += f" ({observation.baseline_diastolic_mmhg})"
    rr = value(observation.rr_per_min)
    if observation.baseline_rr_per_min is not None:
        rr += f" ({observation.baseline_rr_per_min})"
    urine = value(observation.urine_ml)
    if observation.urine_period_h is not None:
        urine += f" ({number(observation.urine_period_h)} h)"
    serum = (
        "–" if observation.serum_mg_mmol_per_l is None else number(observation.serum_mg_mmol_per_l)
    )
    reflexes = "–" if observation.reflexes is None else observation.reflexes.value
    return [
        _with_marks(value(observation.pulse_per_min), marks.get("pulse_per_min", [])),
        _with_marks(
            bp,
            marks.get("systolic_mmhg", []) + marks.get("diastolic_mmhg", []),
        ),
        _with_marks(rr, marks.get("rr_per_min", [])),
        _with_marks(reflexes, marks.get("reflexes", [])),
        _with_marks(urine, marks.get("urine_ml", [])),
        _with_marks(value(observation.spo2_percent), marks.get("spo2_percent", [])),
        _with_marks(serum, marks.get("serum_mg_mmol_per_l", [])),
    ]


def _lines(items: Sequence[str]) -> Paragraph:
    return Paragraph("<br/>".join(f"• {esc(item)}" for item in items), styles().cell)


def _stage_text(stage: PreparationStage, make_up: str) -> str:
    text = (
        f"{stage.concentration_label}; {stage.container} "
        f"({number(stage.container_dose_g)} g in {number(stage.container_volume_ml)} mL)"
    )
    if make_up:
        text += f"; make up: {make_up}"
    return text


def _ack_text(acks: Sequence[Entry], tz: ZoneInfo) -> str:
    return "; ".join(f"{local_time(a.at, tz)} by {person(a.event.recorded_by)}" for a in acks)


def _actions(acks: Sequence[Entry]) -> str:
    actions = []
    for ack in acks:
        payload: AlertAcknowledged = ack.payload
        actions.append(payload.action_taken or "no action recorded")
    return "; ".join(actions)


def _nnap_text(result: Classification) -> str:
    if not result.nnap.eligible:
        return "Not eligible (born at 30+0 or later)"
    return (
        "Eligible; MET (given in the 24 h before birth)"
        if result.nnap.met
        else ("Eligible; NOT MET")
    )


def _qs135_text(result: Classification) -> str:
    if not result.qs135.eligible:
        return "Not eligible"
    measure = result.qs135.measure
    return f"Eligible, measure ({measure}); " + ("MET" if result.qs135.met else "NOT MET")


def _bapm_text(result: Classification) -> str:
    periprem = result.periprem_optimal
    if not periprem.eligible:
        return "Not eligible (born at 30+0 or later)"
    text = "Eligible; PERIPrem " + (
        "OPTIMAL (load > 4 h and < 24 h before birth)" if periprem.met else "NOT optimal"
    )
    if periprem.could_have_been_optimal is not None:
        text += f"; could have been optimal: {yes_no(periprem.could_have_been_optimal)}"
    bapm = result.bapm_optimal
    text += "; BAPM " + (
        "OPTIMAL (load and ≥ 4 h of infusion in the 24 h before)" if bapm.met else "NOT optimal"
    )
    return text


def _assign(payload: dict[str, object], dotted: str, value: object) -> None:
    parts = dotted.split(".")
    current: dict[str, object] = payload
    for part in parts[:-1]:
        nested = current.get(part)
        if not isinstance(nested, dict):
            nested = {}
        nested = dict(nested)
        current[part] = nested
        current = nested
    current[parts[-1]] = value


__all__ = ["TITLE", "render_proforma"]
