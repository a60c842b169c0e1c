"""The ward board's table model: rows of text plus colour, icon and words by urgency."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from mgso4.gui.board.rows import BoardRow
from mgso4.gui.board.urgency import LOOKS, Urgency
from mgso4.gui.style import BOARD_FONT_PT, TONES
from mgso4.gui.widgets.icons import icon

#: A model role that gives a row's episode uuid.
EPISODE_UUID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class Column(IntEnum):
    """Board columns."""

    PATIENT = 0
    GESTATION = 1
    STAGE = 2
    NEXT_DUE = 3
    COUNTDOWN = 4


HEADERS = {
    Column.PATIENT: "Patient",
    Column.GESTATION: "Gestation now",
    Column.STAGE: "Stage",
    Column.NEXT_DUE: "Next due",
    Column.COUNTDOWN: "Time left",
}

_Index = QModelIndex | QPersistentModelIndex

#: Brushes and fonts are asked for on every paint of every cell: made once and reused.
_BRUSHES: dict[str, QBrush] = {}
_FONTS: dict[tuple[bool, bool], QFont] = {}


def _brush(colour: str) -> QBrush:
    brush = _BRUSHES.get(colour)
    if brush is None:
        brush = _BRUSHES[colour] = QBrush(QColor(colour))
    return brush


def _font(urgent: bool, bold: bool) -> QFont:
    font = _FONTS.get((urgent, bold))
    if font is None:
        font = QFont()
        font.setPointSize(BOARD_FONT_PT + (2 if urgent else 0))
        font.setBold(bold)
        _FONTS[(urgent, bold)] = font
    return font


class BoardModel(QAbstractTableModel):
    """Rows in board order. ``set_rows`` replaces them; the view restores its selection."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[BoardRow] = []

    @property
    def rows(self) -> list[BoardRow]:
        """The rows as shown, in order."""
        return list(self._rows)

    def set_rows(self, rows: list[BoardRow]) -> None:
        """Show these rows; repaints in place when only the text changed."""
        same_order = [r.episode_uuid for r in rows] == [r.episode_uuid for r in self._rows]
        if same_order and rows:
            self._rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(Column) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_for(self, episode_uuid: str) -> int | None:
        """The row number showing an episode, if any."""
        for number, row in enumerate(self._rows):
            if row.episode_uuid == episode_uuid:
                return number
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        look = LOOKS[row.urgency]
        tone = TONES[look.tone]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            text = self._text(row, column)
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"{HEADERS[column]}: {text}".replace("\n", ", ")
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.protocol_warning or self._text(row, column).replace("\n", " — ")
        if role == EPISODE_UUID_ROLE:
            return row.episode_uuid
        if role == Qt.ItemDataRole.BackgroundRole:
            return _brush(tone.bg)
        if role == Qt.ItemDataRole.ForegroundRole:
            return _brush(tone.fg)
        if role == Qt.ItemDataRole.DecorationRole and column is Column.COUNTDOWN:
            return icon(look.icon_name) if row.due_at is not None else None
        if role == Qt.ItemDataRole.DecorationRole and column is Column.PATIENT:
            return icon("warning") if row.protocol_warning else None
        if role == Qt.ItemDataRole.FontRole:
            return _font(
                row.urgency is Urgency.URGENT,
                column in (Column.PATIENT, Column.COUNTDOWN) or row.urgency.overdue,
            )
        return None

    @staticmethod
    def _text(row: BoardRow, column: Column) -> str:
        if column is Column.PATIENT:
            return f"{row.name}\n{row.identifier}"
        if column is Column.GESTATION:
            return row.gestation
        if column is Column.STAGE:
            return row.stage
        if column is Column.NEXT_DUE:
            more = row.overdue_count - (1 if row.urgency.overdue else 0)
            extra = f"\n+ {more} more overdue" if more > 0 else ""
            return (
                f"{row.next_label}\n{row.next_due_local}{extra}" if row.due_at else row.next_label
            )
        look = LOOKS[row.urgency]
        if row.due_at is None:
            return ""
        if row.urgency.overdue:
            suffix = {
                Urgency.URGENT: " — URGENT",
                Urgency.OVERDUE_ACKNOWLEDGED: " — acknowledged",
            }.get(row.urgency, "")
            return f"{row.countdown}{suffix}"
        if row.urgency is Urgency.DUE_SOON:
            return f"{look.word}: {row.countdown}"
        return row.countdown
