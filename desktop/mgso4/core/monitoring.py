"""Toxicity checks on one set of observations, and the schedule of what is due when.

Two pure services for the bedside (decisions.md §7; reference §1.4, §6.2, §6.3):

- :func:`evaluate` compares an observation with the protocol's stop triggers and returns
  :class:`Finding` objects: what was measured, the threshold crossed, its source, and the
  actions the protocol lists. **The app never changes or stops an infusion by itself.** A
  finding is advice shown to the user; stopping the infusion is the user's act, recorded as an
  ``infusion-stopped`` event with its reason.
- :func:`due_items` lists what is due for an episode (end of the load, start of maintenance,
  the next toxicity observations, the maximum-duration stop) as UTC instants compared with the
  clock. Durations are real elapsed time, so a BST/GMT change never stretches "4 h" or "24 h"
  (design.md "Times").

NICE NG25 sets no numeric stop thresholds ([N1] 1.10.5–1.10.6, reference §1.4). Every number
used here comes from the protocol file, where the UK default takes them from local guidelines
([T1][T2][T5]); each finding says whether its threshold is such a local setting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict

from mgso4.core.episode import (
    CourseState,
    EpisodeState,
    Observation,
    ObservationState,
    Reflexes,
    SeverePreEclampsia,
    format_utc,
)
from mgso4.core.model import CoreModel
from mgso4.core.protocol import Protocol, Provenance, Sourced
from mgso4.core.timeutil import elapsed_hours, ensure_utc

#: Urine thresholds are stated per 4 hours ([T1][T2]); other periods are scaled to this.
URINE_REFERENCE_PERIOD_H = Decimal(4)

#: NICE's own oliguria rule, shown with every low-urine finding whatever the unit's threshold:
#: with oliguria or other evidence of renal failure, monitor for toxicity more often and reduce
#: or stop the dose. [N1] 1.10.6 (reference §1.4).
NICE_OLIGURIA_RULE = (
    "NICE: with oliguria or other evidence of renal failure, monitor for toxicity more often "
    "and reduce or stop the MgSO4 dose ([N1] 1.10.6)."
)
NICE_OLIGURIA_SOURCE = "[N1] 1.10.6"

#: The observations NICE asks for at least every 4 hours while on MgSO4. [N1] 1.10.5
NICE_REQUIRED_SOURCE = "[N1] 1.10.5"

Severity = Literal["stop", "warning", "info"]


class Finding(CoreModel):
    """One thing an observation shows, in plain words, with its source.

    Attributes:
        code: Stable id ("rr-low", "rr-fall", "reflexes-absent", "reflexes-reduced",
            "urine-low", "urine-period-missing", "diastolic-fall", "spo2-low",
            "observations-incomplete"). Stored with alerts and exported; never renamed.
        severity: "stop" (a stop trigger of the protocol was met), "warning" or "info".
        message: The measured value, the threshold and the unit, e.g.
            "Respiratory rate 10/min is below 12/min."
        actions: The protocol's action texts; stop-level findings end with the antidote.
        source: Source tag(s) of the threshold, e.g. "[T1][T2]".
        actions_source: Source tag(s) of the actions and antidote text.
        local_setting: The threshold is a local or unverified setting, not a national one;
            the screen shows "local setting" beside it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    severity: Severity
    message: str
    actions: tuple[str, ...] = ()
    source: str
    actions_source: str = ""
    local_setting: bool = False

    @property
    def action_text(self) -> str:
        """The actions as one block of text, one per line."""
        return "\n".join(self.actions)


class RequiredObservation(StrEnum):
    """The observations NICE asks for while on MgSO4 ([N1] 1.10.5)."""

    PULSE = "pulse"
    BLOOD_PRESSURE = "blood-pressure"
    RESPIRATORY_RATE = "respiratory-rate"
    REFLEXES = "reflexes"

    @property
    def label(self) -> str:
        """Plain words."""
        return _REQUIRED_LABELS[self]


