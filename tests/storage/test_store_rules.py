"""The store enforces the episode's rules (core.actions) before it seals anything.

Whatever front end hands it the entries (the screen, ``mgso4 record``, a future one), an entry
the rules refuse refuses the whole action: nothing of it is written and the chain does not
move. The figures are the UK default's (uk-nice-ng25): a 4 g loading dose is 20 mL of 20%
over 15 min at 80 mL/h; the loading dose's hard limit is 6 g ([A4]).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from storage_builders import (
    MIDWIFE,
    OBSTETRICIAN,
    PROTOCOL,
    T0,
    amendment,
    created,
    full_episode,
    observation,
    void,
)

from mgso4.core.episode import (
    Decision,
    EventDraft,
    EventType,
    InfusionStopped,
    RateChanged,
    StopReason,
    fold,
)
from mgso4.storage import RuleRefusedError, Store

MINUTE = timedelta(minutes=1)


def _draft(episode_uuid: str, kind: EventType, payload: object, at_min: int) -> EventDraft:
    return EventDraft.make(
        kind,
        payload,  # type: ignore[arg-type]
        episode_uuid=episode_uuid,
        occurred_at=T0 + at_min * MINUTE,
        recorded_by=MIDWIFE,
    )


def test_a_refused_entry_refuses_the_whole_action_and_writes_nothing(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    head = store.chain_head()
    good = observation(episode_uuid, at=T0 + MINUTE)
    stop = _draft(
        episode_uuid,
        EventType.INFUSION_STOPPED,
        InfusionStopped(course_number=1, reason=StopReason.BIRTH),
        2,
    )

    with pytest.raises(RuleRefusedError) as refused:
        store.append_many([good, stop], PROTOCOL)

    assert "No infusion is running" in str(refused.value)
    assert (refused.value.draft_uuid, refused.value.action) == (stop.uuid, "stop")
    assert store.counts()["events"] == 1
    assert store.chain_head() == head


def test_a_rate_change_before_maintenance_is_refused_not_guessed(
    store: Store, episode_uuid: str
) -> None:
    drafts = full_episode(episode_uuid)[:4]  # created, assessed, decided, load started
    store.append_many(drafts, PROTOCOL)
    early = _draft(
        episode_uuid,
        EventType.RATE_CHANGED,
        RateChanged(course_number=1, rate_ml_per_h=Decimal(5), reason="set early"),
        12,
    )

    with pytest.raises(RuleRefusedError, match="No maintenance infusion is running"):
        store.append(early, PROTOCOL)


def test_an_amended_load_is_checked_as_a_loading_dose(store: Store, episode_uuid: str) -> None:
    saved = [store.append(draft, PROTOCOL) for draft in full_episode(episode_uuid)]
    load = next(e for e in saved if e.type is EventType.LOAD_STARTED)

    with pytest.raises(RuleRefusedError, match="hard limit of 6 g"):
        store.append(
            amendment(episode_uuid, load.uuid, {"dose_g": "40"}, at=T0 + 400 * MINUTE), PROTOCOL
        )

    state = store.episode(episode_uuid)
    assert state.courses[0].load is not None and state.courses[0].load.dose_g == 4


def test_a_decision_to_give_when_contraindicated_is_refused(store: Store) -> None:
    episode_uuid = str(uuid.uuid4())
    drafts = full_episode(episode_uuid)[:2]
    assessed = drafts[1].payload | {"recommendation": "contraindicated"}
    drafts[1] = drafts[1].model_copy(update={"payload": assessed})
    store.append_many(drafts, PROTOCOL)
    give = _draft(episode_uuid, EventType.DECISION, Decision(give=True, decided_by=OBSTETRICIAN), 5)

    with pytest.raises(RuleRefusedError, match="contraindicated"):
        store.append(give, PROTOCOL)


def test_voiding_an_entry_later_entries_need_is_refused(store: Store, episode_uuid: str) -> None:
    saved = [store.append(draft, PROTOCOL) for draft in full_episode(episode_uuid)]
    load = next(e for e in saved if e.type is EventType.LOAD_STARTED)

    with pytest.raises(RuleRefusedError, match="later entries first"):
        store.append(void(episode_uuid, load.uuid, at=T0 + 400 * MINUTE), PROTOCOL)


def test_the_remembered_state_after_saving_is_the_fold_of_the_record(
    store: Store, episode_uuid: str
) -> None:
    drafts = full_episode(episode_uuid)
    store.append_many(drafts[:4], PROTOCOL)
    store.episode(episode_uuid)  # folded and remembered
    for draft in drafts[4:]:
        store.append(draft, PROTOCOL)  # each checked against the remembered state

    assert store.episode(episode_uuid) == fold(store.events(episode_uuid))
