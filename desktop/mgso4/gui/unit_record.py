"""The screen's side of a unit record on a server: live board and the unavailable banner.

When the record is on a PostgreSQL server, a :class:`UnitRecordMonitor` runs the storage
layer's :class:`~mgso4.storage.server.watch.RecordWatcher` (LISTEN/NOTIFY with polling behind
it, on a thread of its own) and turns what it sees into Qt signals on the GUI thread:

* ``sig_changed``: another PC (or this one) saved an entry — the main window re-reads the board
  and the open episode, so every PC shows a change within about a second;
* ``sig_availability(bool)``: the server stopped or started answering — the main window shows
  or clears the banner "the unit record is unavailable — use the blank downtime proforma".
  While it is down every save is refused with that sentence and what was typed stays in the
  form; the store reconnects by itself on the first action after the server is back.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from mgso4.storage import Store
from mgso4.storage.errors import UNAVAILABLE_MESSAGE


class UnitRecordMonitor(QObject):
    """Watches a server record; does nothing for a record file (see :meth:`for_store`)."""

    sig_changed = Signal()
    sig_availability = Signal(bool)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from mgso4.storage.server.store import ServerStore
        from mgso4.storage.server.watch import RecordWatcher

        assert isinstance(store, ServerStore)
        self._store = store
        #: False while the server does not answer (the banner is up).
        self.available = True
        self.watcher = RecordWatcher(store.uri, self._changed, self._availability)
        self.sig_availability.connect(self._remember)
        self.watcher.start()

    @classmethod
    def for_store(cls, store: Store, parent: QObject | None = None) -> UnitRecordMonitor | None:
        """A monitor when the record is on a server; None for a record file."""
        from mgso4.storage.server.store import ServerStore

        return cls(store, parent) if isinstance(store, ServerStore) else None

    def _changed(self, _episode_uuid: str) -> None:  # on the watcher's thread
        self.sig_changed.emit()

    def _availability(self, available: bool) -> None:  # on the watcher's thread
        self._store.mark_unavailable(not available)
        self.sig_availability.emit(available)

    def _remember(self, available: bool) -> None:
        self.available = available

    def stop(self) -> None:
        self.watcher.stop()


#: The banner while the server does not answer.
UNAVAILABLE_TITLE = "The unit record is unavailable"
UNAVAILABLE_TEXT = (
    UNAVAILABLE_MESSAGE[0].upper()
    + UNAVAILABLE_MESSAGE[1:]
    + " (Print blank proforma works without it). Nothing can be saved until it is back; the "
    "app reconnects by itself."
)