_REQUIRED_LABELS = {
    RequiredObservation.PULSE: "pulse",
    RequiredObservation.BLOOD_PRESSURE: "blood pressure",
    RequiredObservation.RESPIRATORY_RATE: "respiratory rate",
    RequiredObservation.REFLEXES: "deep tendon reflexes",
}


def _number(value: Decimal | int) -> str:
    """A number as people write it: 100 not 1E+2, 12.5 not 12.50."""
    if isinstance(value, int):
        return str(value)
    normalised = value.normalize()
    if normalised == normalised.to_integral_value():
        return str(normalised.quantize(Decimal(1)))
    return format(normalised, "f")


def _is_local(status: Provenance) -> bool:
    return status in (Provenance.UNVERIFIED, Provenance.LOCAL)


def _stop_actions(protocol: Protocol) -> tuple[str, ...]:
    """The protocol's actions for a stop trigger, ending with the antidote ([R1], §6.3)."""
    rule = protocol.monitoring
    return (*rule.actions, f"Antidote: {rule.antidote}")


def _stop_actions_source(protocol: Protocol) -> str:
    rule = protocol.monitoring
    return f"{rule.actions_source}; antidote {rule.antidote_source}"


def _stop(
    protocol: Protocol,
    code: str,
    message: str,
    threshold: Sourced,
    *,
    leading_actions: tuple[str, ...] = (),
    extra_source: str = "",
) -> Finding:
    source = threshold.source + (f"; {extra_source}" if extra_source else "")
    return Finding(
        code=code,
        severity="stop",
        message=message,
        actions=(*leading_actions, *_stop_actions(protocol)),
        source=source,
        actions_source=_stop_actions_source(protocol),
        local_setting=threshold.is_local_setting,
    )


