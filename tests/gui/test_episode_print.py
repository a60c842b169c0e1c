"""Printing the proforma: rendered off the GUI thread, previewed, logged when printed."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner


def test_print_shows_the_preview_and_logs_the_chain_head_when_printed(
    qtbot: QtBot, context, add_episode
) -> None:
    episode = add_episode(obs_minutes_ago=(10,))
    view = EpisodeView(context, episode, TaskRunner())
    qtbot.addWidget(view)
    head = context.store.chain_head()
    view.print_proforma()
    qtbot.waitUntil(lambda: getattr(view, "preview_dialog", None) is not None, timeout=20_000)
    preview = view.preview_dialog
    qtbot.addWidget(preview)
    assert view.last_pdf is not None and view.last_pdf.startswith(b"%PDF-")
    assert preview.pdf_bytes == view.last_pdf
    printed = [e for e in context.store.events(episode) if e.type is EventType.PRINTED]
    assert printed == []  # previewing is not printing
    preview.sig_printed.emit()
    printed = [e for e in context.store.events(episode) if e.type is EventType.PRINTED]
    assert [(p.payload["document"], p.payload["chain_head"]) for p in printed] == [
        ("proforma", head)
    ]


def test_a_failed_print_log_is_shown_and_the_paper_stays_valid(
    qtbot: QtBot, context, add_episode, request
) -> None:
    episode = add_episode()
    view = EpisodeView(context, episode, TaskRunner())
    qtbot.addWidget(view)
    request.getfixturevalue("fail_writes")
    assert not view.log_printed("a" * 64)
    assert view.error_banner.title_text == "ALERT: Print not logged"
    assert "The paper copy is still valid." in view.error_banner.detail_text
