"""Draw the selected board row with a thick outline, keeping its urgency colour.

A normal selection paints the whole row in the selection colour, which would hide the red of
an overdue row exactly when it is the row being looked at. The outline is drawn twice, dark
outside and white inside, so it shows on every row colour (white, amber, pale red, solid red).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from mgso4.gui.style import Colour

#: Outline width of the selected row, px.
SELECTED_OUTLINE_PX = 3
#: Room kept above and below a cell's text (the selected outline is drawn inside the cell).
CELL_PAD_PX = SELECTED_OUTLINE_PX + 5
#: Room kept left and right of a cell's text and between an icon and the text, px.
CELL_SIDE_PX = 8


class BoardDelegate(QStyledItemDelegate):
    """Paints cells with the model's colours; the selected row gets an outline."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Tall enough for every wrapped line at the cell's width and font (an urgent row's
        larger bold text wrapped to a third line that was cut off)."""
        size = super().sizeHint(option, index)
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        width = option.rect.width() - 2 * CELL_SIDE_PX
        if not cell.icon.isNull():
            width -= cell.decorationSize.width() + CELL_SIDE_PX
        if width <= 0 or not cell.text:
            return size
        flags = int(Qt.TextFlag.TextWordWrap)
        text = QFontMetrics(cell.font).boundingRect(QRect(0, 0, width, 100_000), flags, cell.text)
        return QSize(size.width(), max(size.height(), text.height() + 2 * CELL_PAD_PX))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        plain = QStyleOptionViewItem(option)
        plain.state &= ~QStyle.StateFlag.State_Selected
        plain.state &= ~QStyle.StateFlag.State_HasFocus
        super().paint(painter, plain, index)
        if not selected:
            return
        model = index.model()
        first = index.column() == 0
        last = model is not None and index.column() == model.columnCount() - 1
        painter.save()
        for colour, width, inset in (
            (Colour.TEXT, SELECTED_OUTLINE_PX, 1),
            (Colour.SURFACE, 1, SELECTED_OUTLINE_PX + 1),
        ):
            pen = QPen(QColor(colour))
            pen.setWidth(width)
            painter.setPen(pen)
            rect = option.rect.adjusted(
                inset if first else 0, inset, -inset - 1 if last else 0, -inset - 1
            )
            painter.drawLine(rect.topLeft(), rect.topRight())
            painter.drawLine(rect.bottomLeft(), rect.bottomRight())
            if first:
                painter.drawLine(rect.topLeft(), rect.bottomLeft())
            if last:
                painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.restore()