def evaluate(observation: Observation, protocol: Protocol) -> list[Finding]:
    """Compare one set of observations with the protocol's stop triggers.

    Each trigger follows its wording exactly (decisions.md §7; reference §6.2):

    - respiratory rate below ``rr_min_per_min`` ("RR < 12": 12 is fine, 11 triggers) [T1][T2];
    - respiratory rate more than ``rr_fall_from_baseline_per_min`` below the baseline
      ("fall > 4": a fall of 4 is fine, 5 triggers) [T1];
    - patellar reflexes absent, when ``reflexes_absent_stop`` [T1][T2] (a warning otherwise);
      reduced reflexes are a warning;
    - urine below ``urine_min_ml_per_4h`` once scaled to 4 hours (urine_ml × 4 / period_h;
      "< 100 mL in 4 h": 100 is fine, 99 triggers) [T1][T2], with NICE's oliguria rule
      [N1] 1.10.6 among the actions;
    - diastolic pressure more than ``diastolic_fall_from_baseline_mmhg`` below the baseline
      ("fall > 15": 15 is fine, 16 triggers) [T1];
    - SpO2 below ``spo2_min_percent`` ("< 94": 94 is fine) [T5].

    - serum magnesium above ``serum_mg_upper_mmol_per_l`` (above ``serum_mg_act_now_mmol_per_l``:
      respiratory depression risk, act now), systolic below ``systolic_min_mmhg``, pulse below
      ``pulse_min_per_min``, reduced consciousness, chest pain or breathing difficulty
      (decisions.md §14, LOCAL settings).

    A value that was not measured (or a fall without its baseline) produces no finding; use
    :func:`missing_required` to warn about the NICE set.

    This only reports. The app never changes a rate or stops an infusion by itself: stopping
    is the user's act, recorded with its reason.

    Args:
        observation: One set of observations as recorded.
        protocol: The unit protocol in force (its ``monitoring`` section).

    Returns:
        Findings in a fixed order: respiratory rate, reflexes, urine, blood pressure, SpO2.
    """
    rule = protocol.monitoring
    findings: list[Finding] = []

    rr = observation.rr_per_min
    if rr is not None:
        rr_min = rule.rr_min_per_min
        if rr < rr_min.value:
            findings.append(
                _stop(
                    protocol,
                    "rr-low",
                    f"Respiratory rate {rr}/min is below {_number(rr_min.value)}/min.",
                    rr_min,
                )
            )
        baseline_rr = observation.baseline_rr_per_min
        if baseline_rr is not None:
            rr_fall = rule.rr_fall_from_baseline_per_min
            fall = baseline_rr - rr
            if fall > rr_fall.value:
                findings.append(
                    _stop(
                        protocol,
                        "rr-fall",
                        f"Respiratory rate {rr}/min is {fall}/min below the baseline "
                        f"{baseline_rr}/min: a fall of more than {_number(rr_fall.value)}/min.",
                        rr_fall,
                    )
                )

    if observation.reflexes is Reflexes.ABSENT:
        if rule.reflexes_absent_stop:
            findings.append(
                Finding(
                    code="reflexes-absent",
                    severity="stop",
                    message="Patellar reflexes are absent.",
                    actions=_stop_actions(protocol),
                    source=rule.reflexes_source,
                    actions_source=_stop_actions_source(protocol),
                    local_setting=_is_local(rule.reflexes_status),
                )
            )
        else:
            findings.append(
                Finding(
                    code="reflexes-absent",
                    severity="warning",
                    message=(
                        "Patellar reflexes are absent. This protocol does not make absent "
                        "reflexes a stop trigger: look for other signs of toxicity."
                    ),
                    source=rule.reflexes_source,
                    local_setting=_is_local(rule.reflexes_status),
                )
            )
    elif observation.reflexes is Reflexes.REDUCED:
        absent_words = "a stop trigger" if rule.reflexes_absent_stop else "a warning sign"
        findings.append(
            Finding(
                code="reflexes-reduced",
                severity="warning",
                message=(
                    f"Patellar reflexes are reduced (not absent). Absent reflexes are "
                    f"{absent_words}: check them again and look for other signs of toxicity."
                ),
                source=rule.reflexes_source,
                local_setting=_is_local(rule.reflexes_status),
            )
        )

    findings.extend(_urine_findings(observation, protocol))

    diastolic = observation.diastolic_mmhg
    baseline_diastolic = observation.baseline_diastolic_mmhg
    if diastolic is not None and baseline_diastolic is not None:
        diastolic_fall = rule.diastolic_fall_from_baseline_mmhg
        fall = baseline_diastolic - diastolic
        if fall > diastolic_fall.value:
            findings.append(
                _stop(
                    protocol,
                    "diastolic-fall",
                    f"Diastolic blood pressure {diastolic} mmHg is {fall} mmHg below the "
                    f"baseline {baseline_diastolic} mmHg: a fall of more than "
                    f"{_number(diastolic_fall.value)} mmHg.",
                    diastolic_fall,
                )
            )

    spo2 = observation.spo2_percent
    if spo2 is not None:
        spo2_min = rule.spo2_min_percent
        if spo2 < spo2_min.value:
            findings.append(
                _stop(
                    protocol,
                    "spo2-low",
                    f"SpO2 {spo2}% is below {_number(spo2_min.value)}%.",
                    spo2_min,
                )
            )
    findings.extend(_further_signs(observation, protocol))
    return findings


