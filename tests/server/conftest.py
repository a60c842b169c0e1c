"""The server tests' throwaway PostgreSQL: one cluster for the run, a fresh unit record
(database) per test. Without PostgreSQL the tests here are skipped, saying why in one line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent / "storage"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from pg_cluster import Cluster, why_unavailable  # noqa: E402

_WHY = why_unavailable()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A throwaway cluster on a unix socket in a temporary folder, removed at the end."""
    if _WHY is not None:
        pytest.skip(f"server tests skipped: {_WHY}")
    made = Cluster()
    try:
        made.init()
        made.start()
        made.setup_record()
    except Exception as exc:
        made.remove()
        pytest.skip(f"server tests skipped: no throwaway PostgreSQL could be started ({exc})")
    yield made
    made.remove()


@pytest.fixture
def server_uri(cluster: Cluster) -> str:
    """A new, empty unit record (its own database), for the ward PCs' login."""
    return cluster.fresh_database()
