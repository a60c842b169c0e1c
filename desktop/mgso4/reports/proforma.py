"""The completed proforma: one episode, from its committed events, on A4.

Everything printed comes from the folded :class:`EpisodeState` and its timeline (the
committed events with corrections applied); nothing is read from a database here and nothing
clinical is decided here. g/h is computed from concentration × rate for display (reference §3.2:
never a typed label). The audit classes come from :func:`mgso4.core.outcome.classify`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.doctemplate import ActionFlowable

from mgso4.core.alerts import baseline_observations
from mgso4.core.dosing import DoseInputError, loading_plan, maintenance_plan
from mgso4.core.eligibility import DECISION_SUPPORT_NOTICE
from mgso4.core.episode import (
    AlertAcknowledged,
    AntenatalSteroids,
    CourseState,
    EpisodeState,
    EventType,
    InformationGiven,
    InUteroTransfer,
    LabourEvidence,
    Observation,
    PreLoadChecks,
    TimelineEntry,
)
from mgso4.core.gestation import GestationalAge, GestationError
from mgso4.core.outcome import DEFAULT_MISSED_REASONS, Classification
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
    cited,
    course_entry,
    document_header,
    live_entries,
    patient_pdf,
    record_check,
)
from mgso4.reports.flags import ObservationFlag, flag_observation
from mgso4.reports.layout import (
    CONTENT_WIDTH,
    Cell,
    gap,
    grid,
    key_values,
    markup,
    paired,
    para,
    section_heading,
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
    short_time,
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

_STEROID_WORDS: Final = {
    "given": "given",
    "not-given": "not given",
    "not-known": "not known",
}

_AGREEMENT_WORDS: Final = {
    "agreed": "Agreed",
    "declined": "Declined",
    "not-able-to-discuss": "Not able to discuss",
}

#: The document kind, for the PDF Title and the print job's name.
DOCUMENT_KIND: Final = "MgSO₄ proforma"


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

    Page 1 holds what is needed at a glance (situation, recommendation and decision,
    information given, preparation, loading, maintenance and stop); the observations, alerts,
    births, corrections and signatures start on page 2. The audit verdicts are not printed
    here: they belong to the audit view and its report.

    Args:
        state: The folded episode (``fold`` of its committed events).
        protocol: The unit protocol (thresholds, wording, sources for the print).
        preparations: The preparations file (names, concentration labels, containers).
        unit_name: The unit's name for the header and footer.
        chain_head: The record's hash-chain head from the store (``verify``/``chain_head``):
            its first digits in every footer, the full value on the last page, so the paper
            can be checked against the database.
        printed_at: The print time (aware; shown in local time).
        tz: Zone for every printed time (default Europe/London).
        classification: Kept for callers; the audit classes are not printed on the proforma.
        missed_reason_label: The missed-case reason in words, if the caller has one.

    Returns:
        The PDF document.

    Raises:
        ReportInputError: The chain head is not a SHA-256 value or the print time is naive.
    """
    del classification  # the audit verdicts belong to the audit report (decisions.md §16)
    head = checked_chain_head(chain_head)
    printed_at = checked_time(printed_at, "print time")
    builder = _ProformaBuilder(state, protocol, preparations, tz=tz, printed_at=printed_at)
    story = document_header(TITLE, unit_name, protocol, state)
    story += builder.status()
    story += builder.dating()
    story += builder.situation()
    story += builder.recommendation()
    story += builder.information()
    story += builder.preparation()
    story += builder.courses()
    # The observations start page 2; when the clinical part itself ran onto page 2 they
    # follow it there (no near-empty page).
    story.append(_BreakOnFirstPage())
    story += builder.observations()
    story += builder.alerts()
    story += builder.births(missed_reason_label)
    story += builder.corrections()
    story += builder.notes()
    story += builder.history()
    story += signatures(SIGNATURE_ROLES, builder.next_title("Signatures"), compact=True)
    story += record_check(head, protocol)
    return patient_pdf(
        story,
        state,
        protocol,
        kind=DOCUMENT_KIND,
        document_label="MgSO₄ proforma",
        unit_name=unit_name,
        chain_head=head,
        printed_at=printed_at,
        tz=tz,
    )


