"""Cost grows with what is active, not with history: the ward board over years of records.

Two records, made once: *active only* holds 30 active episodes (each with its load running and
an observation); *with history* holds the same 30 plus the closed episodes of a busy unit over
five years (``HISTORY_EPISODES``, 2,500 by default, written by ``write_demo_data``: delivered,
stopped and not-given episodes, with their corrections). Both are measured side by side,
interleaved run by run:

- **first paint**: a fresh process (``startup_child.py app <record>``, offscreen) from spawn to
  the first painted ward board, as the start-up benchmark measures it;
- **opening one episode**: in this process, a freshly opened store and main window on the
  record; the time from ``MainWindow.open_episode`` (the oldest of the 30 active episodes, the
  same page in both records) to its page
  laid out and painted (``processEvents``).

Target (issue 18): with history ≤ 1.5 × active only, for each.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import TESTS, Result, add_path, interleave, ratio_result, scratch_folder
from startup import child_environment, run_child

TARGET = 1.5
HISTORY_EPISODES = 2500
ACTIVE_EPISODES = 30
#: The name of the active episodes added to both records (numbered from 0).
ACTIVE_NAME = "Active PATIENT"


def _identifier(number: int) -> str:
    """A synthetic NHS number (999 range) with a valid check digit."""
    for candidate in range(number * 10, number * 10 + 1000):
        digits = f"999{candidate:06d}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            return digits + str(check)
    raise ValueError(number)


def add_active(record: Path, count: int, now: datetime) -> list[str]:
    """Append ``count`` active episodes (load running, one observation) to a record."""
    add_path(TESTS / "gui")
    from harness.episodes import episode_drafts

    from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
    from mgso4.resources import resource_path
    from mgso4.settings import Settings
    from mgso4.storage import Store

    library = ProtocolLibrary(resource_path("protocols"))
    protocol = library.load(Settings().protocol)
    preparations = load_preparations_file(resource_path("preparations.toml"))
    uuids = []
    store = Store.open(record)
    # The history comes from ``mgso4 demo-data``, and a demo record takes no clinical entries;
    # this benchmark only needs active episodes beside that history, so it lets them in.
    store.record_kind = lambda: ""  # type: ignore[method-assign]
    try:
        for number in range(count):
            load_at = now - timedelta(minutes=30 + 5 * number)
            episode_uuid, drafts = episode_drafts(
                protocol=protocol,
                preparations=preparations,
                name=f"{ACTIVE_NAME}{number}",
                identifier=_identifier(number + 1),
                gestation="28+1",
                created_at=load_at - timedelta(minutes=5),
                load_started_at=load_at,
                observations_at=(now - timedelta(minutes=10),),
            )
            store.append_many(drafts, protocol)
            uuids.append(episode_uuid)
    finally:
        store.close()
    return uuids


def make_records(folder: Path, history: int, active: int) -> tuple[Path, Path]:
    """The two records (active only, with history)."""
    from mgso4.audit.demo import write_demo_data

    now = datetime.now(UTC)
    bare = folder / "data" / "active-only.sqlite3"
    full = folder / "data" / "with-history.sqlite3"
    bare.parent.mkdir(parents=True, exist_ok=True)
    from mgso4.storage import Store

    Store.open(bare).close()
    add_active(bare, active, now)
    write_demo_data(full, episodes=history, seed=18, end=now - timedelta(days=1))
    add_active(full, active, now)
    return bare, full


def open_episode_ms(record: Path, folder: Path) -> float:
    """Milliseconds from ``open_episode`` to the episode page painted, on a fresh store."""
    from interaction import application

    from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
    from mgso4.gui.app import build_main_window
    from mgso4.gui.context import AppContext
    from mgso4.resources import resource_path
    from mgso4.settings import Settings
    from mgso4.storage import Store

    app: Any = application()
    library = ProtocolLibrary(resource_path("protocols"))
    settings = Settings(unit_name="Scale ward")
    store = Store.open(record)
    context = AppContext(
        store=store,
        protocol=library.load(settings.protocol),
        preparations=load_preparations_file(resource_path("preparations.toml")),
        library=library,
        settings=settings,
        settings_path=folder / "settings.json",
        training=True,
    )
    window = build_main_window(context)
    try:
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        # The same episode in both records: the oldest of the 30 active ones (a history
        # episode still on the board, e.g. with an open alert, would be a different page).
        active = [row for row in window.board.rows if row.name.startswith(ACTIVE_NAME)]
        target = min(active, key=lambda row: row.created_at).episode_uuid
        started = time.perf_counter()
        window.open_episode(target)
        app.processEvents()
        return (time.perf_counter() - started) * 1000
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
        store.close()


def bench_board_scale(
    *, runs: int = 5, history: int = HISTORY_EPISODES, active: int = ACTIVE_EPISODES
) -> list[Result]:
    """First paint and opening one episode: with history vs active only."""
    with scratch_folder("board-scale") as folder:
        bare, full = make_records(folder, history, active)
        env = child_environment(folder)

        def paint(record: Path) -> float:
            return run_child(["app", str(record)], env).seconds * 1000

        full_paint, bare_paint = interleave(
            lambda: paint(full), lambda: paint(bare), runs=runs, warmup=1
        )
        full_open, bare_open = interleave(
            lambda: open_episode_ms(full, folder),
            lambda: open_episode_ms(bare, folder),
            runs=runs,
            warmup=1,
        )
    sizes = {"history_episodes": history, "active_episodes": active, "runs": runs}
    return [
        ratio_result(
            key="board_first_paint_history",
            title=(
                f"Ward board first paint: {history:,} closed + {active} active episodes "
                f"vs {active} active only"
            ),
            unit="ms",
            app_samples=full_paint,
            baseline_samples=bare_paint,
            target=TARGET,
            baseline_title=f"the same start-up on a record of the {active} active episodes only",
            details=sizes,
        ),
        ratio_result(
            key="open_episode_history",
            title=f"Opening one episode: record with {history:,} closed episodes vs without",
            unit="ms",
            app_samples=full_open,
            baseline_samples=bare_open,
            target=TARGET,
            baseline_title="the same episode opened on the record of the active episodes only",
            details=sizes,
        ),
    ]
