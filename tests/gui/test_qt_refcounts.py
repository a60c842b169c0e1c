"""Guard against a known Qt for Python defect that aborts the interpreter.

PySide6 6.12.0 on Python 3.11 drops one reference to ``True`` on every ``Signal.emit()`` and
one to ``None`` on every ``processEvents()``; after a few hundred signals Python aborts with
"bool_dealloc". The app emits signals all shift long, so a version with this defect must never
ship. These tests fail on such a version before the app can crash on a ward.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal


class _Emitter(QObject):
    sig_ping = Signal()
    """Emitted by the test."""

    sig_value = Signal(bool)
    """Emitted by the test with a bool."""


def test_emitting_a_signal_keeps_references_to_true(qapp: QCoreApplication) -> None:
    emitter = _Emitter()
    received: list[bool] = []
    emitter.sig_ping.connect(lambda: received.append(True))
    emitter.sig_value.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.sig_ping.emit()
        emitter.sig_value.emit(True)
    assert len(received) == 400
    received.clear()
    assert sys.getrefcount(True) - before >= 0


def test_processing_events_keeps_references_to_none(qapp: QCoreApplication) -> None:
    before = sys.getrefcount(None)
    for _ in range(200):
        qapp.processEvents()
    # Other code may hold or release a few references meanwhile; a defect loses one per call.
    assert sys.getrefcount(None) - before > -50
