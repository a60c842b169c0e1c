"""In-utero transfer handover: one A4 page for the receiving unit.

What was given and when, the rates with their concentration and computed g/h, cumulative grams,
the last observations, when (and why) the infusion stopped, and what the receiving unit must do
next. Times come from the record; the stop-due time comes from
:func:`mgso4.core.dosing.stop_due_at` and the observation schedule from
:mod:`mgso4.core.monitoring`. Nothing is decided here.

Long episodes are cut to the most recent entries (the number left out is printed) so the sheet
is always one page; the full proforma has everything.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame

from mgso4.core.dosing import stop_due_at, stops_at_birth
from mgso4.core.episode import CourseState, EpisodeState, EventType, StopReason
from mgso4.core.monitoring import DueKind, due_items, missing_required
from mgso4.core.protocol import PreparationSet, Protocol
from mgso4.core.timeutil import LONDON
from mgso4.reports.common import (
    checked_chain_head,
    checked_time,
    cited,
    live_entries,
    patient_pdf,
    record_check,
)
from mgso4.reports.flags import flag_observation
from mgso4.reports.layout import (
    CONTENT_WIDTH,
    FRAME_BOTTOM,
    FRAME_TOP,
    Cell,
    grid,
    heading,
    key_values,
    markup,
    para,
    signatures,
    styles,
    write_in,
)
from mgso4.reports.text import (
    concentration,
    esc,
    gestation,
    grams,
    local_time,
    number,
    person,
    rate_with_grams,
)

TITLE: Final = "In-utero transfer handover — MgSO₄ for fetal neuroprotection"
#: The document kind, for the PDF Title and the print job's name (never the patient's name).
DOCUMENT_KIND: Final = "MgSO₄ transfer handover"

#: How many of the latest rate periods and observation sets fit on the one page.
MAX_RATE_ROWS: Final = 3
MAX_OBSERVATION_ROWS: Final = 3

_ANCHOR_WORDS: Final = {
    "maintenance-start": "the start of maintenance",
    "load-start": "the start of the loading dose",
}


def render_handover(
    state: EpisodeState,
    protocol: Protocol,
    preparations: PreparationSet,
    *,
    unit_name: str,
    chain_head: str,
    printed_at: datetime,
    tz: ZoneInfo = LONDON,
) -> bytes:
    """Render the one-page in-utero transfer handover as PDF bytes (A4).

    Args:
        state: The folded episode.
        protocol: The sending unit's protocol (schedule, stop rule, antidote).
        preparations: The preparations file (names of the preparation used).
        unit_name: The sending unit.
        chain_head: The record's hash-chain head from the store, printed in the footer.
        printed_at: The print time (aware); grams are counted to the stop, or to this time if
            the infusion is still running.
        tz: Zone for every printed time.

    Raises:
        ReportInputError: The chain head is not a SHA-256 value or the print time is naive.
    """
    head = checked_chain_head(chain_head)
    printed_at = checked_time(printed_at, "print time")
    sheet = styles()
    course = state.current_course
    story: list[Flowable] = [
        para(f"From: {unit_name or 'unit not named'}", sheet.subtitle),
        para(TITLE, sheet.title),
        para(
            f"Protocol {protocol.id} {protocol.version} ({protocol.short_hash}) · "
            f"printed {local_time(printed_at, tz)}",
            sheet.small,
        ),
    ]
    if state.training:
        story.append(para("TRAINING RECORD – not a clinical handover.", sheet.warning))

    story += heading("What was given", flowing=False)
    story += _situation_now(state, course, printed_at, tz)
    story += _given(state, course, preparations, printed_at, tz)

    story += heading("Last observations", flowing=False)
    story += _observations(state, protocol, tz)

    story += heading("What the receiving unit must do next", flowing=False)
    story += _next_steps(state, course, protocol, printed_at, tz)

    story.append(write_in(["Receiving unit", "Left the sending unit (date, time)"]))
    story += signatures(
        ("Handing over (sending unit)", "Receiving (receiving unit)"),
        title="Handover",
        flowing=False,
    )
    story += record_check(head, protocol)

    # A safety net only: the lists above are already cut to fit. If free text is extreme the
    # content is scaled down rather than spilling onto a second page that could be lost.
    frame_height = FRAME_TOP - FRAME_BOTTOM
    page = KeepInFrame(CONTENT_WIDTH, frame_height - 2 * mm, story, mode="shrink")
    return patient_pdf(
        [page],
        state,
        protocol,
        kind=DOCUMENT_KIND,
        document_label="MgSO₄ transfer handover",
        unit_name=unit_name,
        chain_head=head,
        printed_at=printed_at,
        tz=tz,
    )


def _given(
    state: EpisodeState,
    course: CourseState | None,
    preparations: PreparationSet,
    printed_at: datetime,
    tz: ZoneInfo,
) -> list[Flowable]:
    sheet = styles()
    if course is None or course.load_started_at is None:
        return [para("No MgSO₄ has been started.", sheet.warning)]
    try:
        preparation_name = preparations.get(state.created.preparation_id).name
    except ValueError:
        preparation_name = state.created.preparation_id
    rows: list[tuple[str, Cell]] = [
        ("Preparation", preparation_name),
        ("Course", f"{course.number} of {len(state.courses)}"),
    ]
    load = course.load
    if load is not None:
        rows.append(
            (
                "Loading dose",
                f"{number(load.dose_g)} g = {number(load.volume_ml)} mL of "
                f"{concentration(load.concentration_g_per_ml)} at "
                f"{number(load.rate_ml_per_h)} mL/h over {number(load.duration_min)} min",
            )
        )
    rows.append(
        (
            "Load started / finished",
            f"{local_time(course.load_started_at, tz)} / "
            + (
                local_time(course.load_finished_at, tz)
                if course.load_finished_at
                else "not recorded"
            ),
        )
    )
    if course.maintenance is not None:
        rows.append(("Maintenance started", local_time(course.maintenance_started_at, tz)))
    if course.rates:
        latest = course.rates[-1]
        latest_rate = rate_with_grams(latest.rate_ml_per_h, latest.concentration_g_per_ml)
        rows.append(
            (
                "Rate at stop" if course.stopped_at is not None else "Rate now",
                markup(
                    f"<b>{esc(latest_rate)}</b> "
                    f"({esc(concentration(latest.concentration_g_per_ml))})",
                    sheet.cell,
                ),
            )
        )
        shown = course.rates[-MAX_RATE_ROWS:]
        hidden = len(course.rates) - len(shown)
        history = "; ".join(
            f"from {local_time(p.start, tz)}: {number(p.rate_ml_per_h)} mL/h = "
            f"{number(p.rate_g_per_h)} g/h"
            for p in shown
        )
        if hidden:
            history = f"({hidden} earlier on the full proforma) " + history
        rows.append(("Rate history", history))
    until = course.stopped_at or printed_at
    rows.append(
        (
            "Cumulative MgSO₄",
            markup(
                f"<b>{esc(grams(state.total_grams(until)))}</b> to {esc(local_time(until, tz))} "
                f"(all {len(state.courses)} course(s))",
                sheet.cell,
            ),
        )
    )
    if course.stopped_at is None:
        status = markup("<b>STILL RUNNING at the time of printing</b>", sheet.cell)
    else:
        reason = (
            course.stop_reason.label if course.stop_reason is not None else "reason not recorded"
        )
        if course.stop_text:
            reason += f": {course.stop_text}"
        words = (
            "Stopped for transfer"
            if course.stop_reason is StopReason.TRANSFER
            else f"Stopped ({reason})"
        )
        status = markup(
            f"<b>{esc(words)} at {esc(local_time(course.stopped_at, tz))}</b>", sheet.cell
        )
    rows.append(("Infusion", status))
    return [key_values(rows, label_width=42 * mm)]


def all_born(state: EpisodeState) -> bool:
    """Every expected baby has a recorded birth."""
    return bool(state.births) and len(state.births) >= state.created.plurality


def finished(state: EpisodeState, course: CourseState | None) -> bool:
    """Nothing more to continue: every baby is born, or the infusion was stopped for a reason
    other than transfer (a transfer stop is the one the receiving unit may restart)."""
    if all_born(state):
        return True
    return (
        course is not None
        and course.stopped_at is not None
        and course.stop_reason is not StopReason.TRANSFER
    )


def _situation_now(
    state: EpisodeState, course: CourseState | None, printed_at: datetime, tz: ZoneInfo
) -> list[Flowable]:
    sheet = styles()
    expected = state.created.plurality
    if all_born(state):
        last = max(birth.born_at for birth in state.births)
        text = (
            "<b>The baby is born</b>" if expected == 1 else f"<b>All {expected} babies are born</b>"
        ) + f" (last birth {esc(local_time(last, tz))})"
    else:
        today = state.gestation_at(printed_at, tz)
        text = (
            f"<b>Gestation today: {esc(gestation(today))}</b>"
            if today is not None and state.created.dating.edd is not None
            else "Gestation today: not worked out (no EDD recorded)"
        )
        text += f"; {expected} {'baby' if expected == 1 else 'babies'} expected"
        if state.births:
            text += f", {len(state.births)} born"
    if course is not None and course.stopped_at is not None and finished(state, course):
        text += (
            f". <b>The infusion was stopped at {esc(local_time(course.stopped_at, tz))}</b>: "
            "nothing to continue"
        )
    return [markup(text + ".", sheet.cell)]


def _observations(state: EpisodeState, protocol: Protocol, tz: ZoneInfo) -> list[Flowable]:
    entries = list(live_entries(state, EventType.OBSERVATION))
    if not entries:
        return [para("No observations recorded.", styles().warning)]
    shown = entries[-MAX_OBSERVATION_ROWS:]
    rows: list[list[Cell]] = []
    for entry in shown:
        obs = entry.payload
        marks = [flag.mark for flag in flag_observation(obs, protocol) if flag.mark]
        bp = (
            f"{obs.systolic_mmhg}/{obs.diastolic_mmhg}"
            if obs.systolic_mmhg is not None and obs.diastolic_mmhg is not None
            else "–"
        )
        urine = "–"
        if obs.urine_ml is not None:
            urine = f"{obs.urine_ml} mL" + (
                f" in {number(obs.urine_period_h)} h" if obs.urine_period_h is not None else ""
            )
        rows.append(
            [
                local_time(entry.at, tz),
                "–" if obs.pulse_per_min is None else str(obs.pulse_per_min),
                bp,
                "–" if obs.rr_per_min is None else str(obs.rr_per_min),
                "–" if obs.reflexes is None else obs.reflexes.value,
                urine,
                "–" if obs.spo2_percent is None else str(obs.spo2_percent),
                ", ".join(marks) or "none",
            ]
        )
    widths = [34, 13, 18, 14, 17, 21, 12, 29]
    flowables: list[Flowable] = [
        grid(
            [
                "Time",
                "Pulse (/min)",
                "BP (mmHg)",
                "RR (/min)",
                "Reflexes",
                "Urine",
                "SpO₂ (%)",
                "Marked",
            ],
            rows,
            [w * CONTENT_WIDTH / sum(widths) for w in widths],
        )
    ]
    if len(entries) > len(shown):
        flowables.append(
            para(
                f"{len(entries) - len(shown)} earlier sets are on the full proforma.",
                styles().small,
            )
        )
    return flowables


def _hours(value: Decimal) -> timedelta:
    """An exact timedelta for a Decimal number of hours (no float rounding)."""
    return timedelta(microseconds=int((value * 3_600_000_000).to_integral_value()))


def _last_full_set(state: EpisodeState) -> datetime | None:
    # The same rule as core.monitoring: only a full NICE set (pulse, BP, RR, reflexes) counts
    # as a check [N1] 1.10.5.
    full = [o.taken_at for o in state.observations if not missing_required(o.observation)]
    return max(full, default=None)


def _next_steps(
    state: EpisodeState,
    course: CourseState | None,
    protocol: Protocol,
    printed_at: datetime,
    tz: ZoneInfo,
) -> list[Flowable]:
    rules = protocol.monitoring
    interval = rules.interval_hours
    steps: list[str] = []
    if finished(state, course):
        steps.append(
            "MgSO₄ for neuroprotection is finished ("
            + ("every baby is born" if all_born(state) else "the infusion was stopped")
            + "): do not continue or restart it without a new decision; no MgSO₄ "
            "observations are due."
        )
        steps.append(
            f"Antidote available: {cited(f'{rules.antidote} {rules.antidote_source}', protocol)}"
        )
        return _numbered(state, steps)
    steps.append(
        "Continue or restart MgSO₄ according to the receiving unit's own protocol, and record "
        "the time it restarts (practice on transfer differs between units).",
    )
    observations_due: str
    running_due = [
        item for item in due_items(state, protocol, printed_at) if item.kind is DueKind.OBSERVATIONS
    ]
    if running_due:
        observations_due = local_time(running_due[0].due_at, tz)
    else:
        last = _last_full_set(state)
        observations_due = (
            f"{local_time(last + _hours(interval.value), tz)} "
            f"({number(interval.value)} h after the last full set)"
            if last is not None
            else "now (no full set recorded)"
        )
    steps.append(
        f"Observations (pulse, BP, respiratory rate, patellar reflexes) at least every "
        f"{number(interval.value)} h {cited(interval.source, protocol)}: next due "
        f"{observations_due}."
    )
    if course is not None:
        due = stop_due_at(
            protocol,
            load_started_at=course.load_started_at,
            maintenance_started_at=course.maintenance_started_at,
        )
        maintenance = protocol.maintenance
        anchor = _ANCHOR_WORDS.get(maintenance.stop_anchor, maintenance.stop_anchor)
        conditions = state.assessment.conditions if state.assessment is not None else ()
        at_birth = stops_at_birth(protocol, conditions)
        anchor_note = (
            "; the anchor is a local setting"
            if maintenance.stop_anchor_status in ("unverified", "local")
            else ""
        )
        birth_words = "at birth or " if at_birth else "NOT automatically at birth (NICE NG133); "
        if due is not None:
            steps.append(
                f"{number(maintenance.max_hours.value)} h limit: stop {birth_words}by "
                f"{local_time(due, tz)} ({number(maintenance.max_hours.value)} h from {anchor}, "
                f"{cited(maintenance.max_hours.source, protocol)}{anchor_note}), whichever "
                "is first."
            )
        else:
            steps.append(
                f"{number(maintenance.max_hours.value)} h limit runs from {anchor}: "
                "not yet started."
            )
    steps.append(
        "Stop the infusion and act if: respiratory rate below "
        f"{number(rules.rr_min_per_min.value)}/min or a fall of more than "
        f"{number(rules.rr_fall_from_baseline_per_min.value)}/min; reflexes absent; urine below "
        f"{number(rules.urine_min_ml_per_4h.value)} mL in 4 h; diastolic fall of more than "
        f"{number(rules.diastolic_fall_from_baseline_mmhg.value)} mmHg; SpO₂ below "
        f"{number(rules.spo2_min_percent.value)}% (the sending unit's protocol thresholds)."
    )
    steps.append(
        f"Antidote available: {cited(f'{rules.antidote} {rules.antidote_source}', protocol)}"
    )
    return _numbered(state, steps)


def _antidote(protocol: Protocol) -> str:
    rules = protocol.monitoring
    return f"Antidote available: {cited(f'{rules.antidote} {rules.antidote_source}', protocol)}"


def _numbered(state: EpisodeState, steps: list[str]) -> list[Flowable]:
    outstanding = _unacknowledged_alerts(state)
    if outstanding:
        steps.append(f"Alerts not acknowledged at handover: {'; '.join(outstanding)}")
    sheet = styles()
    return [
        markup(
            "<br/>".join(f"{index}. {esc(step)}" for index, step in enumerate(steps, 1)),
            sheet.body,
        ),
        para(
            f"Handed over by the sending unit; decision-maker: "
            f"{person(state.decision.decided_by) if state.decision else 'not recorded'}.",
            sheet.small,
        ),
    ]


def _unacknowledged_alerts(state: EpisodeState) -> list[str]:
    acknowledged = {ack.key for _, ack, _ in state.alerts_acknowledged}
    return [alert.message for _, alert in state.alerts_raised if alert.key not in acknowledged]
