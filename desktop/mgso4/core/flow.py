"""The bedside wizard's step graph, as pure functions of the answers so far.

The GUI's ``QWizard`` takes its page order from here (design.md "GUI conventions"): which
pages a new episode passes through depends only on a :class:`FlowState`, so every branch is
tested without widgets. The graph:

``USER`` (only when nobody is signed in) → ``PATIENT`` → ``GESTATION`` → ``SITUATION``
(situation, conditions, medications) → ``DECISION`` (recommendation and confirm), then:

- discuss / offer / consider: ``SENIOR`` when a named senior decision is required (the 23-week
  discussion, a caution such as myasthenia gravis; decisions.md §5), then either
  ``LOADING`` → ``MAINTENANCE`` (left out when the protocol makes maintenance optional and the
  user chose the loading dose alone, e.g. SOGC 2019) or, if not given, ``NOT_GIVEN`` (coded
  reason, decisions.md §9);
- not indicated (outside the bands, or not a qualifying situation): the episode is recorded as
  assessed and not indicated. It is not a missed case, so no not-given reason is asked;
- contraindicated: ``NOT_GIVEN`` with NG-CONTRAINDICATION suggested;

and always ``REVIEW`` → ``DONE``. ``DONE`` is the end, not a page.

Nothing here records anything: the pages do that through the store. The flow only says where
to go next.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, model_validator

from mgso4.core.model import CoreModel
from mgso4.core.vocab import Recommendation

#: The missed-case code suggested when MgSO4 is contraindicated (reference §3.3).
CONTRAINDICATION_REASON = "NG-CONTRAINDICATION"
#: Pre-selected after a named senior decided not to give (issue 14, defect 11).
SENIOR_DECISION_REASON = "NG-SENIOR-DECISION"

#: Recommendations after which the team decides whether to give MgSO4.
_GIVE_CANDIDATES = frozenset(
    {Recommendation.DISCUSS, Recommendation.OFFER, Recommendation.CONSIDER}
)


class Step(StrEnum):
    """One page of the new-episode wizard (stable ids; the GUI maps them to pages)."""

    USER = "user"
    PATIENT = "patient"
    GESTATION = "gestation"
    SITUATION = "situation"
    DECISION = "decision"
    SENIOR = "senior"
    NOT_GIVEN = "not-given"
    LOADING = "loading"
    MAINTENANCE = "maintenance"
    REVIEW = "review"
    DONE = "done"

    @property
    def label(self) -> str:
        """The page title in plain words."""
        return _STEP_LABELS[self]


_STEP_LABELS = {
    Step.USER: "Who is using the app",
    Step.PATIENT: "Patient",
    Step.GESTATION: "Gestation",
    Step.SITUATION: "Situation, conditions and medicines",
    Step.DECISION: "Recommendation and decision",
    Step.SENIOR: "Senior decision",
    Step.NOT_GIVEN: "Reason not given",
    Step.LOADING: "Loading dose",
    Step.MAINTENANCE: "Maintenance infusion",
    Step.REVIEW: "Review and save",
    Step.DONE: "Done",
}


class FlowState(CoreModel):
    """The wizard's answers so far. Every field starts unanswered.

    Attributes:
        user_known: Someone is signed in, so the USER page is skipped.
        patient_entered: Patient identifiers accepted.
        gestation_entered: Dating accepted.
        situation_entered: Situation, conditions and medications answered.
        recommendation: What the assessment recommends; None until assessed.
        senior_decision_required: The assessment asks for a named senior decision.
        severe_pre_eclampsia: Also given for severe pre-eclampsia or eclampsia (a named senior
            decides, decisions.md §4).
        senior_recorded: The senior's name and role are recorded.
        decision_give: Whether MgSO4 will be given; None until decided (on the DECISION page,
            or the SENIOR page when a senior decision is required).
        not_given_reason_entered: A coded not-given reason is recorded.
        loading_confirmed: The loading dose was checked and started.
        maintenance_confirmed: The maintenance infusion was checked and started.
        maintenance_optional: The protocol allows a loading dose alone.
        maintenance_skipped: The user chose the loading dose alone (only if optional).
        review_confirmed: The review page was confirmed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_known: bool = False
    patient_entered: bool = False
    gestation_entered: bool = False
    situation_entered: bool = False
    recommendation: Recommendation | None = None
    senior_decision_required: bool = False
    #: MgSO₄ is also given for severe pre-eclampsia or eclampsia: its own indication, which a
    #: named senior records with the team's stop plan (decisions.md §4).
    severe_pre_eclampsia: bool = False
    senior_recorded: bool = False
    decision_give: bool | None = None
    not_given_reason_entered: bool = False
    loading_confirmed: bool = False
    maintenance_confirmed: bool = False
    maintenance_optional: bool = False
    maintenance_skipped: bool = False
    review_confirmed: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> FlowState:
        if self.maintenance_skipped and not self.maintenance_optional:
            raise ValueError(
                "This protocol does not allow a loading dose without the maintenance infusion."
            )
        if self.decision_give and self.recommendation not in (None, *_GIVE_CANDIDATES):
            raise ValueError(
                "MgSO4 cannot be recorded as given when the recommendation is "
                f"{self.recommendation}: record the reason instead."
            )
        return self


