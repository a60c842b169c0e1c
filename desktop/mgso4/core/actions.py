"""Every episode action declared once: its key, label, entry type, payload, and its rules.

This is the one place that says what may be done to an episode and when (design.md
"Boundaries"). Screens, the scripting front end (``mgso4 record``) and the store all read it:

- :func:`why_not` — is an action available in this state at this time? None means yes;
  otherwise the plain-words reason a midwife reads (the button's tooltip, the command line's
  refusal). Pure: ``(state, protocol, now)``.
- an action's ``check`` — given the values (a dose, a rate, a baby number), are they allowed?
  Hard limits refuse; soft limits need an explicit confirmation carried in the entry with a
  reason (``Confirmation``); the values must agree with each other (dose = volume ×
  concentration; g/h = mL/h × g/mL, never typed).
- :func:`check_drafts` — what the store runs before it seals a transaction: every new entry
  is checked as its action, at its clinical time, in the state just before it; an amendment is
  checked as the action it corrects; and no entry of the record may become impossible (the
  fold's own rules, ``core.episode.HANDLERS``). Anything refused refuses the whole
  transaction.
- :func:`plan` — turns one scripting line (``{"action": KEY, …fields}``) into entries, through
  the same specs: the command line holds no rule of its own.

Modelled on Electrum's Qt-free wizard: the step graph and its accept handlers "serve as a base
for all UIs, so no qt", and are tested without widgets.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mgso4.core.alerts import baseline_observations, open_alerts
from mgso4.core.dosing import (
    DoseInputError,
    LimitCheck,
    check_loading,
    check_maintenance_rate,
    loading_plan,
    maintenance_plan,
    percent_label,
    plain,
)
from mgso4.core.eligibility import AssessmentInputs, assess, to_assessed_payload
from mgso4.core.episode import (
    LONDON,
    Actor,
    AlertAcknowledged,
    AlertRaised,
    Amendment,
    AntenatalSteroids,
    Assessed,
    Birth,
    Confirmation,
    CourseState,
    Dating,
    DatingDiscrepancy,
    Decision,
    EpisodeClosed,
    EpisodeCreated,
    EpisodeState,
    Event,
    EventDraft,
    EventError,
    EventType,
    Exported,
    InformationGiven,
    InfusionStopped,
    InteractionAcknowledged,
    InUteroTransfer,
    LabourEvidence,
    LoadFinished,
    LoadStarted,
    MaintenanceStarted,
    NeonatalTeamInformed,
    Note,
    NotGiven,
    Observation,
    Patient,
    PreLoadChecks,
    Prescribed,
    Printed,
    ProtocolRef,
    RateChanged,
    Reflexes,
    SeverePreEclampsia,
    StopReason,
    SyringeChanged,
    TimelineEntry,
    Void,
    amended_payload,
    effective_events,
    extend,
    fold,
    parse_payload,
    record_order,
    validate_payload,
)
from mgso4.core.flow import SENIOR_DECISION_REASON
from mgso4.core.gestation import DatingMethod, GestationalAge, GestationError
from mgso4.core.identifiers import check_identifier
from mgso4.core.model import CoreModel
from mgso4.core.opening import opening_decision
from mgso4.core.protocol import MissedReasonRule, PreparationSet, Protocol, ProtocolError
from mgso4.core.timeutil import (
    AmbiguousLocalTimeError,
    LocalTimeError,
    elapsed_hours,
    format_local,
    parse_local_datetime,
)
from mgso4.core.vocab import (
    ConditionId,
    IdentifierType,
    MedicationId,
    Recommendation,
    Role,
    Situation,
)


class ActionRefused(EventError):
    """An action the rules refuse; the message says why in plain words.

    Attributes:
        draft_uuid: The new entry that was refused (or that made a later entry impossible).
        action: The action's key, when known.
        soft_limits: When the only reason is a soft limit: its messages. The entry may be
            recorded once confirmed on purpose with a reason (a screen asks for it).
    """

    def __init__(
        self,
        message: str,
        *,
        draft_uuid: str | None = None,
        action: str | None = None,
        soft_limits: tuple[str, ...] = (),
    ):
        super().__init__(message)
        self.draft_uuid = draft_uuid
        self.action = action
        self.soft_limits = soft_limits


#: ``(state, protocol, now) -> reason or None``: is the action available now?
WhyNot = Callable[[EpisodeState, Protocol, datetime], "str | None"]
#: ``(state, protocol, payload, at) -> LimitCheck``: are these values allowed?
PayloadCheck = Callable[[EpisodeState, Protocol, Any, datetime], LimitCheck]


def _verdict(refusals: Sequence[str], confirmations: Sequence[str] = ()) -> LimitCheck:
    if refusals:
        return LimitCheck(level="refuse", messages=(*refusals, *confirmations))
    if confirmations:
        return LimitCheck(level="confirm", messages=tuple(confirmations))
    return LimitCheck(level="ok")


@functools.cache
def _ok() -> LimitCheck:
    """Nothing to say (made on first use, so importing the rules builds no model)."""
    return LimitCheck(level="ok")


def _always(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    return None


def _no_check(state: EpisodeState, protocol: Protocol, payload: Any, at: datetime) -> LimitCheck:
    return _ok()


# --------------------------------------------------------------------------- state helpers


def next_course_number(state: EpisodeState) -> int:
    """The number the next course would take (1 for the first)."""
    return max((course.number for course in state.courses), default=0) + 1


def last_stop(state: EpisodeState) -> datetime | None:
    """When the latest course's infusion ended, if a course has ended."""
    course = state.current_course
    return None if course is None else course.stopped_at


def current_concentration(course: CourseState) -> Decimal | None:
    """The concentration (g/mL) of what is running now in a course (maintenance first)."""
    if course.rates:
        return course.rates[-1].concentration_g_per_ml
    if course.maintenance is not None:
        return course.maintenance.concentration_g_per_ml
    if course.load is not None:
        return course.load.concentration_g_per_ml
    return None


def current_rate_ml_per_h(course: CourseState) -> Decimal | None:
    """The maintenance pump rate now (mL/h), if maintenance has started."""
    return course.rates[-1].rate_ml_per_h if course.rates else None


def load_end_due_at(state: EpisodeState, course: CourseState | None = None) -> datetime | None:
    """When the running course's loading dose is due to end, while its end is not recorded.

    The load start plus the recorded load duration (the same instant as
    ``core.monitoring.due_items``'s load-end item). None when no load is running.
    """
    course = course if course is not None else state.running_course
    if course is None or not course.loading:
        return None
    return course.load_planned_end


def _giving_decision(state: EpisodeState, number: int) -> bool:
    decision = state.decision
    return decision is not None and decision.give and decision.course_number == number


def _hours_words(hours: Decimal) -> str:
    return f"{plain(hours.quantize(Decimal('0.1')))} h"


def _delivered(state: EpisodeState) -> bool:
    return bool(state.births) and state.all_born


# --------------------------------------------------------------------------- rules: when


