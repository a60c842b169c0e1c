"""Bedside actions: every bad input is explained beside its field; limits refuse or ask."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType, StopReason
from mgso4.gui.episode.timeline import TimelineColumn
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner


def open_view(qtbot: QtBot, context, episode_uuid: str) -> EpisodeView:
    view = EpisodeView(context, episode_uuid, TaskRunner())
    qtbot.addWidget(view)
    return view


def events_of(context, view: EpisodeView, kind: EventType) -> list:
    return [e for e in context.store.events(view.episode_uuid) if e.type is kind]


# ----------------------------------------------------------------------------- birth


def test_a_future_birth_time_is_refused_beside_the_field(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode())
    dialog = view.open_birth()
    dialog.time_field.line_edit.setText("2026-01-14 06:00")
    assert not dialog.save()
    message = dialog.time_field.message.message
    assert "in the future" in message
    assert "Enter the time it happened" in message
    assert events_of(context, view, EventType.BIRTH) == []


def test_a_birth_shows_the_gestation_at_the_typed_time(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(gestation="27+3"))
    dialog = view.open_birth()
    dialog.time_field.line_edit.setText("2026-01-14 02:30")
    dialog.time_field.line_edit.textEdited.emit("2026-01-14 02:30")
    assert dialog.gestation_label.text() == "Gestation at birth: 27+3 weeks"


def test_each_baby_gets_its_own_birth_entry(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(plurality=2))
    first = view.open_birth()
    with qtbot.waitSignal(first.sig_saved):
        first.save_button.click()
    second = view.open_birth()
    assert second.baby_combo.currentData() == 2
    with qtbot.waitSignal(second.sig_saved):
        second.save_button.click()
    assert [e.payload["baby"] for e in events_of(context, view, EventType.BIRTH)] == [1, 2]


# ----------------------------------------------------------------------------- rate


def rate_dialog(qtbot: QtBot, context, add_episode):
    view = open_view(qtbot, context, add_episode())
    dialog = view.open_rate()
    assert dialog is not None
    dialog.reason_edit.setText("review")
    return view, dialog


def test_rate_with_two_points_is_refused(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = rate_dialog(qtbot, context, add_episode)
    dialog.rate_edit.setText("1..5")
    assert not dialog.save()
    assert dialog.rate_check.message.message == (
        'Rate: "1..5" has more than one decimal point; type one number, e.g. 1.5.'
    )


def test_rate_with_a_comma_is_refused(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = rate_dialog(qtbot, context, add_episode)
    dialog.rate_edit.setText("4,0")
    assert not dialog.save()
    assert "has a comma; use a point for decimals" in dialog.rate_check.message.message


def test_rate_shows_grams_per_hour_computed_from_the_concentration(
    qtbot: QtBot, context, add_episode
) -> None:
    _view, dialog = rate_dialog(qtbot, context, add_episode)
    dialog.rate_edit.setText("5")
    assert dialog.rate_check.grams_label.text().startswith("= 1 g/h")
    assert "0.2 g/mL" in dialog.rate_check.grams_label.text()


def test_a_rate_over_the_soft_limit_needs_the_tick(qtbot: QtBot, context, add_episode) -> None:
    view, dialog = rate_dialog(qtbot, context, add_episode)
    dialog.rate_edit.setText("6")  # 1.2 g/h of 20%: above the 1 g/h soft limit
    assert dialog.rate_check.confirm.isVisibleTo(dialog)
    assert not dialog.save()
    assert "Tick" in dialog.rate_check.message.message
    dialog.rate_check.confirm.setChecked(True)
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    assert events_of(context, view, EventType.RATE_CHANGED)[0].payload["rate_ml_per_h"] == "6"


def test_a_rate_over_the_hard_limit_is_refused_even_if_ticked(
    qtbot: QtBot, context, add_episode
) -> None:
    view, dialog = rate_dialog(qtbot, context, add_episode)
    dialog.rate_edit.setText("15")  # 3 g/h: above the 2 g/h hard limit
    dialog.rate_check.confirm.setChecked(True)
    assert not dialog.save()
    assert "refused" in dialog.rate_check.message.message
    assert events_of(context, view, EventType.RATE_CHANGED) == []


def test_a_rate_change_needs_a_reason(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = rate_dialog(qtbot, context, add_episode)
    dialog.reason_edit.setText("")
    dialog.rate_edit.setText("5")
    assert not dialog.save()
    assert "reason is needed" in dialog.reason_message.message


# ----------------------------------------------------------------------------- stop, not given


def test_stop_for_another_reason_needs_words(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode())
    dialog = view.open_stop()
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData(StopReason.OTHER))
    assert not dialog.save()
    assert "Say why" in dialog.text_message.message
    dialog.text_edit.setText("cannula tissued")
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    assert view.state.current_course.stopped_at is not None


def test_not_given_other_needs_text(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    dialog = view.open_not_given()
    assert dialog is not None
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("OTHER"))
    assert not dialog.save()
    assert "needs a few words" in dialog.text_message.message


def test_not_given_without_a_choice_says_choose(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    dialog = view.open_not_given()
    assert not dialog.save()
    assert dialog.reason_message.message == "Choose the reason from the list."


def test_not_given_is_offered_only_before_any_course(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode())
    assert not view.buttons["not-given"].isEnabled()
    assert view.open_not_given() is None


# ----------------------------------------------------------------------------- load, syringe


def test_load_end_is_recorded_while_loading(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=10, load_finished=False))
    dialog = view.open_load_end()
    assert dialog is not None
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    assert len(events_of(context, view, EventType.LOAD_FINISHED)) == 1


def test_maintenance_start_needs_a_named_checker(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(maintenance=False))
    dialog = view.open_maintenance()
    assert dialog is not None
    assert dialog.rate_edit.text() == "5"  # 1 g/h of 20%, from core.dosing
    assert not dialog.save()
    assert "a name is needed" in dialog.checker.message.message
    dialog.checker.name_edit.setText("Second Midwife")
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    assert len(events_of(context, view, EventType.MAINTENANCE_STARTED)) == 1


def test_a_syringe_of_another_concentration_must_be_confirmed(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode())
    dialog = view.open_syringe()
    index = dialog.concentration_combo.findText("10%", Qt.MatchFlag.MatchStartsWith)
    dialog.concentration_combo.setCurrentIndex(index)
    assert "changes from 20% to 10%" in dialog.concentration_message.message
    assert "gives 0.5 g/h" in dialog.concentration_message.message
    assert not dialog.save()
    dialog.confirm.setChecked(True)
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()


# ----------------------------------------------------------------------------- corrections


def test_void_needs_a_reason_and_shows_struck_through_with_words(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode(obs_minutes_ago=(5,)))
    observation = events_of(context, view, EventType.OBSERVATION)[0]
    assert view.select_entry(observation.uuid)
    dialog = view.open_void()
    assert not dialog.save()
    assert "reason is needed" in dialog.reason_message.message
    dialog.reason_edit.setText("wrong woman")
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    model = view.timeline.timeline_model
    row = model.row_of(observation.uuid)
    entry_text = model.data(model.index(row, TimelineColumn.ENTRY))
    assert "VOIDED: wrong woman" in entry_text
    font = model.data(model.index(row, TimelineColumn.DETAILS), Qt.ItemDataRole.FontRole)
    assert font.strikeOut()


def test_the_first_entry_cannot_be_voided(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode())
    created = events_of(context, view, EventType.EPISODE_CREATED)[0]
    view.select_entry(created.uuid)
    assert not view.buttons["void"].isEnabled()
    assert "cannot be voided" in view.buttons["void"].accessibleDescription()


def test_an_amendment_shows_the_original_and_the_correction(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode(obs_minutes_ago=(5,)))
    observation = events_of(context, view, EventType.OBSERVATION)[0]
    view.select_entry(observation.uuid)
    dialog = view.open_amend()
    dialog.editor("pulse_per_min").widget.setText("84")
    assert not dialog.save()  # no reason yet
    assert "reason is needed" in dialog.reason_message.message
    dialog.reason_edit.setText("digits swapped")
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    model = view.timeline.timeline_model
    details = model.data(model.index(model.row_of(observation.uuid), TimelineColumn.DETAILS))
    assert "Pulse (/min) 84" in details
    assert "AMENDED" in details
    assert "(digits swapped): Pulse (/min) was 88, now 84" in details


def test_an_amendment_with_bad_input_is_explained(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(obs_minutes_ago=(5,)))
    observation = events_of(context, view, EventType.OBSERVATION)[0]
    view.select_entry(observation.uuid)
    dialog = view.open_amend()
    editor = dialog.editor("pulse_per_min")
    editor.widget.setText("eighty")
    dialog.reason_edit.setText("typo")
    assert not dialog.save()
    assert "not a number" in editor.message.message


# ----------------------------------------------------------------------------- twins


def save(qtbot: QtBot, dialog) -> None:
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()


def test_twins_first_birth_says_the_infusion_continues_and_hides_the_born_baby(
    qtbot: QtBot, context, add_episode
) -> None:
    """Decisions.md §13 (issue 14, defect 1): never "stop" at the first twin's birth."""
    view = open_view(qtbot, context, add_episode(plurality=2))
    first = view.open_birth()
    assert [first.baby_combo.itemData(i) for i in range(first.baby_combo.count())] == [1, 2]
    note = first.infusion_note
    assert note is not None
    assert note.text().startswith("1 still expected — the infusion continues")
    assert "stop" not in note.text().lower()
    first.care_combo.setCurrentIndex(first.care_combo.findData("admitted"))
    save(qtbot, first)
    assert view.buttons["birth"].isEnabled()
    second = view.open_birth()
    assert [second.baby_combo.itemData(i) for i in range(second.baby_combo.count())] == [2]
    assert second.infusion_note is not None
    assert "stop the pump" in second.infusion_note.text()
    second.care_combo.setCurrentIndex(second.care_combo.findData("comfort-care"))
    save(qtbot, second)
    births = events_of(context, view, EventType.BIRTH)
    assert [(e.payload["baby"], e.payload["neonatal_care"]) for e in births] == [
        (1, "admitted"),
        (2, "comfort-care"),
    ]
    assert not view.buttons["birth"].isEnabled()


