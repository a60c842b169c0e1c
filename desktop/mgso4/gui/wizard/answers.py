"""The new-episode wizard's answers, the flow state they give, and the events they record.

Nothing here imports Qt: the pages write what the user typed (already checked by ``core``)
into one :class:`WizardAnswers`; :func:`flow_state` turns it into ``core.flow.FlowState`` so
the page order comes from ``core.flow``; :func:`build_drafts` turns it into the events saved
in one transaction. Both are tested without widgets.

What the wizard records, and at which clinical time (``occurred_at``). A clinical record
never holds an event that has not happened yet, so every time is at or before ``now`` (the
moment the review page was shown, so the record is exactly what the user reviewed):

- ``episode-created``, ``assessed``, each ``interaction-acknowledged`` and ``decision`` at the
  decision time (typed on the decision page, "now" by default);
- ``not-given`` at the decision time, when MgSO4 is not given (contraindicated, or decided);
- ``load-started`` at the loading start time typed on the loading page;
- ``maintenance-started`` at the maintenance start time, ONLY when that time is at or before
  ``now`` (retrospective entry: the wizard is filled in after the load has already run). The
  time defaults to the planned end of the loading dose, which at the bedside is usually still
  ahead: then the maintenance page shows the plan and nothing about maintenance is recorded;
  the end of the load and the maintenance start are recorded from the episode view when they
  happen (the ward board shows the load end as due);
- ``load-finished`` at loading start + loading duration, only together with a recorded
  ``maintenance-started`` at or after that time. If the maintenance was started earlier (the
  load stopped short), skipped, or is not recorded yet, when the load ended is not known here
  and is left to the episode view, rather than recording a time nobody saw.

A decision or loading start time after ``now`` is refused (the pages refuse it as it is typed;
:func:`build_drafts` refuses it again so a future event can never be saved).

A recommendation of "not indicated" records the episode and its assessment only: nothing was
decided, nothing is missed, and the episode stays on the board to be reassessed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel

from mgso4.core import flow, opening
from mgso4.core.actions import not_happened_yet
from mgso4.core.citations import cite
from mgso4.core.eligibility import Assessment, AssessmentInputs, to_assessed_payload
from mgso4.core.episode import (
    Actor,
    Dating,
    Decision,
    EpisodeCreated,
    EventDraft,
    EventType,
    InteractionAcknowledged,
    LoadFinished,
    LoadStarted,
    MaintenanceStarted,
    NotGiven,
    Patient,
    SeverePreEclampsia,
)
from mgso4.core.gestation import GestationalAge
from mgso4.core.protocol import Protocol
from mgso4.core.vocab import ConditionId, MedicationId, Recommendation, Situation

#: The course the wizard starts: a new episode is always the first course (repeat courses are
#: started from the episode view, where the earlier course is known).
FIRST_COURSE = 1

_T = TypeVar("_T")

_GIVE_CANDIDATES = opening.GIVE_CANDIDATES


class IncompleteAnswersError(ValueError):
    """The answers do not yet say enough to record the episode; the message says what."""


@dataclass
class WizardAnswers:
    """Everything entered so far. A field is None (or empty) until its page accepts it.

    The pages only store values that ``core`` accepted: an invalid entry leaves the field None
    here while the text stays on screen with its message.
    """

    episode_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    patient: Patient | None = None
    #: Set when the identifier is a synthetic test number in clinical mode (warned, allowed).
    identifier_warning: str | None = None
    dating: Dating | None = None
    situation: Situation | None = None
    conditions: frozenset[ConditionId] = frozenset()
    medications: frozenset[MedicationId] = frozenset()
    preparation_id: str = ""
    #: How many babies are expected (decisions.md §13: one birth entry each; the infusion runs
    #: until the last is born).
    plurality: int = 1
    decided_at: datetime | None = None
    assessment: Assessment | None = None
    assessment_inputs: AssessmentInputs | None = None
    acknowledged: frozenset[MedicationId] = frozenset()
    give: bool | None = None
    senior: Actor | None = None
    #: Also given for severe pre-eclampsia or eclampsia (decisions.md §4), with the team's stop
    #: plan; a named senior decides.
    severe_pre_eclampsia: bool = False
    eclampsia: bool = False
    stop_plan: str = ""
    not_given_code: str | None = None
    not_given_text: str = ""
    load_started_at: datetime | None = None
    checker: Actor | None = None
    maintenance_skipped: bool = False
    maintenance_started_at: datetime | None = None
    saved: bool = False

    # -- derived --------------------------------------------------------------------------

    @property
    def recommendation(self) -> Recommendation | None:
        """The assessment's recommendation, or None before the assessment."""
        return self.assessment.recommendation if self.assessment is not None else None

    @property
    def give_possible(self) -> bool:
        """Whether the recommendation lets the team choose to give MgSO4."""
        return self.recommendation in _GIVE_CANDIDATES

    @property
    def interactions_pending(self) -> frozenset[MedicationId]:
        """Interacting medicines whose warning has not been acknowledged yet."""
        return self.medications - self.acknowledged

    def load_ends_at(self) -> datetime | None:
        """Loading start + the planned loading duration (UTC), or None without both."""
        plan = None if self.assessment is None else self.assessment.loading
        return opening.load_ends_at(
            self.load_started_at, None if plan is None else plan.duration_min
        )

    def gestation_on(self, on: date) -> GestationalAge | None:
        """The gestation on a local calendar date from the dating entered, if any."""
        return self.dating.gestation_on(on) if self.dating is not None else None

    def maintenance_start_to_record(self, now: datetime) -> datetime | None:
        """The maintenance start time if it has happened by ``now``; None if not (yet).

        A later time is the plan shown on the maintenance page, never recorded (core.opening).
        """
        return opening.maintenance_start_to_record(
            self.maintenance_started_at, skipped=self.maintenance_skipped, now=now
        )

    def load_end_to_record(self, now: datetime) -> datetime | None:
        """When the load finished, if the wizard records it at ``now``; otherwise None.

        Only with a recorded maintenance start at or after the planned end of the load: the
        pump switched to the maintenance rate then, so the load ran its planned duration.
        """
        return opening.load_end_to_record(
            self.load_ends_at(), self.maintenance_start_to_record(now)
        )


