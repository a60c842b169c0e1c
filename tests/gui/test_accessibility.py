"""Every input has an accessible name; every target is at least 24 px (WCAG 2.2 AA)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mgso4.core.episode import EventType
from mgso4.core.monitoring import due_items
from mgso4.gui.app import build_main_window
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.settings_dialog import SettingsDialog
from mgso4.gui.style import WCAG_TARGET_PX
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.widgets.user_dialog import UserDialog

INPUT_TYPES = (
    QLineEdit,
    QComboBox,
    QPlainTextEdit,
    QTextEdit,
    QAbstractButton,
    QAbstractSpinBox,
    QAbstractItemView,
)


def _is_qt_internal(widget: QWidget) -> bool:
    """Parts Qt builds inside other widgets (a combo's popup list, a table's corner)."""
    if widget.objectName().startswith("qt_") or type(widget).__name__.startswith("QTable"):
        return True
    if isinstance(widget, QHeaderView):  # part of its table, which carries the name
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox) and not isinstance(widget, QLineEdit):
            return True
        if type(parent).__name__ == "QComboBoxPrivateContainer":
            return True
        parent = parent.parentWidget()
    return False


def inputs_of(root: QWidget) -> list[QWidget]:
    found = [w for w in root.findChildren(QWidget) if isinstance(w, INPUT_TYPES)]
    return [w for w in found if not _is_qt_internal(w)]


def _episode_view(qtbot: QtBot, context, add_episode) -> EpisodeView:
    view = EpisodeView(context, add_episode(obs_minutes_ago=(5,)), TaskRunner())
    qtbot.addWidget(view)
    return view


def _select_observation(view: EpisodeView, context) -> None:
    obs = next(
        e for e in context.store.events(view.episode_uuid) if e.type is EventType.OBSERVATION
    )
    view.select_entry(obs.uuid)


def _ack(view: EpisodeView, context) -> QWidget:
    item = due_items(view.state, view.protocol, context.clock())[0]
    return view.acknowledge(item)


DIALOGS: dict[str, Callable[[EpisodeView, object], QWidget | None]] = {
    "observations": lambda v, c: v.open_observations(),
    "rate": lambda v, c: v.open_rate(),
    "syringe": lambda v, c: v.open_syringe(),
    "stop": lambda v, c: v.open_stop(),
    "birth": lambda v, c: v.open_birth(),
    "acknowledge": _ack,
    "amend": lambda v, c: (_select_observation(v, c), v.open_amend())[1],
    "void": lambda v, c: (_select_observation(v, c), v.open_void())[1],
}


def _all_dialogs(qtbot: QtBot, context, add_episode) -> list[tuple[str, QWidget]]:
    view = _episode_view(qtbot, context, add_episode)
    dialogs: list[tuple[str, QWidget]] = []
    for name, opener in DIALOGS.items():
        dialog = opener(view, context)
        assert dialog is not None, name
        qtbot.addWidget(dialog)
        dialogs.append((name, dialog))
    loading = EpisodeView(
        context, add_episode(identifier="9990000026", load_finished=False), TaskRunner()
    )
    qtbot.addWidget(loading)
    dialogs.append(("load-end", loading.open_load_end()))
    awaiting = EpisodeView(
        context, add_episode(identifier="9990000034", maintenance=False), TaskRunner()
    )
    qtbot.addWidget(awaiting)
    dialogs.append(("maintenance", awaiting.open_maintenance()))
    assessing = EpisodeView(
        context, add_episode(identifier="9990000042", load_minutes_ago=None), TaskRunner()
    )
    qtbot.addWidget(assessing)
    dialogs.append(("not-given", assessing.open_not_given()))
    dialogs.append(("settings", SettingsDialog(context)))
    dialogs.append(("user", UserDialog(None)))
    context.user = None  # the dialogs then ask who is recording
    dialogs.append(("observations-no-user", view.open_observations()))
    window = build_main_window(context)
    window.open_episode(view.episode_uuid)
    dialogs.append(("main-window", window))
    for _name, dialog in dialogs:
        qtbot.addWidget(dialog)
    return dialogs


def test_every_input_of_every_screen_has_an_accessible_name(
    qtbot: QtBot, context, add_episode
) -> None:
    missing = []
    checked = 0
    for name, dialog in _all_dialogs(qtbot, context, add_episode):
        for widget in inputs_of(dialog):
            checked += 1
            if not widget.accessibleName().strip():
                missing.append(f"{name}: {type(widget).__name__} {widget.objectName()!r}")
    assert checked > 100
    assert missing == [], "\n".join(missing)


def test_every_visible_target_is_at_least_24_px(qtbot: QtBot, context, add_episode) -> None:
    small = []
    checked = 0
    for name, dialog in _all_dialogs(qtbot, context, add_episode):
        dialog.show()
        QApplication.processEvents()
        for widget in inputs_of(dialog):
            if not widget.isVisible() or isinstance(widget, QAbstractItemView):
                continue
            checked += 1
            size = widget.size()
            if size.height() < WCAG_TARGET_PX or size.width() < WCAG_TARGET_PX:
                small.append(f"{name}: {widget.objectName()} {size.width()}x{size.height()}")
        dialog.hide()  # closing would delete it (WA_DeleteOnClose) before teardown
    assert checked > 100  # the walk really reached the controls
    assert small == [], "\n".join(small)


@pytest.mark.parametrize("kind", ["QPushButton", "QLineEdit", "QComboBox", "QCheckBox"])
def test_the_stylesheet_gives_each_kind_of_control_a_comfortable_height(
    qtbot: QtBot, kind: str
) -> None:
    from PySide6 import QtWidgets

    widget = getattr(QtWidgets, kind)()
    if hasattr(widget, "setText"):
        widget.setText("x")
    qtbot.addWidget(widget)
    widget.show()
    QApplication.processEvents()
    assert widget.height() >= WCAG_TARGET_PX
