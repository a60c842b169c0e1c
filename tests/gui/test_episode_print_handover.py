"""The in-utero transfer handover from the episode page: made off the GUI thread, previewed,
logged as printed (with the chain head it carries) only when the preview prints it.

The system print dialog is never shown: ``mgso4.gui.printing.print_pdf`` is replaced by a stub
that says the pages went to the printer (or that the user cancelled).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType
from mgso4.gui import printing
from mgso4.gui.context import AppContext
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.printing import PdfPreviewDialog
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.widgets.user_dialog import UserDialog

#: Rendering a PDF on a worker thread takes well under a second; this is the ceiling.
RENDER_WAIT_MS = 20_000


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def printed_events(context: AppContext, episode_uuid: str) -> list[tuple[str, str]]:
    return [
        (event.payload["document"], event.payload["chain_head"])
        for event in context.store.events(episode_uuid)
        if event.type is EventType.PRINTED
    ]


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    """The app's task helper, outliving the page as the main window's does.

    A runner owned only by a deleted page would be freed while its last task's handle is
    being deleted, taking that handle with it a second time.
    """
    tasks = TaskRunner()
    yield tasks
    tasks.wait(RENDER_WAIT_MS)


@pytest.fixture
def open_view(qtbot: QtBot, context: AppContext, runner: TaskRunner):  # type: ignore[no-untyped-def]
    def open_page(episode_uuid: str) -> EpisodeView:
        view = EpisodeView(context, episode_uuid, runner)
        qtbot.addWidget(view)
        return view

    return open_page


def handover_preview(qtbot: QtBot, view: EpisodeView) -> PdfPreviewDialog:
    view.print_handover()
    qtbot.waitUntil(lambda: view.preview_dialog is not None, timeout=RENDER_WAIT_MS)
    preview = view.preview_dialog
    assert isinstance(preview, PdfPreviewDialog)
    qtbot.addWidget(preview)
    return preview


@pytest.fixture
def printer_accepts(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The print dialog is accepted: every PDF "sent to the printer" is kept here."""
    sent: list[bytes] = []

    def fake_print_pdf(parent: object, pdf_bytes: bytes) -> bool:
        sent.append(pdf_bytes)
        return True

    monkeypatch.setattr(printing, "print_pdf", fake_print_pdf)
    return sent


def test_the_handover_button_has_an_accessible_name(add_episode, open_view) -> None:
    view = open_view(add_episode())
    button = view.buttons["handover"]
    assert button.accessibleName() == "Transfer handover"
    assert button.isEnabled()


def test_the_handover_preview_shows_the_woman_and_the_running_infusion(
    qtbot: QtBot, context, add_episode, open_view
) -> None:
    episode = add_episode(name="Test PATIENT", load_minutes_ago=60)
    view = open_view(episode)
    preview = handover_preview(qtbot, view)
    assert preview.windowTitle() == "Transfer handover: Test PATIENT"
    assert preview.pdf_bytes == view.last_pdf
    text = pdf_text(view.last_pdf or b"")
    assert "In-utero transfer handover" in text
    assert "Test PATIENT" in text
    assert "STILL RUNNING at the time of printing" in text
    assert context.store.chain_head() in text


def test_previewing_the_handover_is_not_printing_it(
    qtbot: QtBot, context, add_episode, open_view
) -> None:
    episode = add_episode()
    view = open_view(episode)
    preview = handover_preview(qtbot, view)
    preview.close_button.click()
    assert printed_events(context, episode) == []


def test_printing_the_handover_logs_it_once_with_the_chain_head_it_carries(
    qtbot: QtBot, context, add_episode, open_view, printer_accepts: list[bytes]
) -> None:
    episode = add_episode()
    view = open_view(episode)
    head = context.store.chain_head()
    preview = handover_preview(qtbot, view)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert printer_accepts == [view.last_pdf]
    assert printed_events(context, episode) == [("handover", head)]
    assert "Transfer handover logged as printed" in view.saved_banner.detail_text


def test_a_cancelled_print_dialog_logs_nothing(
    qtbot: QtBot, context, add_episode, open_view, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(printing, "print_pdf", lambda parent, pdf_bytes: False)
    episode = add_episode()
    view = open_view(episode)
    preview = handover_preview(qtbot, view)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert printed_events(context, episode) == []


def test_the_handover_button_is_off_while_the_handover_is_being_made(
    qtbot: QtBot, context, add_episode, open_view
) -> None:
    view = open_view(add_episode())
    view.print_handover()
    button = view.buttons["handover"]
    assert not button.isEnabled()
    assert button.accessibleDescription() == "The transfer handover is being prepared."
    view.tick(context.clock())  # the clock check does not turn it back on
    assert not button.isEnabled()
    assert view.buttons["print"].isEnabled()  # the proforma is a separate document
    qtbot.waitUntil(lambda: view.preview_dialog is not None, timeout=RENDER_WAIT_MS)
    qtbot.addWidget(view.preview_dialog)
    assert button.isEnabled()


def test_a_handover_that_cannot_be_made_says_so_and_can_be_tried_again(
    qtbot: QtBot, context, add_episode, open_view, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mgso4.reports

    def broken(*args: object, **kwargs: object) -> bytes:
        raise OSError("the fonts folder cannot be read")

    monkeypatch.setattr(mgso4.reports, "render_handover", broken)
    view = open_view(add_episode())
    view.print_handover()
    qtbot.waitUntil(lambda: not view.error_banner.isHidden(), timeout=RENDER_WAIT_MS)
    assert view.error_banner.title_text == "ALERT: The transfer handover could not be made"
    assert "the fonts folder cannot be read" in view.error_banner.detail_text
    assert view.preview_dialog is None
    assert view.buttons["handover"].isEnabled()


def test_the_handover_asks_who_is_printing_when_nobody_is_recording(
    qtbot: QtBot, context, add_episode, open_view
) -> None:
    context.user = None
    view = open_view(add_episode())
    view.print_handover()
    assert isinstance(view.active_dialog, UserDialog)
    assert view.preview_dialog is None
    view.active_dialog.reject()


def test_leaving_the_episode_while_the_handover_is_made_is_harmless(
    qtbot: QtBot, context, add_episode, runner: TaskRunner
) -> None:
    view = EpisodeView(context, add_episode(), runner)
    view.print_handover()
    view.deleteLater()  # Esc back to the board before the PDF is ready
    # pytest-qt fails the test if the late result touches the deleted page.
    qtbot.waitUntil(lambda: not runner.busy, timeout=RENDER_WAIT_MS)
