"""Finding and knowing the record: --help names --db and --training, "Open record…" opens
another file, a demo or merged record says so for as long as it is open, and a demo record
takes no clinical entries (refused by the store, whatever screen or command asks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from harness.episodes import episode_drafts
from pytestqt.qtbot import QtBot

from mgso4.audit.demo import write_demo_data
from mgso4.cli.main import build_parser
from mgso4.core.episode import EventDraft, EventType, Printed
from mgso4.gui.app import build_main_window
from mgso4.gui.audit.view import merge_question
from mgso4.storage import Store
from mgso4.storage.errors import EventRefusedError
from mgso4.storage.store import DEMO_RECORD


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    write_demo_data(path, episodes=6, seed=3)
    return path


def test_help_names_the_app_options() -> None:
    text = build_parser().format_help()
    assert "--db" in text and "--training" in text and "Open record" in text


def test_a_demo_record_refuses_clinical_entries_in_the_store(
    demo_path: Path, tmp_path: Path, context: Any
) -> None:
    copy = tmp_path / "demo-copy.sqlite3"
    copy.write_bytes(demo_path.read_bytes())
    with Store.open(copy, check_location_safe=False) as store:
        assert store.record_kind() == DEMO_RECORD
        _uuid, drafts = episode_drafts(
            protocol=context.protocol,
            preparations=context.preparations,
            name="Test PATIENT",
            identifier="9990000018",
            gestation="27+3",
            created_at=context.clock(),
        )
        with pytest.raises(EventRefusedError, match="demo record"):
            store.append_many(drafts, context.protocol)
        # Printing a demo episode's proforma is logged: that is not care.
        episode = store.episode_uuids()[0]
        printed = EventDraft.make(
            EventType.PRINTED,
            Printed(document="proforma", chain_head="0" * 64),
            episode_uuid=episode,
            occurred_at=context.clock(),
            recorded_by=context.user,
        )
        assert store.append_many([printed], context.protocol)


def test_a_demo_record_carries_a_banner_and_no_new_episode(
    demo_path: Path, tmp_path: Path, context_for: Any, qtbot: QtBot
) -> None:
    copy = tmp_path / "demo-copy.sqlite3"
    copy.write_bytes(demo_path.read_bytes())
    store = Store.open(copy, check_location_safe=False)
    try:
        window = build_main_window(context_for(store, training=False))
        qtbot.addWidget(window)
        window.show()
        banner = window.record_kind_banner
        assert banner.isVisibleTo(window)
        assert "DEMO RECORD" in banner.title_text
        assert not window.ui.new_episode_button.isEnabled()
        assert window.new_episode() is None
    finally:
        store.close()


def test_the_ward_record_has_no_record_kind_banner(context: Any, qtbot: QtBot) -> None:
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    assert not window.record_kind_banner.isVisibleTo(window)
    assert window.ui.new_episode_button.isEnabled()


def test_the_merge_question_names_the_files_and_warns_of_demo_data(
    demo_path: Path, tmp_path: Path
) -> None:
    ward = tmp_path / "ward-2.sqlite3"
    Store.open(ward, check_location_safe=False).close()
    text = merge_question([demo_path, ward], tmp_path / "unit.sqlite3")
    assert str(demo_path) in text and str(ward) in text and "unit.sqlite3" in text
    assert "DEMO data" in text and "demo-3-" in text
    assert "DEMO" not in merge_question([ward], tmp_path / "unit.sqlite3")


def test_open_record_starts_a_window_on_the_chosen_file(
    context: Any, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started: list[tuple[str, list[str]]] = []

    def start(program: str, arguments: list[str]) -> tuple[bool, int]:
        started.append((program, arguments))
        return True, 1

    monkeypatch.setattr("mgso4.gui.main_window.QProcess.startDetached", start)
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    assert window.open_record_button.isVisibleTo(window)
    assert window.open_record(str(tmp_path / "unit.sqlite3"))
    assert started and started[0][1][-2:] == ["--db", str(tmp_path / "unit.sqlite3")]
