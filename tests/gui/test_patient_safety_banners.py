"""Right patient, right rules: the episode banner and the changed-protocol warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mgso4.core.protocol import ProtocolLibrary
from mgso4.gui.context import AppContext
from mgso4.gui.episode.banner import PatientBanner
from mgso4.resources import resource_path


def test_episode_banner_shows_the_womans_name_and_grouped_nhs_number(
    qtbot: QtBot, context: AppContext, add_episode, clock
) -> None:
    uuid = add_episode(name="Amira KHAN", identifier="9990000018")
    state = context.store.episode(uuid)
    banner = PatientBanner()
    qtbot.addWidget(banner)

    banner.show_state(state, context.protocol, clock(), context.tz)

    assert banner.name_label.text() == "Amira KHAN"
    assert "999 000 0018" in banner.details_label.text()
    assert "Amira KHAN" in banner.accessibleName()
    assert "999 000 0018" in banner.accessibleName()


def test_banner_changes_when_another_episode_is_shown(
    qtbot: QtBot, context: AppContext, add_episode, clock
) -> None:
    first = context.store.episode(add_episode(name="Amira KHAN", identifier="9990000018"))
    second = context.store.episode(add_episode(name="Beth O'NEILL", identifier="9990000026"))
    banner = PatientBanner()
    qtbot.addWidget(banner)

    banner.show_state(first, context.protocol, clock(), context.tz)
    banner.show_state(second, context.protocol, clock(), context.tz)

    assert banner.name_label.text() == "Beth O'NEILL"
    assert "999 000 0026" in banner.details_label.text()
    assert "0018" not in banner.details_label.text()


def test_no_warning_when_the_episode_protocol_is_unchanged(
    context: AppContext, add_episode
) -> None:
    state = context.store.episode(add_episode())

    shown = context.episode_protocol(state)

    assert shown.warning is None
    assert shown.protocol.sha256 == state.protocol_sha256


def test_warning_when_the_episode_protocol_file_has_changed(
    context: AppContext, add_episode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = context.store.episode(add_episode())
    folder = tmp_path / "protocols"
    folder.mkdir()
    original = resource_path("protocols", f"{state.protocol_id}.toml").read_text("utf-8")
    (folder / f"{state.protocol_id}.toml").write_text(
        original.replace('version = "2026.2"', 'version = "2026.3"'), encoding="utf-8"
    )
    context.library = ProtocolLibrary(folder)
    monkeypatch.setattr(context, "protocol", context.library.load(state.protocol_id))

    shown = context.episode_protocol(state)

    assert shown.warning is not None
    assert "has changed" in shown.warning
    assert state.protocol_sha256[:12] in shown.warning


def test_warning_when_the_episode_protocol_cannot_be_found(
    context: AppContext, add_episode, tmp_path: Path
) -> None:
    state = context.store.episode(add_episode())
    empty = tmp_path / "none"
    empty.mkdir()
    context.library = ProtocolLibrary(empty)
    context.protocol = context.protocol.model_copy(update={"id": "another-protocol"})

    shown = context.episode_protocol(state)

    assert shown.warning is not None
    assert "cannot be found" in shown.warning
