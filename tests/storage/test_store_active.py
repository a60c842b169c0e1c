"""The ward board folds only what may be active, and still finds every active episode.

``Store.active_episodes`` skips the episodes ``storage/active.py`` shows are certainly over
(every course stopped after it started, or not given with no course, and no correction). These
tests fail if the skip ever hides an episode the full fold calls active, on the demo record
(thousands of delivered, stopped, not-given and corrected episodes) and on records built to sit
at the edges of the rule; and they fail if nothing is skipped (the board would fold all history).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from storage_builders import MIDWIFE, OBSTETRICIAN, PREPARATION_ID, PROTOCOL, T0, full_episode, void

from mgso4.core.episode import (
    Decision,
    EventDraft,
    EventType,
    InfusionStopped,
    LoadStarted,
    StopReason,
)
from mgso4.storage import Store
from mgso4.storage.active import CERTAINLY_INACTIVE_SQL


def skipped(store: Store) -> set[str]:
    return {str(row[0]) for row in store._read_rows(CERTAINLY_INACTIVE_SQL)}


def active_by_full_fold(store: Store) -> list[str]:
    return [state.uuid for state in store.episode_states() if state.active]


def board(store: Store) -> list[str]:
    return [state.uuid for state in store.active_episodes()]


def without_birth(episode_uuid: str) -> list[EventDraft]:
    """The full episode with no birth: its stop is no longer "at birth" (refused while a baby
    is still expected) but "no longer imminent"."""
    drafts: list[EventDraft] = []
    for draft in full_episode(episode_uuid):
        if draft.type is EventType.BIRTH:
            continue
        if draft.type is EventType.INFUSION_STOPPED:
            payload = {**draft.payload, "reason": StopReason.NO_LONGER_IMMINENT.value}
            draft = draft.model_copy(update={"payload": payload})
        drafts.append(draft)
    return drafts


def test_a_stopped_episode_is_skipped_and_a_running_one_is_not(store: Store) -> None:
    store.append_many(full_episode("e-stopped"), PROTOCOL)
    running = [d for d in without_birth("e-running") if d.type is not EventType.INFUSION_STOPPED]
    store.append_many(running, PROTOCOL)
    assert skipped(store) == {"e-stopped"}
    assert board(store) == active_by_full_fold(store) == ["e-running"]


def test_voiding_the_stop_brings_the_episode_back_to_the_board(store: Store) -> None:
    drafts = without_birth("e-voided")
    events = store.append_many(drafts, PROTOCOL)
    assert board(store) == []
    stop = next(e for e in events if e.type is EventType.INFUSION_STOPPED)
    store.append(void("e-voided", stop.uuid, at=T0 + timedelta(hours=6)), PROTOCOL)
    assert "e-voided" not in skipped(store)
    assert board(store) == active_by_full_fold(store) == ["e-voided"]


def test_a_new_course_after_a_stop_is_on_the_board(store: Store) -> None:
    store.append_many(without_birth("e-second"), PROTOCOL)
    store.append(
        EventDraft.make(
            EventType.DECISION,
            Decision(give=True, decided_by=OBSTETRICIAN, senior=OBSTETRICIAN, course_number=2),
            episode_uuid="e-second",
            occurred_at=T0 + timedelta(hours=11, minutes=50),
            recorded_by=MIDWIFE,
        ),
        PROTOCOL,
    )
    store.append(
        EventDraft.make(
            EventType.LOAD_STARTED,
            LoadStarted(
                course_number=2,
                preparation_id=PREPARATION_ID,
                dose_g=Decimal("4"),
                concentration_g_per_ml=Decimal("0.2"),
                volume_ml=Decimal("20"),
                rate_ml_per_h=Decimal("80"),
                duration_min=Decimal("15"),
                given_by=MIDWIFE,
                checked_by=OBSTETRICIAN,
            ),
            episode_uuid="e-second",
            occurred_at=T0 + timedelta(hours=12),
            recorded_by=MIDWIFE,
        ),
        PROTOCOL,
    )
    assert "e-second" not in skipped(store)
    assert board(store) == active_by_full_fold(store) == ["e-second"]
    store.append(
        EventDraft.make(
            EventType.INFUSION_STOPPED,
            InfusionStopped(course_number=2, reason=StopReason.NO_LONGER_IMMINENT),
            episode_uuid="e-second",
            occurred_at=T0 + timedelta(hours=13),
            recorded_by=MIDWIFE,
        ),
        PROTOCOL,
    )
    assert "e-second" in skipped(store)
    assert board(store) == active_by_full_fold(store) == []


def test_the_board_agrees_with_the_full_fold_on_the_demo_record(tmp_path: Path) -> None:
    from mgso4.audit.demo import write_demo_data

    path = tmp_path / "demo.sqlite3"
    write_demo_data(path, episodes=400, seed=18)
    store = Store.open(path, check_location_safe=False)
    try:
        skip = skipped(store)
        states = store.episode_states()
        assert len(skip) > len(states) // 2  # the history really is skipped
        assert all(not state.active for state in states if state.uuid in skip)
        assert board(store) == [state.uuid for state in states if state.active]
    finally:
        store.close()
