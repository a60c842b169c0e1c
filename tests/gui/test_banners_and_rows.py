"""Banners, board rows and long labels show all of their words.

On a real ward screen the green "DONE: Saved …" banner wrapped into a column of single words,
an urgent board row cut off the last line of "Next due", a long medicine's check box was cut
off ("CNS depressant (opioid, barbiturate, general ana") and an unticked check box in a dialog
had no box at all.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QLabel, QVBoxLayout
from pytestqt.qtbot import QtBot

from mgso4.core.flow import Step
from mgso4.gui.app import build_main_window
from mgso4.gui.board.delegate import CELL_PAD_PX, CELL_SIDE_PX
from mgso4.gui.board.model import Column
from mgso4.gui.style import Colour, contrast_ratio
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel, BannerAction
from mgso4.gui.wizard import NewEpisodeWizard
from mgso4.gui.wizard.pages_decision import NotGivenPage
from mgso4.gui.wizard.pages_entry import SituationPage


def test_a_banner_without_buttons_uses_its_whole_width(qtbot: QtBot) -> None:
    host = QDialog()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    banner = AlertBanner(host, object_name="saved_banner")
    layout.addWidget(banner)
    layout.addStretch(1)
    host.resize(1000, 300)
    host.show()
    banner.show_message(AlertLevel.OK, "Saved Wed 14 Jan 2026 03:10 GMT", "Loading dose finished")
    qtbot.waitUntil(lambda: banner.width() > 900)
    title = banner.findChild(QLabel, "saved_banner_title")
    assert title is not None
    qtbot.waitUntil(lambda: title.width() > banner.width() // 2)
    # One line, not a column of words.
    assert title.height() < 2 * title.fontMetrics().lineSpacing()
    # Buttons that come and go leave nothing behind.
    banner.show_message(AlertLevel.WARNING, "Due", "", (BannerAction("a", "Act"),))
    banner.show_message(AlertLevel.OK, "Saved", "")
    qtbot.waitUntil(lambda: title.width() > banner.width() // 2)


def test_every_board_cell_is_tall_enough_for_its_wrapped_words(
    context: Any, add_episode: Any, clock: Any, qtbot: QtBot
) -> None:
    add_episode(name="Amira KHAN", identifier="9990000018", obs_minutes_ago=(270,))
    add_episode(name="Beth O'NEILL", identifier="9990000026", obs_minutes_ago=(10,))
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.resize(1280, 700)
    window.show()
    window.check_clock()
    table = window.board.table
    model = table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    for row in range(model.rowCount()):
        for column in (Column.PATIENT, Column.NEXT_DUE):
            index = model.index(row, column)
            text = str(model.data(index, Qt.ItemDataRole.DisplayRole))
            font = model.data(index, Qt.ItemDataRole.FontRole)
            width = table.columnWidth(column) - 2 * CELL_SIDE_PX
            needed = (
                QFontMetrics(font)
                .boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text)
                .height()
            )
            assert table.rowHeight(row) >= needed + CELL_PAD_PX, (row, text)


def test_long_choices_wrap_and_reasons_show_no_codes(context: Any, qtbot: QtBot) -> None:
    wizard = NewEpisodeWizard(context)
    qtbot.addWidget(wizard)
    wizard.resize(860, 680)
    situation = wizard.pages[Step.SITUATION]
    assert isinstance(situation, SituationPage)
    for box in (*situation.condition_boxes.values(), *situation.medication_boxes.values()):
        longest = max(box.text().splitlines(), key=len)
        assert len(longest) <= 42, box.text()
    not_given = wizard.pages[Step.NOT_GIVEN]
    assert isinstance(not_given, NotGivenPage)
    for code, button in not_given.reason_buttons.items():
        assert code not in button.text()
        assert "NG-" not in button.text()


def test_an_unticked_check_box_in_a_dialog_is_visible(qtbot: QtBot) -> None:
    if QGuiApplication.platformName() != "xcb":
        pytest.skip("needs a real X display (QT_QPA_PLATFORM=xcb): offscreen hides painting")
    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    box = QCheckBox("I confirm this rate is intended", dialog)
    layout.addWidget(box)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    top_left = box.mapToGlobal(QPoint(0, 0))
    shot = (
        box.screen()
        .grabWindow(0, top_left.x(), top_left.y(), 40, box.height())
        .toImage()
        .convertToFormat(QImage.Format.Format_RGB32)
    )
    colours = {
        shot.pixel(x, y) & 0xFFFFFF for x in range(shot.width()) for y in range(shot.height())
    }
    # The indicator's border stands out from the dialog (3:1, WCAG non-text contrast).
    assert max(contrast_ratio(QColor(c).name(), Colour.WINDOW) for c in colours) >= 3.0