def test_stop_for_birth_is_greyed_with_cores_words_until_every_baby_is_born(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode(plurality=2))
    save(qtbot, view.open_birth())
    stop = view.open_stop()
    combo = stop.reason_combo
    item = combo.model().item(combo.findData(StopReason.BIRTH))
    assert not item.isEnabled()
    assert "1 still expected" in stop.birth_note.text()
    assert stop.birth_note.isVisibleTo(stop)
    assert "1 still expected" in item.toolTip()
    stop.close()
    save(qtbot, view.open_birth())
    stop = view.open_stop()
    combo = stop.reason_combo
    assert combo.model().item(combo.findData(StopReason.BIRTH)).isEnabled()
    assert not stop.birth_note.isVisibleTo(stop)
    combo.setCurrentIndex(combo.findData(StopReason.BIRTH))
    save(qtbot, stop)
    assert events_of(context, view, EventType.INFUSION_STOPPED)[0].payload["reason"] == "birth"


# ----------------------------------------------------------------------------- load end


def test_an_8pct_load_end_asks_who_checked_the_rate_and_then_no_rate_check_alert(
    qtbot: QtBot, context, add_episode
) -> None:
    """Decisions.md §15: ending a volume-limited load asks a second person to confirm the
    drop to the maintenance rate; without one, core's rate-check alert stays."""
    from mgso4.core.alerts import open_alerts

    view = open_view(
        qtbot,
        context,
        add_episode(load_minutes_ago=20, load_finished=False, preparation_id="8pct-premixed"),
    )
    dialog = view.open_load_end()
    assert dialog.checker is not None
    assert "VTBI" in dialog.findChild(QLabel, "load_end_rate_check_label").text()
    assert not dialog.save()
    assert "a name is needed" in dialog.checker.message.message
    dialog.checker.name_edit.setText("Sam Second")
    save(qtbot, dialog)
    finished = events_of(context, view, EventType.LOAD_FINISHED)
    assert finished[0].payload["checked_by"]["name"] == "Sam Second"
    state = context.store.episode(view.episode_uuid)
    ids = [a.id for a in open_alerts(state, view.protocol, context.clock())]
    assert not [i for i in ids if i.startswith("rate-check")]


