"""The episode's history: every entry with clinical and recorded time, who, and corrections.

Voided entries stay in the list, struck through and marked "VOIDED: reason" (the strike is
never the only cue). Amended entries show what they say now and what they said before, with
the reason. Words for event types and fields are shared with the printed proforma
(``reports.describe``), so screen and paper say the same thing.
"""

from __future__ import annotations

from enum import IntEnum
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from mgso4.core.episode import EpisodeState, EventType, TimelineEntry
from mgso4.core.timeutil import format_local
from mgso4.gui.episode.action_dialog import actor_text
from mgso4.gui.style import Colour
from mgso4.reports.describe import event_label, field_label, flatten, lookup, summary, value_text

#: Model role giving the row's event uuid.
EVENT_UUID_ROLE = int(Qt.ItemDataRole.UserRole) + 2


class TimelineColumn(IntEnum):
    """Timeline columns."""

    CLINICAL_TIME = 0
    ENTRY = 1
    DETAILS = 2
    RECORDED = 3


HEADERS = {
    TimelineColumn.CLINICAL_TIME: "Clinical time",
    TimelineColumn.ENTRY: "Entry",
    TimelineColumn.DETAILS: "Details",
    TimelineColumn.RECORDED: "Recorded (when, by whom)",
}


def correction_words(entry: TimelineEntry, tz: ZoneInfo) -> list[str]:
    """ "AMENDED …" lines: each correction's reason and the fields it changed (was → now)."""
    lines = []
    original = entry.event.payload
    for amendment in entry.amended_by:
        payload = amendment.payload
        changes = flatten(payload.get("changes") or {})
        parts = [
            f"{field_label(name)} was {value_text(lookup(original, name))}, now {value_text(value)}"
            for name, value in changes.items()
        ]
        if payload.get("occurred_at"):
            parts.append(
                f"time was {format_local(entry.event.occurred_at, tz)}, now "
                f"{format_local(entry.effective_occurred_at, tz)}"
            )
        lines.append(
            f"AMENDED {format_local(amendment.recorded_at, tz)} by "
            f"{actor_text(amendment.recorded_by)} ({payload.get('reason', '')}): "
            + ("; ".join(parts) or "no field changed")
        )
    return lines


def details_text(
    entry: TimelineEntry,
    by_uuid: dict[str, TimelineEntry],
    tz: ZoneInfo,
    reason_labels: dict[str, str] | None = None,
) -> str:
    """What the Details column says for an entry."""
    event = entry.event
    if event.type in (EventType.AMENDMENT, EventType.VOID):
        target = by_uuid.get(str(event.payload.get("target", "")))
        what = (
            f"{event_label(target.event.type)} of {format_local(target.event.occurred_at, tz)}"
            if target is not None
            else "an entry not in this episode"
        )
        verb = (
            "Correction of" if event.type is EventType.AMENDMENT else "Marks as entered in error:"
        )
        text = f"{verb} {what}. Reason: {event.payload.get('reason', '')}"
    else:
        text = summary(event.type, entry.effective_payload, reason_labels) or event_label(
            event.type
        )
    lines = [text]
    lines.extend(correction_words(entry, tz))
    return "\n".join(lines)


