"""Alerts with a lifecycle: raised from the record, open until acted on or acknowledged.

Nothing here is stored as truth (design.md "The record"): every alert is worked out again from
the folded episode and the clock, so an alert raised before a restart is still open after it.
An alert is **open** from the moment its finding exists until either

- the action it asks for is recorded (the infusion is stopped after a stop trigger or at the
  stop due time; a full set of observations is recorded; a baseline set is entered with a time
  before the load; the entry behind a data problem is corrected or voided), or
- it is acknowledged with a reason (an ``alert-acknowledged`` entry naming its id).

Alert ids are stable: the same finding in the same record always has the same id, so an
acknowledgement made on one screen, one workstation or the command line closes it everywhere.

Kinds (``AlertKind``) and severities (info < warning < critical < urgent):

- ``toxicity``: a set of observations met one of the protocol's stop triggers (decisions.md §7;
  ``core.monitoring.evaluate``). Urgent while an infusion ran when it was taken, critical
  otherwise (a trigger met with nothing running still needs a person to look). Closed by a
  stop recorded at or after that observation, or an acknowledgement.
- ``stop-infusion``: the protocol's maximum duration or the birth is reached and the infusion
  still runs (decisions.md §4; ``DueKind.MAX_DURATION_STOP`` / ``STOP_AT_BIRTH``). Critical.
- ``observations-due``: the next toxicity observations are overdue ([N1] 1.10.5). Warning,
  critical after :data:`ESCALATE_AFTER`.
- ``action-due``: the load's end or the maintenance start is overdue. Warning.
- ``baseline-missing``: a loading dose started with no observations taken before it
  (decisions.md §14: baselines come from a pre-treatment set). Warning. Closed once no
  infusion runs (the baseline is there to judge the falls that stop a running infusion; the
  gap stays in the record and on the proforma, decisions.md §16), or by an acknowledgement.
- ``rate-check``: a load from a container holding more than the load (an 8% bag, volume-limited
  to the load) was recorded as finished without a second person checking the change to the
  maintenance rate (decisions.md §15): the loading rate may still be running. Critical while
  the course runs; closed by a stop or an acknowledgement after checking the pump.
- ``renal-cap``: renal impairment is recorded and the grams given in the last 48 h reach the
  protocol's cap (``limits.renal_cumulative_g_per_48h``, decisions.md §14). Critical while an
  infusion runs. Closed by a stop, or an acknowledgement.
- ``data-problem``: an entry that makes no sense where it stands in the record
  (``EpisodeState.problems``): it was not applied, and is shown rather than guessed. Critical.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from pydantic import ConfigDict

from mgso4.core.episode import EpisodeState, ObservationState
from mgso4.core.model import CoreModel
from mgso4.core.monitoring import DueItem, DueKind, due_items, evaluate
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import ensure_utc
from mgso4.core.vocab import ConditionId

#: An overdue observation left this long unacknowledged is raised to critical (the app's own
#: display rule, the same as the ward board's escalation; not a clinical number).
ESCALATE_AFTER: Final = timedelta(minutes=15)


class Severity(StrEnum):
    """How loud an alert is, quietest first."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for info … 3 for urgent (higher is louder)."""
        return _RANKS[self]


_RANKS: Final = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2, Severity.URGENT: 3}


class AlertKind(StrEnum):
    """What an alert is about (stable ids, used by the command line and exports)."""

    TOXICITY = "toxicity"
    STOP_INFUSION = "stop-infusion"
    OBSERVATIONS_DUE = "observations-due"
    ACTION_DUE = "action-due"
    BASELINE_MISSING = "baseline-missing"
    RENAL_CAP = "renal-cap"
    RATE_CHECK = "rate-check"
    DATA_PROBLEM = "data-problem"


class Alert(CoreModel):
    """One alert.

    Attributes:
        id: Stable id, e.g. ``toxicity:rr-low:<observation uuid>``, ``stop:1``,
            ``obs:1:2026-03-29T04:00:00.000000Z``, ``baseline-missing:1``,
            ``data-problem:<entry uuid>``. Due-time alerts use the due item's key.
        kind: What it is about.
        severity: info, warning, critical or urgent.
        message: Plain words: what was found and what to do.
        since: When the finding arose (aware UTC).
        course_number: The course it concerns, if any.
        event_uuid: The entry it comes from, if any (an observation, a problem entry).
        acknowledged: Someone acknowledged it (then it is not open).
        resolved: The action it asks for was recorded (then it is not open).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: AlertKind
    severity: Severity
    message: str
    since: datetime
    course_number: int | None = None
    event_uuid: str | None = None
    acknowledged: bool = False
    resolved: bool = False

    @property
    def open(self) -> bool:
        """Still needs action: neither acted on nor acknowledged."""
        return not self.acknowledged and not self.resolved

    def as_dict(self) -> dict[str, object]:
        """The command line's form: ``id``, ``kind``, ``severity``, ``message``, ``since``."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "severity": self.severity.value,
            "message": self.message,
            "since": self.since,
        }


