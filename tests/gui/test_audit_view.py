"""The audit view on a small demo record: loads off the GUI thread, shows numbers, exports."""

from __future__ import annotations

import csv
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mgso4.audit.demo import write_demo_data
from mgso4.audit.export import ExportLevel
from mgso4.audit.facts import GestationBand
from mgso4.audit.merge import merge_target_refusal
from mgso4.audit.progress import Cancelled
from mgso4.core.episode import Actor, EventType
from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
from mgso4.core.vocab import Role
from mgso4.gui.audit import AuditView
from mgso4.gui.audit.dialogs import ExportReasonDialog
from mgso4.gui.context import AppContext
from mgso4.resources import resource_path
from mgso4.settings import Settings
from mgso4.storage import Store

AUDITOR = Actor(name="Test Auditor", role=Role.AUDITOR)
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def demo_record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit-view") / "demo.sqlite3"
    write_demo_data(path, episodes=80, seed=11)
    return path


@pytest.fixture
def context(demo_record: Path, tmp_path: Path) -> Iterator[AppContext]:
    # The test run's own config folder (tests/conftest.py) holds the demo record's signing
    # keys, as the ward PC that wrote it would.
    copy = tmp_path / "record.sqlite3"
    copy.write_bytes(demo_record.read_bytes())
    settings = Settings()
    library = ProtocolLibrary(resource_path("protocols"))
    store = Store.open(copy, check_location_safe=False)
    yield AppContext(
        store=store,
        protocol=library.load(settings.protocol),
        preparations=load_preparations_file(resource_path("preparations.toml")),
        library=library,
        settings=settings,
        user=AUDITOR,
    )
    store.close()


def open_view(qtbot: QtBot, context: AppContext) -> AuditView:
    view = AuditView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.metrics is not None and not view.busy, timeout=WAIT_MS)
    return view


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """Answer the save dialog with ``path``; the list gets the file name the app offered."""
    offered: list[str] = []

    def answer(*args: Any, **kwargs: Any) -> tuple[str, str]:
        offered.append(str(args[2]) if len(args) > 2 else "")
        return str(path), ""

    monkeypatch.setattr("mgso4.gui.audit.view.QFileDialog.getSaveFileName", answer)
    return offered


REASON = "Review of the January births for the perinatal morbidity meeting"


def test_view_reads_the_record_off_the_gui_thread(qtbot: QtBot, context: AppContext) -> None:
    view = AuditView(context)
    qtbot.addWidget(view)

    assert view.data is None  # the constructor returned before the record was read
    assert view.busy
    qtbot.waitUntil(lambda: view.metrics is not None, timeout=WAIT_MS)


def test_tiles_show_the_metrics(qtbot: QtBot, context: AppContext) -> None:
    view = open_view(qtbot, context)

    assert view.metrics is not None
    nnap = view.metrics.measures["nnap"]
    assert nnap.d > 0
    assert view.tiles["nnap"].value_label.text() == f"{nnap.percentage}%"
    assert view.tiles["nnap"].count_label.text() == f"{nnap.n:,} of {nnap.d:,} babies"
    assert view.tiles["pending"].value_label.text() == str(len(view.metrics.pending))


def test_clicking_a_tile_lists_the_babies_behind_it(qtbot: QtBot, context: AppContext) -> None:
    view = open_view(qtbot, context)
    assert view.metrics is not None
    view.list_scope_combo.setCurrentIndex(view.list_scope_combo.findData("met"))

    qtbot.mouseClick(view.tiles["bapm_optimal"], Qt.MouseButton.LeftButton)

    optimal = view.metrics.measures["bapm_optimal"]
    assert view.case_table.rowCount() == optimal.n
    listed = {
        view.case_table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        for row in range(view.case_table.rowCount())
    }
    assert listed == {ref.episode_uuid for ref in optimal.numerator}


def test_double_click_opens_the_episode(qtbot: QtBot, context: AppContext) -> None:
    view = open_view(qtbot, context)
    view.select_tile("nnap")
    view.list_scope_combo.setCurrentIndex(view.list_scope_combo.findData("all"))
    expected = view.case_table.item(0, 0).data(Qt.ItemDataRole.UserRole)
    rect = view.case_table.visualItemRect(view.case_table.item(0, 1))

    viewport = view.case_table.viewport()
    # An item view opens on a double-click that follows a press on the same cell.
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(view.sig_open_episode, timeout=WAIT_MS) as signal:
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())

    assert signal.args == [expected]