def minutes(value: Decimal) -> timedelta:
    """A Decimal number of minutes as a timedelta (exact to the microsecond)."""
    return timedelta(microseconds=int(value * 60_000_000))


def flow_state(
    answers: WizardAnswers,
    *,
    user_known: bool,
    protocol: Protocol,
    patient_complete: bool,
    gestation_complete: bool,
    situation_complete: bool,
    senior_complete: bool,
    not_given_complete: bool,
    loading_complete: bool,
    maintenance_complete: bool,
) -> flow.FlowState:
    """The ``core.flow`` state for the answers so far.

    The ``*_complete`` flags come from the pages (their checks on what is typed). A choice that
    the current recommendation no longer allows (e.g. "give" chosen, then the gestation was
    changed to one outside the bands) is left out, so the flow follows the new recommendation.
    """
    recommendation = answers.recommendation
    give = answers.give if answers.give_possible else None
    optional = protocol.maintenance.optional
    return flow.FlowState(
        user_known=user_known,
        patient_entered=patient_complete,
        gestation_entered=gestation_complete,
        situation_entered=situation_complete,
        recommendation=recommendation,
        senior_decision_required=bool(
            answers.assessment is not None and answers.assessment.senior_decision_required
        ),
        severe_pre_eclampsia=answers.severe_pre_eclampsia,
        senior_recorded=senior_complete,
        decision_give=give,
        not_given_reason_entered=not_given_complete,
        loading_confirmed=loading_complete,
        maintenance_confirmed=maintenance_complete,
        maintenance_optional=optional,
        maintenance_skipped=optional and answers.maintenance_skipped,
        review_confirmed=answers.saved,
    )