def test_a_syringe_load_end_asks_no_checker(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=20, load_finished=False))
    dialog = view.open_load_end()
    assert dialog.checker is None
    save(qtbot, dialog)


def test_a_load_end_much_too_early_asks_for_a_confirmation_with_a_reason(
    qtbot: QtBot, context, add_episode
) -> None:
    """Issue 14 defect 8: a load recorded as ended at 0 min of its 15 min asks first."""
    view = open_view(qtbot, context, add_episode(load_minutes_ago=2, load_finished=False))
    dialog = view.open_load_end()
    assert not dialog.confirm_check.isVisibleTo(dialog)
    assert not dialog.save()
    assert dialog.confirm_check.isVisibleTo(dialog)
    assert "much sooner than its 15 min" in dialog.confirm_note.text()
    assert events_of(context, view, EventType.LOAD_FINISHED) == []
    dialog.confirm_check.setChecked(True)
    assert not dialog.save()
    assert "Say why" in dialog.confirm_message.message
    dialog.confirm_reason.setText("line disconnected, load stopped")
    save(qtbot, dialog)
    finished = events_of(context, view, EventType.LOAD_FINISHED)
    assert finished[0].payload["confirmation"]["reason"] == "line disconnected, load stopped"


def test_a_load_started_on_screen_from_an_8pct_bag_says_vtbi_and_records_it(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(
        qtbot, context, add_episode(load_minutes_ago=None, preparation_id="8pct-premixed")
    )
    decide = view.open_form("decide")
    combo = decide.input("give")
    combo.setCurrentIndex(combo.findData(True))
    save(qtbot, decide)
    load = view.open_form("start-load")
    intro = load.findChild(QLabel, "start_load_dialog_intro").text()
    assert "set VTBI 50 mL" in intro
    load.input("checked_by").setText("Sam Second")
    save(qtbot, load)
    started = events_of(context, view, EventType.LOAD_STARTED)
    assert started[0].payload["vtbi_ml"] == "50"


def test_not_given_after_a_seniors_do_not_give_preselects_it_and_hides_unknown(
    qtbot: QtBot, context, add_episode
) -> None:
    """Issue 14, defect 11: at the bedside the senior-decision reason is preselected."""
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    decide = view.open_form("decide")
    combo = decide.input("give")
    combo.setCurrentIndex(combo.findData(False))
    decide.input("senior").setText("Dr Morgan Reid")
    save(qtbot, decide)
    dialog = view.open_not_given()
    assert dialog is not None
    assert dialog.reason_combo.findData("UNKNOWN") == -1
    assert dialog.reason_combo.currentData() == "NG-SENIOR-DECISION"
    save(qtbot, dialog)
    given = events_of(context, view, EventType.NOT_GIVEN)
    assert given[-1].payload["reason_code"] == "NG-SENIOR-DECISION"


def test_not_given_without_a_senior_decision_preselects_nothing(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    dialog = view.open_not_given()
    assert dialog is not None
    assert dialog.reason_combo.currentData() is None
    assert dialog.reason_combo.findData("UNKNOWN") == -1


def test_an_amendment_keeps_an_unasked_sign_unrecorded(qtbot: QtBot, context, add_episode) -> None:
    view = open_view(qtbot, context, add_episode(obs_minutes_ago=(5,)))
    observation = events_of(context, view, EventType.OBSERVATION)[0]
    view.select_entry(observation.uuid)
    dialog = view.open_amend()
    chest = dialog.editor("chest_pain").widget
    assert chest.currentText() == "not recorded"
    assert chest.currentData() is None
    assert [chest.itemText(i) for i in range(chest.count())] == ["not recorded", "no", "yes"]


# ----------------------------------------------------------------------------- decision


def decide_form(qtbot: QtBot, context, add_episode):
    view = open_view(qtbot, context, add_episode(load_minutes_ago=None))
    decide = view.open_form("decide")
    combo = decide.input("give")
    combo.setCurrentIndex(combo.findData(True))
    return view, decide


def test_the_senior_role_list_is_the_units_and_initials_are_refused_beside_the_field(
    qtbot: QtBot, context, add_episode
) -> None:
    """Issue 14, defect 10: "x" was accepted as a senior."""
    _view, decide = decide_form(qtbot, context, add_episode)
    roles = decide.inputs["senior"].role
    assert roles is not None
    offered = [roles.itemData(i) for i in range(roles.count())]
    assert offered == [r for r in offered if r in context.protocol.senior_roles]
    assert offered
    decide.input("senior").setText("x")
    assert not decide.save()
    assert "more than initials" in decide.inputs["senior"].message.message


def test_severe_pre_eclampsia_is_recorded_with_the_stop_plan_and_the_named_senior(
    qtbot: QtBot, context, add_episode
) -> None:
    """Decisions.md §4: only severe pre-eclampsia/eclampsia recorded by a named senior, with
    the team's stop plan, replaces the stop at birth."""
    view, decide = decide_form(qtbot, context, add_episode)
    decide.input("severe").setChecked(True)
    decide.input("stop_plan").setPlainText("Continue 24 h after the last birth, then review")
    assert not decide.save()  # no senior named
    assert "named senior" in decide.error_banner.detail_text
    decide.input("senior").setText("Dr Morgan Reid")
    save(qtbot, decide)
    decision = events_of(context, view, EventType.DECISION)[-1].payload
    assert decision["severe_pre_eclampsia"] == {
        "eclampsia": False,
        "stop_plan": "Continue 24 h after the last birth, then review",
    }
    assert decision["senior"]["name"] == "Dr Morgan Reid"


def test_a_decision_without_the_tick_records_no_severe_pre_eclampsia(
    qtbot: QtBot, context, add_episode
) -> None:
    view, decide = decide_form(qtbot, context, add_episode)
    save(qtbot, decide)
    assert (
        events_of(context, view, EventType.DECISION)[-1].payload.get("severe_pre_eclampsia") is None
    )
