"""Shared fixtures for the GUI tests: the app's style, a hand-moved clock, a record, a context.

No test sleeps: time moves only when a test moves the :class:`FakeClock`, and the main
window's clock check is called directly (``window.check_clock()``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from harness.episodes import episode_drafts
from PySide6.QtWidgets import QApplication

from mgso4.core.episode import Actor, Event, EventDraft, ProtocolRef
from mgso4.core.protocol import Protocol, ProtocolLibrary, load_preparations_file
from mgso4.core.vocab import Role
from mgso4.gui.context import AppContext
from mgso4.gui.style import apply_style
from mgso4.resources import resource_path
from mgso4.settings import Settings
from mgso4.storage import DiskFullError, Store

MIDWIFE = Actor(name="Test Midwife", role=Role.MIDWIFE)


@pytest.fixture(autouse=True, scope="session")
def _styled_app(qapp: QApplication) -> Iterator[None]:
    apply_style(qapp)
    yield


class FakeClock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    # 03:00 GMT on a winter night: no clock change near.
    return FakeClock(datetime(2026, 1, 14, 3, 0, tzinfo=UTC))


@pytest.fixture
def record_path(tmp_path: Path) -> Path:
    return tmp_path / "record.sqlite3"


@pytest.fixture
def store(record_path: Path, clock: FakeClock) -> Iterator[Store]:
    opened = Store.open(record_path, clock=clock)
    yield opened
    opened.close()


def make_context(store: Store, clock: FakeClock, tmp_path: Path, **kwargs: Any) -> AppContext:
    """A context on an open store with the shipped UK protocol and a private settings file."""
    library = ProtocolLibrary(resource_path("protocols"))
    settings = kwargs.pop("settings", Settings(unit_name="Test ward"))
    return AppContext(
        store=store,
        protocol=library.load(settings.protocol),
        preparations=load_preparations_file(resource_path("preparations.toml")),
        library=library,
        settings=settings,
        clock=clock,
        settings_path=tmp_path / "settings.json",
        **kwargs,
    )


@pytest.fixture
def context(store: Store, clock: FakeClock, tmp_path: Path) -> AppContext:
    return make_context(store, clock, tmp_path, user=MIDWIFE, training=True)


AddEpisode = Callable[..., str]


@pytest.fixture
def add_episode(context: AppContext, clock: FakeClock) -> AddEpisode:
    """Record an episode; keyword arguments as ``harness.episodes.episode_drafts`` (minutes ago)."""

    def add(
        *,
        name: str = "Test PATIENT",
        identifier: str = "9990000018",
        gestation: str = "27+3",
        load_minutes_ago: float | None = 60,
        obs_minutes_ago: Sequence[float] = (),
        **kwargs: Any,
    ) -> str:
        now = clock()
        load_at = None if load_minutes_ago is None else now - timedelta(minutes=load_minutes_ago)
        episode_uuid, drafts = episode_drafts(
            protocol=context.protocol,
            preparations=context.preparations,
            name=name,
            identifier=identifier,
            gestation=gestation,
            created_at=(load_at or now) - timedelta(minutes=5),
            load_started_at=load_at,
            observations_at=tuple(now - timedelta(minutes=m) for m in obs_minutes_ago),
            **kwargs,
        )
        context.store.append_many(drafts, context.protocol)
        return episode_uuid

    return add


class FailingStore:
    """Wraps a real store; every write fails as if the disk were full (reads still work)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.attempts = 0
        self.context: AppContext | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def restore(self, context: AppContext) -> None:
        """Put the real store back (the disk has room again)."""
        context.store = self.inner

    def _fail(self) -> DiskFullError:
        self.attempts += 1
        return DiskFullError(
            f"The disk holding the record ({self.inner.path}) is full, so this entry was not "
            "saved. Everything saved earlier is safe and what you typed is still on screen: "
            "free some disk space (or ask IT to), then save again."
        )

    def append(self, draft: EventDraft, protocol: Protocol | ProtocolRef) -> Event:
        raise self._fail()

    def append_many(
        self, drafts: Sequence[EventDraft], protocol: Protocol | ProtocolRef, **_: Any
    ) -> list[Event]:
        raise self._fail()


@pytest.fixture
def fail_writes(context: AppContext) -> Iterator[FailingStore]:
    """Make every save fail with DiskFullError; ``restore()`` puts the real store back."""
    failing = FailingStore(context.store)
    context.store = failing  # type: ignore[assignment]
    yield failing
    failing.restore(context)


@pytest.fixture
def context_for(clock: FakeClock, tmp_path: Path) -> Callable[..., AppContext]:
    """Build another context on a store (e.g. after reopening the file)."""

    def build(store: Store, **kwargs: Any) -> AppContext:
        kwargs.setdefault("user", MIDWIFE)
        kwargs.setdefault("training", True)
        return make_context(store, clock, tmp_path, **kwargs)

    return build


@pytest.fixture
def midwife() -> Actor:
    return MIDWIFE