def interaction_warning(
    assessment: Assessment, protocol: Protocol, medication: MedicationId
) -> str:
    """The words of one interacting medicine's warning, as the assessment gave them.

    The assessment lists each interaction's warning with its action; the one that starts with
    the protocol's label for the medicine is it. The protocol's own words are the fallback.
    """
    rule = protocol.interaction(medication)
    if rule is None:
        label = medication.value.replace("-", " ").capitalize()
        found = next((w for w in assessment.warnings if w.startswith(f"{label}:")), None)
        return found or f"{label}: check this medicine with a pharmacist."
    found = next((w for w in assessment.warnings if w.startswith(f"{rule.label}:")), None)
    return found or (
        f"{rule.label}: {rule.warning} Action: {rule.action} ({cite(rule.source, protocol)})"
    )


def build_drafts(
    answers: WizardAnswers,
    *,
    path: list[flow.Step],
    user: Actor,
    protocol: Protocol,
    unit_name: str,
    training: bool,
    now: datetime,
) -> list[EventDraft]:
    """The events that record this new episode, in the order they are appended.

    Only what has happened by ``now`` is recorded (see the module docstring): a maintenance
    start after ``now`` is left out, and with it the end of the load.

    Args:
        answers: Everything entered.
        path: The ``core.flow`` path for the final answers (which pages were on the way).
        user: Who is recording (decides, gives the loading dose).
        protocol: The protocol in force (for the optional-maintenance rule and source texts).
        unit_name: Printed on the record.
        training: Created in training mode.
        now: The cut-off (aware UTC): the moment the review page showed what will be saved.

    Raises:
        IncompleteAnswersError: Something a page on the path needs is missing, or the decision
            or loading start is after ``now`` (the wizard's pages do not let this happen; the
            check keeps a half or future record from ever being saved).
    """
    if flow.Step.DONE not in path:
        raise IncompleteAnswersError("The wizard has not reached the end of its questions.")
    patient = _need(answers.patient, "the patient's details")
    dating = _need(answers.dating, "the gestation")
    assessment = _need(answers.assessment, "the assessment")
    inputs = _need(answers.assessment_inputs, "the assessment inputs")
    decided_at = _need(answers.decided_at, "the decision time")
    _need_happened(decided_at, now, "the decision time")
    episode = answers.episode_uuid

    def draft(kind: EventType, payload: BaseModel, occurred_at: datetime) -> EventDraft:
        return EventDraft.make(
            kind,
            payload,
            episode_uuid=episode,
            occurred_at=occurred_at,
            recorded_by=user,
        )

    preparation_id = answers.preparation_id
    drafts = [
        draft(
            EventType.EPISODE_CREATED,
            EpisodeCreated(
                patient=patient,
                dating=dating,
                preparation_id=preparation_id,
                training=training,
                unit_name=unit_name,
                plurality=answers.plurality,
            ),
            decided_at,
        ),
        draft(EventType.ASSESSED, to_assessed_payload(assessment, inputs), decided_at),
    ]
    for medication in sorted(answers.acknowledged & answers.medications):
        drafts.append(
            draft(
                EventType.INTERACTION_ACKNOWLEDGED,
                InteractionAcknowledged(
                    medication=medication,
                    warning=interaction_warning(assessment, protocol, medication),
                ),
                decided_at,
            )
        )

    giving = flow.Step.LOADING in path
    # What opening records as the decision is core's (contraindicated: a decision not to give,
    # by the user who confirmed it; not indicated: none).
    decision = opening.opening_decision(assessment.recommendation, chose_to_give=giving)
    if decision is not None:
        senior = None
        if flow.Step.SENIOR in path:
            senior = _need(answers.senior, "the named senior decision")
        drafts.append(
            draft(
                EventType.DECISION,
                Decision(
                    give=decision,
                    decided_by=user,
                    senior=senior,
                    course_number=FIRST_COURSE,
                    severe_pre_eclampsia=(
                        SeverePreEclampsia(
                            eclampsia=answers.eclampsia, stop_plan=answers.stop_plan.strip()
                        )
                        if answers.severe_pre_eclampsia and decision
                        else None
                    ),
                ),
                decided_at,
            )
        )

    if flow.Step.NOT_GIVEN in path:
        code = _need(answers.not_given_code, "the reason MgSO4 was not given")
        drafts.append(
            draft(
                EventType.NOT_GIVEN,
                NotGiven(reason_code=code, text=answers.not_given_text.strip()),
                decided_at,
            )
        )

    if giving:
        drafts.extend(_infusion_drafts(answers, assessment, path, user, draft, now))
    return drafts