def _further_signs(observation: Observation, protocol: Protocol) -> list[Finding]:
    """Decisions.md §14 (LOCAL settings): serum magnesium against the protocol's levels,
    systolic pressure, pulse, reduced consciousness, chest pain or breathing difficulty."""
    rule = protocol.monitoring
    found: list[Finding] = []
    serum = observation.serum_mg_mmol_per_l
    act_now = rule.serum_mg_act_now_mmol_per_l
    upper = rule.serum_mg_upper_mmol_per_l
    if serum is not None and act_now is not None and serum > act_now.value:
        found.append(
            _stop(
                protocol,
                "serum-mg-act-now",
                f"Serum magnesium {_number(serum)} mmol/L is above {_number(act_now.value)} "
                "mmol/L: risk of respiratory depression — act now.",
                act_now,
            )
        )
    elif serum is not None and upper is not None and serum > upper.value:
        found.append(
            _stop(
                protocol,
                "serum-mg-high",
                f"Serum magnesium {_number(serum)} mmol/L is above the upper therapeutic level "
                f"{_number(upper.value)} mmol/L.",
                upper,
            )
        )
    systolic = observation.systolic_mmhg
    systolic_min = rule.systolic_min_mmhg
    if systolic is not None and systolic_min is not None and systolic < systolic_min.value:
        found.append(
            _stop(
                protocol,
                "systolic-low",
                f"Systolic blood pressure {systolic} mmHg is below "
                f"{_number(systolic_min.value)} mmHg.",
                systolic_min,
            )
        )
    pulse = observation.pulse_per_min
    pulse_min = rule.pulse_min_per_min
    if pulse is not None and pulse_min is not None and pulse < pulse_min.value:
        found.append(
            _stop(
                protocol,
                "pulse-low",
                f"Pulse {pulse}/min is below {_number(pulse_min.value)}/min.",
                pulse_min,
            )
        )
    symptoms = [
        (observation.consciousness == "reduced", "consciousness-reduced", "Reduced consciousness."),
        (observation.chest_pain, "chest-pain", "Chest pain."),
        (observation.breathing_difficulty, "breathing-difficulty", "Breathing difficulty."),
    ]
    for present, code, words in symptoms:
        if present and rule.symptoms_stop:
            found.append(
                Finding(
                    code=code,
                    severity="stop",
                    message=words,
                    actions=_stop_actions(protocol),
                    source=rule.symptoms_source,
                    actions_source=_stop_actions_source(protocol),
                    local_setting=True,
                )
            )
    return found


def _urine_findings(observation: Observation, protocol: Protocol) -> list[Finding]:
    urine_ml = observation.urine_ml
    if urine_ml is None:
        return []
    period_h = observation.urine_period_h
    threshold = protocol.monitoring.urine_min_ml_per_4h
    if period_h is None:
        # Never guess the period: a volume alone cannot be compared with "mL in 4 h".
        return [
            Finding(
                code="urine-period-missing",
                severity="info",
                message=(
                    f"Urine {urine_ml} mL was recorded without the hours it covers, so it "
                    f"cannot be compared with {_number(threshold.value)} mL in 4 h."
                ),
                source=threshold.source,
                local_setting=threshold.is_local_setting,
            )
        ]
    per_4h = Decimal(urine_ml) * URINE_REFERENCE_PERIOD_H / period_h
    if per_4h >= threshold.value:
        return []
    if period_h == URINE_REFERENCE_PERIOD_H:
        measured = f"Urine output {urine_ml} mL in 4 h"
    elif per_4h == per_4h.to_integral_value():
        measured = (
            f"Urine output {urine_ml} mL in {_number(period_h)} h ({_number(per_4h)} mL in 4 h)"
        )
    else:
        measured = (
            f"Urine output {urine_ml} mL in {_number(period_h)} h "
            f"(about {_number(per_4h.quantize(Decimal('0.1')))} mL in 4 h)"
        )
    return [
        _stop(
            protocol,
            "urine-low",
            f"{measured} is below {_number(threshold.value)} mL in 4 h: oliguria.",
            threshold,
            leading_actions=(NICE_OLIGURIA_RULE,),
            extra_source=NICE_OLIGURIA_SOURCE,
        )
    ]


def missing_required(observation: Observation) -> list[RequiredObservation]:
    """Which of the NICE set (pulse, blood pressure, respiratory rate, deep tendon reflexes)
    were not recorded ([N1] 1.10.5). Blood pressure counts only with both numbers.
    """
    missing: list[RequiredObservation] = []
    if observation.pulse_per_min is None:
        missing.append(RequiredObservation.PULSE)
    if observation.systolic_mmhg is None or observation.diastolic_mmhg is None:
        missing.append(RequiredObservation.BLOOD_PRESSURE)
    if observation.rr_per_min is None:
        missing.append(RequiredObservation.RESPIRATORY_RATE)
    if observation.reflexes is None:
        missing.append(RequiredObservation.REFLEXES)
    return missing


