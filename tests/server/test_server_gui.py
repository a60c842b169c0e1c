"""Two app instances on one throwaway server: each sees the other's episodes and alerts live,
and a server that goes away is a banner, refused saves and a reconnection by itself."""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pg_cluster import Cluster
from pytestqt.qtbot import QtBot

GUI_TESTS = Path(__file__).resolve().parent.parent / "gui"
if str(GUI_TESTS) not in sys.path:
    sys.path.append(str(GUI_TESTS))

from harness.episodes import episode_drafts  # noqa: E402

from mgso4.core.episode import Actor  # noqa: E402
from mgso4.core.protocol import ProtocolLibrary, load_preparations_file  # noqa: E402
from mgso4.core.timeutil import utcnow  # noqa: E402
from mgso4.core.vocab import Role  # noqa: E402
from mgso4.gui.app import build_main_window  # noqa: E402
from mgso4.gui.context import AppContext  # noqa: E402
from mgso4.gui.unit_record import UNAVAILABLE_TITLE  # noqa: E402
from mgso4.resources import resource_path  # noqa: E402
from mgso4.settings import Settings  # noqa: E402
from mgso4.storage import RecordUnavailableError, open_record  # noqa: E402
from mgso4.storage.errors import UNAVAILABLE_MESSAGE  # noqa: E402
from mgso4.storage.signing import KeyStore  # noqa: E402

MIDWIFE = Actor(name="Sam Midwife", role=Role.MIDWIFE)
#: Generous waits (these are not timings: speed is measured in bench/).
WAIT_MS = 15_000


def _window(qtbot: QtBot, uri: str, folder: Path) -> Any:
    library = ProtocolLibrary(resource_path("protocols"))
    settings = Settings(unit_name="Test ward", unit_record=uri)
    store = open_record(uri, keys=KeyStore(folder / "keys"))  # a PC of its own
    context = AppContext(
        store=store,
        protocol=library.load(settings.protocol),
        preparations=load_preparations_file(resource_path("preparations.toml")),
        library=library,
        settings=settings,
        settings_path=folder / "settings.json",
        user=MIDWIFE,
        training=True,
    )
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    return window


def _add_episode(window: Any, *, name: str, obs_overdue: bool) -> str:
    context = window.context
    now = utcnow()
    load_at = now - timedelta(minutes=90 if obs_overdue else 5)
    episode_uuid, drafts = episode_drafts(
        protocol=context.protocol,
        preparations=context.preparations,
        name=name,
        identifier="9990000018",
        gestation="27+3",
        created_at=load_at - timedelta(minutes=5),
        load_started_at=load_at,
    )
    context.store.append_many(drafts, context.protocol)
    return episode_uuid


def _row(window: Any, episode_uuid: str) -> Any:
    for row in window.board.rows:
        if row.episode_uuid == episode_uuid:
            return row
    return None


@pytest.fixture
def two_pcs(qtbot: QtBot, cluster: Cluster, tmp_path: Path) -> Any:
    uri = cluster.fresh_database()
    first = _window(qtbot, uri, tmp_path / "triage")
    second = _window(qtbot, uri, tmp_path / "delivery")
    yield first, second
    for window in (first, second):
        window.close()
        window.context.store.close()


def test_two_pcs_see_each_others_episodes_and_alerts_live(qtbot: QtBot, two_pcs: Any) -> None:
    triage, delivery = two_pcs
    assert triage.context.store.workstation_id != delivery.context.store.workstation_id

    started = _add_episode(triage, name="Ada TRIAGE", obs_overdue=True)
    continued = _add_episode(delivery, name="Bea DELIVERY", obs_overdue=False)

    for window in (triage, delivery):
        qtbot.waitUntil(
            lambda w=window: _row(w, started) is not None and _row(w, continued) is not None,
            timeout=WAIT_MS,
        )
    # The same alerts and next check on both PCs for the episode started in triage.
    on_triage, on_delivery = _row(triage, started), _row(delivery, started)
    assert on_triage.due_at is not None
    assert (on_delivery.urgency, on_delivery.next_label, on_delivery.due_at) == (
        on_triage.urgency,
        on_triage.next_label,
        on_triage.due_at,
    )


def test_server_down_is_a_banner_and_refused_saves_then_reconnects_by_itself(
    qtbot: QtBot, cluster: Cluster, two_pcs: Any
) -> None:
    triage, delivery = two_pcs
    qtbot.waitUntil(lambda: triage.unit_record.watcher.listening.is_set(), timeout=WAIT_MS)
    cluster.kill()
    try:
        qtbot.waitUntil(
            lambda: (
                triage.store_banner.isVisible()
                and UNAVAILABLE_TITLE in triage.store_banner.title_text
            ),
            timeout=WAIT_MS,
        )
        with pytest.raises(RecordUnavailableError, match=UNAVAILABLE_MESSAGE[1:]):
            _add_episode(triage, name="Cy WAITING", obs_overdue=False)
    finally:
        cluster.start_again()
    qtbot.waitUntil(lambda: not triage.store_banner.isVisible(), timeout=WAIT_MS)
    saved = _add_episode(triage, name="Cy WAITING", obs_overdue=False)  # typed again, saved
    qtbot.waitUntil(lambda: _row(delivery, saved) is not None, timeout=WAIT_MS)
    assert str(uuid.UUID(saved)) == saved
