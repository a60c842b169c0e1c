"""A self-contained context for screenshots, the input-budget run and tests.

It opens a fresh record in a folder the caller gives, loads the shipped protocol and
preparations, and uses a fixed clock so every screenshot and count is repeatable. It is never
used for real records (the app builds its own context from the user's settings).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from mgso4.core.episode import Actor
from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
from mgso4.gui.context import AppContext
from mgso4.resources import resource_path
from mgso4.settings import Settings
from mgso4.storage import Store

#: The demo's "now": a winter weekday morning (GMT, so local time equals UTC).
DEMO_NOW = datetime(2026, 1, 13, 10, 0, tzinfo=UTC)


def fixed_clock(moment: datetime = DEMO_NOW) -> Callable[[], datetime]:
    """A clock that always says ``moment`` (aware UTC)."""

    def clock() -> datetime:
        return moment

    return clock


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
