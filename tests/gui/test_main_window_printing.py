"""The blank downtime proforma from the main window: made off the GUI thread with the
settings' protocol and default preparation, previewed, and logged as printed (no episode, the
chain head when it was made) only when the preview prints it.

The system print dialog is never shown: ``mgso4.gui.printing.print_pdf`` is replaced by a stub
that says the pages went to the printer (or that the user cancelled).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventDraft, EventType, Note
from mgso4.gui import printing
from mgso4.gui.app import build_main_window
from mgso4.gui.context import AppContext
from mgso4.gui.main_window import PRINT_BLANK_SHORTCUT, MainWindow
from mgso4.gui.printing import PdfPreviewDialog
from mgso4.gui.widgets.user_dialog import UserDialog
from mgso4.settings import Settings

#: Rendering a PDF on a worker thread takes well under a second; this is the ceiling.
RENDER_WAIT_MS = 20_000


def window_for(qtbot: QtBot, context: AppContext) -> MainWindow:
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    return window


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def blank_preview(qtbot: QtBot, window: MainWindow) -> PdfPreviewDialog:
    window.print_blank_proforma()
    qtbot.waitUntil(lambda: window.blank_preview is not None, timeout=RENDER_WAIT_MS)
    preview = window.blank_preview
    assert isinstance(preview, PdfPreviewDialog)
    qtbot.addWidget(preview)
    return preview


def printed_events(context: AppContext) -> list[tuple[str | None, str, str]]:
    return [
        (event.episode_uuid, event.payload["document"], event.payload["chain_head"])
        for event in context.store.iter_events()
        if event.type is EventType.PRINTED
    ]


@pytest.fixture
def printer_accepts(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The print dialog is accepted: every PDF "sent to the printer" is kept here."""
    sent: list[bytes] = []

    def fake_print_pdf(parent: object, pdf_bytes: bytes) -> bool:
        sent.append(pdf_bytes)
        return True

    monkeypatch.setattr(printing, "print_pdf", fake_print_pdf)
    return sent