def needs_senior(state: FlowState) -> bool:
    """A named senior decides: the assessment asks for one, or severe pre-eclampsia or
    eclampsia is recorded as its own indication (decisions.md §4)."""
    return state.senior_decision_required or state.severe_pre_eclampsia


def decided_on_decision_page(state: FlowState) -> bool:
    """The give / not-give choice is made on the DECISION page (no senior needed)."""
    return state.recommendation in _GIVE_CANDIDATES and not needs_senior(state)


def is_answered(state: FlowState, step: Step) -> bool:
    """Whether a step's question has been answered. ``DONE`` is never a question."""
    match step:
        case Step.USER:
            return state.user_known
        case Step.PATIENT:
            return state.patient_entered
        case Step.GESTATION:
            return state.gestation_entered
        case Step.SITUATION:
            return state.situation_entered
        case Step.DECISION:
            if state.recommendation is None:
                return False
            return not decided_on_decision_page(state) or state.decision_give is not None
        case Step.SENIOR:
            return state.senior_recorded and state.decision_give is not None
        case Step.NOT_GIVEN:
            return state.not_given_reason_entered
        case Step.LOADING:
            return state.loading_confirmed
        case Step.MAINTENANCE:
            return state.maintenance_confirmed
        case Step.REVIEW:
            return state.review_confirmed
        case Step.DONE:
            return False


def path(state: FlowState) -> list[Step]:
    """The ordered steps the wizard passes through, given the answers so far.

    The path ends at ``DONE`` once every branch is known. Where the way on depends on an
    answer not yet given (the recommendation, or whether MgSO4 will be given), it ends at the
    step that asks it; that step is then unanswered, so :func:`next_step` is always on it.
    A path never holds both ``LOADING`` and ``NOT_GIVEN``.
    """
    steps: list[Step] = []
    if not state.user_known:
        steps.append(Step.USER)
    steps += [Step.PATIENT, Step.GESTATION, Step.SITUATION, Step.DECISION]

    recommendation = state.recommendation
    if recommendation is None:
        return steps
    if recommendation is Recommendation.NOT_INDICATED:
        # Assessed and not indicated: not a missed case, so no not-given reason is asked.
        return [*steps, Step.REVIEW, Step.DONE]
    if recommendation is Recommendation.CONTRAINDICATED:
        return [*steps, Step.NOT_GIVEN, Step.REVIEW, Step.DONE]

    if needs_senior(state):
        steps.append(Step.SENIOR)
    if state.decision_give is None:
        return steps
    if state.decision_give:
        steps.append(Step.LOADING)
        if not (state.maintenance_optional and state.maintenance_skipped):
            steps.append(Step.MAINTENANCE)
    else:
        steps.append(Step.NOT_GIVEN)
    return [*steps, Step.REVIEW, Step.DONE]


def next_step(state: FlowState) -> Step:
    """The first step on the path whose question is still unanswered; ``DONE`` if none."""
    return next((step for step in path(state) if not is_answered(state, step)), Step.DONE)


def suggested_reason(state: FlowState) -> str | None:
    """The not-given reason code to pre-select, or None to let the user choose.

    Contraindicated → ``NG-CONTRAINDICATION`` (reference §3.3); a named senior's decision
    not to give → ``NG-SENIOR-DECISION`` (never "Not recorded" at the bedside). Otherwise
    nothing is suggested: declining and the rest are the user's to say.
    """
    if state.recommendation is Recommendation.CONTRAINDICATED:
        return CONTRAINDICATION_REASON
    if needs_senior(state) and state.senior_recorded and state.decision_give is False:
        return SENIOR_DECISION_REASON
    return None
