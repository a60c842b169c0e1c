"""The wizard's answers → flow state and recorded events, without any widget."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mgso4.core import flow
from mgso4.core.eligibility import AssessmentInputs, assess
from mgso4.core.episode import Actor, Dating, EventDraft, EventType, Patient
from mgso4.core.flow import Step
from mgso4.core.gestation import DatingMethod, GestationalAge
from mgso4.core.protocol import (
    PreparationSet,
    Protocol,
    ProtocolLibrary,
    load_preparations_file,
)
from mgso4.core.vocab import (
    ConditionId,
    IdentifierType,
    MedicationId,
    Recommendation,
    Role,
    Situation,
)
from mgso4.gui.wizard.answers import (
    IncompleteAnswersError,
    WizardAnswers,
    build_drafts,
    flow_state,
)
from mgso4.resources import resource_path

USER = Actor(name="Sam Taylor", role=Role.MIDWIFE)
CHECKER = Actor(name="Chris Lee", role=Role.MIDWIFE)
DECIDED_AT = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)
LOAD_AT = DECIDED_AT + timedelta(minutes=2)
LOAD_ENDS_AT = LOAD_AT + timedelta(minutes=15)  # the shipped protocol: 4 g over 15 min
#: Well after the load and the maintenance start: a retrospective entry.
LATER = LOAD_AT + timedelta(hours=1)


@pytest.fixture(scope="module")
def library() -> ProtocolLibrary:
    return ProtocolLibrary(resource_path("protocols"))


@pytest.fixture(scope="module")
def protocol(library: ProtocolLibrary) -> Protocol:
    return library.load("uk-nice-ng25")


@pytest.fixture(scope="module")
def preparations() -> PreparationSet:
    return load_preparations_file(resource_path("preparations.toml"))


def answers_for(
    protocol: Protocol,
    preparations: PreparationSet,
    gestation: str = "27+3",
    conditions: frozenset[ConditionId] = frozenset(),
    medications: frozenset[MedicationId] = frozenset(),
) -> WizardAnswers:
    on = date(2026, 1, 13)
    inputs = AssessmentInputs(
        gestation=GestationalAge.parse(gestation),
        situation=Situation.ESTABLISHED_LABOUR,
        conditions=conditions,
        medications=medications,
        dating_method=DatingMethod.WEEKS_DAYS,
        on=on,
    )
    return WizardAnswers(
        patient=Patient(id_type=IdentifierType.NHS, identifier="9434765919", name="Jane Example"),
        dating=Dating(method=DatingMethod.WEEKS_DAYS, stated_gestation=gestation, stated_on=on),
        situation=Situation.ESTABLISHED_LABOUR,
        conditions=conditions,
        medications=medications,
        preparation_id=preparations.default,
        decided_at=DECIDED_AT,
        assessment=assess(inputs, protocol, preparations),
        assessment_inputs=inputs,
    )


def state(answers: WizardAnswers, protocol: Protocol, **complete: bool) -> flow.FlowState:
    flags = {
        "patient_complete": True,
        "gestation_complete": True,
        "situation_complete": True,
        "senior_complete": False,
        "not_given_complete": False,
        "loading_complete": False,
        "maintenance_complete": False,
    }
    flags.update(complete)
    return flow_state(answers, user_known=True, protocol=protocol, **flags)


def drafts_at(
    answers: WizardAnswers, protocol: Protocol, now: datetime, **complete: bool
) -> list[EventDraft]:
    path = flow.path(state(answers, protocol, **complete))
    drafts = build_drafts(
        answers,
        path=path,
        user=USER,
        protocol=protocol,
        unit_name="Ward",
        training=False,
        now=now,
    )
    assert {d.episode_uuid for d in drafts} == {answers.episode_uuid}
    return drafts


def drafts_for(
    answers: WizardAnswers, protocol: Protocol, now: datetime = LATER, **complete: bool
) -> list[EventType]:
    return [d.type for d in drafts_at(answers, protocol, now, **complete)]


GIVEN = {"loading_complete": True, "maintenance_complete": True}


def giving(answers: WizardAnswers, maintenance_at: datetime | None) -> WizardAnswers:
    answers.give = True
    answers.load_started_at = LOAD_AT
    answers.checker = CHECKER
    answers.maintenance_started_at = maintenance_at
    return answers


def test_load_finished_is_recorded_when_maintenance_starts_at_the_end_of_the_load(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT)
    drafts = drafts_at(answers, protocol, LATER, **GIVEN)
    finished = [d for d in drafts if d.type is EventType.LOAD_FINISHED]
    assert [d.occurred_at for d in finished] == [LOAD_ENDS_AT]


def test_load_finished_is_left_to_the_episode_view_when_maintenance_starts_earlier(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT - timedelta(minutes=1))
    types = drafts_for(answers, protocol, **GIVEN)
    assert EventType.LOAD_FINISHED not in types
    assert types[-1] is EventType.MAINTENANCE_STARTED


def test_events_carry_the_times_they_happened(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT)
    times = {d.type: d.occurred_at for d in drafts_at(answers, protocol, LATER, **GIVEN)}
    assert times[EventType.EPISODE_CREATED] == DECIDED_AT
    assert times[EventType.DECISION] == DECIDED_AT
    assert times[EventType.LOAD_STARTED] == LOAD_AT
    assert times[EventType.LOAD_FINISHED] == LOAD_ENDS_AT
    assert times[EventType.MAINTENANCE_STARTED] == LOAD_ENDS_AT


def test_a_maintenance_start_at_now_is_recorded_with_the_end_of_the_load(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT)
    types = drafts_for(answers, protocol, now=LOAD_ENDS_AT, **GIVEN)
    assert types[-2:] == [EventType.LOAD_FINISHED, EventType.MAINTENANCE_STARTED]


def test_a_maintenance_start_still_ahead_records_the_loading_start_only(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    # The bedside case: the wizard is saved while the load runs; its end is the plan.
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT)
    now = LOAD_ENDS_AT - timedelta(minutes=1)
    drafts = drafts_at(answers, protocol, now, **GIVEN)
    assert [d.type for d in drafts][-1] is EventType.LOAD_STARTED
    assert EventType.LOAD_FINISHED not in [d.type for d in drafts]
    assert EventType.MAINTENANCE_STARTED not in [d.type for d in drafts]
    assert all(d.occurred_at <= now for d in drafts)


def test_a_loading_start_after_now_is_never_recorded(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT)
    with pytest.raises(IncompleteAnswersError, match="has not happened yet"):
        # Beyond core's allowance for a clock a few seconds slow (core.actions.FUTURE_TOLERANCE).
        drafts_for(answers, protocol, now=LOAD_AT - timedelta(minutes=2), **GIVEN)


def test_a_loading_start_at_now_is_recorded(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT)
    assert drafts_for(answers, protocol, now=LOAD_AT, **GIVEN)[-1] is EventType.LOAD_STARTED


def test_a_decision_time_after_now_is_never_recorded(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = answers_for(protocol, preparations, gestation="34+0")
    with pytest.raises(IncompleteAnswersError, match="decision time has not happened yet"):
        drafts_for(answers, protocol, now=DECIDED_AT - timedelta(minutes=2))


def test_not_indicated_records_creation_and_assessment_only(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = answers_for(protocol, preparations, gestation="34+0")
    assert answers.recommendation is Recommendation.NOT_INDICATED
    assert drafts_for(answers, protocol) == [EventType.EPISODE_CREATED, EventType.ASSESSED]


def test_contraindicated_records_a_decision_not_to_give_and_the_reason(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = answers_for(
        protocol, preparations, conditions=frozenset({ConditionId.HYPERSENSITIVITY})
    )
    answers.not_given_code = "NG-CONTRAINDICATION"
    answers.not_given_text = "Hypersensitivity to magnesium sulfate"
    types = drafts_for(answers, protocol, not_given_complete=True)
    assert types == [
        EventType.EPISODE_CREATED,
        EventType.ASSESSED,
        EventType.DECISION,
        EventType.NOT_GIVEN,
    ]


def test_each_acknowledged_interaction_is_its_own_event(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    medications = frozenset({MedicationId.NIFEDIPINE, MedicationId.AMINOGLYCOSIDE})
    answers = answers_for(protocol, preparations, medications=medications)
    answers.acknowledged = medications
    answers.give = False
    answers.not_given_code = "NG-DECLINED"
    types = drafts_for(answers, protocol, not_given_complete=True)
    assert types.count(EventType.INTERACTION_ACKNOWLEDGED) == 2


def test_drafts_are_refused_before_the_path_is_complete(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = answers_for(protocol, preparations)  # give / do not give not chosen yet
    path = flow.path(state(answers, protocol))
    assert Step.DONE not in path
    with pytest.raises(IncompleteAnswersError):
        build_drafts(
            answers,
            path=path,
            user=USER,
            protocol=protocol,
            unit_name="Ward",
            training=False,
            now=LATER,
        )


def test_a_give_choice_the_new_recommendation_forbids_is_left_out_of_the_flow(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = answers_for(protocol, preparations, gestation="35+0")
    answers.give = True  # chosen earlier at 27+3, then the gestation was corrected
    flow_now = state(answers, protocol)
    assert flow_now.decision_give is None
    assert flow.path(flow_now)[-2:] == [Step.REVIEW, Step.DONE]


def test_skipping_optional_maintenance_records_the_load_only(
    library: ProtocolLibrary, preparations: PreparationSet
) -> None:
    sogc = library.load("sogc-2019")
    assert sogc.maintenance.optional
    answers = giving(answers_for(sogc, preparations), None)
    answers.maintenance_skipped = True
    answers.senior = Actor(name="Dr Morgan Reid", role=Role.OBSTETRICIAN)
    types = drafts_for(answers, sogc, loading_complete=True, senior_complete=True)
    assert types[-1] is EventType.LOAD_STARTED
    assert EventType.MAINTENANCE_STARTED not in types
    assert EventType.LOAD_FINISHED not in types


def test_an_8pct_bag_load_records_its_vtbi_and_the_rate_checker_at_its_end(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    """Decisions.md §15: the 8 % bag holds 8 g; the pump is volume-limited to the 50 mL load
    (without ``vtbi_ml`` the rate-check alert never fires for a load recorded on screen)."""
    answers = answers_for(protocol, preparations)
    assert answers.assessment_inputs is not None
    answers.preparation_id = "8pct-premixed"
    answers.assessment = assess(answers.assessment_inputs, protocol, preparations, "8pct-premixed")
    giving(answers, LOAD_ENDS_AT)
    drafts = drafts_at(answers, protocol, LATER, **GIVEN)
    started = next(d for d in drafts if d.type is EventType.LOAD_STARTED)
    finished = next(d for d in drafts if d.type is EventType.LOAD_FINISHED)
    assert started.payload["vtbi_ml"] == "50"
    assert finished.payload["checked_by"]["name"] == CHECKER.name


def test_a_syringe_load_is_not_volume_limited(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT)
    drafts = drafts_at(answers, protocol, LATER, **GIVEN)
    started = next(d for d in drafts if d.type is EventType.LOAD_STARTED)
    finished = next(d for d in drafts if d.type is EventType.LOAD_FINISHED)
    assert started.payload.get("vtbi_ml") is None
    assert finished.payload.get("checked_by") is None


def test_the_number_of_babies_expected_is_saved_with_the_episode(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    answers = giving(answers_for(protocol, preparations), LOAD_ENDS_AT)
    answers.plurality = 2
    drafts = drafts_at(answers, protocol, LATER, **GIVEN)
    created = next(d for d in drafts if d.type is EventType.EPISODE_CREATED)
    assert created.payload["plurality"] == 2
