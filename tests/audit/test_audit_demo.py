"""Demo data: fictional, plausible, deterministic, and never written into an existing record."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mgso4.audit.data import load_audit_data, read_episode_facts
from mgso4.audit.demo import DEFAULT_END, PERIOD, generate_episode, write_demo_data
from mgso4.audit.facts import GestationBand
from mgso4.audit.progress import AuditError, Cancelled
from mgso4.audit.sql import open_readonly
from mgso4.core.identifiers import check_identifier
from mgso4.core.protocol import Protocol
from mgso4.core.vocab import IdentifierType
from mgso4.storage import verify_path


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    from mgso4.audit.demo import default_protocol

    return default_protocol()


def test_same_seed_gives_the_same_episodes(protocol: Protocol) -> None:
    first = [generate_episode(random.Random(7), DEFAULT_END, protocol) for _ in range(3)]
    second = [generate_episode(random.Random(7), DEFAULT_END, protocol) for _ in range(3)]

    assert first == second


def test_another_seed_gives_other_episodes(protocol: Protocol) -> None:
    assert generate_episode(random.Random(7), DEFAULT_END, protocol) != generate_episode(
        random.Random(8), DEFAULT_END, protocol
    )


def test_demo_record_verifies_and_holds_both_workstations(small_demo: Path) -> None:
    verified = verify_path(small_demo)

    assert verified.ok, verified.problems
    assert sorted(verified.chain_heads) == ["demo-6-labour-ward", "demo-6-triage"]
    assert verified.counts["episodes"] == 300


def test_demo_nhs_numbers_are_valid_synthetic_numbers(small_demo: Path) -> None:
    facts = read_episode_facts(small_demo)

    checks = [check_identifier(f.identifier, IdentifierType.NHS) for f in facts]
    assert all(check.valid and check.synthetic for check in checks)
    assert all(f.identifier.startswith("999") for f in facts)


def test_demo_gestations_are_mostly_24_to_33_weeks(small_demo: Path) -> None:
    bands = Counter(row.band for row in load_audit_data(small_demo).rows)

    preterm = sum(
        bands[band]
        for band in (
            GestationBand.FROM_24_TO_26,
            GestationBand.WEEK_27,
            GestationBand.FROM_28_TO_29,
            GestationBand.FROM_30_TO_31,
            GestationBand.FROM_32_TO_33,
        )
    )
    assert preterm / sum(bands.values()) > 0.8


def test_demo_covers_late_expired_missed_and_optimal_cases(small_demo: Path) -> None:
    metrics = load_audit_data(small_demo).metrics()

    assert metrics.measures["periprem_optimal"].n > 0
    assert metrics.measures["bapm_optimal"].n > 0
    assert {r.code for r in metrics.timing_classes} == {"G-LATE", "G-EXPIRED"}
    assert metrics.missed_reasons


def test_demo_times_lie_in_the_24_months_before_the_end(small_demo: Path) -> None:
    connection = open_readonly(small_demo)
    try:
        first, last = connection.execute(
            "SELECT min(occurred_at), max(occurred_at) FROM event"
        ).fetchone()
    finally:
        connection.close()

    start = (DEFAULT_END - PERIOD).strftime("%Y-%m-%dT%H:%M")
    assert start <= first and last <= DEFAULT_END.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_demo_data_is_never_written_into_an_existing_file(small_demo: Path) -> None:
    before = small_demo.read_bytes()

    with pytest.raises(AuditError, match="already exists"):
        write_demo_data(small_demo, episodes=5, seed=1)

    assert small_demo.read_bytes() == before


def test_cancelled_demo_data_leaves_no_file(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()

    with pytest.raises(Cancelled):
        write_demo_data(tmp_path / "demo.sqlite3", episodes=20, seed=1, cancel=cancel)

    assert list(tmp_path.iterdir()) == []


def test_demo_reports_what_it_wrote(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []

    report = write_demo_data(
        tmp_path / "demo.sqlite3",
        episodes=40,
        seed=3,
        end=datetime(2025, 1, 1, tzinfo=UTC),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )

    assert report.episodes == 40
    assert report.babies + report.pending >= 40
    assert ("Writing demo episodes", 40, 40) in seen
    assert (tmp_path / "demo.sqlite3").exists()


@pytest.mark.parametrize("episodes", [0, 1_000_001])
def test_demo_size_out_of_range_is_refused(tmp_path: Path, episodes: int) -> None:
    with pytest.raises(AuditError, match="between 1 and 1,000,000"):
        write_demo_data(tmp_path / "demo.sqlite3", episodes=episodes, seed=1)