_DUE_KINDS: Final = {
    DueKind.MAX_DURATION_STOP: AlertKind.STOP_INFUSION,
    DueKind.STOP_AT_BIRTH: AlertKind.STOP_INFUSION,
    DueKind.OBSERVATIONS: AlertKind.OBSERVATIONS_DUE,
    DueKind.LOAD_END: AlertKind.ACTION_DUE,
    DueKind.MAINTENANCE_START: AlertKind.ACTION_DUE,
    DueKind.REVIEW: AlertKind.ACTION_DUE,
}


def alerts(state: EpisodeState, protocol: Protocol, now: datetime) -> list[Alert]:
    """Every alert raised by ``now``, open or not, most severe first, then oldest first.

    Args:
        state: The folded episode (fold it ``until=now`` to see the record as at ``now``).
        protocol: The protocol the episode is shown with (thresholds, intervals).
        now: The instant to evaluate (aware).
    """
    now_utc = ensure_utc(now, "current time")
    acknowledged = {ack.key for at, ack, _ in state.alerts_acknowledged if at <= now_utc}
    found: list[Alert] = []
    found += _toxicity(state, protocol, now_utc)
    found += _due(due_items(state, protocol, now_utc), now_utc)
    found += _baseline(state, now_utc)
    found += _renal_cap(state, protocol, now_utc)
    found += _rate_change_unchecked(state, now_utc)
    for problem in state.problems:
        if problem.occurred_at <= now_utc:
            found.append(
                Alert(
                    id=f"data-problem:{problem.event_uuid}",
                    kind=AlertKind.DATA_PROBLEM,
                    severity=Severity.CRITICAL,
                    message=(
                        f"Data problem: {problem.message} This entry was not applied; correct "
                        "or void it."
                    ),
                    since=problem.occurred_at,
                    event_uuid=problem.event_uuid,
                )
            )
    marked = [
        alert.model_copy(update={"acknowledged": True}) if alert.id in acknowledged else alert
        for alert in found
    ]
    return sorted(marked, key=lambda a: (-a.severity.rank, a.since, a.id))


def open_alerts(state: EpisodeState, protocol: Protocol, now: datetime) -> list[Alert]:
    """The alerts still needing action at ``now``, most severe first."""
    return [alert for alert in alerts(state, protocol, now) if alert.open]


def _running_at(state: EpisodeState, moment: datetime) -> int | None:
    """The number of the course infusing at ``moment``, if any."""
    for course in state.courses:
        start = course.started_at
        if start is None or start > moment:
            continue
        if course.stopped_at is None or course.stopped_at > moment:
            return course.number
    return None


def _stopped_since(state: EpisodeState, moment: datetime, now: datetime) -> bool:
    return any(
        course.stopped_at is not None and moment <= course.stopped_at <= now
        for course in state.courses
    )


def _toxicity(state: EpisodeState, protocol: Protocol, now: datetime) -> list[Alert]:
    found = []
    for obs in state.observations:
        if obs.taken_at > now:
            continue
        running = _running_at(state, obs.taken_at)
        for finding in evaluate(obs.observation, protocol):
            if finding.severity != "stop":
                continue
            action = (
                "Stop the infusion and record the stop; "
                if running is not None
                else "No infusion was running: "
            )
            found.append(
                Alert(
                    id=f"toxicity:{finding.code}:{obs.event_uuid}",
                    kind=AlertKind.TOXICITY,
                    severity=Severity.URGENT if running is not None else Severity.CRITICAL,
                    message=(
                        f"Stop trigger met: {finding.message} {action}{' '.join(finding.actions)}"
                    ),
                    since=obs.taken_at,
                    course_number=running,
                    event_uuid=obs.event_uuid,
                    resolved=running is not None and _stopped_since(state, obs.taken_at, now),
                )
            )
    return found


