"""Shared fixtures for the GUI tests: the app's style, a fixed clock, a store, a context."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QApplication

from mgso4.gui.style import apply_style


@pytest.fixture(autouse=True, scope="session")
def _styled_app(qapp: QApplication) -> Iterator[None]:
    apply_style(qapp)
    yield


class FakeClock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    # 03:00 GMT on a winter night: no clock change near.
    return FakeClock(datetime(2026, 1, 14, 3, 0, tzinfo=UTC))
