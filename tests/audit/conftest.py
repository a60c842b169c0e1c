"""Fixtures for the audit tests: a fresh record per test and shared demo records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from audit_builders import AGREEMENT_EPISODES

from mgso4.audit.demo import write_demo_data
from mgso4.storage import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's record lives (created by the ``store`` fixture)."""
    return tmp_path / "record.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A new, empty, writable record (workstation ``test-ws``)."""
    opened = Store.open(db_path, workstation_id="test-ws", check_location_safe=False)
    yield opened
    opened.close()


@pytest.fixture
def key() -> bytes:
    """A fixed 32-byte pseudonym key."""
    return bytes(range(32))


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-episode demo record, written once per test session (read-only use only)."""
    path = tmp_path_factory.mktemp("demo-small") / "demo.sqlite3"
    write_demo_data(path, episodes=300, seed=6)
    return path


@pytest.fixture(scope="session")
def large_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10,000-episode demo record (for the SQL/core agreement test)."""
    path = tmp_path_factory.mktemp("demo-large") / "demo.sqlite3"
    write_demo_data(path, episodes=AGREEMENT_EPISODES, seed=2026)
    return path
