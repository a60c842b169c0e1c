"""A self-contained context for screenshots, the input-budget run and tests.

It opens a fresh record in a folder the caller gives, loads the shipped protocol and
preparations, and uses a fixed clock so every screenshot and count is repeatable; the clock
is moved on only by hand (:meth:`DemoClock.advance`), never by sleeping. It is never used for
real records (the app builds its own context from the user's settings).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mgso4.core.episode import Actor
from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
from mgso4.gui.context import AppContext
from mgso4.resources import resource_path
from mgso4.settings import Settings
from mgso4.storage import Store

#: The demo's "now": a winter weekday morning (GMT, so local time equals UTC).
DEMO_NOW = datetime(2026, 1, 13, 10, 0, tzinfo=UTC)


class DemoClock:
    """A clock that says one moment (aware UTC) until it is moved on by hand.

    The record and the screens share it, so an entry's ``recorded_at`` and the screens' "now"
    move together when a test or the input-budget run lets time pass.
    """

    def __init__(self, moment: datetime = DEMO_NOW) -> None:
        if moment.utcoffset() != timedelta(0):
            raise ValueError("The demo clock needs an aware UTC moment.")
        self.now = moment

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> datetime:
        """Let ``by`` of real time pass (forwards only); returns the new now."""
        if by < timedelta(0):
            raise ValueError("The demo clock only moves forwards.")
        self.now = self.now + by
        return self.now


def fixed_clock(moment: datetime = DEMO_NOW) -> DemoClock:
    """A clock that says ``moment`` (aware UTC) until moved on with ``advance``."""
    return DemoClock(moment)


def demo_context(
    folder: Path,
    *,
    clock: Callable[[], datetime] | None = None,
    user: Actor | None = None,
    training: bool = False,
    protocol_id: str | None = None,
) -> AppContext:
    """A context with a new record in ``folder`` and the shipped protocol and preparations."""
    settings = Settings()
    library = ProtocolLibrary(resource_path("protocols"))
    protocol = library.load(protocol_id or settings.protocol)
    preparations = load_preparations_file(resource_path("preparations.toml"))
    folder.mkdir(parents=True, exist_ok=True)
    tick = clock or fixed_clock()
    store = Store.open(folder / "demo-record.sqlite3", clock=tick, check_location_safe=False)
    return AppContext(
        store=store,
        protocol=protocol,
        preparations=preparations,
        library=library,
        settings=settings,
        training=training,
        clock=tick,
        user=user,
    )
