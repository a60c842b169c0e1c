"""The action registry: every action declared once, its ``why_not`` and its value checks, and
the check the store runs before it seals a transaction (``check_drafts``).

Numbers are the UK default protocol's (uk-nice-ng25): loading dose soft max 4 g, hard max 6 g
([N1] 1.10.4, [A4]); maintenance soft max 1 g/h, hard max 2 g/h; repeat courses need more than
6 h since the last infusion for a new load ([T1], decisions.md §8).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from chain_builders import (
    HOUR,
    MINUTE,
    NICE,
    NORMAL,
    SENIOR,
    T0,
    Chain,
    load_payload,
    maintenance_payload,
)

from mgso4.core.actions import (
    ACTIONS,
    ActionRefused,
    allowed_actions,
    check_drafts,
    check_values,
    spec_for,
    why_not,
)
from mgso4.core.alerts import AlertKind, open_alerts
from mgso4.core.episode import (
    AlertAcknowledged,
    Amendment,
    Confirmation,
    EpisodeClosed,
    EventDraft,
    EventType,
    InfusionStopped,
    LoadFinished,
    Observation,
    RateChanged,
    StopReason,
    Void,
)


def check(chain: Chain, *drafts: EventDraft) -> None:
    """What the store does before sealing: raises ActionRefused on a refusal."""
    check_drafts(chain.events, list(drafts), NICE, workstation_id="ws-test", recorded_at=T0)


# --------------------------------------------------------------------------- the registry


def test_every_entry_type_is_recorded_by_an_action() -> None:
    assert {spec.event_type for spec in ACTIONS.values()} == set(EventType)
    assert all(spec.label.strip() for spec in ACTIONS.values())


def test_keys_of_the_scripting_contract_are_declared() -> None:
    keys = {
        "open", "decide", "observe", "start-load", "end-load", "start-maintenance",
        "restart-maintenance", "change-rate", "change-syringe", "stop", "birth", "not-given",
        "acknowledge", "close", "amend", "void",
    }  # fmt: skip
    assert keys <= set(ACTIONS)
    assert all(ACTIONS[key].build is not None for key in keys)


def test_a_maintenance_entry_is_a_restart_only_when_it_says_so() -> None:
    started = spec_for(EventType.MAINTENANCE_STARTED, maintenance_payload())
    restarted = spec_for(EventType.MAINTENANCE_STARTED, maintenance_payload(2, restart=True))
    assert (started.key, restarted.key) == ("start-maintenance", "restart-maintenance")


# --------------------------------------------------------------------------- when: why_not


def test_what_is_offered_follows_the_course() -> None:
    chain = Chain().assess()
    assert "start-load" not in allowed_actions(chain.state(), NICE, T0 + MINUTE)
    assert "not-given" in allowed_actions(chain.state(), NICE, T0)

    chain.decide(T0 + MINUTE)
    assert "start-load" in allowed_actions(chain.state(), NICE, T0 + 2 * MINUTE)

    chain.load(T0 + 10 * MINUTE)
    loading = allowed_actions(chain.state(), NICE, T0 + 11 * MINUTE)
    assert {"end-load", "stop", "observe", "birth"} <= set(loading)
    assert not {"start-load", "change-rate", "not-given", "close"} & set(loading)


@pytest.mark.parametrize(
    ("minutes_after_load", "offered"),
    [pytest.param(14, False, id="a minute before the load ends"), pytest.param(15, True, id="due")],
)
def test_start_maintenance_is_offered_once_the_load_is_due_to_end(
    minutes_after_load: int, offered: bool
) -> None:
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    chain.load(T0 + 10 * MINUTE)

    reason = why_not(
        "start-maintenance", chain.state(), NICE, T0 + (10 + minutes_after_load) * MINUTE
    )

    assert (reason is None) is offered
    if not offered:
        assert reason is not None and "due" in reason


def test_start_load_needs_a_decision_to_give() -> None:
    chain = Chain().assess()
    reason = why_not("start-load", chain.state(), NICE, T0)
    assert reason is not None and "decision" in reason


def test_nothing_more_is_given_once_every_baby_is_born() -> None:
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    chain.birth(T0 + 5 * MINUTE)

    reason = why_not("start-load", chain.state(), NICE, T0 + 6 * MINUTE)
    assert reason == "Every baby's birth is recorded."


def test_a_repeat_course_within_the_gap_restarts_maintenance_and_after_it_loads() -> None:
    chain = Chain().running_course()
    stopped = T0 + 5 * HOUR
    chain.stop(stopped)
    chain.decide(stopped + HOUR, course=2, senior=SENIOR)
    state = chain.state()

    within = stopped + 5 * HOUR
    assert why_not("restart-maintenance", state, NICE, within) is None
    load_refusal = why_not("start-load", state, NICE, within)
    assert load_refusal is not None and "restart maintenance" in load_refusal

    after = stopped + 6 * HOUR + MINUTE
    assert why_not("start-load", state, NICE, after) is None
    restart_refusal = why_not("restart-maintenance", state, NICE, after)
    assert (
        restart_refusal is not None and "new course starts with a loading dose" in restart_refusal
    )


def test_close_waits_for_the_infusion_to_stop() -> None:
    chain = Chain().running_course()
    reason = why_not("close", chain.state(), NICE, T0 + HOUR)
    assert reason is not None and "stop the infusion first" in reason


# --------------------------------------------------------------------------- values


def test_a_load_whose_dose_is_not_what_the_syringe_holds_is_refused() -> None:
    chain = Chain().assess()
    chain.decide(T0)
    spec = ACTIONS["start-load"]
    payload = load_payload(dose_g=Decimal(40))  # 20 mL of 20% holds 4 g

    refusal = check_values(spec, chain.state(), NICE, payload, T0 + MINUTE)

    assert refusal is not None
    assert "20 mL × 0.2 g/mL = 4 g" in refusal
    assert "hard limit of 6 g" in refusal


def test_a_load_above_the_soft_limit_needs_a_confirmation_with_a_reason() -> None:
    chain = Chain().assess()
    chain.decide(T0)
    spec = ACTIONS["start-load"]
    five = load_payload(dose_g=Decimal(5), volume_ml=Decimal(25), rate_ml_per_h=Decimal(100))

    refusal = check_values(spec, chain.state(), NICE, five, T0 + MINUTE)
    assert refusal is not None and "soft limit" in refusal and "Confirm" in refusal

    confirmed = five.model_copy(
        update={"confirmation": Confirmation(reason="Senior asked for 5 g (Rouse regimen)")}
    )
    assert check_values(spec, chain.state(), NICE, confirmed, T0 + MINUTE) is None


def test_a_rate_above_the_hard_limit_is_refused_even_when_confirmed() -> None:
    chain = Chain().running_course()
    spec = ACTIONS["change-rate"]
    too_fast = RateChanged(
        course_number=1,
        rate_ml_per_h=Decimal(15),  # 3 g/h of 20%
        reason="typo",
        confirmation=Confirmation(reason="sure"),
    )
    refusal = check_values(spec, chain.state(), NICE, too_fast, T0 + HOUR)
    assert refusal is not None and "hard limit" in refusal


# --------------------------------------------------------------------------- the store's check


def test_a_load_end_before_the_load_start_is_refused() -> None:
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    chain.load(T0 + 30 * MINUTE)
    early = chain.draft(EventType.LOAD_FINISHED, LoadFinished(course_number=1), T0 + 20 * MINUTE)

    with pytest.raises(ActionRefused) as refused:
        check(chain, early)
    assert refused.value.draft_uuid == early.uuid


def test_refusal_names_the_action_and_the_draft() -> None:
    chain = Chain().assess()
    stop = chain.draft(
        EventType.INFUSION_STOPPED,
        InfusionStopped(course_number=1, reason=StopReason.BIRTH),
        T0 + MINUTE,
    )

    with pytest.raises(ActionRefused) as refused:
        check(chain, stop)

    assert refused.value.action == "stop"
    assert refused.value.draft_uuid == stop.uuid
    assert str(refused.value) == "Stop the infusion: No infusion is running."


def test_an_amendment_is_checked_as_the_action_it_corrects() -> None:
    chain = Chain().running_course()
    load = next(e for e in chain.events if e.type is EventType.LOAD_STARTED)
    fix = chain.draft(
        EventType.AMENDMENT,
        Amendment(target=load.uuid, reason="typed", changes={"dose_g": "40"}),
        T0 + HOUR,
    )

    with pytest.raises(ActionRefused, match="4 g"):
        check(chain, fix)


def test_an_amendment_that_makes_a_later_entry_impossible_is_refused() -> None:
    chain = Chain().running_course()
    load = next(e for e in chain.events if e.type is EventType.LOAD_STARTED)
    # Moving the load after its recorded end makes the load end impossible.
    fix = chain.draft(
        EventType.AMENDMENT,
        Amendment(target=load.uuid, reason="typed", occurred_at=T0 + HOUR),
        T0 + 2 * HOUR,
    )

    with pytest.raises(ActionRefused, match="already in the record impossible"):
        check(chain, fix)


def test_after_voiding_the_load_the_load_can_be_recorded_again() -> None:
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    load = chain.load(T0 + 10 * MINUTE)
    chain.void(load, T0 + 12 * MINUTE)

    assert why_not("start-load", chain.state(), NICE, T0 + 13 * MINUTE) is None
    check(chain, chain.draft(EventType.LOAD_STARTED, load_payload(), T0 + 13 * MINUTE))


def test_voiding_a_load_that_later_entries_need_is_refused() -> None:
    chain = Chain().running_course()
    load = next(e for e in chain.events if e.type is EventType.LOAD_STARTED)
    void = chain.draft(EventType.VOID, Void(target=load.uuid, reason="wrong"), T0 + HOUR)

    with pytest.raises(ActionRefused, match="Correct or void the later entries first"):
        check(chain, void)


def test_a_baseline_set_after_the_load_started_is_refused() -> None:
    chain = Chain().running_course()
    late = chain.draft(
        EventType.OBSERVATION,
        Observation(**{**NORMAL.model_dump(), "baseline": True}),
        T0 + HOUR,
    )

    with pytest.raises(ActionRefused, match="baseline set is taken before treatment"):
        check(chain, late)


def test_only_an_open_alert_can_be_acknowledged() -> None:
    chain = Chain().running_course()
    at = T0 + 5 * HOUR  # observations were due 4 h after the load (09:10): overdue
    with pytest.raises(ActionRefused, match="No alert is open"):
        check(chain, chain.draft(EventType.ALERT_ACKNOWLEDGED, AlertAcknowledged(key="x"), T0))
    alert = next(
        a for a in open_alerts(chain.state(), NICE, at) if a.kind is AlertKind.OBSERVATIONS_DUE
    )
    unknown = chain.draft(
        EventType.ALERT_ACKNOWLEDGED, AlertAcknowledged(key="obs:9:nope", action_taken="x"), at
    )
    with pytest.raises(ActionRefused, match="no open alert obs:9:nope"):
        check(chain, unknown)

    check(
        chain,
        chain.draft(
            EventType.ALERT_ACKNOWLEDGED,
            AlertAcknowledged(key=alert.id, action_taken="woman in theatre"),
            at,
        ),
    )


def test_closing_with_babies_still_expected_needs_a_reason() -> None:
    chain = Chain().assess()
    bare = chain.draft(EventType.EPISODE_CLOSED, EpisodeClosed(), T0 + HOUR)
    with pytest.raises(ActionRefused, match="Babies are still expected"):
        check(chain, bare)

    said = chain.draft(
        EventType.EPISODE_CLOSED,
        EpisodeClosed(reason="discharged undelivered", reassess_at=T0 + timedelta(days=1)),
        T0 + HOUR,
    )
    check(chain, said)


def test_a_transaction_is_checked_entry_by_entry_in_clinical_order() -> None:
    # The screen's maintenance form saves "load finished" and "maintenance started" together.
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    chain.load(T0 + 10 * MINUTE)
    end = chain.draft(EventType.LOAD_FINISHED, LoadFinished(course_number=1), T0 + 25 * MINUTE)
    start = chain.draft(EventType.MAINTENANCE_STARTED, maintenance_payload(), T0 + 25 * MINUTE)

    check(chain, end, start)


def test_an_entry_made_before_the_rules_can_be_corrected_but_not_made_worse() -> None:
    # A 5 g load without a confirmation, as an older version could record it (above the 4 g
    # soft limit): its time can still be corrected, its dose cannot be made 40 g.
    chain = Chain().assess()
    chain.decide(T0 + MINUTE)
    old = chain.load(
        T0 + 10 * MINUTE, dose_g=Decimal(5), volume_ml=Decimal(25), rate_ml_per_h=Decimal(100)
    )

    check(
        chain,
        chain.draft(
            EventType.AMENDMENT,
            Amendment(target=old.uuid, reason="pump log", occurred_at=T0 + 12 * MINUTE),
            T0 + HOUR,
        ),
    )
    with pytest.raises(ActionRefused, match="hard limit"):
        check(
            chain,
            chain.draft(
                EventType.AMENDMENT,
                Amendment(target=old.uuid, reason="typed", changes={"dose_g": "40"}),
                T0 + HOUR,
            ),
        )
