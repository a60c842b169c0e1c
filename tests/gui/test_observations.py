"""Recording observations: stop triggers appear as the numbers are typed; stopping is the
user's act; bad input is explained beside the field; a failed save keeps every entry."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType, StopReason
from mgso4.gui.episode.actions import StopDialog
from mgso4.gui.episode.observation import ObservationDialog
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.widgets.alert_banner import AlertLevel


def open_view(qtbot: QtBot, context, episode_uuid: str) -> EpisodeView:
    view = EpisodeView(context, episode_uuid, TaskRunner())
    qtbot.addWidget(view)
    return view


def observations(qtbot: QtBot, context, add_episode) -> tuple[EpisodeView, ObservationDialog]:
    view = open_view(qtbot, context, add_episode(obs_minutes_ago=(30,)))
    dialog = view.open_observations()
    assert dialog is not None
    qtbot.addWidget(dialog)
    return view, dialog


def types_of(context, episode_uuid: str) -> list[EventType]:
    return [e.type for e in context.store.events(episode_uuid)]


def test_rr_10_and_absent_reflexes_raise_the_stop_action_at_once(
    qtbot: QtBot, context, add_episode
) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.rr_edit.setText("10")
    dialog.ui.reflexes_combo.setCurrentIndex(dialog.ui.reflexes_combo.findText("Absent"))
    banner = dialog.findings_banner
    assert banner.isVisibleTo(dialog)
    assert banner.level is AlertLevel.URGENT
    assert "respiratory rate low" in banner.title_text
    assert "reflexes absent" in banner.title_text
    # The protocol's own action text, not the app's words.
    assert "Stop the MgSO4 infusion." in banner.detail_text
    assert banner.button("stop").isEnabled()


def test_the_stop_button_asks_then_logs_the_stop_with_reason_toxicity(
    qtbot: QtBot, context, add_episode
) -> None:
    view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.rr_edit.setText("10")
    dialog.ui.reflexes_combo.setCurrentIndex(dialog.ui.reflexes_combo.findText("Absent"))
    dialog.findings_banner.button("stop").click()
    confirm = dialog.stop_dialog
    assert isinstance(confirm, StopDialog)
    assert confirm.reason_combo.currentData() == StopReason.TOXICITY
    # Nothing is stopped until the user confirms.
    assert EventType.INFUSION_STOPPED not in types_of(context, view.episode_uuid)
    with qtbot.waitSignal(confirm.sig_saved):
        confirm.save_button.click()
    stops = [
        e for e in context.store.events(view.episode_uuid) if e.type is EventType.INFUSION_STOPPED
    ]
    assert len(stops) == 1
    assert stops[0].payload["reason"] == "toxicity"
    assert "Respiratory rate 10/min" in stops[0].payload["text"]
    # The observations themselves are still in the form, to be saved.
    assert dialog.ui.rr_edit.text() == "10"


def test_cancelling_the_stop_confirmation_records_nothing(
    qtbot: QtBot, context, add_episode
) -> None:
    view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.rr_edit.setText("10")
    dialog.findings_banner.button("stop").click()
    dialog.stop_dialog.cancel_button.click()
    assert EventType.INFUSION_STOPPED not in types_of(context, view.episode_uuid)


def test_normal_values_show_no_stop_trigger(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.rr_edit.setText("16")
    dialog.ui.reflexes_combo.setCurrentIndex(dialog.ui.reflexes_combo.findText("Present"))
    assert dialog.findings_banner.level is not AlertLevel.URGENT


def test_saving_observations_with_a_stop_trigger_logs_the_alert_too(
    qtbot: QtBot, context, add_episode
) -> None:
    view, dialog = observations(qtbot, context, add_episode)
    for edit, text in (
        (dialog.ui.pulse_edit, "90"),
        (dialog.ui.systolic_edit, "120"),
        (dialog.ui.diastolic_edit, "70"),
        (dialog.ui.rr_edit, "10"),
    ):
        edit.setText(text)
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    kinds = types_of(context, view.episode_uuid)
    assert kinds.count(EventType.OBSERVATION) == 2
    assert EventType.ALERT_RAISED in kinds


def test_baselines_are_filled_from_the_set_before_treatment(
    qtbot: QtBot, context, add_episode
) -> None:
    view = open_view(qtbot, context, add_episode(load_minutes_ago=60, obs_minutes_ago=(62,)))
    dialog = view.open_observations()
    assert dialog is not None
    assert dialog.ui.baseline_rr_edit.text() == "16"
    assert dialog.ui.baseline_diastolic_edit.text() == "74"
    assert "before treatment" in dialog.ui.baseline_note.text()


def test_an_on_treatment_set_is_never_taken_as_the_baseline(
    qtbot: QtBot, context, add_episode
) -> None:
    """Decisions.md §14: the falls that stop the infusion are measured from a pre-treatment
    set; the form once filled the baselines from the first set, taken on treatment."""
    _view, dialog = observations(qtbot, context, add_episode)  # a set 30 min into treatment
    assert dialog.ui.baseline_rr_edit.text() == ""
    assert dialog.ui.baseline_diastolic_edit.text() == ""
    assert "No set before treatment" in dialog.ui.baseline_note.text()


def test_a_pulse_with_a_letter_is_explained_beside_the_field(
    qtbot: QtBot, context, add_episode
) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.pulse_edit.setText("8o")
    assert not dialog.save()
    message = dialog.ui.pulse_message
    assert message.isVisibleTo(dialog)
    assert 'Pulse: "8o"' in message.message
    assert dialog.ui.pulse_edit.accessibleDescription().startswith("Problem:")


def test_a_decimal_respiratory_rate_is_refused_as_not_whole(
    qtbot: QtBot, context, add_episode
) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.rr_edit.setText("12.5")
    assert not dialog.save()
    assert "not a whole number" in dialog.ui.rr_message.message


def test_an_impossible_spo2_is_refused_with_the_range(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.spo2_edit.setText("101")
    assert not dialog.save()
    assert "from 50 to 100" in dialog.ui.spo2_message.message


def test_urine_without_its_hours_is_refused(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.urine_ml_edit.setText("80")
    assert not dialog.save()
    assert "how many hours" in dialog.ui.urine_period_message.message


def test_urine_hours_written_with_a_comma_are_refused(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.urine_ml_edit.setText("80")
    dialog.ui.urine_period_edit.setText("4,0")
    assert not dialog.save()
    assert "comma" in dialog.ui.urine_period_message.message


def test_systolic_not_above_diastolic_is_refused(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.systolic_edit.setText("70")
    dialog.ui.diastolic_edit.setText("110")
    assert not dialog.save()
    assert "swapped" in dialog.ui.systolic_message.message


def test_a_future_observation_time_is_refused(qtbot: QtBot, context, add_episode) -> None:
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.pulse_edit.setText("80")
    dialog.time_field.line_edit.setText("2026-01-14 05:00")
    assert not dialog.save()
    assert "in the future" in dialog.time_field.message.message


def test_a_store_error_keeps_the_input_and_shows_the_store_message(
    qtbot: QtBot, context, add_episode, request
) -> None:
    view, dialog = observations(qtbot, context, add_episode)
    before = types_of(context, view.episode_uuid)
    failing = request.getfixturevalue("fail_writes")
    dialog.show()
    dialog.ui.pulse_edit.setText("84")
    dialog.ui.rr_edit.setText("14")
    dialog.save_button.click()
    assert failing.attempts == 1
    assert dialog.isVisible()  # not closed
    assert dialog.error_banner.isVisible()
    assert "disk holding the record" in dialog.error_banner.detail_text
    assert dialog.error_banner.title_text == "ALERT: Not saved"
    assert dialog.ui.pulse_edit.text() == "84"
    assert dialog.ui.rr_edit.text() == "14"
    failing.restore(context)
    assert types_of(context, view.episode_uuid) == before
    # Once the disk has room again the same form saves.
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()


# ------------------------------------------------------------------ signs (decisions.md §14)


def test_signs_left_unasked_are_not_recorded_as_no(qtbot: QtBot, context, add_episode) -> None:
    view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.pulse_edit.setText("80")
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    saved = [e for e in context.store.events(view.episode_uuid) if e.type is EventType.OBSERVATION]
    payload = saved[-1].payload
    assert payload.get("chest_pain") is None
    assert payload.get("breathing_difficulty") is None
    assert payload.get("consciousness") is None


def test_reduced_consciousness_and_chest_pain_raise_a_stop_and_are_recorded(
    qtbot: QtBot, context, add_episode
) -> None:
    """Issue 14, defect 2: signs the app never flagged."""
    view, dialog = observations(qtbot, context, add_episode)
    combos = dialog.sign_combos
    combos["consciousness"].setCurrentIndex(combos["consciousness"].findData("reduced"))
    combos["chest_pain"].setCurrentIndex(combos["chest_pain"].findData(True))
    combos["breathing_difficulty"].setCurrentIndex(combos["breathing_difficulty"].findData(False))
    banner = dialog.findings_banner
    assert banner.level is AlertLevel.URGENT
    assert "reduced consciousness" in banner.title_text
    assert "chest pain" in banner.title_text
    assert "breathing" not in banner.title_text
    with qtbot.waitSignal(dialog.sig_saved):
        dialog.save_button.click()
    saved = [e for e in context.store.events(view.episode_uuid) if e.type is EventType.OBSERVATION]
    payload = saved[-1].payload
    assert payload["consciousness"] == "reduced"
    assert payload["chest_pain"] is True
    assert payload["breathing_difficulty"] is False


def test_bp_70_over_35_with_pulse_40_is_a_stop_trigger(qtbot: QtBot, context, add_episode) -> None:
    """Issue 14, defect 2 worked case: BP 70/35 with pulse 40 gave nothing."""
    _view, dialog = observations(qtbot, context, add_episode)
    dialog.ui.systolic_edit.setText("70")
    dialog.ui.diastolic_edit.setText("35")
    dialog.ui.pulse_edit.setText("40")
    title = dialog.findings_banner.title_text
    assert "systolic pressure low" in title
    assert "pulse low" in title