def _infusion_drafts(
    answers: WizardAnswers,
    assessment: Assessment,
    path: list[flow.Step],
    user: Actor,
    draft: Callable[[EventType, BaseModel, datetime], EventDraft],
    now: datetime,
) -> list[EventDraft]:
    loading = _need(assessment.loading, "the loading plan")
    load_started_at = _need(answers.load_started_at, "the loading start time")
    _need_happened(load_started_at, now, "the loading start time")
    checker = _need(answers.checker, "the second checker")
    drafts = [
        draft(
            EventType.LOAD_STARTED,
            LoadStarted(
                course_number=FIRST_COURSE,
                preparation_id=loading.preparation_id,
                dose_g=loading.dose_g,
                concentration_g_per_ml=loading.concentration_g_per_ml,
                volume_ml=loading.volume_ml,
                rate_ml_per_h=loading.rate_ml_per_h,
                duration_min=loading.duration_min,
                given_by=user,
                checked_by=checker,
                # A container holding more than the load: the pump is volume-limited to the
                # load (decisions.md §15), and the rate-check alert needs to know it.
                vtbi_ml=loading.vtbi_ml,
            ),
            load_started_at,
        )
    ]
    if flow.Step.MAINTENANCE not in path:
        return drafts
    maintenance = _need(assessment.maintenance, "the maintenance plan")
    _need(answers.maintenance_started_at, "the maintenance start time")
    maintenance_at = answers.maintenance_start_to_record(now)
    if maintenance_at is None:
        # Not started yet: the page showed the plan; the episode view records the end of the
        # load and the maintenance start when they happen.
        return drafts
    load_ends_at = answers.load_end_to_record(now)
    if load_ends_at is not None:
        drafts.append(
            draft(
                EventType.LOAD_FINISHED,
                # Volume-limited load: the second person who checked the drop to the
                # maintenance rate (decisions.md §15) is the wizard's checker.
                LoadFinished(
                    course_number=FIRST_COURSE,
                    checked_by=checker if loading.vtbi_ml is not None else None,
                ),
                load_ends_at,
            )
        )
    drafts.append(
        draft(
            EventType.MAINTENANCE_STARTED,
            MaintenanceStarted(
                course_number=FIRST_COURSE,
                preparation_id=maintenance.preparation_id,
                concentration_g_per_ml=maintenance.concentration_g_per_ml,
                rate_ml_per_h=maintenance.rate_ml_per_h,
                container_volume_ml=maintenance.container_volume_ml,
                given_by=user,
                checked_by=checker,
            ),
            maintenance_at,
        )
    )
    return drafts


def _need(value: _T | None, what: str) -> _T:
    if value is None:
        raise IncompleteAnswersError(f"Cannot save yet: {what} is missing.")
    return value


def _need_happened(moment: datetime, now: datetime, what: str) -> None:
    if not_happened_yet(moment, now) is not None:
        raise IncompleteAnswersError(
            f"Cannot save: {what} has not happened yet, and a time that has not happened is "
            "never recorded. Go Back and correct it."
        )