def test_band_filter_recounts(qtbot: QtBot, context: AppContext) -> None:
    view = open_view(qtbot, context)
    assert view.metrics is not None
    everyone = view.metrics.babies

    with qtbot.waitSignal(view.sig_metrics_shown, timeout=WAIT_MS):
        view.band_combo.setCurrentIndex(view.band_combo.findData(GestationBand.FROM_28_TO_29))

    assert view.metrics is not None
    assert 0 < view.metrics.babies < everyone
    assert {row.band for row in view.metrics.rows} == {GestationBand.FROM_28_TO_29}


def test_export_csv_button_writes_a_shareable_file_by_default(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    out = tmp_path / "out" / "audit.csv"
    out.parent.mkdir()
    offered = save_as(monkeypatch, out)

    qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=WAIT_MS)

    assert out.exists() and (out.parent / "audit.dictionary.csv").exists()
    assert view.last_export is not None and view.last_export.level is ExportLevel.SHAREABLE
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert "birth_month" in header and "patient_pseudonym" not in header
    assert offered and offered[0].endswith("-shareable.csv")


def test_the_pseudonymised_level_keeps_the_pseudonym(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    out = tmp_path / "audit.csv"
    save_as(monkeypatch, out)
    view.level_combo.setCurrentIndex(view.level_combo.findData(ExportLevel.PSEUDONYMISED))

    qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=WAIT_MS)

    assert "patient_pseudonym" in out.read_text(encoding="utf-8-sig").splitlines()[0]


