"""The episode screen offers the registry's actions, with core's reasons, through real widgets.

Every button is enabled by ``core.actions.why_not`` and a disabled one says core's reason;
the registry's forms record through ``core.actions.plan`` (the scripting front end's path);
corrections obey the rules of the action they correct, and voiding an entry offers again the
action it recorded.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from mgso4.core.actions import why_not
from mgso4.core.alerts import open_alerts
from mgso4.core.episode import EventType, StopReason
from mgso4.gui.episode.forms import FORMS, RegistryDialog
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner


def open_view(qtbot: QtBot, context: Any, episode_uuid: str) -> EpisodeView:
    view = EpisodeView(context, episode_uuid, TaskRunner())
    qtbot.addWidget(view)
    return view


def events_of(context: Any, view: EpisodeView, kind: EventType) -> list[Any]:
    return [e for e in context.store.events(view.episode_uuid) if e.type is kind]


def fill(dialog: RegistryDialog, **values: Any) -> None:
    """Type into a registry form as a user would (choices by their data)."""
    for name, value in values.items():
        widget = dialog.input(name)
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        else:
            assert isinstance(widget, QLineEdit)
            widget.setText(str(value))


def form(view: EpisodeView, key: str) -> RegistryDialog:
    dialog = view.open_form(key)
    assert isinstance(dialog, RegistryDialog), f"{key} is not offered"
    return dialog


def save(qtbot: QtBot, dialog: RegistryDialog) -> None:
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()


def reason_shown(view: EpisodeView, button: str) -> str:
    return view.buttons[button].toolTip()


def test_every_registry_form_has_a_button_enabled_by_core(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    assert view.state is not None
    for key in FORMS:
        reason = why_not(key, view.state, view.protocol, context.clock())
        button = view.buttons[key]
        assert button.isEnabled() is (reason is None), key
        if reason is not None:
            assert reason in button.toolTip()


def test_decision_then_loading_dose_from_the_episode_screen(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    assert not view.buttons["start-load"].isEnabled()
    assert "record the decision first" in reason_shown(view, "start-load")
    decide = form(view, "decide")
    fill(decide, give=True)
    save(qtbot, decide)
    assert view.buttons["start-load"].isEnabled()
    load = form(view, "start-load")
    fill(load, checked_by="Ann Checker")
    save(qtbot, load)
    [started] = events_of(context, view, EventType.LOAD_STARTED)
    assert started.payload["dose_g"] == "4"
    assert started.payload["checked_by"]["name"] == "Ann Checker"
    assert not view.buttons["start-load"].isEnabled()


def test_a_soft_limit_asks_for_a_confirmation_with_a_reason(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    decide = form(view, "decide")
    fill(decide, give=True)
    save(qtbot, decide)
    load = form(view, "start-load")
    fill(load, checked_by="Ann Checker", dose_g="5")
    assert not load.save()
    assert load.confirm_check.isVisibleTo(load)
    assert "5 g" in load.confirm_note.text()
    assert events_of(context, view, EventType.LOAD_STARTED) == []
    load.confirm_check.setChecked(True)
    assert not load.save()  # a confirmation needs its reason
    load.confirm_reason.setText("senior advice: 5 g for her weight")
    save(qtbot, load)
    [started] = events_of(context, view, EventType.LOAD_STARTED)
    assert started.payload["confirmation"]["reason"] == "senior advice: 5 g for her weight"


def test_a_hard_limit_is_refused_in_cores_words_and_the_form_is_kept(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    decide = form(view, "decide")
    fill(decide, give=True)
    save(qtbot, decide)
    load = form(view, "start-load")
    fill(load, checked_by="Ann Checker", dose_g="40")
    assert not load.save()
    assert "hard limit" in load.error_banner.detail_text
    assert not load.confirm_check.isVisibleTo(load)
    assert load.input("dose_g").text() == "40"  # type: ignore[attr-defined]


def test_voiding_the_load_start_offers_the_load_again(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(
        qtbot, context, add_episode(load_minutes_ago=5, load_finished=False, maintenance=False)
    )
    assert not view.buttons["start-load"].isEnabled()
    [started] = events_of(context, view, EventType.LOAD_STARTED)
    assert view.select_entry(started.uuid)
    void = view.open_void()
    assert void is not None
    void.reason_edit.setText("recorded against the wrong time")
    with qtbot.waitSignal(void.sig_saved):
        void.save_button.click()
    assert view.buttons["start-load"].isEnabled()
    load = form(view, "start-load")
    fill(load, checked_by="Ann Checker")
    save(qtbot, load)
    assert len(events_of(context, view, EventType.LOAD_STARTED)) == 2


def test_amending_the_load_to_40_g_on_a_20_ml_syringe_is_refused(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(
        qtbot, context, add_episode(load_minutes_ago=5, load_finished=False, maintenance=False)
    )
    [started] = events_of(context, view, EventType.LOAD_STARTED)
    view.select_entry(started.uuid)
    amend = view.open_amend()
    assert amend is not None
    editor = amend.editor("dose_g").widget
    assert isinstance(editor, QLineEdit)
    editor.setText("40")
    amend.reason_edit.setText("dose typed wrong")
    assert not amend.save()
    words = amend.error_banner.detail_text
    assert "is not what" in words or "hard limit" in words
    assert events_of(context, view, EventType.AMENDMENT) == []


def stop_infusion(qtbot: QtBot, view: EpisodeView) -> None:
    stop = view.open_stop()
    assert stop is not None
    stop.reason_combo.setCurrentIndex(stop.reason_combo.findData(StopReason.NO_LONGER_IMMINENT))
    with qtbot.waitSignal(stop.sig_saved):
        stop.save_button.click()


def test_a_repeat_course_within_the_gap_restarts_maintenance_with_a_named_senior(
    qtbot: QtBot, context: Any, add_episode: Any, clock: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=60))
    stop_infusion(qtbot, view)
    clock.advance(hours=2)
    view.tick(clock())
    assert not view.buttons["restart-maintenance"].isEnabled()
    assert "Course 2 needs its own decision" in reason_shown(view, "restart-maintenance")
    decide = form(view, "decide")
    fill(decide, give=True)
    assert not decide.save()  # a repeat course needs a named senior (decisions.md §8)
    assert "senior" in decide.error_banner.detail_text
    fill(decide, senior="Dr Senior")
    save(qtbot, decide)
    assert view.buttons["restart-maintenance"].isEnabled()
    assert "without a new loading dose" in reason_shown(view, "start-load")
    restart = form(view, "restart-maintenance")
    fill(restart, checked_by="Ann Checker")
    save(qtbot, restart)
    restarted = [
        e
        for e in events_of(context, view, EventType.MAINTENANCE_STARTED)
        if e.payload.get("restart_without_load")
    ]
    assert [e.payload["course_number"] for e in restarted] == [2]
    assert view.buttons["stop"].isEnabled()


def test_after_the_gap_a_new_course_starts_with_a_loading_dose(
    qtbot: QtBot, context: Any, add_episode: Any, clock: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=60))
    stop_infusion(qtbot, view)
    clock.advance(hours=7)
    view.tick(clock())
    decide = form(view, "decide")
    fill(decide, give=True, senior="Dr Senior")
    save(qtbot, decide)
    assert view.buttons["start-load"].isEnabled()
    assert not view.buttons["restart-maintenance"].isEnabled()
    assert "a new course starts with a loading dose" in reason_shown(view, "restart-maintenance")


def test_information_given_is_recorded_from_its_form(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    info = form(view, "information-given")
    fill(info, agreement="not-able-to-discuss")
    assert not info.save()
    assert "Say why it could not be discussed" in info.error_banner.detail_text
    fill(info, note="birth imminent")
    save(qtbot, info)
    [given] = events_of(context, view, EventType.INFORMATION_GIVEN)
    assert given.payload["agreement"] == "not-able-to-discuss"


def test_an_open_alert_is_acknowledged_with_a_reason_and_closes(
    qtbot: QtBot, context: Any, add_episode: Any, clock: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=60))
    clock.advance(hours=1)
    view.tick(clock())
    assert view.state is not None
    found = open_alerts(view.state, view.protocol, clock())
    assert found, "an overdue observation set is an open alert"
    ack = form(view, "acknowledge")
    fill(ack, alert=found[0].id)
    assert not ack.save()  # the reason is needed
    fill(ack, reason="woman in theatre, obs taken there")
    save(qtbot, ack)
    assert view.state is not None
    assert found[0].id not in {a.id for a in open_alerts(view.state, view.protocol, clock())}


def test_close_is_refused_while_the_infusion_runs_and_offered_after_the_stop(
    qtbot: QtBot, context: Any, add_episode: Any, clock: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=60, plurality=1))
    assert not view.buttons["close"].isEnabled()
    assert "stop the infusion first" in reason_shown(view, "close")
    stop_infusion(qtbot, view)
    clock.advance(minutes=1)
    view.tick(clock())
    assert view.state is not None
    while not view.buttons["close"].isEnabled():
        # Alerts still open: acknowledged each with a reason, as the form asks.
        alerts = open_alerts(view.state, view.protocol, clock())
        assert alerts, reason_shown(view, "close")
        ack = form(view, "acknowledge")
        fill(ack, alert=alerts[0].id, reason="reviewed")
        save(qtbot, ack)
    close = form(view, "close")
    fill(close, reason="no longer in preterm labour; discharged undelivered")
    save(qtbot, close)
    assert events_of(context, view, EventType.EPISODE_CLOSED)


def test_a_serum_magnesium_result_is_recorded_from_its_own_form(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=60))
    serum = form(view, "serum-magnesium")
    assert not serum.save()
    assert "Serum magnesium is needed" in serum.inputs["serum_mg_mmol_l"].message.message
    fill(serum, serum_mg_mmol_l="25")
    assert not serum.save()  # core's model refuses an impossible value
    assert "serum_mg_mmol_per_l: Input should be less than or equal to 20" in (
        serum.error_banner.detail_text
    )
    fill(serum, serum_mg_mmol_l="2.4")
    save(qtbot, serum)
    results = [
        e.payload
        for e in events_of(context, view, EventType.OBSERVATION)
        if e.payload.get("serum_mg_mmol_per_l") is not None
    ]
    assert [r["serum_mg_mmol_per_l"] for r in results] == ["2.4"]


def test_a_core_alert_has_a_banner_until_acknowledged_with_a_reason(
    qtbot: QtBot, context: Any, add_episode: Any, clock: Any
) -> None:
    # A load recorded without a pre-treatment set: core's "baseline missing" alert.
    view = open_view(qtbot, context, add_episode(load_minutes_ago=60, obs_minutes_ago=(10,)))
    assert view.state is not None
    [alert] = [
        a for a in open_alerts(view.state, view.protocol, clock()) if a.kind == "baseline-missing"
    ]
    banner = view.alert_banners[f"alert:{alert.id}"]
    assert "No baseline observations" in banner.title_text
    banner.button("acknowledge-alert").click()
    ack = view.active_dialog
    assert isinstance(ack, RegistryDialog)
    assert ack.input("alert").currentData() == alert.id  # type: ignore[attr-defined]
    fill(ack, reason="baseline taken on delivery suite, paper chart")
    save(qtbot, ack)
    assert f"alert:{alert.id}" not in view.alert_banners


def test_an_overdue_item_is_acknowledged_only_with_a_reason(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=300))
    dialog = view.acknowledge_most_urgent()
    assert dialog is not None
    assert not dialog.save()
    assert events_of(context, view, EventType.ALERT_ACKNOWLEDGED) == []
    assert "Say what was done" in dialog.action_message.message  # type: ignore[attr-defined]


def test_the_senior_on_a_decision_starts_as_an_obstetrician(
    qtbot: QtBot, context: Any, add_episode: Any
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    decide = form(view, "decide")
    fill(decide, give=True, senior="Dr Senior")
    save(qtbot, decide)
    [decision] = events_of(context, view, EventType.DECISION)[-1:]
    assert decision.payload["senior"] == {"name": "Dr Senior", "role": "obstetrician"}
