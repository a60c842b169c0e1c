"""Settings: each field checked with its message beside it; the protocol is loaded first."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from mgso4.gui.settings_dialog import SettingsDialog
from mgso4.resources import resource_path


def dialog_for(qtbot: QtBot, context) -> SettingsDialog:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    return dialog


def test_the_dialog_says_a_protocol_change_affects_new_episodes_only(qtbot: QtBot, context) -> None:
    dialog = dialog_for(qtbot, context)
    assert "affects new episodes only" in dialog.ui.protocol_note.text()


def test_saving_writes_the_file_and_changes_the_protocol_for_new_episodes(
    qtbot: QtBot, context
) -> None:
    dialog = dialog_for(qtbot, context)
    dialog.ui.unit_name_edit.setText("Delivery Suite")
    dialog.ui.protocol_combo.setEditText("anz-2010")
    with qtbot.waitSignal(dialog.sig_settings_saved):
        dialog.ui.save_button.click()
    saved = json.loads(Path(context.settings_path).read_text(encoding="utf-8"))
    assert saved["unit_name"] == "Delivery Suite"
    assert saved["protocol"] == "anz-2010"
    assert context.protocol.id == "anz-2010"
    assert context.settings.unit_name == "Delivery Suite"


def test_an_unknown_protocol_is_refused_beside_the_field(qtbot: QtBot, context) -> None:
    dialog = dialog_for(qtbot, context)
    dialog.ui.protocol_combo.setEditText("no-such-protocol")
    assert not dialog.save()
    message = dialog.ui.protocol_message.message
    assert "protocol: 'no-such-protocol' is neither a shipped protocol" in message
    assert context.protocol.id == "uk-nice-ng25"


def test_a_protocol_file_with_a_bad_field_names_the_field_path(
    qtbot: QtBot, context, tmp_path: Path
) -> None:
    text = resource_path("protocols", "uk-nice-ng25.toml").read_text(encoding="utf-8")
    broken = tmp_path / "unit.toml"
    broken.write_text(
        text.replace('dose_g = { value = "4"', 'dose_g = { value = "-4"', 1), encoding="utf-8"
    )
    dialog = dialog_for(qtbot, context)
    dialog.ui.protocol_combo.setEditText(str(broken))
    assert not dialog.save()
    message = dialog.ui.protocol_message.message
    assert "loading.dose_g" in message
    assert dialog.ui.protocol_message.isVisibleTo(dialog)
    assert not Path(context.settings_path).exists()  # nothing was written


def test_an_empty_unit_name_is_refused(qtbot: QtBot, context) -> None:
    dialog = dialog_for(qtbot, context)
    dialog.ui.unit_name_edit.setText("  ")
    assert not dialog.save()
    assert "unit name" in dialog.ui.unit_name_message.message


def test_an_unknown_time_zone_is_refused(qtbot: QtBot, context) -> None:
    dialog = dialog_for(qtbot, context)
    dialog.ui.timezone_combo.setEditText("Europe/Londn")
    assert not dialog.save()
    assert "not a known time zone" in dialog.ui.timezone_message.message


def test_a_backup_folder_that_does_not_exist_is_refused(
    qtbot: QtBot, context, tmp_path: Path
) -> None:
    dialog = dialog_for(qtbot, context)
    dialog.ui.backup_dir_edit.setText(str(tmp_path / "missing"))
    assert not dialog.save()
    assert "does not exist" in dialog.ui.backup_dir_message.message


def test_backups_to_keep_must_be_a_whole_number_in_range(qtbot: QtBot, context) -> None:
    dialog = dialog_for(qtbot, context)
    dialog.ui.backup_keep_edit.setText("0")
    assert not dialog.save()
    assert "1 to 365" in dialog.ui.backup_keep_message.message
    dialog.ui.backup_keep_edit.setText("1e2")
    assert not dialog.save()
    assert "not a whole number" in dialog.ui.backup_keep_message.message


def test_default_preparation_choices_come_from_the_preparations_file(qtbot: QtBot, context) -> None:
    dialog = dialog_for(qtbot, context)
    combo = dialog.ui.preparation_combo
    assert [combo.itemData(i) for i in range(combo.count())] == context.preparations.ids


def test_saving_keeps_the_feedback_sheet_settings_this_form_does_not_show(
    qtbot: QtBot, context
) -> None:
    context.settings = context.settings.model_copy(
        update={"spc_shift_length": 6, "suppress_below": 5, "nnap_target_percent": 80}
    )
    dialog = dialog_for(qtbot, context)
    dialog.ui.unit_name_edit.setText("Delivery Suite")
    assert dialog.save()
    saved = json.loads(Path(context.settings_path).read_text(encoding="utf-8"))
    assert (saved["spc_shift_length"], saved["suppress_below"]) == (6, 5)
    assert saved["nnap_target_percent"] == 80
    assert context.settings.spc_shift_length == 6