def _why_not_decide(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    running = state.running_course
    if running is not None:
        return f"Course {running.number} is running; stop it before a new decision."
    return None


def _needs_its_decision(state: EpisodeState) -> str | None:
    """Why the next course cannot start for want of its own decision to give, or None."""
    number = next_course_number(state)
    if _giving_decision(state, number):
        return None
    if number == 1:
        return "No decision to give MgSO₄ is recorded: record the decision first."
    return (
        f"Course {number} needs its own decision to give, with a named senior "
        ": record the decision first."
    )


def _within_repeat_gap(state: EpisodeState, protocol: Protocol, now: datetime) -> tuple[bool, str]:
    """Whether ``now`` is within the protocol's gap after the last infusion ended (a repeat
    course restarts maintenance; after it, a new load: decisions.md §8), and it in words."""
    stopped = last_stop(state)
    gap = Decimal(0) if stopped is None or now < stopped else elapsed_hours(stopped, now)
    min_gap = protocol.repeat_course.min_gap_hours
    within = gap <= min_gap.value
    words = (
        f"The last infusion ended {_hours_words(gap)} ago, "
        f"{'within' if within else 'more than'} {plain(min_gap.value)} h ({min_gap.source})"
    )
    return within, words


def _why_not_start_load(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    running = state.running_course
    if running is not None:
        return f"Course {running.number} is already running."
    if _delivered(state):
        return "Every baby's birth is recorded."
    missing = _needs_its_decision(state)
    if missing is not None:
        return missing
    if last_stop(state) is not None:
        within, words = _within_repeat_gap(state, protocol, now)
        if within:
            return f"{words}: restart maintenance without a new loading dose."
    return None


def _why_not_end_load(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    running = state.running_course
    if running is None or not running.loading:
        return "No loading dose is running."
    return None


def why_not_start_maintenance(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    """Why "Start maintenance" is not available at ``now``, or None when it is.

    Available while a course's load runs or has finished without maintenance: once the end of
    its loading dose is recorded, or due (now at or after the load start plus its duration).
    In the second case the front end records the load end with it (the screen's form and
    ``mgso4 record`` both do), so the usual path from a running load is one step.
    """
    course = state.running_course
    if course is None:
        return "No infusion is running."
    if course.maintenance_started_at is not None:
        return "Maintenance has already started."
    if course.load is None or course.load_started_at is None:
        return "No loading dose is recorded for this course."
    if course.load_finished_at is not None:
        return None
    due_at = course.load_planned_end
    if due_at is not None and now < due_at:
        return (
            f"Only once the loading dose has finished (due {format_local(due_at, LONDON)}), "
            "or record Load finished first."
        )
    return None


def _why_not_restart(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    running = state.running_course
    if running is not None:
        return f"Course {running.number} is running."
    if last_stop(state) is None:
        return "No earlier course has ended: a first course starts with a loading dose."
    if _delivered(state):
        return "Every baby's birth is recorded."
    if not protocol.repeat_course.allowed:
        return (
            f"The {protocol.name} protocol does not support a repeat course "
            f"({protocol.repeat_course.source})."
        )
    missing = _needs_its_decision(state)
    if missing is not None:
        return missing
    within, words = _within_repeat_gap(state, protocol, now)
    if not within:
        return f"{words}: a new course starts with a loading dose."
    return None


def _why_not_maintaining(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    course = state.running_course
    if course is None or not course.maintaining:
        return "No maintenance infusion is running."
    return None


def _why_not_stop(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    if state.running_course is None:
        return "No infusion is running."
    return None


def _why_not_birth(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    if state.all_born:
        return "Every baby's birth is recorded."
    return None


def _why_not_not_given(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    if any(course.started_at is not None for course in state.courses):
        return "MgSO₄ was started in this episode."
    if state.not_given is not None:
        return "A reason is already recorded (amend it to change it)."
    return None


def _acknowledgeable(state: EpisodeState, protocol: Protocol, now: datetime) -> set[str]:
    # Overdue items are open alerts too (``core.alerts``): one list to acknowledge from.
    return {alert.id for alert in open_alerts(state, protocol, now)}


def _why_not_acknowledge(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    if not _acknowledgeable(state, protocol, now):
        return "No alert is open."
    return None


def _why_not_close(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    running = state.running_course
    if running is not None:
        return f"Course {running.number} is running: stop the infusion first."
    found = open_alerts(state, protocol, now)
    if found:
        return (
            f"{len(found)} alert{'s are' if len(found) != 1 else ' is'} open: record what was "
            "done, or acknowledge with a reason, first."
        )
    closed = state.closed
    if closed is not None and (closed.reassess_at is None or closed.reassess_at > now):
        return "The episode is already closed."
    return None


#: Entries that cannot be amended: corrections themselves, and facts about the record.
NOT_AMENDABLE: Final = frozenset(
    {
        EventType.AMENDMENT,
        EventType.VOID,
        EventType.PRINTED,
        EventType.EXPORTED,
        EventType.ALERT_RAISED,
        EventType.ASSESSED,  # computed by the app from the inputs: re-assess, never edit
    }
)
#: Entries that cannot be voided (the record would lose its meaning or its audit trail).
NOT_VOIDABLE: Final = frozenset(
    {EventType.EPISODE_CREATED, EventType.VOID, EventType.PRINTED, EventType.EXPORTED}
)


def why_not_amendable(entry: TimelineEntry) -> str | None:
    """Why an entry cannot be amended, or None."""
    if entry.voided_by is not None:
        return "This entry has been voided; it cannot be amended."
    if entry.event.type in NOT_AMENDABLE:
        return f"A “{entry.event.type.label}” entry cannot be amended."
    return None


def why_not_voidable(entry: TimelineEntry) -> str | None:
    """Why an entry cannot be voided, or None."""
    if entry.voided_by is not None:
        return "This entry is already voided."
    if entry.event.type is EventType.EPISODE_CREATED:
        return (
            "The episode's first entry cannot be voided: amend it to correct the patient "
            "details, or void the entries after it."
        )
    if entry.event.type in NOT_VOIDABLE:
        return f"A “{entry.event.type.label}” entry cannot be voided."
    return None


def _why_not_amend(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    if all(why_not_amendable(entry) for entry in state.timeline):
        return "No entry can be amended."
    return None


def _why_not_void(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    if all(why_not_voidable(entry) for entry in state.timeline):
        return "No entry can be voided."
    return None


# --------------------------------------------------------------------------- rules: values


def _course_is(state: EpisodeState, number: int, expected: int | None, what: str) -> list[str]:
    if expected is None:
        return [f"{what}: no course is running."]
    if number != expected:
        return [f"{what} names course {number}, but the course concerned is course {expected}."]
    return []


def _running_number(state: EpisodeState) -> int | None:
    course = state.running_course
    return None if course is None else course.number


def _check_decide(
    state: EpisodeState, protocol: Protocol, payload: Decision, at: datetime
) -> LimitCheck:
    refusals: list[str] = []
    number = next_course_number(state)
    if payload.course_number != number:
        refusals.append(
            f"The decision names course {payload.course_number}; the next course is {number}."
        )
    if not payload.give:
        return _verdict(refusals)
    if _delivered(state):
        refusals.append("Every baby's birth is recorded: there is no MgSO₄ to decide on.")
    assessment = state.assessment
    if assessment is None:
        refusals.append("No assessment is recorded: assess her before deciding to give.")
        return _verdict(refusals)
    if assessment.recommendation is Recommendation.CONTRAINDICATED:
        refusals.append(
            "MgSO₄ is contraindicated for her (see the assessment): it cannot be recorded as given."
        )
    senior_because: list[str] = []
    if number > 1:
        senior_because.append(f"course {number} is a repeat course")
        if not protocol.repeat_course.allowed:
            refusals.append(
                f"The {protocol.name} protocol does not support a repeat course "
                f"({protocol.repeat_course.source}); a senior may decide outside the protocol, "
                "but the app does not record it as a course."
            )
    if assessment.senior_decision_required:
        senior_because.append("the assessment needs a named senior decision")
    if assessment.recommendation is Recommendation.NOT_INDICATED:
        senior_because.append("the protocol does not indicate it now")
    if payload.severe_pre_eclampsia is not None:
        senior_because.append(
            "severe pre-eclampsia or eclampsia is recorded as its own indication, with the "
            "team's stop plan"
        )
    if senior_because and payload.senior is None:
        refusals.append(
            f"A named senior decision is needed: {'; '.join(senior_because)}. Name the senior."
        )
    if payload.senior is not None:
        refusals.extend(senior_problems(payload.senior, protocol))
    return _verdict(refusals)


#: Titles left out when judging whether a name is more than initials.
_TITLES: Final = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor"})


def senior_problems(senior: Actor, protocol: Protocol) -> list[str]:
    """Why this person cannot be recorded as the named senior, or nothing.

    A senior decision needs a role from the unit's list (``protocol.senior_roles``) and a name
    of more than initials (decisions.md §5; the senior page once accepted "x" as a student).
    """
    problems: list[str] = []
    if senior.role not in protocol.senior_roles:
        allowed = ", ".join(role.value for role in protocol.senior_roles)
        problems.append(
            f"A {senior.role.value} cannot make the senior decision: the unit's list is {allowed}."
        )
    words = [w.strip(".,").lower() for w in senior.name.split()]
    letters = [w for w in words if w and w not in _TITLES and sum(c.isalpha() for c in w) >= 2]
    if not letters or sum(sum(c.isalpha() for c in w) for w in letters) < 3:
        problems.append(
            f"“{senior.name}” is not enough to identify the senior: give the full name "
            "(more than initials)."
        )
    return problems


#: Tolerance for volume × concentration against the dose (rounded volumes are to 0.01 mL).
_DOSE_TOLERANCE_G: Final = Decimal("0.01")
_VOLUME_TOLERANCE_ML: Final = Decimal("0.01")


def _check_start_load(
    state: EpisodeState, protocol: Protocol, payload: LoadStarted, at: datetime
) -> LimitCheck:
    refusals: list[str] = []
    number = next_course_number(state)
    if payload.course_number != number:
        refusals.append(
            f"The loading dose names course {payload.course_number}; the next course is {number}."
        )
    from_volume = payload.volume_ml * payload.concentration_g_per_ml
    if abs(from_volume - payload.dose_g) > _DOSE_TOLERANCE_G:
        refusals.append(
            f"The loading dose {plain(payload.dose_g)} g is not what {plain(payload.volume_ml)} "
            f"mL of {percent_label(payload.concentration_g_per_ml)} holds "
            f"({plain(payload.volume_ml)} mL × {plain(payload.concentration_g_per_ml)} g/mL = "
            f"{plain(from_volume)} g): check the dose and the volume."
        )
    pumped = payload.rate_ml_per_h * payload.duration_min / 60
    tolerance = max(_VOLUME_TOLERANCE_ML, payload.volume_ml / 1000)
    if abs(pumped - payload.volume_ml) > tolerance:
        refusals.append(
            f"{plain(payload.rate_ml_per_h)} mL/h for {plain(payload.duration_min)} min pumps "
            f"{plain(pumped.quantize(Decimal('0.01')))} mL, not the load's "
            f"{plain(payload.volume_ml)} mL: check the rate and the duration."
        )
    limits = check_loading(protocol, payload.dose_g, payload.duration_min)
    if limits.refused:
        refusals.extend(limits.messages)
        return _verdict(refusals)
    return _verdict(refusals, limits.messages if limits.needs_confirmation else ())


#: A load recorded as ended before this share of its planned duration has run asks for a
#: confirmation with a reason (a mistyped time, decisions.md §15 / issue "load ended at 0
#: min"). The app's own plausibility rule, not a clinical number.
EARLY_LOAD_END_SHARE: Final = Decimal("0.5")


def _check_end_load(
    state: EpisodeState, protocol: Protocol, payload: LoadFinished, at: datetime
) -> LimitCheck:
    refusals = _course_is(state, payload.course_number, _running_number(state), "The load end")
    course = state.running_course
    if course is None or course.load_started_at is None or course.load is None:
        return _verdict(refusals)
    started = course.load_started_at
    if at < started:
        refusals.append(
            f"The load end ({format_local(at, LONDON)}) is before the load started "
            f"({format_local(started, LONDON)}): check the time."
        )
        return _verdict(refusals)
    minutes = Decimal((at - started).total_seconds()) / 60
    planned = course.load.duration_min
    if minutes < planned * EARLY_LOAD_END_SHARE:
        return _verdict(
            refusals,
            [
                f"The load is recorded as ended {plain(minutes.quantize(Decimal('1')))} min "
                f"after it started, much sooner than its {plain(planned)} min: is the time "
                "right? If the load was stopped early, say why."
            ],
        )
    return _verdict(refusals)


def _rate_limits(
    protocol: Protocol, concentration: Decimal, rate: Decimal, refusals: list[str]
) -> LimitCheck:
    limits = check_maintenance_rate(protocol, concentration, rate)
    if limits.refused:
        return _verdict([*refusals, *limits.messages])
    return _verdict(refusals, limits.messages if limits.needs_confirmation else ())


def _check_start_maintenance(
    state: EpisodeState, protocol: Protocol, payload: MaintenanceStarted, at: datetime
) -> LimitCheck:
    expected = next_course_number(state) if payload.restart_without_load else _running_number(state)
    refusals = _course_is(state, payload.course_number, expected, "The maintenance start")
    return _rate_limits(protocol, payload.concentration_g_per_ml, payload.rate_ml_per_h, refusals)


def _check_change_rate(
    state: EpisodeState, protocol: Protocol, payload: RateChanged, at: datetime
) -> LimitCheck:
    course = state.running_course
    refusals = _course_is(state, payload.course_number, _running_number(state), "The rate change")
    concentration = None if course is None else current_concentration(course)
    if concentration is None:
        return _verdict([*refusals, "The running concentration is not known for this course."])
    return _rate_limits(protocol, concentration, payload.rate_ml_per_h, refusals)


def _check_change_syringe(
    state: EpisodeState, protocol: Protocol, payload: SyringeChanged, at: datetime
) -> LimitCheck:
    course = state.running_course
    refusals = _course_is(
        state, payload.course_number, _running_number(state), "The syringe change"
    )
    rate = None if course is None else current_rate_ml_per_h(course)
    if rate is None:
        return _verdict([*refusals, "No maintenance rate is running to carry on."])
    return _rate_limits(protocol, payload.concentration_g_per_ml, rate, refusals)


def _check_stop(
    state: EpisodeState, protocol: Protocol, payload: InfusionStopped, at: datetime
) -> LimitCheck:
    refusals = _course_is(state, payload.course_number, _running_number(state), "The stop")
    if payload.reason is StopReason.BIRTH and not state.all_born:
        waiting = state.babies_still_expected
        refusals.append(
            f"Not every baby is born: {len(state.births)} of {state.babies_expected} births "
            f"recorded ({waiting} still expected). The infusion runs until the last baby is "
            "born: record the other birth first, or correct the number of "
            "babies expected, or give another reason."
        )
    if payload.reason is StopReason.OTHER and not payload.text.strip():
        refusals.append("Say why the infusion stopped (reason “Other”).")
    return _verdict(refusals)


def _check_birth(
    state: EpisodeState, protocol: Protocol, payload: Birth, at: datetime
) -> LimitCheck:
    expected = state.babies_expected
    if payload.baby > expected:
        return _verdict(
            [
                f"Baby {payload.baby}: this episode expects {expected} "
                f"{'baby' if expected == 1 else 'babies'} (babies are numbered 1 to {expected})."
            ]
        )
    if any(birth.baby == payload.baby for birth in state.births):
        return _verdict(
            [f"Baby {payload.baby}'s birth is already recorded. To correct it, amend that entry."]
        )
    return _ok()


def bedside_missed_reasons(protocol: Protocol, role: Role) -> list[MissedReasonRule]:
    """The not-given reasons this person may record: "Not recorded" and any other
    back-fill-only reason are for an auditor's back-filling, never the bedside (issue 11)."""
    return [r for r in protocol.missed_reasons if not r.back_fill_only or role is Role.AUDITOR]


def suggested_not_given_reason(state: EpisodeState) -> str | None:
    """The reason to pre-select on the not-given form: after a named senior's decision not
    to give, ``NG-SENIOR-DECISION``; otherwise None (the user says)."""
    decision = state.decision
    if decision is not None and not decision.give and decision.senior is not None:
        return SENIOR_DECISION_REASON
    return None


def _check_not_given(
    state: EpisodeState, protocol: Protocol, payload: NotGiven, at: datetime
) -> LimitCheck:
    rule = protocol.missed_reason(payload.reason_code)
    if rule is None:
        codes = ", ".join(r.code for r in protocol.missed_reasons)
        return _verdict([f"{payload.reason_code} is not in the protocol's reason list ({codes})."])
    if rule.needs_text and not payload.text.strip():
        return _verdict([f"“{rule.label}” needs a few words of explanation."])
    return _ok()


def _check_observe(
    state: EpisodeState, protocol: Protocol, payload: Observation, at: datetime
) -> LimitCheck:
    refusals: list[str] = []
    recorded = payload.model_dump(exclude_none=True, exclude={"baseline"})
    if not {key: value for key, value in recorded.items() if value is not False}:
        refusals.append("Nothing was recorded: record at least one observation.")
    if payload.baseline:
        started = next((c.started_at for c in state.courses if c.started_at is not None), None)
        if started is not None and started <= at:
            refusals.append(
                "A baseline set is taken before treatment starts; MgSO₄ "
                f"started {format_local(started, LONDON)}. Record this as an ordinary set."
            )
    if (payload.urine_period_h is None) != (payload.urine_ml is None):
        refusals.append("Urine output needs both the mL and the hours it covers.")
    return _verdict(refusals)


def _check_acknowledge(
    state: EpisodeState, protocol: Protocol, payload: AlertAcknowledged, at: datetime
) -> LimitCheck:
    if payload.key not in _acknowledgeable(state, protocol, at):
        return _verdict([f"There is no open alert {payload.key} to acknowledge at that time."])
    if not payload.action_taken.strip():
        return _verdict(
            ["Say what was done, or why it waits: an alert is acknowledged with a reason."]
        )
    return _ok()


def _check_close(
    state: EpisodeState, protocol: Protocol, payload: EpisodeClosed, at: datetime
) -> LimitCheck:
    refusals: list[str] = []
    if not state.all_born and not payload.reason.strip():
        refusals.append(
            "Babies are still expected: say why the episode closes (for example, discharged "
            "undelivered, or not indicated now)."
        )
    if payload.reassess_at is not None and payload.reassess_at <= at:
        refusals.append("The time to reassess must be after the close.")
    return _verdict(refusals)


def _why_not_information(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    if state.closed is not None and (
        state.closed.reassess_at is None or state.closed.reassess_at > now
    ):
        return "The episode is closed."
    return None


def _check_information(
    state: EpisodeState, protocol: Protocol, payload: InformationGiven, at: datetime
) -> LimitCheck:
    if payload.agreement == "not-able-to-discuss" and not payload.note.strip():
        return _verdict(
            ["Say why it could not be discussed (for example, the birth was imminent)."]
        )
    return _ok()


def information_given(state: EpisodeState) -> list[tuple[datetime, InformationGiven]]:
    """The information-given entries in clinical order (corrections applied, voids left out)."""
    found = [
        (entry.effective_occurred_at, InformationGiven.model_validate(entry.effective_payload))
        for entry in state.timeline
        if entry.event.type is EventType.INFORMATION_GIVEN and entry.voided_by is None
    ]
    return sorted(found, key=lambda item: item[0])


def _target(state: EpisodeState, uuid: str) -> TimelineEntry | None:
    return next((entry for entry in state.timeline if entry.event.uuid == uuid), None)


def _check_amend(
    state: EpisodeState, protocol: Protocol, payload: Amendment, at: datetime
) -> LimitCheck:
    target = _target(state, payload.target)
    if target is None:
        return _verdict([f"The entry to correct ({payload.target}) is not in this episode."])
    problem = why_not_amendable(target)
    if problem is not None:
        return _verdict([problem])
    if not payload.changes and payload.occurred_at is None:
        return _verdict(["Nothing was changed: change a value or the clinical time."])
    if payload.changes:
        try:
            validate_payload(
                target.event.type, amended_payload(target.effective_payload, payload.changes)
            )
        except EventError as exc:
            return _verdict([str(exc)])
    return _ok()


def _check_void(state: EpisodeState, protocol: Protocol, payload: Void, at: datetime) -> LimitCheck:
    target = _target(state, payload.target)
    if target is None:
        return _verdict([f"The entry to void ({payload.target}) is not in this episode."])
    problem = why_not_voidable(target)
    return _verdict([problem]) if problem is not None else _ok()


# --------------------------------------------------------------------------- scripting fields


class _Fields(CoreModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonFields(_Fields):
    """Who: a name and a role."""

    name: str = Field(min_length=1, max_length=120)
    role: Role

    def actor(self) -> Actor:
        return Actor(name=self.name, role=self.role)


class _Confirmable(_Fields):
    #: Goes beyond a soft limit on purpose (the screen's confirmation); needs ``reason``.
    confirm: bool = False
    reason: str = ""
    checked_by: PersonFields | None = None


class PatientFields(_Fields):
    name: str = Field(min_length=1, max_length=200)
    nhs_number: str | None = None
    chi_number: str | None = None
    date_of_birth: date | None = None

    @model_validator(mode="after")
    def _one_number(self) -> PatientFields:
        if (self.nhs_number is None) == (self.chi_number is None):
            raise ValueError("give exactly one of nhs_number or chi_number")
        return self


class OpenFields(_Fields):
    patient: PatientFields
    gestation: str | None = Field(default=None, description='completed weeks+days, e.g. "27+3"')
    edd: date | None = None
    situation: Situation
    babies: int = Field(default=1, ge=1, le=8)
    also_lmp: date | None = Field(default=None, description="another dating method given")
    also_edd: date | None = Field(default=None, description="another dating method given")
    also_gestation: str | None = Field(default=None, description="another method, W+D")
    dating_agreed_reason: str = Field(default="", description="why the chosen dating is agreed")
    conditions: tuple[ConditionId, ...] = ()
    medications: tuple[MedicationId, ...] = ()
    protocol: str | None = Field(default=None, description="protocol id (the default if absent)")
    preparation: str | None = Field(default=None, description="preparation id")

    @model_validator(mode="after")
    def _dating(self) -> OpenFields:
        if (self.gestation is None) == (self.edd is None):
            raise ValueError("give exactly one of gestation or edd")
        return self


class SeverePreEclampsiaFields(_Fields):
    eclampsia: bool = False
    stop_plan: str = Field(min_length=1, description="the team's stop plan (NG133 1.8.4)")


class DecideFields(_Fields):
    give: bool
    senior: PersonFields | None = None
    note: str = ""
    severe_pre_eclampsia: SeverePreEclampsiaFields | None = Field(
        default=None,
        description="MgSO4 also given for severe pre-eclampsia/eclampsia (needs the senior)",
    )


class ObserveFields(_Fields):
    pulse: int | None = None
    sbp: int | None = None
    dbp: int | None = None
    rr: int | None = None
    spo2: int | None = None
    reflexes: Reflexes | None = None
    urine_ml: int | None = None
    urine_hours: Decimal | None = None
    serum_mg_mmol_l: Decimal | None = None
    consciousness: Literal["alert", "reduced"] | None = None
    chest_pain: bool | None = Field(default=None, description="unset: not asked")
    breathing_difficulty: bool | None = Field(default=None, description="unset: not asked")
    baseline: bool = False


class SerumMagnesiumFields(_Fields):
    serum_mg_mmol_l: Decimal = Field(description="the laboratory result, mmol/L")


class StartLoadFields(_Confirmable):
    dose_g: Decimal | None = Field(default=None, description="default: the protocol's dose")
    duration_min: Decimal | None = Field(default=None, description="default: the protocol's")


class EndLoadFields(_Confirmable):
    """``checked_by``: the second person checking the change to the maintenance rate
    (decisions.md §15); ``confirm``/``reason`` for an implausibly early end."""


class StartMaintenanceFields(_Confirmable):
    rate_ml_per_h: Decimal | None = Field(default=None, description="default: the protocol's")
    volume_ml: Decimal | None = Field(default=None, description="default: the container's")


class ChangeRateFields(_Fields):
    rate_ml_per_h: Decimal
    reason: str = Field(min_length=1)
    confirm: bool = False
    checked_by: PersonFields | None = None


class ChangeSyringeFields(_Confirmable):
    concentration_g_per_ml: Decimal | None = Field(default=None, description="default: running")
    volume_ml: Decimal | None = Field(default=None, description="default: the container's")


#: Stop reasons as the scripting front end writes them (the stored codes are accepted too).
STOP_REASON_KEYS: Final[dict[str, StopReason]] = {
    "birth": StopReason.BIRTH,
    "24h": StopReason.MAX_DURATION,
    "toxicity": StopReason.TOXICITY,
    "transfer": StopReason.TRANSFER,
    "other": StopReason.OTHER,
    **{reason.value: reason for reason in StopReason},
}


class StopFields(_Fields):
    reason: Literal[
        "birth",
        "24h",
        "toxicity",
        "transfer",
        "other",
        "24h-reached",
        "no-longer-imminent",
        "declined",
        "side-effects",
    ]
    text: str = ""
    checked_by: PersonFields | None = None


class BirthFields(_Fields):
    baby: int = Field(default=1, ge=1, le=8, description="1-based")
    label: str = ""
    neonatal_care: (
        Literal["admitted", "died-in-delivery-room", "comfort-care", "not-admitted"] | None
    ) = None


class NotGivenFields(_Fields):
    reason_code: str
    text: str = ""


class AcknowledgeFields(_Fields):
    alert: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class CloseFields(_Fields):
    reason: str = ""
    reassess_at: str | None = Field(default=None, description="ISO; local time without offset")


class AmendFields(_Fields):
    entry: str = Field(min_length=1, description="uuid of the entry to correct")
    reason: str = Field(min_length=1)
    changes: dict[str, Any] = Field(default_factory=dict)
    occurred_at: str | None = Field(default=None, description="corrected clinical time")


class VoidFields(_Fields):
    entry: str = Field(min_length=1, description="uuid of the entry entered in error")
    reason: str = Field(min_length=1)


class InformationFields(_Fields):
    agreement: Literal["agreed", "declined", "not-able-to-discuss"]
    off_label_discussed: bool = False
    given_to: str = ""
    note: str = ""


class NoFields(_Fields):
    """An action the app records by itself: not available to the scripting front end."""


# --------------------------------------------------------------------------- building entries


@dataclass(frozen=True)
class LineContext:
    """What turning one action into entries needs.

    Attributes:
        episode_uuid: The episode (new for ``open``).
        state: The episode as at ``at`` (None for ``open``).
        protocol: The protocol in force for the episode.
        preparations: The shipped preparations.
        at: The clinical time (aware UTC).
        by: Who records it.
        tz: The zone for times written without an offset.
        unit_name: Printed on a new episode's record.
        preparation_id: The unit's preparation for a new episode (the file's default if None).
        now: The clock, when known: an entry whose clinical time has not happened yet is
            refused (:func:`not_happened_yet`).
    """

    episode_uuid: str
    state: EpisodeState | None
    protocol: Protocol
    preparations: PreparationSet
    at: datetime
    by: Actor
    tz: Any = LONDON
    unit_name: str = ""
    preparation_id: str | None = None
    now: datetime | None = None

    @property
    def episode(self) -> EpisodeState:
        if self.state is None:
            raise ActionRefused("This action needs an episode opened first.")
        return self.state


#: One entry to make: its type, payload and clinical time.
Planned = tuple[EventType, BaseModel, datetime]
Builder = Callable[[Any, LineContext], list[Planned]]


def _confirmed(payload: BaseModel, check: LimitCheck, confirm: bool, reason: str) -> BaseModel:
    """The payload with its confirmation when the line confirms a soft limit on purpose."""
    if not check.needs_confirmation:
        return payload
    if not confirm:
        raise ActionRefused(
            " ".join(check.messages) + ' To go ahead, confirm it ("confirm": true) with a reason.',
            soft_limits=check.messages,
        )
    if not reason.strip():
        raise ActionRefused(
            " ".join(check.messages) + " A confirmation needs a reason.",
            soft_limits=check.messages,
        )
    return payload.model_copy(
        update={"confirmation": Confirmation(reason=reason, messages=check.messages)}
    )


def _build_open(fields: OpenFields, ctx: LineContext) -> list[Planned]:
    patient_fields = fields.patient
    id_type = IdentifierType.NHS if patient_fields.nhs_number is not None else IdentifierType.CHI
    typed = patient_fields.nhs_number or patient_fields.chi_number or ""
    checked = check_identifier(typed, id_type)
    if not checked.valid or checked.normalised is None:
        raise ActionRefused(f"patient: {checked.reason}")
    on = ctx.at.astimezone(ctx.tz).date()
    try:
        if fields.gestation is not None:
            gestation = GestationalAge.parse(fields.gestation)
            dating = Dating(
                method=DatingMethod.WEEKS_DAYS, stated_gestation=gestation.label, stated_on=on
            )
        else:
            dating = Dating(method=DatingMethod.AGREED_EDD, edd=fields.edd)
            gestation = dating.gestation_on(on)
    except GestationError as exc:
        raise ActionRefused(f"gestation: {exc}") from None
    dating = _with_discrepancy(dating, gestation, fields, on, ctx.protocol)
    preparations = ctx.preparations
    preparation_id = fields.preparation or ctx.preparation_id or preparations.default
    if preparation_id not in preparations.ids:
        raise ActionRefused(
            f"preparation: {preparation_id!r} is not one of {', '.join(preparations.ids)}."
        )
    inputs = AssessmentInputs(
        gestation=gestation,
        situation=fields.situation,
        conditions=frozenset(fields.conditions),
        medications=frozenset(fields.medications),
        dating_method=dating.method,
        on=on,
        plurality=fields.babies,
    )
    assessment = assess(inputs, ctx.protocol, preparations, preparation_id)
    created = EpisodeCreated(
        patient=Patient(
            id_type=id_type,
            identifier=checked.normalised,
            name=patient_fields.name,
            date_of_birth=patient_fields.date_of_birth,
        ),
        dating=dating,
        preparation_id=preparation_id,
        unit_name=ctx.unit_name,
        plurality=fields.babies,
    )
    planned: list[Planned] = [
        (EventType.EPISODE_CREATED, created, ctx.at),
        (EventType.ASSESSED, to_assessed_payload(assessment, inputs), ctx.at),
    ]
    # What opening records as the decision is one rule (core.opening), as in the wizard:
    # contraindicated is a decision not to give by whoever records the opening.
    decision = opening_decision(assessment.recommendation, chose_to_give=None)
    if decision is not None:
        planned.append(
            (
                EventType.DECISION,
                Decision(give=decision, decided_by=ctx.by, course_number=1),
                ctx.at,
            )
        )
    return planned


#: Dating methods may differ by this many days before the difference must be resolved, when
#: the protocol sets none (LOCAL; the clinical review's example).
DEFAULT_DATING_TOLERANCE_DAYS: Final = 7


def dating_tolerance_days(protocol: Protocol) -> int:
    """The protocol's dating tolerance in days (a LOCAL setting)."""
    setting = protocol.dating_tolerance_days
    return DEFAULT_DATING_TOLERANCE_DAYS if setting is None else int(setting.value)


def dating_spread(estimates: Mapping[str, GestationalAge]) -> int:
    """Days between the earliest and the latest gestation the dating methods give."""
    days = [g.total_days for g in estimates.values()]
    return max(days) - min(days) if days else 0


def _with_discrepancy(
    dating: Dating, chosen: GestationalAge, fields: OpenFields, on: date, protocol: Protocol
) -> Dating:
    estimates = {f"chosen ({dating.method.value})": chosen}
    try:
        if fields.also_lmp is not None:
            estimates["lmp"] = Dating(method=DatingMethod.LMP, lmp=fields.also_lmp).gestation_on(on)
        if fields.also_edd is not None:
            estimates["edd"] = Dating(
                method=DatingMethod.AGREED_EDD, edd=fields.also_edd
            ).gestation_on(on)
        if fields.also_gestation is not None:
            estimates["stated"] = GestationalAge.parse(fields.also_gestation)
    except GestationError as exc:
        raise ActionRefused(f"dating: {exc}") from None
    spread = dating_spread(estimates)
    tolerance = dating_tolerance_days(protocol)
    if spread <= tolerance:
        return dating
    words = ", ".join(f"{name} {g.label}" for name, g in estimates.items())
    if not fields.dating_agreed_reason.strip():
        raise ActionRefused(
            f"dating: the methods disagree by {spread} days ({words}), more than the "
            f"{tolerance}-day tolerance (local setting): say which is agreed and why "
            "(dating_agreed_reason)."
        )
    return dating.model_copy(
        update={
            "discrepancy": DatingDiscrepancy(
                estimates={name: g.label for name, g in estimates.items()},
                spread_days=spread,
                reason=fields.dating_agreed_reason,
            )
        }
    )


def _build_decide(fields: DecideFields, ctx: LineContext) -> list[Planned]:
    state = ctx.episode
    return [
        (
            EventType.DECISION,
            Decision(
                give=fields.give,
                decided_by=ctx.by,
                senior=None if fields.senior is None else fields.senior.actor(),
                course_number=next_course_number(state),
                note=fields.note,
                severe_pre_eclampsia=None
                if fields.severe_pre_eclampsia is None
                else SeverePreEclampsia(
                    eclampsia=fields.severe_pre_eclampsia.eclampsia,
                    stop_plan=fields.severe_pre_eclampsia.stop_plan,
                ),
            ),
            ctx.at,
        )
    ]


def baseline_values(state: EpisodeState) -> tuple[int | None, int | None]:
    """Baseline (diastolic mmHg, respiratory rate /min) from the pre-treatment sets.

    The latest value of each taken before treatment began (decisions.md §14), never from an
    on-treatment set. None where no pre-treatment set holds it.
    """
    diastolic: int | None = None
    rr: int | None = None
    for obs in baseline_observations(state):
        if obs.observation.diastolic_mmhg is not None:
            diastolic = obs.observation.diastolic_mmhg
        if obs.observation.rr_per_min is not None:
            rr = obs.observation.rr_per_min
    return diastolic, rr


def _build_observe(fields: ObserveFields, ctx: LineContext) -> list[Planned]:
    state = ctx.episode
    baseline_diastolic, baseline_rr = (None, None) if fields.baseline else baseline_values(state)
    observation = Observation(
        pulse_per_min=fields.pulse,
        systolic_mmhg=fields.sbp,
        diastolic_mmhg=fields.dbp,
        baseline_diastolic_mmhg=baseline_diastolic if fields.dbp is not None else None,
        rr_per_min=fields.rr,
        baseline_rr_per_min=baseline_rr if fields.rr is not None else None,
        reflexes=fields.reflexes,
        urine_ml=fields.urine_ml,
        urine_period_h=fields.urine_hours,
        spo2_percent=fields.spo2,
        serum_mg_mmol_per_l=fields.serum_mg_mmol_l,
        consciousness=fields.consciousness,
        chest_pain=fields.chest_pain,
        breathing_difficulty=fields.breathing_difficulty,
        baseline=fields.baseline,
    )
    return [(EventType.OBSERVATION, observation, ctx.at)]


def _build_serum_magnesium(fields: SerumMagnesiumFields, ctx: LineContext) -> list[Planned]:
    """A serum magnesium result on its own, at the time the sample was taken."""
    return [
        (
            EventType.OBSERVATION,
            Observation(serum_mg_mmol_per_l=fields.serum_mg_mmol_l),
            ctx.at,
        )
    ]


def _preparation(ctx: LineContext) -> Any:
    try:
        return ctx.preparations.get(ctx.episode.created.preparation_id)
    except ProtocolError as exc:
        raise ActionRefused("; ".join(exc.problems)) from None


def _checker(fields: PersonFields | None, what: str) -> Actor:
    if fields is None:
        raise ActionRefused(
            f"{what}: a second practitioner checks the pump (checked_by), as on screen."
        )
    return fields.actor()


def _build_start_load(fields: StartLoadFields, ctx: LineContext) -> list[Planned]:
    state = ctx.episode
    try:
        plan = loading_plan(
            ctx.protocol, _preparation(ctx), dose_g=fields.dose_g, duration_min=fields.duration_min
        )
    except DoseInputError as exc:
        raise ActionRefused(str(exc)) from None
    payload = LoadStarted(
        course_number=next_course_number(state),
        preparation_id=plan.preparation_id,
        dose_g=plan.dose_g,
        concentration_g_per_ml=plan.concentration_g_per_ml,
        volume_ml=plan.volume_ml,
        rate_ml_per_h=plan.rate_ml_per_h,
        duration_min=plan.duration_min,
        given_by=ctx.by,
        checked_by=_checker(fields.checked_by, "start-load"),
        vtbi_ml=plan.vtbi_ml,
    )
    check = _check_start_load(state, ctx.protocol, payload, ctx.at)
    return [
        (EventType.LOAD_STARTED, _confirmed(payload, check, fields.confirm, fields.reason), ctx.at)
    ]


def _build_end_load(fields: EndLoadFields, ctx: LineContext) -> list[Planned]:
    course = ctx.episode.running_course
    if course is None:
        raise ActionRefused("No loading dose is running.")
    checker = None if fields.checked_by is None else fields.checked_by.actor()
    payload = LoadFinished(course_number=course.number, checked_by=checker)
    check = _check_end_load(ctx.episode, ctx.protocol, payload, ctx.at)
    return [
        (EventType.LOAD_FINISHED, _confirmed(payload, check, fields.confirm, fields.reason), ctx.at)
    ]


def _maintenance(
    fields: StartMaintenanceFields, ctx: LineContext, *, number: int, restart: bool
) -> MaintenanceStarted:
    state = ctx.episode
    try:
        plan = maintenance_plan(ctx.protocol, _preparation(ctx))
    except DoseInputError as exc:
        raise ActionRefused(str(exc)) from None
    payload = MaintenanceStarted(
        course_number=number,
        preparation_id=plan.preparation_id,
        concentration_g_per_ml=plan.concentration_g_per_ml,
        rate_ml_per_h=fields.rate_ml_per_h or plan.rate_ml_per_h,
        container_volume_ml=fields.volume_ml or plan.container_volume_ml,
        given_by=ctx.by,
        checked_by=_checker(
            fields.checked_by, "restart-maintenance" if restart else "start-maintenance"
        ),
        restart_without_load=restart,
    )
    check = _check_start_maintenance(state, ctx.protocol, payload, ctx.at)
    confirmed = _confirmed(payload, check, fields.confirm, fields.reason)
    assert isinstance(confirmed, MaintenanceStarted)
    return confirmed


def _build_start_maintenance(fields: StartMaintenanceFields, ctx: LineContext) -> list[Planned]:
    course = ctx.episode.running_course
    if course is None:
        raise ActionRefused("No infusion is running.")
    planned: list[Planned] = []
    if course.load_finished_at is None and course.load_planned_end is not None:
        # The load's end is due and not recorded: recorded with it, at its planned end (never
        # after the maintenance start), exactly as the screen's maintenance form does.
        payload = _maintenance(fields, ctx, number=course.number, restart=False)
        planned.append(
            (
                EventType.LOAD_FINISHED,
                # The rate change from the load to maintenance is checked by the same second
                # person who checks the maintenance start (decisions.md §15).
                LoadFinished(course_number=course.number, checked_by=payload.checked_by),
                min(course.load_planned_end, ctx.at),
            )
        )
    payload = _maintenance(fields, ctx, number=course.number, restart=False)
    planned.append((EventType.MAINTENANCE_STARTED, payload, ctx.at))
    return planned


def _build_restart(fields: StartMaintenanceFields, ctx: LineContext) -> list[Planned]:
    number = next_course_number(ctx.episode)
    payload = _maintenance(fields, ctx, number=number, restart=True)
    return [(EventType.MAINTENANCE_STARTED, payload, ctx.at)]


def _build_change_rate(fields: ChangeRateFields, ctx: LineContext) -> list[Planned]:
    state = ctx.episode
    course = state.running_course
    if course is None:
        raise ActionRefused("No maintenance infusion is running.")
    payload = RateChanged(
        course_number=course.number,
        rate_ml_per_h=fields.rate_ml_per_h,
        reason=fields.reason,
        checked_by=None if fields.checked_by is None else fields.checked_by.actor(),
    )
    check = _check_change_rate(state, ctx.protocol, payload, ctx.at)
    return [
        (EventType.RATE_CHANGED, _confirmed(payload, check, fields.confirm, fields.reason), ctx.at)
    ]


def _build_change_syringe(fields: ChangeSyringeFields, ctx: LineContext) -> list[Planned]:
    state = ctx.episode
    course = state.running_course
    if course is None or not course.maintaining:
        raise ActionRefused("No maintenance infusion is running.")
    prep = _preparation(ctx)
    payload = SyringeChanged(
        course_number=course.number,
        concentration_g_per_ml=fields.concentration_g_per_ml
        or current_concentration(course)
        or prep.maintenance.concentration_g_per_ml,
        volume_ml=fields.volume_ml or prep.maintenance.container_volume_ml,
        checked_by=None if fields.checked_by is None else fields.checked_by.actor(),
    )
    check = _check_change_syringe(state, ctx.protocol, payload, ctx.at)
    return [
        (
            EventType.SYRINGE_CHANGED,
            _confirmed(payload, check, fields.confirm, fields.reason),
            ctx.at,
        )
    ]


def _build_stop(fields: StopFields, ctx: LineContext) -> list[Planned]:
    course = ctx.episode.running_course
    if course is None:
        raise ActionRefused("No infusion is running.")
    return [
        (
            EventType.INFUSION_STOPPED,
            InfusionStopped(
                course_number=course.number,
                reason=STOP_REASON_KEYS[fields.reason],
                text=fields.text,
                checked_by=None if fields.checked_by is None else fields.checked_by.actor(),
            ),
            ctx.at,
        )
    ]


def _build_birth(fields: BirthFields, ctx: LineContext) -> list[Planned]:
    birth = Birth(baby=fields.baby, label=fields.label, neonatal_care=fields.neonatal_care)
    return [(EventType.BIRTH, birth, ctx.at)]


def _build_not_given(fields: NotGivenFields, ctx: LineContext) -> list[Planned]:
    try:
        payload = NotGiven(reason_code=fields.reason_code, text=fields.text)
    except ValidationError:
        raise ActionRefused(f"reason_code: {fields.reason_code!r} is not a reason code.") from None
    return [(EventType.NOT_GIVEN, payload, ctx.at)]


def _build_acknowledge(fields: AcknowledgeFields, ctx: LineContext) -> list[Planned]:
    return [
        (
            EventType.ALERT_ACKNOWLEDGED,
            AlertAcknowledged(key=fields.alert, action_taken=fields.reason),
            ctx.at,
        )
    ]


def _local_time(text: str, what: str, ctx: LineContext) -> datetime:
    try:
        return parse_local_datetime(text, ctx.tz)
    except AmbiguousLocalTimeError as exc:
        raise ActionRefused(f"{what}: {exc} Add the offset, e.g. +01:00 or +00:00.") from None
    except LocalTimeError as exc:
        raise ActionRefused(f"{what}: {exc}") from None


def _build_close(fields: CloseFields, ctx: LineContext) -> list[Planned]:
    reassess = (
        None if fields.reassess_at is None else _local_time(fields.reassess_at, "reassess_at", ctx)
    )
    return [
        (
            EventType.EPISODE_CLOSED,
            EpisodeClosed(reason=fields.reason, reassess_at=reassess),
            ctx.at,
        )
    ]


def _build_information(fields: InformationFields, ctx: LineContext) -> list[Planned]:
    return [
        (
            EventType.INFORMATION_GIVEN,
            InformationGiven(
                agreement=fields.agreement,
                off_label_discussed=fields.off_label_discussed,
                given_to=fields.given_to,
                note=fields.note,
            ),
            ctx.at,
        )
    ]


def _build_amend(fields: AmendFields, ctx: LineContext) -> list[Planned]:
    moved = (
        None if fields.occurred_at is None else _local_time(fields.occurred_at, "occurred_at", ctx)
    )
    return [
        (
            EventType.AMENDMENT,
            Amendment(
                target=fields.entry, reason=fields.reason, changes=fields.changes, occurred_at=moved
            ),
            ctx.at,
        )
    ]


def _build_void(fields: VoidFields, ctx: LineContext) -> list[Planned]:
    return [(EventType.VOID, Void(target=fields.entry, reason=fields.reason), ctx.at)]


# --------------------------------------------------------------------------- the registry


def _any(payload: Any) -> bool:
    return True


# --------------------------------------------------------------------------- proforma fields
# The proforma's own fields (decisions.md §16), each declared once: labour or planned birth,
# antenatal steroids, neonatal team informed, in-utero transfer, pre-load checks, prescriber.
# They can be recorded whenever the episode is open, like the information given.


_M = TypeVar("_M", bound=BaseModel)


class LabourEvidenceFields(_Fields):
    kind: Literal["established-labour", "planned-birth"]
    dilatation_cm: Decimal | None = None
    planned_birth_at: str | None = Field(default=None, description="ISO; local time")
    mode: Literal["vaginal", "caesarean"] | None = None
    note: str = ""


class SteroidsFields(_Fields):
    status: Literal["given", "not-given", "not-known"]
    first_dose_at: str | None = Field(default=None, description="ISO; local time")
    second_dose_at: str | None = Field(default=None, description="ISO; local time")
    note: str = ""


class NeonatalTeamFields(_Fields):
    told: str = ""


class TransferFields(_Fields):
    from_unit: str = Field(min_length=1)
    to_unit: str = Field(min_length=1)
    note: str = ""


class PreLoadFields(_Fields):
    calcium_gluconate_available: bool
    pump: str = ""
    batch: str = ""


class PrescribedFields(_Fields):
    prescriber: PersonFields


def _optional_time(text: str | None, what: str, ctx: LineContext) -> datetime | None:
    return None if text is None else _local_time(text, what, ctx)


def _made(model: type[_M], **values: Any) -> _M:
    """The payload, or a refusal that says what is missing or wrong (not a validation dump)."""
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ActionRefused(f"{where}: {message}" if where else message) from None


def _build_labour_evidence(fields: LabourEvidenceFields, ctx: LineContext) -> list[Planned]:
    payload = _made(
        LabourEvidence,
        kind=fields.kind,
        dilatation_cm=fields.dilatation_cm,
        planned_birth_at=_optional_time(fields.planned_birth_at, "planned_birth_at", ctx),
        mode=fields.mode,
        note=fields.note,
    )
    return [(EventType.LABOUR_EVIDENCE, payload, ctx.at)]


def _build_steroids(fields: SteroidsFields, ctx: LineContext) -> list[Planned]:
    payload = _made(
        AntenatalSteroids,
        status=fields.status,
        first_dose_at=_optional_time(fields.first_dose_at, "first_dose_at", ctx),
        second_dose_at=_optional_time(fields.second_dose_at, "second_dose_at", ctx),
        note=fields.note,
    )
    return [(EventType.ANTENATAL_STEROIDS, payload, ctx.at)]


def _build_neonatal_team(fields: NeonatalTeamFields, ctx: LineContext) -> list[Planned]:
    return [(EventType.NEONATAL_TEAM_INFORMED, NeonatalTeamInformed(told=fields.told), ctx.at)]


def _build_transfer(fields: TransferFields, ctx: LineContext) -> list[Planned]:
    payload = InUteroTransfer(from_unit=fields.from_unit, to_unit=fields.to_unit, note=fields.note)
    return [(EventType.IN_UTERO_TRANSFER, payload, ctx.at)]


def _build_pre_load(fields: PreLoadFields, ctx: LineContext) -> list[Planned]:
    payload = PreLoadChecks(
        calcium_gluconate_available=fields.calcium_gluconate_available,
        pump=fields.pump,
        batch=fields.batch,
    )
    return [(EventType.PRE_LOAD_CHECKS, payload, ctx.at)]


def _build_prescribed(fields: PrescribedFields, ctx: LineContext) -> list[Planned]:
    return [(EventType.PRESCRIBED, Prescribed(prescriber=fields.prescriber.actor()), ctx.at)]


def _check_steroids(
    state: EpisodeState, protocol: Protocol, payload: AntenatalSteroids, at: datetime
) -> LimitCheck:
    late = [t for t in (payload.first_dose_at, payload.second_dose_at) if t and t > at]
    if late:
        return _verdict(["A steroid dose time is after the time of this entry."])
    return _ok()


def _check_transfer(
    state: EpisodeState, protocol: Protocol, payload: InUteroTransfer, at: datetime
) -> LimitCheck:
    if payload.from_unit.strip().casefold() == payload.to_unit.strip().casefold():
        return _verdict(["The transfer goes from one unit to the same unit."])
    return _ok()


def _check_pre_load(
    state: EpisodeState, protocol: Protocol, payload: PreLoadChecks, at: datetime
) -> LimitCheck:
    if not payload.calcium_gluconate_available:
        return _verdict(
            [],
            [
                "Calcium gluconate, the antidote, is not at hand: get it before the load "
                f"({protocol.monitoring.antidote})."
            ],
        )
    return _ok()


@dataclass(frozen=True)
class ActionSpec:
    """One action, declared once.

    Attributes:
        key: The stable key (the scripting front end's ``action``; the screen's button id).
        label: Plain words for a button or a refusal.
        event_type: The entry it records.
        payload: The entry's payload model.
        why_not: ``(state, protocol, now) -> reason or None``.
        check: ``(state, protocol, payload, at) -> LimitCheck`` for the values it carries.
        offered: A user's action (buttons, ``allowed_actions``); False for entries the app
            makes by itself (the assessment, a print log…).
        opens: Makes a new episode (``open``): no state exists before it.
        matches: Picks this action among those sharing an entry type (by the payload).
        fields: The scripting front end's input model.
        build: Turns validated fields into the entries to record.
    """

    key: str
    label: str
    event_type: EventType
    payload: type[BaseModel]
    why_not: WhyNot = _always
    check: PayloadCheck = _no_check
    offered: bool = True
    opens: bool = False
    matches: Callable[[Any], bool] = _any
    fields: type[_Fields] = NoFields
    build: Builder | None = None


def _is_restart(payload: Any) -> bool:
    return isinstance(payload, MaintenanceStarted) and payload.restart_without_load


def _is_first_start(payload: Any) -> bool:
    return not _is_restart(payload)


_SPECS: Final[tuple[ActionSpec, ...]] = (
    ActionSpec(
        "open",
        "Open an episode",
        EventType.EPISODE_CREATED,
        EpisodeCreated,
        opens=True,
        offered=False,
        fields=OpenFields,
        build=_build_open,
    ),
    ActionSpec("assess", "Assessment", EventType.ASSESSED, Assessed, offered=False),
    ActionSpec(
        "acknowledge-interaction",
        "Acknowledge an interaction warning",
        EventType.INTERACTION_ACKNOWLEDGED,
        InteractionAcknowledged,
        offered=False,
    ),
    ActionSpec(
        "decide",
        "Record the decision",
        EventType.DECISION,
        Decision,
        why_not=_why_not_decide,
        check=_check_decide,
        fields=DecideFields,
        build=_build_decide,
    ),
    ActionSpec(
        "observe",
        "Record observations",
        EventType.OBSERVATION,
        Observation,
        check=_check_observe,
        fields=ObserveFields,
        build=_build_observe,
    ),
    ActionSpec(
        "serum-magnesium",
        "Serum magnesium result",
        EventType.OBSERVATION,
        Observation,
        why_not=_why_not_information,  # any time the episode is open
        check=_check_observe,
        fields=SerumMagnesiumFields,
        build=_build_serum_magnesium,
    ),
    ActionSpec(
        "start-load",
        "Start the loading dose",
        EventType.LOAD_STARTED,
        LoadStarted,
        why_not=_why_not_start_load,
        check=_check_start_load,
        fields=StartLoadFields,
        build=_build_start_load,
    ),
    ActionSpec(
        "end-load",
        "Loading dose finished",
        EventType.LOAD_FINISHED,
        LoadFinished,
        why_not=_why_not_end_load,
        check=_check_end_load,
        fields=EndLoadFields,
        build=_build_end_load,
    ),
    ActionSpec(
        "start-maintenance",
        "Start maintenance",
        EventType.MAINTENANCE_STARTED,
        MaintenanceStarted,
        why_not=why_not_start_maintenance,
        check=_check_start_maintenance,
        matches=_is_first_start,
        fields=StartMaintenanceFields,
        build=_build_start_maintenance,
    ),
    ActionSpec(
        "restart-maintenance",
        "Restart maintenance without a new load (repeat course)",
        EventType.MAINTENANCE_STARTED,
        MaintenanceStarted,
        why_not=_why_not_restart,
        check=_check_start_maintenance,
        matches=_is_restart,
        fields=StartMaintenanceFields,
        build=_build_restart,
    ),
    ActionSpec(
        "change-rate",
        "Change the rate",
        EventType.RATE_CHANGED,
        RateChanged,
        why_not=_why_not_maintaining,
        check=_check_change_rate,
        fields=ChangeRateFields,
        build=_build_change_rate,
    ),
    ActionSpec(
        "change-syringe",
        "Change of syringe",
        EventType.SYRINGE_CHANGED,
        SyringeChanged,
        why_not=_why_not_maintaining,
        check=_check_change_syringe,
        fields=ChangeSyringeFields,
        build=_build_change_syringe,
    ),
    ActionSpec(
        "stop",
        "Stop the infusion",
        EventType.INFUSION_STOPPED,
        InfusionStopped,
        why_not=_why_not_stop,
        check=_check_stop,
        fields=StopFields,
        build=_build_stop,
    ),
    ActionSpec(
        "birth",
        "Record a birth",
        EventType.BIRTH,
        Birth,
        why_not=_why_not_birth,
        check=_check_birth,
        fields=BirthFields,
        build=_build_birth,
    ),
    ActionSpec(
        "not-given",
        "Not given: reason",
        EventType.NOT_GIVEN,
        NotGiven,
        why_not=_why_not_not_given,
        check=_check_not_given,
        fields=NotGivenFields,
        build=_build_not_given,
    ),
    ActionSpec(
        "acknowledge",
        "Acknowledge an alert",
        EventType.ALERT_ACKNOWLEDGED,
        AlertAcknowledged,
        why_not=_why_not_acknowledge,
        check=_check_acknowledge,
        fields=AcknowledgeFields,
        build=_build_acknowledge,
    ),
    ActionSpec(
        "close",
        "Close the episode",
        EventType.EPISODE_CLOSED,
        EpisodeClosed,
        why_not=_why_not_close,
        check=_check_close,
        fields=CloseFields,
        build=_build_close,
    ),
    ActionSpec(
        "information-given",
        "Information given",
        EventType.INFORMATION_GIVEN,
        InformationGiven,
        why_not=_why_not_information,
        check=_check_information,
        fields=InformationFields,
        build=_build_information,
    ),
    # The proforma's own fields (decisions.md §16).
    ActionSpec(
        "labour-evidence",
        "Labour or planned birth",
        EventType.LABOUR_EVIDENCE,
        LabourEvidence,
        why_not=_why_not_information,
        fields=LabourEvidenceFields,
        build=_build_labour_evidence,
    ),
    ActionSpec(
        "antenatal-steroids",
        "Antenatal steroids",
        EventType.ANTENATAL_STEROIDS,
        AntenatalSteroids,
        why_not=_why_not_information,
        check=_check_steroids,
        fields=SteroidsFields,
        build=_build_steroids,
    ),
    ActionSpec(
        "neonatal-team-informed",
        "Neonatal team informed",
        EventType.NEONATAL_TEAM_INFORMED,
        NeonatalTeamInformed,
        why_not=_why_not_information,
        fields=NeonatalTeamFields,
        build=_build_neonatal_team,
    ),
    ActionSpec(
        "in-utero-transfer",
        "In-utero transfer",
        EventType.IN_UTERO_TRANSFER,
        InUteroTransfer,
        why_not=_why_not_information,
        check=_check_transfer,
        fields=TransferFields,
        build=_build_transfer,
    ),
    ActionSpec(
        "pre-load-checks",
        "Pre-load checks",
        EventType.PRE_LOAD_CHECKS,
        PreLoadChecks,
        why_not=_why_not_information,
        check=_check_pre_load,
        fields=PreLoadFields,
        build=_build_pre_load,
    ),
    ActionSpec(
        "prescribed",
        "Prescriber",
        EventType.PRESCRIBED,
        Prescribed,
        why_not=_why_not_information,
        fields=PrescribedFields,
        build=_build_prescribed,
    ),
    ActionSpec(
        "amend",
        "Amend an entry",
        EventType.AMENDMENT,
        Amendment,
        why_not=_why_not_amend,
        check=_check_amend,
        fields=AmendFields,
        build=_build_amend,
    ),
    ActionSpec(
        "void",
        "Void an entry (entered in error)",
        EventType.VOID,
        Void,
        why_not=_why_not_void,
        check=_check_void,
        fields=VoidFields,
        build=_build_void,
    ),
    ActionSpec("raise-alert", "Alert raised", EventType.ALERT_RAISED, AlertRaised, offered=False),
    ActionSpec("print", "Printed", EventType.PRINTED, Printed, offered=False),
    ActionSpec("export", "Exported", EventType.EXPORTED, Exported, offered=False),
    ActionSpec("note", "Note", EventType.NOTE, Note, offered=False),
)

#: Every action by key, in the order a screen offers them.
ACTIONS: Final[Mapping[str, ActionSpec]] = {spec.key: spec for spec in _SPECS}


def action(key: str) -> ActionSpec:
    """The action with this key.

    Raises:
        ActionRefused: no such action (the message lists the keys).
    """
    spec = ACTIONS.get(key)
    if spec is None:
        keys = ", ".join(k for k, s in ACTIONS.items() if s.build is not None)
        raise ActionRefused(f"There is no action {key!r} (actions: {keys}).", action=key)
    return spec


def spec_for(event_type: EventType, payload: Any) -> ActionSpec:
    """The action that records an entry of this type with this payload."""
    for spec in _SPECS:
        if spec.event_type is event_type and spec.matches(payload):
            return spec
    raise AssertionError(f"no action records {event_type.value}")  # every type has one


def why_not(key: str, state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    """Why the action ``key`` is not available in ``state`` at ``now``, or None when it is."""
    return action(key).why_not(state, protocol, now)


def reasons(state: EpisodeState, protocol: Protocol, now: datetime) -> dict[str, str | None]:
    """Every offered action's reason (None = available), for buttons and tooltips."""
    return {
        key: spec.why_not(state, protocol, now) for key, spec in ACTIONS.items() if spec.offered
    }


def allowed_actions(state: EpisodeState, protocol: Protocol, now: datetime) -> list[str]:
    """The keys of the offered actions available now."""
    return [key for key, reason in reasons(state, protocol, now).items() if reason is None]


def check_values(
    spec: ActionSpec, state: EpisodeState, protocol: Protocol, payload: BaseModel, at: datetime
) -> str | None:
    """Why the values of an entry are refused, or None when they may be recorded.

    A soft limit passes only with a ``confirmation`` (a reason) carried in the payload.
    """
    verdict = spec.check(state, protocol, payload, at)
    if verdict.refused:
        return " ".join(verdict.messages)
    if verdict.needs_confirmation and getattr(payload, "confirmation", None) is None:
        return " ".join(verdict.messages) + " Confirm it with a reason to record it."
    return None


def _findings(
    spec: ActionSpec, state: EpisodeState, protocol: Protocol, payload: BaseModel, at: datetime
) -> tuple[int, set[str]]:
    """How bad an entry's values are (0 fine, 1 soft limit unconfirmed, 2 refused) and why."""
    verdict = spec.check(state, protocol, payload, at)
    if verdict.refused:
        return 2, set(verdict.messages)
    if verdict.needs_confirmation and getattr(payload, "confirmation", None) is None:
        return 1, set(verdict.messages)
    return 0, set()


# --------------------------------------------------------------------------- the store's check


def provisional_events(
    drafts: Sequence[EventDraft],
    *,
    after_seq: int,
    workstation_id: str,
    recorded_at: datetime,
    protocol: ProtocolRef,
) -> list[Event]:
    """The drafts as events not yet sealed (no hash): for checking before the store seals."""
    return [
        Event.model_construct(
            uuid=draft.uuid,
            episode_uuid=draft.episode_uuid,
            type=draft.type,
            payload=draft.payload,
            occurred_at=draft.occurred_at,
            recorded_at=recorded_at,
            recorded_by=draft.recorded_by,
            workstation_id=workstation_id,
            app_version="",
            protocol_id=protocol.id,
            protocol_version=protocol.version,
            protocol_sha256=protocol.sha256,
            seq=after_seq + number,
            prev_hash="",
            hash="",
        )
        for number, draft in enumerate(drafts, start=1)
    ]


def check_drafts(
    existing: Sequence[Event] | Callable[[], Sequence[Event]],
    drafts: Sequence[EventDraft],
    protocol: Protocol,
    *,
    workstation_id: str,
    recorded_at: datetime,
    existing_problems: Iterable[str] | None = None,
    current: EpisodeState | None = None,
    tz: Any = LONDON,
) -> EpisodeState:
    """Check one episode's new entries against the registry; return the state after them.

    Every new entry is checked, in clinical-time order, in the state just before it: the
    action's ``why_not`` at its clinical time, then its values (``check_values``). An amended
    entry is checked as the action it corrects, with its corrected values and time. Finally no
    entry may make another impossible: a new data problem (``EpisodeState.problems``) refuses
    the lot.

    Args:
        existing: The episode's committed events (empty for a new episode), or a function
            that reads them (called only when they are needed: with ``current`` given, new
            entries that simply follow it need no read).
        drafts: The new entries for this episode, in the order they are recorded.
        protocol: The protocol in force.
        workstation_id: The chain the drafts will join (orders them after ``existing``).
        recorded_at: When they are recorded.
        existing_problems: Uuids of entries already listed as problems (folded if None).
        current: The state of ``existing``, when known: new entries that simply follow it
            (``core.episode.extend``) are checked without folding the record again.
        tz: Zone of the local calendar (gestation at birth).

    Raises:
        ActionRefused: naming the refused draft, the action and the reason.
    """
    if not drafts:
        raise ValueError("no drafts to check")
    ref = ProtocolRef.of(protocol)
    loaded: list[Sequence[Event]] = []

    def committed() -> Sequence[Event]:
        if not loaded:
            loaded.append(existing() if callable(existing) else existing)
        return loaded[0]

    if current is not None:
        # The chain's last entry (a record holding several chains is folded whole anyway).
        seq = current.timeline[-1].event.seq if current.timeline else 0
    else:
        seq = max((event.seq for event in committed()), default=0)
    pending = provisional_events(
        drafts, after_seq=seq, workstation_id=workstation_id, recorded_at=recorded_at, protocol=ref
    )
    new = {draft.uuid for draft in drafts}
    amended_by: dict[str, EventDraft] = {
        str(draft.payload.get("target")): draft
        for draft in drafts
        if draft.type is EventType.AMENDMENT
    }
    if existing_problems is None:
        if current is not None:
            existing_problems = {p.event_uuid for p in current.problems}
        else:
            events = committed()
            existing_problems = (
                {p.event_uuid for p in fold(events, tz).problems} if events else set()
            )
    before = set(existing_problems)
    for index, draft in enumerate(drafts):
        if draft.type in _CORRECTIONS:
            # A correction is checked against the record as it stood just before it (the
            # fold's timeline would already show its own effect).
            _check_correction(draft, [*committed(), *pending[:index]], protocol, tz)

    earlier: dict[str, tuple[dict[str, Any], datetime]] = {}
    if amended_by:
        for item in effective_events(record_order(committed())):
            if item.event.uuid in amended_by:
                earlier[item.event.uuid] = (item.effective_payload, item.effective_occurred_at)

    def inspector(state: EpisodeState, entry: TimelineEntry) -> None:
        uuid = entry.event.uuid
        at = entry.effective_occurred_at
        payload = parse_payload(entry.event.type, entry.effective_payload)
        spec = spec_for(entry.event.type, payload)
        if uuid in new and entry.event.type not in _CORRECTIONS:
            reason = spec.why_not(state, protocol, at) or _back_fill_problem(
                payload, entry.event.recorded_by, protocol
            )
            if reason is not None:
                raise ActionRefused(f"{spec.label}: {reason}", draft_uuid=uuid, action=spec.key)
            refusal = check_values(spec, state, protocol, payload, at)
            if refusal is not None:
                raise ActionRefused(f"{spec.label}: {refusal}", draft_uuid=uuid, action=spec.key)
        if uuid in amended_by:
            refusal = check_values(spec, state, protocol, payload, at)
            if refusal is not None and uuid in earlier:
                # An entry already in the record that these rules would refuse as it stands
                # (made before them): the correction is refused only for what it makes worse.
                old_payload = parse_payload(entry.event.type, earlier[uuid][0])
                old_spec = spec_for(entry.event.type, old_payload)
                new_rank, new_words = _findings(spec, state, protocol, payload, at)
                old_rank, old_words = _findings(
                    old_spec, state, protocol, old_payload, earlier[uuid][1]
                )
                if new_rank <= old_rank and new_words <= old_words:
                    refusal = None
            if refusal is not None:
                raise ActionRefused(
                    f"Correction of “{spec.label}”: {refusal}",
                    draft_uuid=amended_by[uuid].uuid,
                    action="amend",
                )

    try:
        inspected = new | amended_by.keys()
        after = (
            None
            if current is None
            else extend(current, pending, tz, inspect=inspected, inspector=inspector)
        )
        if after is None:
            after = fold([*committed(), *pending], tz, inspect=inspected, inspector=inspector)
    except ActionRefused:
        raise
    except (EventError, ValidationError) as exc:
        raise ActionRefused(
            f"The episode would no longer make sense ({_first_line(exc)}).",
            draft_uuid=drafts[0].uuid,
        ) from None
    created_new = next((d for d in drafts if d.type is EventType.EPISODE_CREATED), None)
    for problem in after.problems:
        if problem.event_uuid in before:
            continue
        if problem.event_uuid in new:
            draft = next(d for d in drafts if d.uuid == problem.event_uuid)
            raise ActionRefused(
                problem.message,
                draft_uuid=draft.uuid,
                action=spec_for(draft.type, parse_payload(draft.type, draft.payload)).key,
            )
        blamed = next(
            (d for d in drafts if d.type in (EventType.AMENDMENT, EventType.VOID)),
            created_new or drafts[0],
        )
        raise ActionRefused(
            f"This would make an entry already in the record impossible: {problem.message} "
            "Correct or void the later entries first.",
            draft_uuid=blamed.uuid,
        )
    return after


_CORRECTIONS: Final = frozenset({EventType.AMENDMENT, EventType.VOID})


def _back_fill_problem(payload: Any, by: Actor, protocol: Protocol) -> str | None:
    """A back-fill-only reason ("Not recorded") recorded by anyone but an auditor (issue 11)."""
    if not isinstance(payload, NotGiven):
        return None
    rule = protocol.missed_reason(payload.reason_code)
    if rule is None or not rule.back_fill_only or by.role is Role.AUDITOR:
        return None
    return (
        f"“{rule.label}” ({rule.code}) is for the audit's back-filling only: at the bedside "
        "record the reason it was not given (after a senior's decision not to give, "
        "NG-SENIOR-DECISION)."
    )


def _check_correction(
    draft: EventDraft, prior: Sequence[Event], protocol: Protocol, tz: Any
) -> None:
    payload = parse_payload(draft.type, draft.payload)
    spec = spec_for(draft.type, payload)
    try:
        state = fold(prior, tz)
    except EventError as exc:
        raise ActionRefused(
            f"{spec.label}: {exc}", draft_uuid=draft.uuid, action=spec.key
        ) from None
    refusal = check_values(spec, state, protocol, payload, draft.occurred_at)
    if refusal is not None:
        raise ActionRefused(f"{spec.label}: {refusal}", draft_uuid=draft.uuid, action=spec.key)


#: How far ahead of the clock a clinical time may be (workstation clocks drift by seconds;
#: times are recorded to the minute). The app's own rule, not a clinical number.
FUTURE_TOLERANCE: Final = timedelta(minutes=1)


def not_happened_yet(moment: datetime, now: datetime) -> str | None:
    """The refusal for a clinical time that has not happened yet at ``now``, or None.

    A record never holds an event that has not happened: a time typed ahead is a plan, not an
    event.
    """
    if moment <= now + FUTURE_TOLERANCE:
        return None
    return (
        f"{format_local(moment, LONDON)} has not happened yet (it is now "
        f"{format_local(now, LONDON)}): a time ahead is a plan, not an entry."
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --------------------------------------------------------------------------- scripting


def plan(key: str, fields: Mapping[str, Any], ctx: LineContext) -> list[EventDraft]:
    """The entries one scripting line records (not yet checked against the record).

    Args:
        key: The action's key.
        fields: The line's own fields (everything except ``action``, ``episode``, ``at``,
            ``by``).
        ctx: The episode, protocol and time.

    Raises:
        ActionRefused: an unknown action, a field that does not fit, or the action is not
            available (``why_not``) or its values are refused.
    """
    spec = action(key)
    if spec.build is None:
        raise ActionRefused(f"{key!r} is recorded by the app itself, not by a script.", action=key)
    try:
        parsed = spec.fields.model_validate(dict(fields))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or key
        raise ActionRefused(f"{where}: {first['msg']}", action=key) from None
    if not spec.opens:
        reason = spec.why_not(ctx.episode, ctx.protocol, ctx.at)
        if reason is not None:
            raise ActionRefused(f"{spec.label}: {reason}", action=key)
    try:
        planned = spec.build(parsed, ctx)
    except ActionRefused as exc:
        raise ActionRefused(
            f"{spec.label}: {exc}", action=key, soft_limits=exc.soft_limits
        ) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ActionRefused(f"{spec.label}: {where}: {first['msg']}", action=key) from None
    except ValueError as exc:
        raise ActionRefused(f"{spec.label}: {_first_line(exc)}", action=key) from None
    if ctx.now is not None:
        for _, payload, at in planned:
            moved = payload.occurred_at if isinstance(payload, Amendment) else None
            for moment in (at, moved):
                refusal = None if moment is None else not_happened_yet(moment, ctx.now)
                if refusal is not None:
                    raise ActionRefused(f"{spec.label}: {refusal}", action=key)
    return [
        EventDraft.make(
            event_type,
            payload,
            episode_uuid=ctx.episode_uuid,
            occurred_at=at,
            recorded_by=ctx.by,
        )
        for event_type, payload, at in planned
    ]


class Envelope(_Fields):
    """What every scripting line carries besides its action's own fields."""

    action: str
    episode: str = Field(min_length=1, description="alias (for open: the new alias) or uuid")
    at: str = Field(description="ISO 8601; without an offset it is Europe/London local time")
    by: PersonFields


def schema() -> dict[str, Any]:
    """The JSON Schema of every scripting action (``mgso4 record --schema``)."""
    envelope = Envelope.model_json_schema()
    actions: dict[str, Any] = {}
    for key, spec in ACTIONS.items():
        if spec.build is None:
            continue
        own = spec.fields.model_json_schema()
        properties = {
            **envelope["properties"],
            "action": {"const": key},
            **own.get("properties", {}),
        }
        required = sorted({*envelope.get("required", []), *own.get("required", [])})
        entry: dict[str, Any] = {
            "title": spec.label,
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        defs = {**envelope.get("$defs", {}), **own.get("$defs", {})}
        if defs:
            entry["$defs"] = defs
        actions[key] = entry
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mgso4 record: one JSON object per line",
        "actions": actions,
    }


__all__ = [
    "ACTIONS",
    "NOT_AMENDABLE",
    "NOT_VOIDABLE",
    "ActionRefused",
    "ActionSpec",
    "Envelope",
    "LineContext",
    "allowed_actions",
    "baseline_values",
    "check_drafts",
    "check_values",
    "current_concentration",
    "current_rate_ml_per_h",
    "information_given",
    "load_end_due_at",
    "next_course_number",
    "not_happened_yet",
    "plan",
    "provisional_events",
    "reasons",
    "schema",
    "spec_for",
    "why_not",
    "why_not_amendable",
    "why_not_start_maintenance",
    "why_not_voidable",
]
