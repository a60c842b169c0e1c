"""Saving entries: one transaction per action, chained, validated, readable back."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from storage_builders import (
    MIDWIFE,
    PATIENT_NAME,
    PATIENT_NHS_NUMBER,
    PROTOCOL,
    T0,
    amendment,
    created,
    full_episode,
    note,
    observation,
    void,
)

from mgso4.core.episode import (
    GENESIS_HASH,
    EventDraft,
    EventType,
    Exported,
    Stage,
    format_utc,
)
from mgso4.storage import EventRefusedError, ReadOnlyError, Store, StoreError

MINUTE = timedelta(minutes=1)


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as raw:
        return list(raw.execute(sql).fetchall())


def test_append_returns_the_event_sealed_as_the_first_link_of_the_chain(
    store: Store, episode_uuid: str
) -> None:
    event = store.append(created(episode_uuid), PROTOCOL)

    assert (event.seq, event.prev_hash) == (1, GENESIS_HASH)
    assert event.hash == event.computed_hash()
    assert event.workstation_id == store.workstation_id
    assert (event.protocol_id, event.protocol_sha256) == (PROTOCOL.id, PROTOCOL.sha256)


def test_each_append_links_to_the_previous_event(store: Store, episode_uuid: str) -> None:
    first = store.append(created(episode_uuid), PROTOCOL)
    second = store.append(observation(episode_uuid, at=T0 + MINUTE), PROTOCOL)

    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert store.chain_head() == second.hash


def test_recorded_at_comes_from_the_injected_clock(db_path: Path, episode_uuid: str) -> None:
    saved_at = T0 + timedelta(hours=5)
    with Store.open(db_path, clock=lambda: saved_at, check_location_safe=False) as store:
        event = store.append(created(episode_uuid), PROTOCOL)

    assert event.recorded_at == saved_at
    assert store_row_recorded_at(db_path) == "2026-03-02T14:00:00.000000Z"


def store_row_recorded_at(path: Path) -> object:
    return _rows(path, "SELECT recorded_at FROM event")[0][0]


def test_stored_event_reads_back_equal_to_the_returned_event(
    store: Store, episode_uuid: str
) -> None:
    saved = [store.append(draft, PROTOCOL) for draft in full_episode(episode_uuid)]

    assert store.events(episode_uuid) == saved


def test_a_new_store_on_the_same_file_sees_every_saved_event(
    db_path: Path, store: Store, episode_uuid: str
) -> None:
    saved = [store.append(draft, PROTOCOL) for draft in full_episode(episode_uuid)]
    store.close()

    with Store.open(db_path, check_location_safe=False) as reopened:
        assert reopened.events(episode_uuid) == saved
        assert reopened.chain_head() == saved[-1].hash


def test_episode_folds_the_saved_events(store: Store, episode_uuid: str) -> None:
    for draft in full_episode(episode_uuid):
        store.append(draft, PROTOCOL)

    state = store.episode(episode_uuid)

    assert state.stage is Stage.DELIVERED
    assert state.patient.name == PATIENT_NAME
    assert state.head_hash == store.chain_head()


def test_episode_created_also_writes_the_episode_row(
    db_path: Path, store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid, training=True), PROTOCOL)

    assert _rows(db_path, "SELECT uuid, created_at, workstation_id, training FROM episode") == [
        (episode_uuid, format_utc(T0), store.workstation_id, 1)
    ]


def test_append_many_saves_all_entries_in_one_chain_run(store: Store, episode_uuid: str) -> None:
    drafts = [created(episode_uuid), observation(episode_uuid, at=T0 + MINUTE)]

    events = store.append_many(drafts, PROTOCOL)

    assert [e.seq for e in events] == [1, 2]
    assert events[1].prev_hash == events[0].hash
    assert len({e.recorded_at for e in events}) == 1  # one action, one moment


def test_append_many_saves_nothing_when_one_entry_is_refused(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    good = observation(episode_uuid, at=T0 + MINUTE)
    bad = void(episode_uuid, str(uuid.uuid4()), at=T0 + 2 * MINUTE)

    with pytest.raises(EventRefusedError):
        store.append_many([good, bad], PROTOCOL)

    assert [e.type for e in store.events(episode_uuid)] == [EventType.EPISODE_CREATED]
    assert store.append(good, PROTOCOL).seq == 2  # the chain did not move


def test_entry_for_an_episode_that_does_not_exist_is_refused(store: Store) -> None:
    with pytest.raises(EventRefusedError, match="no episode"):
        store.append(observation(str(uuid.uuid4()), at=T0), PROTOCOL)

    assert store.counts()["events"] == 0


def test_clinical_entry_without_an_episode_is_refused(store: Store) -> None:
    draft = EventDraft.make(
        EventType.NOTE, {"text": "hello"}, episode_uuid=None, occurred_at=T0, recorded_by=MIDWIFE
    )

    with pytest.raises(EventRefusedError, match="must belong to an episode"):
        store.append(draft, PROTOCOL)


def test_export_entry_may_stand_outside_any_episode(store: Store) -> None:
    draft = EventDraft.make(
        EventType.EXPORTED,
        Exported(format="csv", identifiable=False, rows=12),
        episode_uuid=None,
        occurred_at=T0,
        recorded_by=MIDWIFE,
    )

    assert store.append(draft, PROTOCOL).episode_uuid is None
    assert store.verify().ok


def test_creating_the_same_episode_twice_is_refused(store: Store, episode_uuid: str) -> None:
    store.append(created(episode_uuid), PROTOCOL)

    with pytest.raises(EventRefusedError, match="already exists"):
        store.append(created(episode_uuid), PROTOCOL)


def test_saving_the_same_draft_twice_is_refused_with_a_clear_message(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    draft = observation(episode_uuid, at=T0 + MINUTE)
    store.append(draft, PROTOCOL)

    with pytest.raises(EventRefusedError, match="already been saved"):
        store.append(draft, PROTOCOL)

    assert store.counts()["events"] == 2


def test_draft_with_an_unchecked_payload_is_refused(store: Store, episode_uuid: str) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    unchecked = EventDraft(
        episode_uuid=episode_uuid,
        type=EventType.OBSERVATION,
        payload={"pulse_per_min": 80, "extra": "not a field"},
        occurred_at=T0,
        recorded_by=MIDWIFE,
    )

    with pytest.raises(EventRefusedError):
        store.append(unchecked, PROTOCOL)


def test_amendment_of_an_entry_that_is_not_in_the_record_is_refused(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)

    with pytest.raises(EventRefusedError, match="not in the record"):
        store.append(
            amendment(episode_uuid, str(uuid.uuid4()), {"pulse_per_min": 90}, at=T0), PROTOCOL
        )


def test_amendment_of_an_entry_in_another_episode_is_refused(store: Store) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    store.append(created(first), PROTOCOL)
    store.append(created(second, name="Other Woman", identifier="9434765870"), PROTOCOL)
    target = store.append(observation(first, at=T0 + MINUTE), PROTOCOL)

    with pytest.raises(EventRefusedError, match="another episode"):
        store.append(amendment(second, target.uuid, {"pulse_per_min": 90}, at=T0), PROTOCOL)


def test_amendment_leaves_the_original_readable_and_fold_applies_it(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    original = store.append(observation(episode_uuid, at=T0, pulse_per_min=84), PROTOCOL)
    correction = store.append(
        amendment(episode_uuid, original.uuid, {"pulse_per_min": 48}, at=T0 + MINUTE), PROTOCOL
    )

    state = store.episode(episode_uuid)

    assert store.event(original.uuid) == original
    assert state.observations[0].observation.pulse_per_min == 48
    entry = next(e for e in state.timeline if e.event.uuid == original.uuid)
    assert entry.event.payload["pulse_per_min"] == 84
    assert entry.amended_by == (correction,)


def test_void_hides_an_entry_from_state_but_keeps_it_in_the_timeline(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    wrong = store.append(observation(episode_uuid, at=T0), PROTOCOL)
    voiding = store.append(void(episode_uuid, wrong.uuid, at=T0 + MINUTE), PROTOCOL)

    state = store.episode(episode_uuid)

    assert state.observations == ()
    entry = next(e for e in state.timeline if e.event.uuid == wrong.uuid)
    assert entry.voided_by == voiding


def test_correction_that_would_leave_the_episode_unreadable_is_refused(
    store: Store, episode_uuid: str
) -> None:
    creation = store.append(created(episode_uuid), PROTOCOL)

    with pytest.raises(EventRefusedError, match="first entry cannot be voided"):
        store.append(void(episode_uuid, creation.uuid, at=T0 + MINUTE), PROTOCOL)

    assert store.episode(episode_uuid).uuid == episode_uuid


def test_amendment_that_makes_the_target_invalid_is_refused(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    target = store.append(observation(episode_uuid, at=T0), PROTOCOL)

    with pytest.raises(EventRefusedError):
        store.append(
            amendment(episode_uuid, target.uuid, {"pulse_per_min": 999}, at=T0 + MINUTE),
            PROTOCOL,
        )

    assert store.counts()["events"] == 2


def test_correction_in_the_same_action_as_its_target_is_accepted(
    store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    target = observation(episode_uuid, at=T0)
    fix = amendment(episode_uuid, target.uuid, {"pulse_per_min": 90}, at=T0)

    store.append_many([target, fix], PROTOCOL)

    assert store.episode(episode_uuid).observations[0].observation.pulse_per_min == 90


def test_read_only_store_refuses_to_save(db_path: Path, store: Store, episode_uuid: str) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    with Store.open(db_path, readonly=True) as viewer:
        with pytest.raises(ReadOnlyError, match="read-only"):
            viewer.append(observation(episode_uuid, at=T0), PROTOCOL)
        assert viewer.counts()["events"] == 1


def test_active_episodes_lists_running_episodes_only(store: Store) -> None:
    running, delivered = str(uuid.uuid4()), str(uuid.uuid4())
    store.append(created(running), PROTOCOL)
    for draft in full_episode(delivered):
        store.append(draft, PROTOCOL)

    assert [s.uuid for s in store.active_episodes()] == [running]
    assert store.episode_uuids(active_only=True) == [running]
    assert set(store.episode_uuids()) == {running, delivered}


def test_active_episodes_sees_an_entry_saved_by_another_copy_of_the_app(
    db_path: Path, store: Store, episode_uuid: str
) -> None:
    store.append(created(episode_uuid), PROTOCOL)
    assert len(store.active_episodes()) == 1  # now folded and remembered

    with Store.open(db_path, check_location_safe=False) as other:
        for draft in full_episode(episode_uuid)[1:]:
            other.append(draft, PROTOCOL)

    assert store.active_episodes() == []


def test_iter_events_yields_every_event_in_chain_order_across_batches(
    store: Store, episode_uuid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mgso4.storage.store.ITER_BATCH", 3)
    store.append(created(episode_uuid), PROTOCOL)
    for minute in range(1, 8):
        store.append(note(episode_uuid, f"note {minute}", at=T0 + minute * MINUTE), PROTOCOL)

    assert [e.seq for e in store.iter_events()] == list(range(1, 9))


def test_chain_head_of_an_empty_record_is_genesis(store: Store) -> None:
    assert store.chain_head() == GENESIS_HASH


def test_workstation_id_is_kept_in_the_file(db_path: Path) -> None:
    with Store.open(db_path, workstation_id="ward-7-pc1", check_location_safe=False) as store:
        assert store.workstation_id == "ward-7-pc1"

    with Store.open(db_path, check_location_safe=False) as reopened:
        assert reopened.workstation_id == "ward-7-pc1"


def test_a_new_record_gets_a_generated_workstation_id_once(db_path: Path) -> None:
    with Store.open(db_path, check_location_safe=False) as store:
        generated = store.workstation_id
    with Store.open(db_path, check_location_safe=False) as reopened:
        assert reopened.workstation_id == generated
    assert uuid.UUID(generated).version == 4


def test_opening_with_another_workstation_id_is_refused(db_path: Path) -> None:
    Store.open(db_path, workstation_id="ward-7-pc1", check_location_safe=False).close()

    with pytest.raises(StoreError, match="belongs to workstation ward-7-pc1"):
        Store.open(db_path, workstation_id="ward-9-pc2", check_location_safe=False)


def test_record_file_is_owner_only_even_with_a_permissive_umask(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    previous = os.umask(0o000)
    try:
        Store.open(path, check_location_safe=False).close()
    finally:
        os.umask(previous)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_record_file_is_readable_and_writable_by_its_owner_under_a_strict_umask(
    tmp_path: Path,
) -> None:
    path = tmp_path / "record.sqlite3"
    previous = os.umask(0o277)
    try:
        Store.open(path, check_location_safe=False).close()
    finally:
        os.umask(previous)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_creating_a_record_leaves_no_temporary_files(tmp_path: Path) -> None:
    Store.open(tmp_path / "record.sqlite3", check_location_safe=False).close()

    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.sqlite3"]


def test_logs_never_contain_patient_identifiers(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    episode_uuid = str(uuid.uuid4())
    with Store.open(db_path, check_location_safe=False) as store:
        saved = [store.append(draft, PROTOCOL) for draft in full_episode(episode_uuid)]
        store.verify()
        store.backup(db_path.parent / "backups")

    text = caplog.text
    assert saved[0].uuid in text  # the log does name entries, by uuid
    for identifying in (PATIENT_NAME, *PATIENT_NAME.split(), PATIENT_NHS_NUMBER):
        assert identifying not in text
