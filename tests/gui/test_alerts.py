"""Overdue items: non-modal banners that escalate after 15 minutes until acknowledged, and an
acknowledgement logged with the item's key."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType
from mgso4.core.monitoring import due_items
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.widgets.alert_banner import AlertLevel


def observations_key(context, view: EpisodeView) -> str:
    items = due_items(view.state, view.protocol, context.clock())
    return next(i.key for i in items if i.kind == "observations")


def test_overdue_alert_escalates_then_acknowledgement_is_logged(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    episode = add_episode(load_minutes_ago=4 * 60 - 5)  # observations due in 5 min
    view = EpisodeView(context, episode, TaskRunner())
    qtbot.addWidget(view)
    key = observations_key(context, view)
    banner = view.due_banner(key)
    assert banner is not None and banner.level is AlertLevel.WARNING  # due soon

    view.tick(clock.advance(minutes=6))  # 1 min overdue
    assert banner.level is AlertLevel.CRITICAL
    assert "OVERDUE 1 min" in banner.title_text
    assert banner.property("tone") == "critical"

    view.tick(clock.advance(minutes=14))  # 15 min overdue
    assert banner.level is AlertLevel.URGENT
    assert banner.title_text.startswith("URGENT: ")
    assert banner.property("tone") == "urgent"

    banner.button("acknowledge").click()
    dialog = view.active_dialog
    dialog.action_edit.setText("woman in theatre, obs at 03:30")
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()

    acks = [e for e in context.store.events(episode) if e.type is EventType.ALERT_ACKNOWLEDGED]
    assert [a.payload["key"] for a in acks] == [key]
    assert acks[0].payload["action_taken"] == "woman in theatre, obs at 03:30"
    acknowledged = view.due_banner(key)
    assert acknowledged.level is AlertLevel.CRITICAL  # still overdue, no longer escalating
    assert "Acknowledged" in acknowledged.detail_text
    assert "acknowledge" not in acknowledged._action_buttons


def test_an_alert_is_a_banner_not_a_message_box(qtbot: QtBot, context, add_episode, clock) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    episode = add_episode(load_minutes_ago=300)
    view = EpisodeView(context, episode, TaskRunner())
    qtbot.addWidget(view)
    view.tick(clock.advance(minutes=30))
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert any(b.level is AlertLevel.URGENT for b in view.alert_banners.values())


def test_recording_observations_clears_the_overdue_alert(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    episode = add_episode(load_minutes_ago=300)
    view = EpisodeView(context, episode, TaskRunner())
    qtbot.addWidget(view)
    key = observations_key(context, view)
    assert view.due_banner(key).level is AlertLevel.URGENT
    dialog = view.open_observations()
    for edit, text in (
        (dialog.ui.pulse_edit, "88"),
        (dialog.ui.systolic_edit, "118"),
        (dialog.ui.diastolic_edit, "74"),
        (dialog.ui.rr_edit, "16"),
    ):
        edit.setText(text)
    dialog.ui.reflexes_combo.setCurrentIndex(dialog.ui.reflexes_combo.findText("Present"))
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    # The view re-reads the record after the commit; the old key is no longer due.
    assert view.due_banner(key) is None


def test_ctrl_k_acknowledges_the_most_urgent_item(qtbot: QtBot, context, add_episode) -> None:
    from PySide6.QtGui import QKeySequence, QShortcut

    episode = add_episode(load_minutes_ago=300)
    view = EpisodeView(context, episode, TaskRunner())
    qtbot.addWidget(view)
    [shortcut] = [s for s in view.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+K")]
    shortcut.activated.emit()
    dialog = view.active_dialog
    assert dialog is not None and dialog.objectName() == "acknowledge_dialog"
    assert dialog.item.key == observations_key(context, view)


def test_tab_reaches_the_alert_before_the_action_buttons(
    qtbot: QtBot, context, add_episode
) -> None:
    episode = add_episode(load_minutes_ago=300)
    view = EpisodeView(context, episode, TaskRunner())
    qtbot.addWidget(view)
    banner = view.due_banner(observations_key(context, view))
    first_alert_button = banner.button("observations")
    assert first_alert_button.nextInFocusChain() is banner.button("acknowledge")
    # Then the other alerts' buttons (core's open alerts), then the actions.
    following = banner.button("acknowledge").nextInFocusChain()
    while following.objectName().startswith("alert_banner_"):
        following = following.nextInFocusChain()
    assert following is next(iter(view.buttons.values()))


def test_a_load_end_without_a_rate_checker_shows_the_rate_check_banner(
    qtbot: QtBot, context, add_episode, clock
) -> None:
    """Decisions.md §15: an 8 % bag load ended without a second person checking the rate."""
    from datetime import timedelta

    from mgso4.core.episode import EventDraft, LoadFinished
    from mgso4.gui.episode.view import EpisodeView
    from mgso4.gui.tasks import TaskRunner

    uuid = add_episode(load_minutes_ago=20, load_finished=False, preparation_id="8pct-premixed")
    draft = EventDraft.make(
        EventType.LOAD_FINISHED,
        LoadFinished(course_number=1),
        episode_uuid=uuid,
        occurred_at=clock() - timedelta(minutes=5),
        recorded_by=context.user,
    )
    context.store.append_many([draft], context.protocol)
    view = EpisodeView(context, uuid, TaskRunner())
    qtbot.addWidget(view)
    banners = [b for key, b in view.alert_banners.items() if key.startswith("alert:rate-check")]
    assert len(banners) == 1
    assert "Check the pump rate after the load" in banners[0].title_text
    assert "decisions.md" not in banners[0].detail_text
