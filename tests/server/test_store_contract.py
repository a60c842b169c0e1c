"""The store contract on both backends: the SQLite file and the PostgreSQL unit record.

The store's own tests (tests/storage) that need nothing but a store are collected here again
with ``store`` parametrised over both backends, so the rules, the chain, the refusals and their
messages are proven the same on the server; the tests below add what only a comparison shows.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import test_store_append
import test_store_rules
from storage_builders import PROTOCOL, T0, StepClock, created, observation

from mgso4.core.episode import EventDraft, EventType, RateChanged
from mgso4.storage import Store, StoreError, open_record
from mgso4.storage.signing import KeyStore

MINUTE = timedelta(minutes=1)
_PORTABLE = {"store", "episode_uuid", "clock"}


def _portable(module: Any) -> dict[str, Callable[..., None]]:
    """Tests that need only a store (never the file under it)."""
    found = {}
    for name, function in vars(module).items():
        if not name.startswith("test_") or not callable(function):
            continue
        parameters = set(inspect.signature(function).parameters)
        source = inspect.getsource(function)
        if parameters <= _PORTABLE and "Store.open" not in source and "_conn" not in source:
            found[name] = function
    return found


for _module in (test_store_append, test_store_rules):
    globals().update(_portable(_module))


@pytest.fixture(params=["sqlite", "server"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def episode_uuid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def record_spec(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return str(tmp_path / "record.sqlite3")
    return str(request.getfixturevalue("server_uri"))


@pytest.fixture
def store(record_spec: str, clock: StepClock, tmp_path: Path) -> Iterator[Store]:
    opened = open_record(
        record_spec, clock=clock, check_location_safe=False, keys=KeyStore(tmp_path / "keys")
    )
    yield opened
    opened.close()


def test_both_backends_are_collected() -> None:
    names = set(_portable(test_store_append)) | set(_portable(test_store_rules))
    assert len(names) >= 20, sorted(names)


def _refusals(store: Store) -> list[str]:
    """The messages of a fixed series of refused actions."""
    episode = "11111111-1111-4111-8111-111111111111"
    messages = []
    first = created(episode)
    store.append(first, PROTOCOL)
    attempts: list[list[EventDraft]] = [
        [first],  # the same entry again
        [created(episode)],  # the episode again
        [observation(str(uuid.UUID(int=7)), at=T0 + MINUTE)],  # no such episode
        [
            EventDraft.make(
                EventType.RATE_CHANGED,
                RateChanged(course_number=1, rate_ml_per_h=Decimal(5), reason="set early"),
                episode_uuid=episode,
                occurred_at=T0 + MINUTE,
                recorded_by=first.recorded_by,
            )
        ],  # a rate change with nothing running (the rules refuse it)
    ]
    for drafts in attempts:
        try:
            store.append_many(drafts, PROTOCOL)
        except StoreError as exc:
            messages.append(f"{type(exc).__name__}: {exc}")
        else:
            messages.append("saved")
    return messages


def test_refusals_and_their_messages_are_the_same_on_both_backends(
    server_uri: str, tmp_path: Path
) -> None:
    results = []
    for spec in (str(tmp_path / "record.sqlite3"), server_uri):
        with open_record(
            spec, clock=StepClock(), check_location_safe=False, keys=KeyStore(tmp_path / "k")
        ) as opened:
            results.append(_refusals(opened))
    sqlite_messages, server_messages = results
    assert "saved" not in sqlite_messages
    assert server_messages == sqlite_messages


def test_server_chain_and_signatures_verify_and_a_backup_is_a_verified_record_file(
    server_uri: str, tmp_path: Path
) -> None:
    episode = str(uuid.uuid4())
    with open_record(server_uri, clock=StepClock(), keys=KeyStore(tmp_path / "keys")) as opened:
        opened.append(created(episode), PROTOCOL)
        opened.append(observation(episode, at=T0 + MINUTE), PROTOCOL)
        report = opened.verify()
        assert report.ok, report.problems
        written = opened.backup(tmp_path / "backups")
    with Store.open(written, readonly=True) as copy:
        assert [e.type for e in copy.events(episode)] == [
            EventType.EPISODE_CREATED,
            EventType.OBSERVATION,
        ]
        assert copy.verify().ok


def test_both_backends_are_one_record_interface(store: Store) -> None:
    from mgso4.storage import RecordStore

    assert isinstance(store, RecordStore)
