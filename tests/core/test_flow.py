"""The new-episode wizard's step graph, every branch without widgets (design.md).

Paths follow the worked cases: WC-1 standard offer, WC-3 consider not given, WC-4 23-week
discussion, WC-11 caution (myasthenia gravis) with a senior decision, SOGC loading dose alone.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mgso4.core.flow import (
    FlowState,
    Step,
    is_answered,
    next_step,
    path,
    suggested_reason,
)
from mgso4.core.vocab import Recommendation

S = Step

#: Everything up to the DECISION page answered by a signed-in user.
ENTERED: dict[str, Any] = {
    "user_known": True,
    "patient_entered": True,
    "gestation_entered": True,
    "situation_entered": True,
}


def flow(**answers: Any) -> FlowState:
    return FlowState(**answers)


def test_a_new_wizard_starts_by_asking_who_is_using_it() -> None:
    state = FlowState()

    assert next_step(state) is S.USER
    assert path(state) == [S.USER, S.PATIENT, S.GESTATION, S.SITUATION, S.DECISION]


def test_a_signed_in_user_skips_the_user_step() -> None:
    state = flow(user_known=True)

    assert S.USER not in path(state)
    assert next_step(state) is S.PATIENT


def test_standard_offer_path_runs_from_user_to_review() -> None:
    state = flow(recommendation=Recommendation.OFFER, decision_give=True)

    assert path(state) == [
        S.USER,
        S.PATIENT,
        S.GESTATION,
        S.SITUATION,
        S.DECISION,
        S.LOADING,
        S.MAINTENANCE,
        S.REVIEW,
        S.DONE,
    ]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"user_known": True}, S.PATIENT),
        ({"user_known": True, "patient_entered": True}, S.GESTATION),
        ({**ENTERED, "gestation_entered": False}, S.GESTATION),
        ({**ENTERED, "situation_entered": False}, S.SITUATION),
        (ENTERED, S.DECISION),
        ({**ENTERED, "recommendation": Recommendation.OFFER}, S.DECISION),
        ({**ENTERED, "recommendation": Recommendation.OFFER, "decision_give": True}, S.LOADING),
        (
            {
                **ENTERED,
                "recommendation": Recommendation.OFFER,
                "decision_give": True,
                "loading_confirmed": True,
            },
            S.MAINTENANCE,
        ),
        (
            {
                **ENTERED,
                "recommendation": Recommendation.OFFER,
                "decision_give": True,
                "loading_confirmed": True,
                "maintenance_confirmed": True,
            },
            S.REVIEW,
        ),
    ],
)
def test_standard_offer_asks_each_step_in_turn(answers: dict[str, Any], expected: Step) -> None:
    assert next_step(flow(**answers)) is expected


def test_done_when_every_step_on_the_path_is_answered() -> None:
    state = flow(
        **ENTERED,
        recommendation=Recommendation.OFFER,
        decision_give=True,
        loading_confirmed=True,
        maintenance_confirmed=True,
        review_confirmed=True,
    )

    assert next_step(state) is S.DONE


def test_discuss_path_goes_through_the_senior_decision() -> None:
    state = flow(
        **ENTERED,
        recommendation=Recommendation.DISCUSS,
        senior_decision_required=True,
        senior_recorded=True,
        decision_give=True,
    )

    assert path(state) == [
        S.PATIENT,
        S.GESTATION,
        S.SITUATION,
        S.DECISION,
        S.SENIOR,
        S.LOADING,
        S.MAINTENANCE,
        S.REVIEW,
        S.DONE,
    ]


def test_with_a_senior_needed_the_decision_page_leads_to_the_senior_page() -> None:
    state = flow(**ENTERED, recommendation=Recommendation.CONSIDER, senior_decision_required=True)

    assert next_step(state) is S.SENIOR
    assert path(state)[-1] is S.SENIOR


def test_the_senior_step_needs_both_the_name_and_the_decision() -> None:
    named_only = flow(
        **ENTERED,
        recommendation=Recommendation.CONSIDER,
        senior_decision_required=True,
        senior_recorded=True,
    )
    decided = named_only.model_copy(update={"decision_give": True})

    assert next_step(named_only) is S.SENIOR
    assert next_step(decided) is S.LOADING


def test_caution_path_goes_through_the_senior_decision_before_loading() -> None:
    # WC-11: offer band, myasthenia gravis caution → senior decision required.
    state = flow(
        **ENTERED,
        recommendation=Recommendation.OFFER,
        senior_decision_required=True,
        senior_recorded=True,
        decision_give=True,
    )

    steps = path(state)

    assert steps.index(S.DECISION) < steps.index(S.SENIOR) < steps.index(S.LOADING)


def test_caution_not_given_after_senior_decision_asks_the_reason() -> None:
    state = flow(
        **ENTERED,
        recommendation=Recommendation.OFFER,
        senior_decision_required=True,
        senior_recorded=True,
        decision_give=False,
    )

    assert path(state)[-4:] == [S.SENIOR, S.NOT_GIVEN, S.REVIEW, S.DONE]
    assert next_step(state) is S.NOT_GIVEN


def test_declined_path_goes_to_the_not_given_reason_then_review() -> None:
    state = flow(**ENTERED, recommendation=Recommendation.OFFER, decision_give=False)

    assert path(state) == [
        S.PATIENT,
        S.GESTATION,
        S.SITUATION,
        S.DECISION,
        S.NOT_GIVEN,
        S.REVIEW,
        S.DONE,
    ]
    assert next_step(state) is S.NOT_GIVEN
    assert suggested_reason(state) is None


def test_declined_path_is_done_after_reason_and_review() -> None:
    state = flow(
        **ENTERED,
        recommendation=Recommendation.CONSIDER,
        decision_give=False,
        not_given_reason_entered=True,
        review_confirmed=True,
    )

    assert next_step(state) is S.DONE


def test_not_indicated_goes_to_review_without_a_not_given_reason() -> None:
    state = flow(**ENTERED, recommendation=Recommendation.NOT_INDICATED)

    assert path(state) == [S.PATIENT, S.GESTATION, S.SITUATION, S.DECISION, S.REVIEW, S.DONE]
    assert next_step(state) is S.REVIEW
    assert suggested_reason(state) is None


def test_contraindicated_goes_to_the_not_given_reason_with_contraindication_suggested() -> None:
    state = flow(**ENTERED, recommendation=Recommendation.CONTRAINDICATED)

    assert path(state) == [
        S.PATIENT,
        S.GESTATION,
        S.SITUATION,
        S.DECISION,
        S.NOT_GIVEN,
        S.REVIEW,
        S.DONE,
    ]
    assert next_step(state) is S.NOT_GIVEN
    assert suggested_reason(state) == "NG-CONTRAINDICATION"


@pytest.mark.parametrize(
    "recommendation", [Recommendation.NOT_INDICATED, Recommendation.CONTRAINDICATED]
)
def test_giving_cannot_be_recorded_when_not_indicated_or_contraindicated(
    recommendation: Recommendation,
) -> None:
    with pytest.raises(ValidationError, match="cannot be recorded as given"):
        flow(recommendation=recommendation, decision_give=True)


def test_optional_maintenance_skipped_leaves_out_the_maintenance_step() -> None:
    state = flow(
        **ENTERED,
        recommendation=Recommendation.OFFER,
        decision_give=True,
        maintenance_optional=True,
        maintenance_skipped=True,
        loading_confirmed=True,
    )

    assert S.MAINTENANCE not in path(state)
    assert next_step(state) is S.REVIEW


def test_optional_maintenance_not_skipped_keeps_the_maintenance_step() -> None:
    state = flow(
        **ENTERED,
        recommendation=Recommendation.OFFER,
        decision_give=True,
        maintenance_optional=True,
        loading_confirmed=True,
    )

    assert next_step(state) is S.MAINTENANCE


def test_maintenance_cannot_be_skipped_when_the_protocol_requires_it() -> None:
    with pytest.raises(ValidationError, match="does not allow a loading dose without"):
        flow(maintenance_skipped=True)


def test_flow_state_is_frozen() -> None:
    with pytest.raises(ValidationError):
        FlowState().user_known = True  # type: ignore[misc]


def test_every_step_has_a_plain_label() -> None:
    assert all(step.label for step in Step)
    assert Step.SENIOR.label == "Senior decision"


# --------------------------------------------------------------------------- properties


@st.composite
def flow_states(draw: st.DrawFn) -> FlowState:
    """Any consistent set of answers."""
    recommendation = draw(st.none() | st.sampled_from(Recommendation))
    can_give = recommendation in (
        None,
        Recommendation.DISCUSS,
        Recommendation.OFFER,
        Recommendation.CONSIDER,
    )
    give_choices = st.none() | (st.booleans() if can_give else st.just(False))
    optional = draw(st.booleans())
    return FlowState(
        user_known=draw(st.booleans()),
        patient_entered=draw(st.booleans()),
        gestation_entered=draw(st.booleans()),
        situation_entered=draw(st.booleans()),
        recommendation=recommendation,
        senior_decision_required=draw(st.booleans()),
        senior_recorded=draw(st.booleans()),
        decision_give=draw(give_choices),
        not_given_reason_entered=draw(st.booleans()),
        loading_confirmed=draw(st.booleans()),
        maintenance_confirmed=draw(st.booleans()),
        maintenance_optional=optional,
        maintenance_skipped=draw(st.booleans()) if optional else False,
        review_confirmed=draw(st.booleans()),
    )


@given(flow_states())
def test_next_step_is_always_on_the_path(state: FlowState) -> None:
    assert next_step(state) in path(state)


@given(flow_states())
def test_a_path_never_holds_both_loading_and_not_given(state: FlowState) -> None:
    steps = path(state)

    assert not (S.LOADING in steps and S.NOT_GIVEN in steps)


@given(flow_states())
def test_every_step_before_the_next_one_is_answered(state: FlowState) -> None:
    steps = path(state)
    position = steps.index(next_step(state))

    assert all(is_answered(state, step) for step in steps[:position])


@given(flow_states())
def test_a_path_visits_each_step_once_and_starts_with_user_only_if_unknown(
    state: FlowState,
) -> None:
    steps = path(state)

    assert len(steps) == len(set(steps))
    assert (steps[0] is S.USER) == (not state.user_known)


@given(flow_states())
def test_done_is_reached_only_at_the_end_of_a_complete_path(state: FlowState) -> None:
    if next_step(state) is S.DONE:
        assert path(state)[-1] is S.DONE