def missing_required_finding(observation: Observation) -> Finding | None:
    """A warning naming the NICE observations not recorded, or None if all were."""
    missing = missing_required(observation)
    if not missing:
        return None
    names = ", ".join(item.label for item in missing)
    return Finding(
        code="observations-incomplete",
        severity="warning",
        message=(
            f"Not recorded: {names}. NICE asks for pulse, blood pressure, respiratory rate and "
            "deep tendon reflexes at least every 4 hours while on MgSO4."
        ),
        source=NICE_REQUIRED_SOURCE,
    )


# --------------------------------------------------------------------------- schedule


class DueKind(StrEnum):
    """What a due item asks for."""

    LOAD_END = "load-end"
    MAINTENANCE_START = "maintenance-start"
    OBSERVATIONS = "observations"
    MAX_DURATION_STOP = "max-duration-stop"
    STOP_AT_BIRTH = "stop-at-birth"
    REVIEW = "review"


class DueItem(CoreModel):
    """One thing due for an episode at a UTC instant.

    Attributes:
        key: Stable and unique per due instance, e.g. ``"obs:1:2026-03-29T04:00:00.000000Z"``,
            ``"load-end:1"``, ``"maintenance-start:1"``, ``"stop:1"``, ``"birth-stop:1"``.
            An ``alert-acknowledged`` event with the same key acknowledges it; a new
            observation moves the next observation time and so makes a new key.
        kind: What is due.
        course_number: The course it belongs to.
        label: Plain words for the board and the episode view.
        due_at: When it is due (aware UTC).
        overdue: The due time has been reached or passed at ``now``.
        acknowledged: Someone acknowledged this key.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    kind: DueKind
    course_number: int
    label: str
    due_at: datetime
    overdue: bool
    acknowledged: bool


def _hours(value: Decimal) -> timedelta:
    """Exact timedelta for a Decimal number of hours (no float rounding)."""
    return timedelta(microseconds=int((value * 3_600_000_000).to_integral_value()))


def _minutes(value: Decimal) -> timedelta:
    """Exact timedelta for a Decimal number of minutes (no float rounding)."""
    return timedelta(microseconds=int((value * 60_000_000).to_integral_value()))


def _counts_as_check(obs: ObservationState) -> bool:
    # Only a full NICE set resets the clock: otherwise an hourly urine entry would keep
    # pushing back the 4-hourly respiratory rate and reflex checks. [N1] 1.10.5
    return not missing_required(obs.observation)


def _observation_anchor(state: EpisodeState, start: datetime) -> datetime:
    """The latest full set of observations since ``start`` (the load start), or ``start``."""
    taken = [
        ensure_utc(obs.taken_at, "observation time")
        for obs in state.observations
        if _counts_as_check(obs)
    ]
    return max([start, *(t for t in taken if t >= start)])


def stop_plan(state: EpisodeState) -> SeverePreEclampsia | None:
    """The team's stop plan when MgSO₄ is also given for severe pre-eclampsia or eclampsia,
    recorded as its own indication by a named senior with the decision (decisions.md §4);
    None otherwise. Pre-eclampsia recorded only as a condition changes nothing."""
    decision = state.decision
    if decision is None or not decision.give or decision.senior is None:
        return None
    return decision.severe_pre_eclampsia


def _course_items(
    state: EpisodeState, course: CourseState, load_started_at: datetime, protocol: Protocol
) -> list[tuple[str, DueKind, str, datetime]]:
    """(key, kind, label, due_at) for one running course that started loading at the time."""
    number = course.number
    items: list[tuple[str, DueKind, str, datetime]] = []
    maintenance = protocol.maintenance

    if (
        course.load_started_at is not None
        and course.load_finished_at is None
        and course.maintenance_started_at is None
    ):
        duration_min = (
            course.load.duration_min
            if course.load is not None
            else protocol.loading.duration_min.value
        )
        items.append(
            (
                f"load-end:{number}",
                DueKind.LOAD_END,
                f"Loading dose due to finish ({_number(duration_min)} min): "
                "record the end of the load.",
                load_started_at + _minutes(duration_min),
            )
        )
    elif (
        course.load_finished_at is not None
        and course.maintenance_started_at is None
        and not maintenance.optional
    ):
        items.append(
            (
                f"maintenance-start:{number}",
                DueKind.MAINTENANCE_START,
                f"Loading dose finished: start the maintenance infusion "
                f"({_number(maintenance.rate_g_per_h.value)} g/h) "
                f"{maintenance.rate_g_per_h.source}.",
                ensure_utc(course.load_finished_at, "loading end time"),
            )
        )

    interval = protocol.monitoring.interval_hours
    obs_due = _observation_anchor(state, load_started_at) + _hours(interval.value)
    items.append(
        (
            f"obs:{number}:{format_utc(obs_due)}",
            DueKind.OBSERVATIONS,
            "Toxicity observations due: pulse, blood pressure, respiratory rate, reflexes "
            f"(every {_number(interval.value)} h, {interval.source}).",
            obs_due,
        )
    )

    plan = stop_plan(state)
    birth_at = state.last_birth_at
    if birth_at is not None and maintenance.stop_at_birth and plan is None:
        # The infusion stops at the birth of the LAST baby ([N1] 1.10.4; decisions.md §13);
        # a running course once every baby is born needs stopping now, ahead of any later
        # maximum-duration time. An earlier twin's birth never prompts a stop.
        babies = state.babies_expected
        born_words = "Birth recorded" if babies == 1 else f"All {babies} babies are born"
        items.append(
            (
                f"birth-stop:{number}",
                DueKind.STOP_AT_BIRTH,
                f"{born_words}: this protocol stops the MgSO4 infusion at birth. "
                "Stop it and record the stop.",
                ensure_utc(birth_at, "birth time"),
            )
        )
        return items

    anchor: datetime | None
    if course.restarted_without_load and course.maintenance_started_at is not None:
        # A repeat course restarted without a load (decisions.md §8): its own clock starts
        # when maintenance restarted, whichever anchor the protocol uses.
        anchor = ensure_utc(course.maintenance_started_at, "maintenance restart time")
        anchor_words = "the restart of maintenance"
    elif maintenance.stop_anchor == "load-start":
        anchor, anchor_words = load_started_at, "the start of the loading dose"
    elif course.maintenance_started_at is not None:
        anchor = ensure_utc(course.maintenance_started_at, "maintenance start time")
        anchor_words = "the start of maintenance"
    else:
        anchor, anchor_words = None, ""
    if anchor is not None:
        max_hours = maintenance.max_hours
        local = (
            " (local setting)"
            if _is_local(maintenance.stop_anchor_status) or max_hours.is_local_setting
            else ""
        )
        label = (
            f"Stop due: maximum {_number(max_hours.value)} h from {anchor_words}{local} "
            f"{max_hours.source}. Stop the infusion and record the stop."
        )
        if maintenance.max_hours_is_review and plan is None:
            # A review time, not a stop ([A4]: at least 12 h; stop after 12 h unless birth is
            # anticipated): the team decides, and records a stop or its plan.
            items.append(
                (
                    f"review:{number}",
                    DueKind.REVIEW,
                    f"Review due: {_number(max_hours.value)} h from {anchor_words}{local} "
                    f"{max_hours.source}. Stop unless birth is anticipated: record the stop, "
                    "or acknowledge with the plan.",
                    anchor + _hours(max_hours.value),
                )
            )
            return items
        if plan is not None:
            what = "eclampsia" if plan.eclampsia else "severe pre-eclampsia"
            label += (
                f" MgSO4 is also given for {what} (named senior): the team's stop plan "
                f"replaces the stop at birth: {plan.stop_plan} ([N3] 1.8.4)."
            )
        elif state.births and not state.all_born:
            label += (
                f" {len(state.births)} of {state.babies_expected} babies born: the infusion "
                "runs until the last baby is born."
            )
        items.append(
            (f"stop:{number}", DueKind.MAX_DURATION_STOP, label, anchor + _hours(max_hours.value))
        )
    return items


def due_items(state: EpisodeState, protocol: Protocol, now: datetime) -> list[DueItem]:
    """Everything due for an episode, overdue first, then by due time.

    For each course that is running (loading started, no stop recorded):

    - loading running: its end is due at load start + the recorded load duration;
    - load finished, maintenance not started and not optional: starting it is due at once;
    - observations due ``monitoring.interval_hours`` after the latest full NICE set
      ([N1] 1.10.5) taken since this course's load started, or after the load start;
    - the maximum-duration stop, due ``maintenance.max_hours`` after the protocol's anchor
      (maintenance start or load start, decisions.md §4); with a maintenance-start anchor and
      maintenance not yet started there is no stop item yet;
    - once every expected baby is born and the protocol stops at birth ([N1] 1.10.4), the stop
      is due at the last birth instead (an earlier twin's birth changes nothing, decisions.md
      §13); not when a named senior recorded severe pre-eclampsia or eclampsia as its own
      indication with a stop plan (NICE NG133 [N3] 1.8.4, decisions.md §4).

    Nothing is due when no course is running (not given, stopped, or not started). Observations
    stay due while an infusion runs, even after a birth, because the drug is still running.

    All arithmetic is on UTC instants (real elapsed time), so a 4 h interval across a BST/GMT
    change is exactly 4 h.

    Args:
        state: The folded episode.
        protocol: The unit protocol in force.
        now: The current instant (aware).

    Returns:
        Due items; ``acknowledged`` is True when an ``alert-acknowledged`` event has the key.
    """
    now_utc = ensure_utc(now, "current time")
    acknowledged_keys = {ack.key for _, ack, _ in state.alerts_acknowledged}
    items: list[DueItem] = []
    for course in state.courses:
        if course.started_at is None or course.stopped_at is not None:
            continue
        load_started_at = ensure_utc(course.started_at, "course start time")
        for key, kind, label, due_at in _course_items(state, course, load_started_at, protocol):
            items.append(
                DueItem(
                    key=key,
                    kind=kind,
                    course_number=course.number,
                    label=label,
                    due_at=due_at,
                    overdue=now_utc >= due_at,
                    acknowledged=key in acknowledged_keys,
                )
            )
    items.sort(key=lambda item: (not item.overdue, item.due_at, item.key))
    return items


def next_due(state: EpisodeState, protocol: Protocol, now: datetime) -> DueItem | None:
    """The first due item not yet acknowledged (in :func:`due_items` order), or None."""
    return next((item for item in due_items(state, protocol, now) if not item.acknowledged), None)


def cumulative_exposure(state: EpisodeState, now: datetime) -> tuple[Decimal, Decimal]:
    """Grams given and hours of infusion across every course, up to ``now``.

    Grams are the load plus maintenance by real elapsed time, from the recorded rates and
    concentrations (``CourseState.grams_given``). Hours run from each load start to its stop,
    or to ``now`` while it runs. Shown for repeat courses against the MHRA window of more than
    5–7 days of exposure ([M1], decisions.md §8).

    Returns:
        ``(grams, hours)`` as Decimals, not rounded.
    """
    now_utc = ensure_utc(now, "current time")
    grams = Decimal(0)
    hours = Decimal(0)
    for course in state.courses:
        grams += course.grams_given(now_utc)
        started = course.started_at
        if started is None:
            continue
        start = ensure_utc(started, "course start time")
        end = now_utc
        if course.stopped_at is not None:
            end = min(end, ensure_utc(course.stopped_at, "stop time"))
        if end > start:
            hours += elapsed_hours(start, end)
    return grams, hours