def _due(items: list[DueItem], now: datetime) -> list[Alert]:
    found = []
    for item in items:
        if not item.overdue:
            continue
        kind = _DUE_KINDS[item.kind]
        late = now - item.due_at >= ESCALATE_AFTER
        if kind is AlertKind.STOP_INFUSION or (kind is AlertKind.OBSERVATIONS_DUE and late):
            severity = Severity.CRITICAL
        else:
            severity = Severity.WARNING
        found.append(
            Alert(
                id=item.key,
                kind=kind,
                severity=severity,
                message=item.label,
                since=item.due_at,
                course_number=item.course_number,
            )
        )
    return found


def baseline_observations(state: EpisodeState) -> list[ObservationState]:
    """The pre-treatment sets: taken at or before the first course started (decisions.md §14).

    A set marked ``baseline`` counts only if it was taken before treatment began; an
    on-treatment set is never a baseline.
    """
    first = next((c.started_at for c in state.courses if c.started_at is not None), None)
    if first is None:
        return [obs for obs in state.observations]
    return [obs for obs in state.observations if obs.taken_at <= first]


def _baseline(state: EpisodeState, now: datetime) -> list[Alert]:
    first = next(
        (c for c in state.courses if c.load_started_at is not None and c.load is not None), None
    )
    if first is None or first.load_started_at is None or first.load_started_at > now:
        return []
    if baseline_observations(state):
        return []
    return [
        Alert(
            id=f"baseline-missing:{first.number}",
            kind=AlertKind.BASELINE_MISSING,
            severity=Severity.WARNING,
            message=(
                "No baseline observations before the loading dose: the falls in respiratory "
                "rate and diastolic pressure that stop the infusion are measured from a "
                "pre-treatment set. Record it with the time it was taken, "
                "or acknowledge with a reason."
            ),
            since=first.load_started_at,
            course_number=first.number,
            # Nothing runs: no fall from a baseline can stop anything now (HAZ-033 C5).
            resolved=state.running_course is None,
        )
    ]


#: The window of the renal cumulative cap (``limits.renal_cumulative_g_per_48h``, [D4]).
RENAL_WINDOW: Final = timedelta(hours=48)


def renal_grams_in_window(state: EpisodeState, now: datetime) -> Decimal:
    """Grams given in the 48 h up to ``now``, across every course (decisions.md §14)."""
    return state.total_grams(now) - state.total_grams(now - RENAL_WINDOW)


def _renal_cap(state: EpisodeState, protocol: Protocol, now: datetime) -> list[Alert]:
    assessment = state.assessment
    if assessment is None or ConditionId.RENAL_IMPAIRMENT not in assessment.conditions:
        return []
    running = state.running_course
    if running is None:
        return []
    cap = protocol.limits.renal_cumulative_g_per_48h
    given = renal_grams_in_window(state, now)
    if given < cap.value:
        return []
    local = " (local setting)" if cap.is_local_setting else ""
    return [
        Alert(
            id=f"renal-cap:{running.number}",
            kind=AlertKind.RENAL_CAP,
            severity=Severity.CRITICAL,
            message=(
                f"Renal impairment: {given.quantize(Decimal('0.1'))} g of MgSO₄ given in the "
                f"last 48 h reaches the protocol's cap of {cap.value} g in 48 h{local} "
                f"{cap.source}. Stop or reduce the infusion (NICE [N1] 1.10.6), check serum "
                "magnesium, and record what was done."
            ),
            since=now,
            course_number=running.number,
        )
    ]


def _rate_change_unchecked(state: EpisodeState, now: datetime) -> list[Alert]:
    found = []
    for course in state.courses:
        load = course.load
        ended = course.load_finished_at
        if load is None or load.vtbi_ml is None or ended is None or ended > now:
            continue
        if course.load_end_checked_by is not None:
            continue
        if course.stopped_at is not None and course.stopped_at <= now:
            continue
        found.append(
            Alert(
                id=f"rate-check:{course.number}",
                kind=AlertKind.RATE_CHECK,
                severity=Severity.CRITICAL,
                message=(
                    f"The load came from a container holding more than the load (VTBI "
                    f"{load.vtbi_ml} mL) and its end was recorded without a second person "
                    "checking the pump: check now that the loading rate is no longer running "
                    "and the maintenance rate is set, then acknowledge."
                ),
                since=ended,
                course_number=course.number,
            )
        )
    return found
