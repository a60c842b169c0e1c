"""Fixtures for the record store tests: a fresh record per test, a stepping clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_builders import StepClock

from mgso4.storage import Store


@pytest.fixture
def clock() -> StepClock:
    """recorded_at moves on one second per read."""
    return StepClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's record lives (not created yet)."""
    return tmp_path / "record.sqlite3"


@pytest.fixture
def store(db_path: Path, clock: StepClock) -> Iterator[Store]:
    """A new, empty, writable record."""
    opened = Store.open(db_path, clock=clock, check_location_safe=False)
    yield opened
    opened.close()


@pytest.fixture
def episode_uuid() -> str:
    """A new episode id."""
    return str(uuid.uuid4())