def test_the_blank_proforma_button_is_named_and_shows_its_shortcut(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    button = window.print_blank_button
    assert button.isVisible()
    assert button.accessibleName() == "Print blank proforma"
    assert PRINT_BLANK_SHORTCUT == "Ctrl+Shift+P"
    assert "(Ctrl+Shift+P)" in button.toolTip()


def test_ctrl_shift_p_opens_the_blank_proforma_preview(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.blank_preview is not None, timeout=RENDER_WAIT_MS)
    qtbot.addWidget(window.blank_preview)


def test_the_blank_preview_carries_the_default_preparations_pump_rates(
    qtbot: QtBot, context
) -> None:
    # Default preparation 20pct-ready: load 4 g = 20 mL over 15 min at 80 mL/h, maintenance
    # 1 g/h = 5 mL/h (clinical decisions 3; reference table A/B checks, DERIVED).
    assert context.settings.default_preparation == "20pct-ready"
    window = window_for(qtbot, context)
    preview = blank_preview(qtbot, window)
    assert preview.pdf_bytes == window.last_blank_pdf
    text = pdf_text(window.last_blank_pdf or b"")
    assert "80 mL/h" in text
    assert "5 mL/h" in text
    assert "(20pct-ready)" in text
    assert context.protocol.sha256 in text
    assert "Test ward" in text


def test_the_blank_uses_the_preparation_chosen_in_settings(
    qtbot: QtBot, store, context_for
) -> None:
    # 8pct-premixed: load 4 g = 50 mL over 15 min = 200 mL/h; 1 g/h = 12.5 mL/h (decisions 3).
    context = context_for(
        store, settings=Settings(unit_name="Test ward", default_preparation="8pct-premixed")
    )
    window = window_for(qtbot, context)
    blank_preview(qtbot, window)
    text = pdf_text(window.last_blank_pdf or b"")
    assert "(8pct-premixed)" in text
    assert "200 mL/h" in text
    assert "12.5 mL/h" in text
    assert "80 mL/h" not in text


def test_previewing_the_blank_is_not_printing_it(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    preview = blank_preview(qtbot, window)
    preview.close_button.click()
    assert printed_events(context) == []


def test_printing_the_blank_logs_one_printed_event_with_no_episode(
    qtbot: QtBot, context, printer_accepts: list[bytes]
) -> None:
    window = window_for(qtbot, context)
    preview = blank_preview(qtbot, window)
    head = context.store.chain_head()
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert printer_accepts == [window.last_blank_pdf]
    assert printed_events(context) == [(None, "blank", head)]
    assert window.saved_label.text() == "Saved 03:00"


def test_the_logged_chain_head_is_the_one_when_the_blank_was_made(
    qtbot: QtBot, context, add_episode, clock, midwife, printer_accepts: list[bytes]
) -> None:
    episode = add_episode()
    window = window_for(qtbot, context)
    preview = blank_preview(qtbot, window)
    head_when_made = context.store.chain_head()
    # Someone records on the ward while the preview is open: the record moves on.
    clock.advance(minutes=2)
    note = EventDraft.make(
        EventType.NOTE,
        Note(text="pump checked"),
        episode_uuid=episode,
        occurred_at=clock() - timedelta(minutes=1),
        recorded_by=midwife,
    )
    context.record([note], context.protocol)
    assert context.store.chain_head() != head_when_made
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert printed_events(context) == [(None, "blank", head_when_made)]


def test_a_cancelled_print_dialog_logs_nothing(
    qtbot: QtBot, context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(printing, "print_pdf", lambda parent, pdf_bytes: False)
    window = window_for(qtbot, context)
    preview = blank_preview(qtbot, window)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert printed_events(context) == []


def test_the_blank_button_is_off_while_the_form_is_being_made(qtbot: QtBot, context) -> None:
    window = window_for(qtbot, context)
    window.print_blank_proforma()
    assert not window.print_blank_button.isEnabled()
    window.print_blank_proforma()  # a second press makes no second form
    qtbot.waitUntil(lambda: window.blank_preview is not None, timeout=RENDER_WAIT_MS)
    qtbot.addWidget(window.blank_preview)
    assert window.print_blank_button.isEnabled()
    assert not window.tasks.busy


def test_the_blank_asks_who_is_printing_when_nobody_is_recording(
    qtbot: QtBot, store, context_for
) -> None:
    context = context_for(store, user=None)
    window = window_for(qtbot, context)
    window.print_blank_proforma()
    dialog = window.active_dialog
    assert isinstance(dialog, UserDialog)
    assert window.blank_preview is None
    dialog.name_edit.setText("Robin Lee")
    dialog.ok_button.click()
    assert context.user is not None and context.user.name == "Robin Lee"
    assert window.ui.user_label.text().startswith("Recording as: Robin Lee")
    qtbot.waitUntil(lambda: window.blank_preview is not None, timeout=RENDER_WAIT_MS)
    qtbot.addWidget(window.blank_preview)


def test_cancelling_who_is_printing_makes_no_blank(qtbot: QtBot, store, context_for) -> None:
    context = context_for(store, user=None)
    window = window_for(qtbot, context)
    window.print_blank_proforma()
    dialog = window.active_dialog
    assert isinstance(dialog, UserDialog)
    dialog.cancel_button.click()
    assert not window.tasks.busy
    assert window.blank_preview is None


def test_a_default_preparation_not_in_the_file_is_named(qtbot: QtBot, store, context_for) -> None:
    context = context_for(
        store, settings=Settings(unit_name="Test ward", default_preparation="10pct-bag")
    )
    window = window_for(qtbot, context)
    window.print_blank_proforma()
    assert not window.tasks.busy
    banner = window.store_banner
    assert banner.title_text == "WARNING: Cannot make the blank proforma"
    assert "(10pct-bag) is not in the preparations file" in banner.detail_text
    assert "20pct-ready" in banner.detail_text


def test_a_blank_that_cannot_be_made_says_so(
    qtbot: QtBot, context, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mgso4.reports

    def broken(*args: object, **kwargs: object) -> bytes:
        raise OSError("the fonts folder cannot be read")

    monkeypatch.setattr(mgso4.reports, "render_blank", broken)
    window = window_for(qtbot, context)
    window.print_blank_proforma()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=RENDER_WAIT_MS)
    banner = window.store_banner
    assert banner.title_text == "ALERT: The blank proforma could not be made"
    assert "the fonts folder cannot be read" in banner.detail_text
    assert window.blank_preview is None
    assert window.print_blank_button.isEnabled()


def test_a_failed_print_log_is_shown_and_the_paper_stays_valid(
    qtbot: QtBot, context, request
) -> None:
    window = window_for(qtbot, context)
    request.getfixturevalue("fail_writes")
    assert not window.log_blank_printed("a" * 64)
    assert window.store_banner.title_text == "ALERT: Print not logged"
    assert "The printed blank forms are still valid." in window.store_banner.detail_text