class TimelineModel(QStandardItemModel):
    """An episode's entries, newest clinical time first.

    Every cell's words, font and colour are worked out once, when the episode is set, and
    held by Qt (a ``QStandardItemModel``): painting and fitting row heights then never call
    into Python. That matters beside a thread making a document: every call from Qt into
    Python waits its turn for the interpreter lock, and fitting the rows of a long timeline
    made hundreds of them (the screen stood still for 50 ms while the proforma was made).
    """

    def __init__(self, tz: ZoneInfo) -> None:
        super().__init__(0, len(TimelineColumn))
        self._tz = tz
        self._entries: list[TimelineEntry] = []
        self._by_uuid: dict[str, TimelineEntry] = {}
        #: The protocol's words for not-given reason codes.
        self.reason_labels: dict[str, str] = {}
        self.setHorizontalHeaderLabels([HEADERS[column] for column in TimelineColumn])

    def set_state(self, state: EpisodeState, reason_labels: dict[str, str] | None = None) -> None:
        """Show this episode's timeline (reason codes in the protocol's words)."""
        if reason_labels is not None:
            self.reason_labels = reason_labels
        self._by_uuid = {entry.event.uuid: entry for entry in state.timeline}
        self._entries = sorted(
            state.timeline,
            key=lambda e: (e.effective_occurred_at, e.event.seq),
            reverse=True,
        )
        self.beginResetModel()
        self.blockSignals(True)  # one reset for the views, not a signal per cell
        try:
            self.setRowCount(0)
            for entry in self._entries:
                self.appendRow([self._item(entry, column) for column in TimelineColumn])
        finally:
            self.blockSignals(False)
        self.endResetModel()

    def _item(self, entry: TimelineEntry, column: TimelineColumn) -> QStandardItem:
        voided = entry.voided_by is not None
        text = self._text(entry, column)
        item = QStandardItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        item.setToolTip(text)
        prefix = "Voided entry. " if voided else ""
        item.setData(
            f"{prefix}{HEADERS[column]}: {text}".replace("\n", ". "),
            Qt.ItemDataRole.AccessibleTextRole,
        )
        item.setData(entry.event.uuid, EVENT_UUID_ROLE)
        font = QFont()
        # The entry column carries the "VOIDED: reason" words and stays readable.
        font.setStrikeOut(voided and column is not TimelineColumn.ENTRY)
        font.setBold(column is TimelineColumn.ENTRY)
        item.setFont(font)
        if voided:
            item.setForeground(QBrush(QColor(Colour.TEXT_MUTED)))
        return item

    def entry(self, row: int) -> TimelineEntry:
        """The entry shown in a row."""
        return self._entries[row]

    def row_of(self, event_uuid: str) -> int | None:
        """The row showing an event."""
        for number, entry in enumerate(self._entries):
            if entry.event.uuid == event_uuid:
                return number
        return None

    def _text(self, entry: TimelineEntry, column: TimelineColumn) -> str:
        event = entry.event
        if column is TimelineColumn.CLINICAL_TIME:
            text = format_local(entry.effective_occurred_at, self._tz)
            if entry.effective_occurred_at != event.occurred_at:
                text += f"\n(first recorded as {format_local(event.occurred_at, self._tz)})"
            return text
        if column is TimelineColumn.ENTRY:
            label = event_label(event.type)
            if entry.voided_by is not None:
                return f"{label}\nVOIDED: {entry.voided_by.payload.get('reason', '')}"
            if entry.amended_by:
                return f"{label}\nAMENDED"
            return label
        if column is TimelineColumn.DETAILS:
            return details_text(entry, self._by_uuid, self._tz, self.reason_labels)
        return f"{format_local(event.recorded_at, self._tz)}\n{actor_text(event.recorded_by)}"


class TimelineView(QTableView):
    """The timeline table (read-only; select a row to amend or void it)."""

    def __init__(self, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline_table")
        self.setAccessibleName("Episode timeline, newest first")
        self.timeline_model = TimelineModel(tz)
        self.setModel(self.timeline_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TimelineColumn.DETAILS, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(TimelineColumn.CLINICAL_TIME, 240)
        self.setColumnWidth(TimelineColumn.ENTRY, 200)
        self.setColumnWidth(TimelineColumn.RECORDED, 260)
        self.setTabKeyNavigation(False)
        # Wrapped text needs the row heights again whenever a column's width changes.
        header.sectionResized.connect(lambda *_: self.resizeRowsToContents())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-fit the row heights to the new column widths (wrapped text)."""
        super().resizeEvent(event)
        # After the header has given the stretched column its new width.
        QTimer.singleShot(0, self, self.resizeRowsToContents)

    def set_state(self, state: EpisodeState, reason_labels: dict[str, str] | None = None) -> None:
        """Show an episode, keeping the selected entry selected."""
        selected = self.selected_entry()
        self.timeline_model.set_state(state, reason_labels)
        if selected is not None:
            row = self.timeline_model.row_of(selected.event.uuid)
            if row is not None:
                self.selectRow(row)
        self.resizeRowsToContents()

    def selected_entry(self) -> TimelineEntry | None:
        """The entry of the selected row."""
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        if not rows:
            return None
        return self.timeline_model.entry(rows[0].row())