def test_identifiable_export_asks_for_a_reason_and_is_recorded(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    out = tmp_path / "named-IDENTIFIABLE.xlsx"
    offered = save_as(monkeypatch, out)
    monkeypatch.setattr(
        "mgso4.gui.audit.view.ask_export_reason", lambda parent: ("case-review", REASON)
    )
    view.level_combo.setCurrentIndex(view.level_combo.findData(ExportLevel.IDENTIFIABLE))

    qtbot.mouseClick(view.export_buttons["xlsx"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=WAIT_MS)

    assert out.exists()
    assert offered and offered[0].endswith("-IDENTIFIABLE.xlsx")
    exported = [e for e in context.store.iter_events() if e.type is EventType.EXPORTED]
    assert [e.payload["reason"] for e in exported] == [f"case review: {REASON}"]
    assert exported[0].recorded_by == AUDITOR


def test_identifiable_export_without_a_reason_writes_nothing(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    out = tmp_path / "named.csv"
    save_as(monkeypatch, out)
    monkeypatch.setattr("mgso4.gui.audit.view.ask_export_reason", lambda parent: None)
    view.level_combo.setCurrentIndex(view.level_combo.findData(ExportLevel.IDENTIFIABLE))

    qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)

    assert not view.busy
    assert not out.exists()
    assert "no reason" in view.status_label.text()


def test_save_chart_as_png(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    out = tmp_path / "run.png"
    save_as(monkeypatch, out)

    qtbot.mouseClick(view.save_png_button, Qt.MouseButton.LeftButton)

    assert out.read_bytes().startswith(b"\x89PNG")


def test_cancel_stops_reading_and_says_so(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    started = threading.Event()

    def slow_load(path: Path, **kwargs: Any) -> None:
        started.set()
        # Stands for a long read: returns only when the view's Cancel sets the flag.
        kwargs["cancel"].wait(timeout=WAIT_MS / 1000)
        raise Cancelled("Reading the record")

    monkeypatch.setattr("mgso4.gui.audit.view.load_audit_data", slow_load)
    view.reload()
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    assert view.cancel_button.isVisible() or view.cancel_button.isEnabled()

    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)

    assert "cancelled" in view.status_label.text()
    assert view.metrics is not None  # the earlier numbers stay on screen


def test_merge_copies_another_record_in_and_recounts(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    assert view.data is not None
    before = len(view.data.episodes)
    other = tmp_path / "other.sqlite3"
    write_demo_data(other, episodes=5, seed=99)
    monkeypatch.setattr(
        "mgso4.gui.audit.view.QFileDialog.getOpenFileNames",
        lambda *args, **kwargs: ([str(other)], ""),
    )
    monkeypatch.setattr(
        "mgso4.gui.audit.view.QMessageBox.question",
        lambda *args, **kwargs: view_yes(),
    )

    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.last_merge is not None and view.data is not None and not view.busy,
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(
        lambda: view.data is not None and len(view.data.episodes) > before, timeout=WAIT_MS
    )

    assert view.last_merge is not None and view.last_merge.ok
    assert len(view.data.episodes) == before + 5


def view_yes() -> Any:
    from PySide6.QtWidgets import QMessageBox

    return QMessageBox.StandardButton.Yes


def test_empty_record_shows_no_numbers_without_error(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "empty.sqlite3", check_location_safe=False) as empty:
        context.store = empty
        view = open_view(qtbot, context)

        assert view.metrics is not None and view.metrics.babies == 0
        assert view.tiles["nnap"].value_label.text() == "–"
        assert view.tiles["nnap"].count_label.text() == "no eligible babies"


def test_merge_into_a_record_with_active_episodes_is_refused(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    monkeypatch.setattr(
        view.context.store, "episode_uuids", lambda active_only=False: ["an-active-episode"]
    )
    asked: list[object] = []
    monkeypatch.setattr(
        "mgso4.gui.audit.view.QFileDialog.getOpenFileNames",
        lambda *args, **kwargs: asked.append(args) or ([], ""),
    )

    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)

    assert asked == []
    assert view.last_merge is None
    assert "ward board" in view.status_label.text()


def test_merge_into_the_live_record_is_refused(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    monkeypatch.setattr("mgso4.storage.default_db_path", lambda training=False: context.store.path)

    asked: list[object] = []
    monkeypatch.setattr(
        "mgso4.gui.audit.view.QFileDialog.getOpenFileNames",
        lambda *args, **kwargs: asked.append(args) or ([], ""),
    )
    refusal = merge_target_refusal(context.store)
    assert refusal is not None
    view.merge_button.click()
    assert asked == []
    assert refusal in view.status_label.text()


def test_the_reason_dialog_accepts_only_a_purpose_and_a_reason_of_substance(qtbot: QtBot) -> None:
    dialog = ExportReasonDialog()
    qtbot.addWidget(dialog)

    dialog.reason_edit.setPlainText("x")
    assert not dialog.ok_button.isEnabled()
    dialog.purpose_combo.setCurrentIndex(dialog.purpose_combo.findData("case-review"))
    assert not dialog.ok_button.isEnabled()
    dialog.reason_edit.setPlainText(REASON)

    assert dialog.ok_button.isEnabled()


def test_the_periprem_any_nnap_excluded_and_missed_opportunity_tiles_show_their_counts(
    qtbot: QtBot, context: AppContext
) -> None:
    """Issue 14, audit measures: PERIPrem's "received any", NNAP's exclusions and the broader
    missed-opportunity figure each have a tile, named for what it is."""
    view = open_view(qtbot, context)
    assert view.metrics is not None
    for key in ("periprem_received_any", "nnap_excluded", "optimal_timing_possible"):
        value = view.metrics.measures[key]
        assert view.tiles[key].count_label.text() == f"{value.n:,} of {value.d:,} babies"
    assert "PERIPrem" in view.tiles["periprem_received_any"].title
    assert "Not a PERIPrem" not in view.tiles["optimal_timing_possible"].title
    assert "PERIPrem" not in view.tiles["optimal_timing_possible"].title


def about_export(dictionary: Path) -> dict[str, str]:
    with dictionary.open(encoding="utf-8-sig", newline="") as handle:
        return {row[0]: row[1] for row in csv.reader(handle) if len(row) == 2}


def test_a_second_export_reuses_the_check_until_the_file_changes(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    first, second, third = (tmp_path / f"{name}.csv" for name in ("first", "second", "third"))

    save_as(monkeypatch, first)
    qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=WAIT_MS)
    remembered = view.passed_verification
    assert remembered is not None
    assert (
        "in this session"
        not in about_export(tmp_path / "first.dictionary.csv")["Record verification"]
    )

    view.last_export = None
    save_as(monkeypatch, second)
    qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=WAIT_MS)
    assert view.passed_verification == remembered
    assert (
        "checked in full at"
        in about_export(tmp_path / "second.dictionary.csv")["Record verification"]
    )

    with sqlite3.connect(context.store.path) as raw:  # changed outside the app
        raw.execute("DROP TRIGGER event_no_update")
        raw.execute("UPDATE event SET occurred_at = '2026-01-05T07:00:00.000000Z' WHERE seq = 3")
    view.last_export = None
    save_as(monkeypatch, third)
    qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)

    assert view.last_export is None
    assert "does not pass verification" in view.status_label.text()
    assert not third.exists()
