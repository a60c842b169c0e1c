"""The ward board: every episode on it (``core.board.on_board``) with what is due next.

Who is on the board is core's rule: the store names the candidates (every episode not closed
for good, ``Store.board_candidates``) and core decides at each tick, since alerts and
reassessment times come with the clock. Finished episodes that were never closed (records made
before the close action) are on the board too, but shown as one line with a
"Close finished episodes…" button rather than a row each (``core.board.past_unclosed``).

The board reads the store only when the record changes (``context.changed()``) or when asked
to refresh; between reads, :meth:`WardBoard.tick` recomputes the countdowns from the cached
states and the clock. The board owns no timer: the main window's one clock check calls
``tick`` every second.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mgso4.core.board import CLOSE_FINISHED_REASON, close_finished_drafts, on_board, past_unclosed
from mgso4.gui.board.delegate import BoardDelegate
from mgso4.gui.board.model import EPISODE_UUID_ROLE, BoardModel, Column
from mgso4.gui.board.rows import BoardEntry, BoardRow, build_rows
from mgso4.gui.context import AppContext


class WardBoard(QWidget):
    """Table of active episodes, overdue first."""

    sig_open_requested = Signal(str)
    """The user asked to open an episode (its uuid): Enter or double-click on a row."""
    sig_rows_changed = Signal()
    """The rows were recomputed (after a refresh or a tick)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ward_board")
        self._context = context
        self._entries: list[BoardEntry] = []
        self._load_error: str | None = None
        self.model = BoardModel()
        self.table = QTableView(self)
        self.table.setObjectName("board_table")
        self.table.setAccessibleName("Ward board: active episodes, overdue first")
        self.table.setModel(self.model)
        self.delegate = BoardDelegate(self.table)
        self.table.setItemDelegate(self.delegate)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setShowGrid(True)
        self.table.setIconSize(QSize(28, 28))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.GESTATION, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        self.table.setTabKeyNavigation(False)
        # Wrapped text needs the row heights again whenever a column's width changes.
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        self.empty_label = QLabel(
            "No active episodes. Press New episode (Ctrl+N) to start one.", self
        )
        self.empty_label.setObjectName("board_empty_label")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "heading")
        self.past_label = QLabel(self)
        self.past_label.setObjectName("board_past_label")
        self.past_label.setAccessibleName("Past episodes never closed")
        self.past_label.setWordWrap(True)
        self.close_past_button = QPushButton("Close finished episodes…", self)
        self.close_past_button.setObjectName("board_close_past_button")
        self.close_past_button.setAccessibleName(
            "Close finished episodes that were never closed: each gets a close entry with a reason"
        )
        self.close_past_button.clicked.connect(self.close_past_episodes)
        self._past_bar = QWidget(self)
        bar = QHBoxLayout(self._past_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.past_label, 1)
        bar.addWidget(self.close_past_button)
        self._past_bar.setVisible(False)
        self._past: list[BoardEntry] = []
        self._past_uuids: set[str] = set()
        self._past_checked_at: datetime | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._past_bar)
        self._stack = QStackedLayout()
        outer.addLayout(self._stack, 1)
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_label)
        # Enter and double-click both arrive as "activated" (one signal, so no double opening).
        self.table.activated.connect(self._on_table_activated)

    @property
    def rows(self) -> list[BoardRow]:
        """The rows as shown, in order."""
        return self.model.rows

    @property
    def load_error(self) -> str | None:
        """Why the last read of the store failed, if it did."""
        return self._load_error

    @property
    def past_unclosed(self) -> list[str]:
        """The finished, never-closed episodes gathered in the one line (uuids)."""
        return [entry.state.uuid for entry in self._past]

    def refresh(self) -> None:
        """Re-read the board's candidate episodes from the store and recompute every row.

        Raises nothing: a store error is kept in :attr:`load_error` (the main window shows
        it in a banner) and the rows already shown stay.
        """
        from mgso4.storage.errors import StoreError

        try:
            states = self._context.store.board_candidates()
        except StoreError as exc:
            self._load_error = str(exc)
            return
        self._load_error = None
        entries = []
        for state in states:
            shown = self._context.episode_protocol(state)
            entries.append(BoardEntry(state, shown.protocol, shown.warning))
        self._entries = entries
        self._past_checked_at = None  # new states: ask core about every one
        self.tick(self._context.clock())

    def tick(self, now: datetime) -> None:
        """Recompute countdowns and order at ``now`` from the cached states (no store read)."""
        selected = self.selected_uuid()
        shown: list[BoardEntry] = []
        past: list[BoardEntry] = []
        minute = now.replace(second=0, microsecond=0)
        recheck_past = minute != self._past_checked_at
        for entry in self._entries:
            if not recheck_past and entry.state.uuid in self._past_uuids:
                # A finished, never-closed episode's membership is asked of core again once a
                # minute, not every second: an old record can hold thousands of them.
                past.append(entry)
                continue
            if not on_board(entry.state, entry.protocol, now):
                continue
            (past if past_unclosed(entry.state, entry.protocol, now) else shown).append(entry)
        self._past_checked_at = minute
        self._past_uuids = {entry.state.uuid for entry in past}
        self._show_past(past)
        rows = build_rows(shown, now, self._context.tz)
        if rows == self.model.rows and self._stack.currentWidget() is (
            self.table if rows else self.empty_label
        ):
            # Nothing shown changed (countdowns move by the minute, the clock ticks by the
            # second): no repaint and no row-height pass, so an idle board costs next to nothing.
            self.sig_rows_changed.emit()
            return
        self.model.set_rows(rows)
        self._stack.setCurrentWidget(self.table if rows else self.empty_label)
        if selected is not None:
            self.select(selected)
        elif rows and not self.table.currentIndex().isValid():
            self.select(rows[0].episode_uuid)
        self.table.resizeRowsToContents()
        self.sig_rows_changed.emit()

    def _show_past(self, past: list[BoardEntry]) -> None:
        self._past = past
        if past:
            count = len(past)
            them = "them" if count != 1 else "it"
            text = (
                f"{count} past episode{'s were' if count != 1 else ' was'} never closed "
                f"(finished before the close action existed): close {them}."
            )
            if self.past_label.text() != text:
                self.past_label.setText(text)
        self._past_bar.setVisible(bool(past))

    def close_past_episodes(self) -> bool:
        """Ask, then record a close (with its reason) for every finished, never-closed episode.

        Returns:
            True when the closes were saved; False when the user declined, no one is signed
            in, or the store refused (the message is shown and nothing was saved).
        """
        actor = self._context.user
        if actor is None or not self._past:
            return False
        names = ", ".join(entry.state.patient.name for entry in self._past[:5])
        more = f" and {len(self._past) - 5} more" if len(self._past) > 5 else ""
        answer = QMessageBox.question(
            self,
            "Close finished episodes",
            f"Record a close for {len(self._past)} finished episode(s) never closed "
            f"({names}{more})? Each gets its own close entry in your name with the reason "
            f"“{CLOSE_FINISHED_REASON}” Nothing is deleted; each stays in the record.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        return self.record_past_closes()

    def record_past_closes(self) -> bool:
        """Record the closes without asking (the confirmed half of :meth:`close_past_episodes`)."""
        from mgso4.storage.errors import StoreError

        actor = self._context.user
        if actor is None:
            return False
        now = self._context.clock()
        pairs = [(entry.state, entry.protocol) for entry in self._past]
        drafts = close_finished_drafts(pairs, actor, now)
        if not drafts:
            return False
        protocols = {entry.state.uuid: entry.protocol for entry in self._past}
        try:
            self._context.record(drafts, self._past[0].protocol, protocols=protocols)
        except StoreError as exc:
            QMessageBox.warning(self, "Close finished episodes", str(exc))
            return False
        return True

    def selected_uuid(self) -> str | None:
        """The episode of the current row, if any."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        value = self.model.data(index, EPISODE_UUID_ROLE)
        return str(value) if value else None

    def select(self, episode_uuid: str) -> bool:
        """Make an episode's row current; False if it is not on the board."""
        row = self.model.row_for(episode_uuid)
        if row is None:
            return False
        index = self.model.index(row, 0)
        if self.table.currentIndex().row() != row:
            self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        return True

    def focus_table(self) -> None:
        """Put keyboard focus on the table (arrow keys move, Enter opens)."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_table_activated(self, index: QModelIndex) -> None:
        value = self.model.data(index, EPISODE_UUID_ROLE)
        if value:
            self.sig_open_requested.emit(str(value))
