"""Telling a ward PC that another PC saved something, and whether the server answers.

Every new entry on the server is announced on the ``mgso4_record`` channel (a trigger made by
``mgso4 server init``). :class:`RecordWatcher` runs on a thread of its own with a connection of
its own: it LISTENs and calls ``on_change`` for each announcement, and every second it also
reads the record's change marker (every chain's newest place), so a change is seen even when
a notification does not arrive (a pooler that drops them, a listener that was reconnecting).
When the server cannot be reached it calls ``on_availability(False)`` and tries again every
second; ``on_availability(True)`` when it answers again. Nothing here ever blocks the screen.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from mgso4.storage.errors import StoreError
from mgso4.storage.server.connection import connect
from mgso4.storage.server.schema import CHANNEL

log = logging.getLogger(__name__)

#: Seconds between polls of the change marker (and between reconnect attempts).
POLL_S = 1.0
MARKER_SQL = (
    "SELECT workstation_id, max(seq) FROM event GROUP BY workstation_id ORDER BY workstation_id"
)


def read_marker(connection: Any) -> str:
    """Every chain's newest place, as text: it changes whenever any PC saves an entry."""
    rows = connection.execute(MARKER_SQL).fetchall()
    return ";".join(f"{ws}:{seq}" for ws, seq in rows)


class RecordWatcher:
    """LISTEN and poll on a thread of its own; :meth:`stop` ends it."""

    def __init__(
        self,
        uri: str,
        on_change: Callable[[str], None],
        on_availability: Callable[[bool], None],
        *,
        poll_s: float = POLL_S,
    ) -> None:
        self._uri = uri
        self._on_change = on_change
        self._on_availability = on_availability
        self._poll_s = poll_s
        self._stop = threading.Event()
        self._available: bool | None = None
        #: Set while LISTEN is in force (tests wait for it).
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="unit-record-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout=timeout_s)

    def _availability(self, available: bool) -> None:
        if available != self._available:
            self._available = available
            self._on_availability(available)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection = connect(self._uri, application_name="mgso4 board watcher")
            except StoreError:
                self._availability(False)
                self._stop.wait(self._poll_s)
                continue
            try:
                connection.execute(f"LISTEN {CHANNEL}")
                marker = read_marker(connection)
                self.listening.set()
                self._availability(True)
                while not self._stop.is_set():
                    for notice in connection.notifies(timeout=self._poll_s):
                        self._on_change(str(notice.payload))
                        marker = ""  # read again below, after the burst
                    now = read_marker(connection)
                    if now != marker:
                        if marker:
                            self._on_change("")  # a change no notification told of
                        marker = now
            except Exception as exc:  # the connection was lost: listen again when it is back
                log.info("unit record watcher lost its connection: %s", type(exc).__name__)
                self._availability(False)
            finally:
                self.listening.clear()
                with contextlib.suppress(Exception):  # closing a broken connection
                    connection.close()
            self._stop.wait(self._poll_s)
