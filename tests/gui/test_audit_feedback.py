"""Print feedback sheet… in the audit view: choices, made off the GUI thread, previewed, and
logged as exported (with next month's plan) once it leaves the screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mgso4.audit.demo import write_demo_data
from mgso4.audit.feedback import ChartPeriod
from mgso4.core.episode import Actor, EventType
from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
from mgso4.core.vocab import Role
from mgso4.gui.audit import AuditView
from mgso4.gui.context import AppContext
from mgso4.resources import resource_path
from mgso4.settings import Settings
from mgso4.storage import Store

QI_LEAD = Actor(name="QI Lead", role=Role.AUDITOR)
WAIT_MS = 30_000
PLAN = "Put the MgSO₄ grab box in triage."


@pytest.fixture(scope="module")
def demo_record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit-feedback") / "demo.sqlite3"
    write_demo_data(path, episodes=120, seed=12)
    return path


@pytest.fixture
def context(
    demo_record: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    monkeypatch.setenv("MGSO4_CONFIG_DIR", str(tmp_path / "config"))
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
        user=QI_LEAD,
        settings_path=tmp_path / "settings.json",
    )
    store.close()


def open_view(qtbot: QtBot, context: AppContext) -> AuditView:
    view = AuditView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.metrics is not None and not view.busy, timeout=WAIT_MS)
    return view


def exported(context: AppContext) -> list[dict[str, object]]:
    return [e.payload for e in context.store.iter_events() if e.type is EventType.EXPORTED]


def make_sheet(qtbot: QtBot, view: AuditView) -> None:
    view.print_feedback_button.click()
    dialog = view.feedback.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.note_edit.setPlainText(PLAN)
    dialog.make_button.click()
    qtbot.waitUntil(
        lambda: view.feedback.preview is not None and view.feedback.preview.pdf_bytes is not None,
        timeout=WAIT_MS,
    )


def test_dialog_offers_every_month_of_the_record_newest_first(
    qtbot: QtBot, context: AppContext
) -> None:
    view = open_view(qtbot, context)
    dialog = view.feedback.ask()
    assert dialog is not None
    assert view.data is not None and view.data.birth_date_range is not None
    first, last = view.data.birth_date_range
    combo = dialog.month_combo
    assert combo.itemData(0) == f"{last.year:04d}-{last.month:02d}"
    assert combo.itemData(combo.count() - 1) == f"{first.year:04d}-{first.month:02d}"
    assert [dialog.period_combo.itemData(i) for i in range(3)] == [p.value for p in ChartPeriod]
    dialog.reject()


def test_sheet_is_previewed_and_logged_with_the_plan_when_saved(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, context)
    make_sheet(qtbot, view)
    preview = view.feedback.preview
    assert preview is not None and preview.isVisible()
    assert exported(context) == []  # previewing alone leaves nothing in the record
    out = tmp_path / "sheet.pdf"
    monkeypatch.setattr(
        "mgso4.gui.printing.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), "")
    )
    with qtbot.waitSignal(preview.sig_saved):
        preview.save_button.click()
    assert out.read_bytes() == preview.pdf_bytes
    (payload,) = exported(context)
    assert payload["format"] == "feedback-sheet-pdf"
    assert payload["note"] == PLAN
    assert payload["identifiable"] is False
    assert view.feedback.last_sheet is not None
    assert payload["rows"] == view.feedback.last_sheet.babies_in_month
    assert "logged as exported" in view.status_label.text()
    preview.close()


def test_a_plan_longer_than_the_sheet_allows_cannot_be_made(
    qtbot: QtBot, context: AppContext
) -> None:
    view = open_view(qtbot, context)
    dialog = view.feedback.ask()
    assert dialog is not None
    dialog.note_edit.setPlainText("x" * 601)
    assert not dialog.make_button.isEnabled()
    assert "too long" in dialog.note_count.text()
    dialog.reject()


def test_choices_can_be_kept_as_the_units_settings(qtbot: QtBot, context: AppContext) -> None:
    view = open_view(qtbot, context)
    dialog = view.feedback.ask()
    assert dialog is not None
    dialog.shift_combo.setCurrentIndex(dialog.shift_combo.findData(6))
    dialog.suppress_check.setChecked(True)
    dialog.suppress_spin.setValue(4)
    dialog.remember_check.setChecked(True)
    dialog.make_button.click()
    qtbot.waitUntil(lambda: view.feedback.preview is not None, timeout=WAIT_MS)
    assert context.settings_path is not None
    saved = json.loads(context.settings_path.read_text(encoding="utf-8"))
    assert (saved["spc_shift_length"], saved["suppress_below"]) == (6, 4)
    assert context.settings.spc_shift_length == 6
    assert view.feedback.last_sheet is not None
    assert view.feedback.last_sheet.options.suppress_below == 4
    if view.feedback.preview is not None:
        view.feedback.preview.close()