class _BreakOnFirstPage(ActionFlowable):  # type: ignore[misc]  # reportlab is untyped
    """A page break that happens only on page 1."""

    def __init__(self) -> None:
        super().__init__(("pageBreak",))

    def apply(self, doc: Any) -> None:
        if doc.page == 1:
            doc.handle_pageBreak()


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
        self._sections = 0
        #: Dates in this year print without it (the year is stated once, under the title).
        self.year = state.created_at.astimezone(tz).year

    def _time(self, moment: datetime | None) -> str:
        return short_time(moment, self.tz, year=self.year)

    def _full(self, moment: datetime | None) -> str:
        return local_time(moment, self.tz)

    def next_title(self, title: str) -> str:
        """The next section's numbered title; numbered as printed, so the numbers run without
        gaps whichever sections appear."""
        self._sections += 1
        return f"{self._sections}. {title}"

    def _heading(self, title: str) -> list[Flowable]:
        return section_heading(self.next_title(title))

    def _cited(self, text: str) -> str:
        return cited(text, self.protocol)

    def _when(self, entry: Entry | None) -> str:
        """Clinical time only (who gave and checked is beside it; who recorded it is in the
        record history)."""
        if entry is None:
            return "not recorded"
        return self._time(entry.at) + (" – corrected, see Corrections" if entry.corrected else "")

    def _who_when(self, entry: Entry | None) -> str:
        """Clinical time and who recorded it (the recording time is in the record history)."""
        if entry is None:
            return "not recorded"
        text = f"{self._time(entry.at)} by {person(entry.event.recorded_by)}"
        if entry.corrected:
            text += " – corrected, see Corrections"
        return text

    # ----------------------------------------------------------------------- sections

    def status(self) -> list[Flowable]:
        opened = self._created_entry()
        opened_text = (
            f"{self._full(opened.at)} by {person(opened.event.recorded_by)}"
            if opened is not None
            else "not recorded"
        )
        return [
            markup(
                f"Opened {esc(opened_text)} · UK local times, in {self.year} unless shown",
                self.sheet.small,
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
                ("Gestation at decision", gestation(state.gestation_at(decision_time, self.tz)))
            )
        if state.assessment is not None:
            try:
                assessed = GestationalAge(state.assessment.gestation_days).label + " weeks"
            except GestationError as exc:
                assessed = f"{state.assessment.gestation_days} days ({exc})"
            rows.append(("Gestation used at assessment", assessed))
        rows.append(("Babies expected", str(state.created.plurality)))
        rows.append(("Stage at print", state.stage.label))
        return [*self._heading("Gestation and dating"), paired(rows)]

    def situation(self) -> list[Flowable]:
        assessment = self.state.assessment
        story = self._heading("Situation and its evidence")
        if assessment is None:
            story.append(para("No assessment recorded."))
            story.append(paired(self._situation_details()))
            return story
        conditions: list[str] = []
        for condition_id in assessment.conditions:
            rule = self.protocol.condition(condition_id)
            if rule is None:
                conditions.append(f"{condition_id} (not in this protocol)")
            else:
                conditions.append(
                    self._cited(f"{rule.label} – {rule.kind}: {rule.text} {rule.source}")
                )
        medicines: list[str] = []
        for medication_id in assessment.medications:
            rule_m = self.protocol.interaction(medication_id)
            if rule_m is None:
                medicines.append(f"{medication_id} (not in this protocol)")
            else:
                medicines.append(
                    self._cited(
                        f"{rule_m.label}: {rule_m.warning} Action: {rule_m.action} {rule_m.source}"
                    )
                )
        acknowledged = [
            f"{entry.payload.medication}: acknowledged {self._time(entry.at)} by "
            f"{person(entry.event.recorded_by)}"
            for entry in live_entries(self.state, EventType.INTERACTION_ACKNOWLEDGED)
        ]
        rows: list[tuple[str, Cell]] = [
            ("Situation", assessment.situation.label),
            ("Assessed", self._who_when(self._first(EventType.ASSESSED))),
            *self._situation_details(),
            (
                "=Maternal conditions" if conditions else "Maternal conditions",
                "; ".join(conditions) or "None recorded",
            ),
            (
                "=Interacting medicines" if medicines else "Interacting medicines",
                "; ".join(medicines) or "None recorded",
            ),
        ]
        if acknowledged:
            rows.append(("=Interaction warnings acknowledged", "; ".join(acknowledged)))
        story.append(paired(rows))
        return story

    def _last(self, event_type: EventType) -> Entry | None:
        return self._first(event_type)

    def _situation_details(self) -> list[tuple[str, Cell]]:
        """Rows for the proforma fields of decisions.md §16 recorded as their own entries."""
        rows: list[tuple[str, Cell]] = []
        labour = self._last(EventType.LABOUR_EVIDENCE)
        if labour is None:
            rows.append(("Labour or planned birth", "not recorded"))
        else:
            evidence: LabourEvidence = labour.payload
            if evidence.kind == "established-labour":
                text = (
                    f"established labour: cervix {number(evidence.dilatation_cm or 0)} cm at "
                    f"{self._when(labour)}"
                )
            else:
                text = (
                    f"planned {evidence.mode or ''} birth at "
                    f"{self._time(evidence.planned_birth_at)} (planned {self._when(labour)})"
                )
            if evidence.note:
                text += f"; {evidence.note}"
            rows.append(("Evidence", text))
        steroids = self._last(EventType.ANTENATAL_STEROIDS)
        if steroids is None:
            rows.append(("Antenatal steroids", "not recorded"))
        else:
            given: AntenatalSteroids = steroids.payload
            text = _STEROID_WORDS[given.status]
            doses = [t for t in (given.first_dose_at, given.second_dose_at) if t is not None]
            if doses:
                text += ": " + ", ".join(self._time(t) for t in doses)
            if given.note:
                text += f"; {given.note}"
            rows.append(("Antenatal steroids", text))
        team = self._last(EventType.NEONATAL_TEAM_INFORMED)
        rows.append(
            (
                "Neonatal team informed",
                "not recorded"
                if team is None
                else self._when(team) + (f" ({team.payload.told})" if team.payload.told else ""),
            )
        )
        transfer = self._last(EventType.IN_UTERO_TRANSFER)
        if transfer is not None:
            moved: InUteroTransfer = transfer.payload
            rows.append(
                (
                    "In-utero transfer",
                    f"{moved.from_unit} to {moved.to_unit}, {self._when(transfer)}"
                    + (f"; {moved.note}" if moved.note else ""),
                )
            )
        else:
            rows.append(("In-utero transfer", "none recorded"))
        return rows

    def _first(self, event_type: EventType) -> Entry | None:
        found = None
        for entry in live_entries(self.state, event_type):
            found = entry
        return found

    def recommendation(self) -> list[Flowable]:
        state = self.state
        assessment = state.assessment
        story = self._heading("Recommendation and decision")
        rows: list[tuple[str, Cell]] = []
        if assessment is None:
            rows.append(("Recommendation", "No recommendation recorded"))
        else:
            band_rule = self.protocol.band_rule(assessment.band)
            band_text = (
                f"{band_rule.band.capitalize()} band: {band_rule.start.label} to "
                f"{band_rule.end.label} weeks "
                + self._cited(
                    band_rule.source + (f" – {band_rule.wording}" if band_rule.wording else "")
                )
                if band_rule is not None
                else ("outside every band" if assessment.band is Band.OUTSIDE else assessment.band)
            )
            cautions = [*assessment.cautions, *assessment.warnings]
            rows += [
                (
                    "",
                    markup(
                        f"<b>Recommendation: "
                        f"{_RECOMMENDATION_WORDS.get(assessment.recommendation, '')}</b>",
                        self.sheet.cell,
                    ),
                ),
                ("Senior decision required", yes_no(assessment.senior_decision_required)),
                ("=Gestation band", band_text),
                ("=Reasons", "; ".join(self._cited(r) for r in assessment.reasons) or "None"),
                (
                    "=Cautions and warnings" if cautions else "Cautions and warnings",
                    "; ".join(self._cited(c) for c in cautions) or "None",
                ),
            ]
        if state.decision is None:
            rows.append(("Decision", "No decision recorded"))
        else:
            decision = state.decision
            senior_required = assessment is not None and assessment.senior_decision_required
            if decision.senior is not None:
                senior = ("required; " if senior_required else "") + person(decision.senior)
            elif senior_required:
                senior = "REQUIRED by the assessment – none recorded"
            else:
                senior = "not required"
            decided = self._first(EventType.DECISION)
            rows += [
                (
                    "",
                    markup(
                        "<b>Decision: Give MgSO₄</b>"
                        if decision.give
                        else "<b>Decision: Do not give MgSO₄</b>",
                        self.sheet.cell,
                    ),
                ),
                (
                    "Decided by",
                    f"{person(decision.decided_by)}, "
                    + (self._time(decided.at) if decided is not None else "time not recorded")
                    + (" – corrected, see Corrections" if decided and decided.corrected else ""),
                ),
                ("Senior decision", senior),
                *self._decision_details(),
            ]
            if decision.course_number != 1:
                rows.append(("Course number", str(decision.course_number)))
            if decision.note:
                rows.append(("=Note", decision.note))
        if state.not_given is not None:
            rule = self.protocol.missed_reason(state.not_given.reason_code)
            label = rule.label if rule is not None else "reason not in this protocol's list"
            text = f"{state.not_given.reason_code} – {label}"
            if state.not_given.text:
                text += f": {state.not_given.text}"
            rows.append(("=Not given – reason", text))
            rows.append(("=Recorded", self._who_when(self._first(EventType.NOT_GIVEN))))
        story.append(paired(rows))
        story.append(para(DECISION_SUPPORT_NOTICE, self.sheet.small))
        return story

    def _decision_details(self) -> list[tuple[str, Cell]]:
        prescribed = self._last(EventType.PRESCRIBED)
        return [
            (
                "Prescribed by",
                "not recorded"
                if prescribed is None
                else f"{person(prescribed.payload.prescriber)}, {self._when(prescribed)}",
            )
        ]

    def information(self) -> list[Flowable]:
        story = self._heading("Information given and agreement")
        entries = list(live_entries(self.state, EventType.INFORMATION_GIVEN))
        if not entries:
            story.append(para("Not recorded."))
            return story
        rows: list[tuple[str, Cell]] = []
        for entry in entries:
            info: InformationGiven = entry.payload
            text = _AGREEMENT_WORDS.get(info.agreement, info.agreement)
            if info.given_to:
                text += f"; told: {info.given_to}"
            text += "; off-label use explained: " + yes_no(info.off_label_discussed)
            if info.note:
                text += f"; {info.note}"
            rows.append((f"={self._who_when(entry)}", text))
        story.append(paired(rows))
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
        story = self._heading("Preparation and pre-load checks")
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
            story.append(paired(self._preparation_details()))
            return story
        rows: list[tuple[str, Cell]] = [
            ("=Preparation", f"{preparation.drug} – {preparation.name}"),
            (
                "=Loading dose made up as",
                _stage_text(preparation.loading, self._load_make_up(preparation)),
            ),
            (
                "=Maintenance made up as",
                _stage_text(preparation.maintenance, self._maint_make_up(preparation)),
            ),
            *[
                ("=", markup(f"<b>WARNING: {esc(self._cited(w))}</b>", self.sheet.cell))
                for w in preparation.warnings
            ],
            *self._preparation_details(),
        ]
        story.append(paired(rows))
        return story

    def _preparation_details(self) -> list[tuple[str, Cell]]:
        rows: list[tuple[str, Cell]] = []
        # The same pre-treatment sets the baseline alert uses (core.alerts).
        baselines = baseline_observations(self.state)
        if baselines:
            first = baselines[-1]
            rows.append(
                (
                    "=Pre-load baseline observations",
                    f"{self._time(first.taken_at)}: {_observation_summary(first.observation)}",
                )
            )
        else:
            rows.append(("=Pre-load baseline observations", "none recorded before the load"))
        checks = self._last(EventType.PRE_LOAD_CHECKS)
        if checks is None:
            rows += [
                ("Calcium gluconate available", "not recorded"),
                ("Pump; batch/lot", "not recorded"),
            ]
        else:
            done: PreLoadChecks = checks.payload
            rows += [
                ("Calcium gluconate available", yes_no(done.calcium_gluconate_available)),
                (
                    "Pump; batch/lot",
                    f"{done.pump or 'pump not recorded'}; {done.batch or 'batch not recorded'}",
                ),
            ]
        return rows

    def courses(self) -> list[Flowable]:
        story = self._heading("Loading, maintenance and stop")
        if not self.state.courses:
            story.append(para("No MgSO₄ was started."))
            return story
        for course in self.state.courses:
            story += self._course(course)
        until = self._grams_until()
        if len(self.state.courses) > 1:
            story.append(
                markup(
                    f"<b>Cumulative MgSO₄ across all courses to {esc(self._time(until))}:</b> "
                    f"{esc(grams(self.state.total_grams(until)))} (load plus maintenance by "
                    "elapsed time at the recorded rates)",
                    self.sheet.small,
                )
            )
        return story

    def _grams_until(self) -> datetime:
        stops = [c.stopped_at for c in self.state.courses if c.stopped_at is not None]
        if stops and all(not c.running for c in self.state.courses):
            return max(stops)
        return self.printed_at

    def _course(self, course: CourseState) -> list[Flowable]:
        n = course.number
        story: list[Flowable] = []
        if len(self.state.courses) > 1:
            story += subheading(f"Course {n}")
        load = course.load
        rows: list[tuple[str, Cell]] = []
        if load is None:
            rows.append(("=Loading dose", "not recorded"))
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
                ("Load started", self._when(course_entry(self.state, EventType.LOAD_STARTED, n))),
                ("Load finished", self._when(course_entry(self.state, EventType.LOAD_FINISHED, n))),
                (
                    "=Load given / checked by",
                    f"{person(load.given_by)} / {person(load.checked_by)}",
                ),
            ]
        maintenance = course.maintenance
        if maintenance is None:
            rows.append(("=Maintenance", "not started"))
        else:
            rows += [
                (
                    "Maintenance started",
                    self._when(course_entry(self.state, EventType.MAINTENANCE_STARTED, n)),
                ),
                (
                    "Maintenance rate",
                    rate_with_grams(maintenance.rate_ml_per_h, maintenance.concentration_g_per_ml),
                ),
                (
                    f"=Maintenance ({number(maintenance.container_volume_ml)} mL container) "
                    "given / checked by",
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
            rows += [("Stopped", self._who_when(stop_entry)), ("Stop reason", reason)]
        until = course.stopped_at or self.printed_at
        rows.append(
            (
                "=Grams given (load plus maintenance at the recorded rates)",
                f"{grams(course.grams_given(until))} to {self._time(until)}",
            )
        )
        story.append(paired(rows))
        if course.rates or course.load is not None:
            story.append(gap(1.5))
            story.append(self._rate_table(course))
        if course.syringe_changes:
            story.append(gap(1))
            story.append(paired(self._syringe_rows(course)))
        return story

    def _rate_table(self, course: CourseState) -> Flowable:
        reasons: dict[datetime, str] = {}
        for entry in live_entries(self.state, EventType.MAINTENANCE_STARTED):
            if entry.payload.course_number == course.number:
                reasons[entry.at] = "maintenance started"
        for entry in live_entries(self.state, EventType.SYRINGE_CHANGED):
            if entry.payload.course_number == course.number:
                reasons.setdefault(entry.at, "new syringe of a different concentration")
        for entry in live_entries(self.state, EventType.RATE_CHANGED):
            if entry.payload.course_number == course.number:
                reasons[entry.at] = (
                    f"rate changed: {entry.payload.reason} ({person(entry.event.recorded_by)})"
                )
        rows: list[list[Cell]] = []
        load = course.load
        if load is not None:
            load_started = course_entry(self.state, EventType.LOAD_STARTED, course.number)
            load_finished = course_entry(self.state, EventType.LOAD_FINISHED, course.number)
            rows.append(
                [
                    self._time(load_started.at) if load_started is not None else "not recorded",
                    self._time(load_finished.at) if load_finished is not None else "",
                    rate_with_grams(load.rate_ml_per_h, load.concentration_g_per_ml),
                    f"loading dose {number(load.dose_g)} g over {number(load.duration_min)} min",
                ]
            )
        for period in course.rates:
            end = period.end or course.stopped_at
            rows.append(
                [
                    self._time(period.start),
                    self._time(end) if end is not None else "running",
                    rate_with_grams(period.rate_ml_per_h, period.concentration_g_per_ml),
                    reasons.get(period.start, ""),
                ]
            )
        widths = [31, 31, 52, 66]
        return grid(
            ["From", "To", "Pump: mL/h × g/mL = g/h", "Why"],
            rows,
            [w * CONTENT_WIDTH / sum(widths) for w in widths],
        )

    def _syringe_rows(self, course: CourseState) -> list[tuple[str, Cell]]:
        rows: list[tuple[str, Cell]] = []
        for entry in live_entries(self.state, EventType.SYRINGE_CHANGED):
            payload = entry.payload
            if payload.course_number != course.number:
                continue
            rows.append(
                (
                    "=Syringe changed",
                    self._time(entry.at)
                    + (" – corrected" if entry.corrected else "")
                    + f": {concentration(payload.concentration_g_per_ml)}, "
                    f"{number(payload.volume_ml)} mL "
                    f"({number(payload.volume_ml * payload.concentration_g_per_ml)} g); checked by "
                    f"{person(payload.checked_by)}; recorded by {person(entry.event.recorded_by)}",
                )
            )
        return rows

    def observations(self) -> list[Flowable]:
        rules = self.protocol.monitoring
        story = self._heading("Observations")
        story.append(
            para(
                f"At least every {number(rules.interval_hours.value)} h "
                f"{self._cited(rules.interval_hours.source)}. Symbol and word: a finding against "
                "a stop trigger. In brackets: baseline diastolic or respiratory rate; urine "
                "collection period.",
                self.sheet.small,
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
                f"{self._time(entry.at)}: "
                + (f"{flag.mark} – " if flag.mark else "")
                + self._cited(flag.detail)
                for flag in flags
            ]
        # Widths in mm: each column holds its longest word and its marks on whole words.
        widths = [31, 12.5, 19, 19.5, 20, 17, 13, 15, 35]
        story.append(
            grid(
                [
                    "Time",
                    "Pulse (/min)",
                    "BP (mmHg)",
                    "RR (/min)",
                    "Patellar reflexes",
                    "Urine (mL)",
                    "SpO₂ (%)",
                    "Mg mmol/L",
                    "Recorded by",
                ],
                rows,
                [w * CONTENT_WIDTH / sum(widths) for w in widths],
                shaded=shaded,
                padding=1.2,
            )
        )
        if details:
            story.append(gap(1.5))
            story += subheading("Marked values")
            story += [para(detail, self.sheet.small) for detail in details]
        return story

    def alerts(self) -> list[Flowable]:
        story = self._heading("Alerts and actions taken")
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
                f"Antidote: {self._cited(rules.antidote)} {self._cited(rules.antidote_source)}",
                self.sheet.small,
            )
        )
        return story

    def births(self, missed_reason_label: str | None = None) -> list[Flowable]:
        story = self._heading("Births")
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
                    self._full(birth.born_at),
                    gestation(birth.gestation),
                    recorded,
                ]
            )
        if rows:
            widths = [30, 50, 25, 75]
            story.append(
                grid(
                    ["Baby", "Born", "Gestation", "Recorded"],
                    rows,
                    [w * CONTENT_WIDTH / sum(widths) for w in widths],
                )
            )
        else:
            story.append(para("No birth recorded at the time of printing."))
        missed = missed_reason_label
        if missed is None and self.state.not_given is not None:
            code = self.state.not_given.reason_code
            missed = f"{code} – {self._reason_label(code)}"
            if self.state.not_given.text:
                missed += f": {self.state.not_given.text}"
        if missed is not None:
            story.append(gap(1))
            story.append(key_values([("Missed-case reason", missed)], label_width=40 * mm))
        return story

    def _reason_label(self, code: str) -> str:
        rule = self.protocol.missed_reason(code)
        if rule is not None:
            return rule.label
        default = next((r for r in DEFAULT_MISSED_REASONS if r.code == code), None)
        return default.label if default is not None else "not in the reason list"

    def corrections(self) -> list[Flowable]:
        story = self._heading("Corrections and entries in error")
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
                        self._time(_parse_time(new_time)),
                        reason,
                        who,
                    ]
                )
            if not withdrawn:
                for name, new_value in changes.items():
                    _assign(payload, name, new_value)
                if new_time:
                    occurred_at = _parse_time(new_time)
        return rows

    def notes(self) -> list[Flowable]:
        entries = list(live_entries(self.state, EventType.NOTE))
        if not entries:
            return []
        story = self._heading("Notes")
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
        story = self._heading("Record history (every entry, in the order recorded)")
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
            cells = [
                str(index),
                f"{describe.event_label(event.type)} ({short_uuid(event.uuid)})",
                self._time(event.occurred_at),
                f"{self._time(event.recorded_at)}, {person(event.recorded_by)}",
                ", ".join(status),
            ]
            rows.append(cells)
        widths = [7, 55, 28, 70, 22]
        story.append(
            grid(
                ["#", "Entry (id)", "Clinical time", "Recorded, by", "Status"],
                rows,
                [w * CONTENT_WIDTH / sum(widths) for w in widths],
                padding=0.8,
                size=8,
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
    # 8 pt, so "▼ REDUCED" fits its column whole (never broken mid-word).
    joined = "<br/>".join(
        f'<font size="8"><b>{esc(mark).replace(" ", "&nbsp;")}</b></font>' for mark in marks
    )
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


def _observation_summary(observation: Observation) -> str:
    parts = []
    if observation.pulse_per_min is not None:
        parts.append(f"pulse {observation.pulse_per_min}")
    if observation.systolic_mmhg is not None or observation.diastolic_mmhg is not None:
        parts.append(f"BP {observation.systolic_mmhg or '–'}/{observation.diastolic_mmhg or '–'}")
    if observation.rr_per_min is not None:
        parts.append(f"RR {observation.rr_per_min}")
    if observation.reflexes is not None:
        parts.append(f"reflexes {observation.reflexes.value}")
    if observation.spo2_percent is not None:
        parts.append(f"SpO₂ {observation.spo2_percent}%")
    if observation.urine_ml is not None:
        parts.append(f"urine {observation.urine_ml} mL")
    return ", ".join(parts) or "no values"


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


def _parse_time(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


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


__all__ = ["DOCUMENT_KIND", "TITLE", "render_proforma"]
