"""Durability under kill -9 and concurrent writers (see crash_harness.py for the method)."""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from crash_harness import read_ack_file, run_trials, zygote

from mgso4.storage import Store, journal_mode_for

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs fork and SIGKILL")

#: Trials per test run (the brief: at least 200 randomised kills per `make test`).
CRASH_TRIALS = 200


@pytest.mark.slow
def test_no_acknowledged_entry_is_lost_when_writers_are_killed() -> None:
    result = run_trials(CRASH_TRIALS, writers=2, seed=20260302)

    assert result.problems == []
    assert result.trials == CRASH_TRIALS
    assert result.acknowledged > 0  # the writers really saved before they were killed
    assert result.lost == 0
    assert result.partial_actions == 0
    assert result.verify_ok
    if journal_mode_for(sqlite3.sqlite_version) == "delete":
        assert result.interrupted_transactions > 0  # some kills landed inside a transaction


@pytest.mark.slow
def test_four_writers_at_once_lose_nothing_and_see_no_lock_error(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    Store.open(path, check_location_safe=False).close()
    ack_files = [tmp_path / f"writer-{n}.txt" for n in range(4)]

    with zygote() as forker:
        pids = [forker.spawn(path, ack, seed=n, count=50) for n, ack in enumerate(ack_files)]
        statuses = [forker.reap(pid) for pid in pids]

    assert statuses == [0, 0, 0, 0]
    acknowledged: list[str] = []
    for ack in ack_files:
        _, acks, errors = read_ack_file(ack)
        assert errors == []  # no LockedError (or any other) reached a writer
        assert len(acks) == 51  # the episode, then 50 actions
        acknowledged.extend(u for action in acks for u in action)
    with Store.open(path, check_location_safe=False) as store:
        stored = {event.uuid for event in store.iter_events()}
        report = store.verify()
    assert set(acknowledged) == stored
    assert report.ok, report.problems
    assert report.counts["episodes"] == 4
    assert all(str(uuid.UUID(u)) == u for u in acknowledged)
