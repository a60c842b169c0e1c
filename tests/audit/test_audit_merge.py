"""Merging workstations' records: verified sources only, de-duplicated by uuid, provable chains."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from audit_builders import PROTOCOL, EpisodeBuilder, utc

from mgso4.audit.merge import merge_into
from mgso4.audit.progress import AuditError, Cancelled
from mgso4.storage import Store, verify_path


def record(path: Path, workstation_id: str, episodes: int = 2, start_day: int = 5) -> Path:
    """A record of ``episodes`` small delivered episodes written by one workstation."""
    with Store.open(path, workstation_id=workstation_id, check_location_safe=False) as store:
        for index in range(episodes):
            day = start_day + index
            built = EpisodeBuilder(
                created_at=utc(f"2026-01-{day:02d} 08:00"),
                gestation_days_at_birth_date=196,
                birth_date=date(2026, 1, day),
            )
            built.course(utc(f"2026-01-{day:02d} 09:00"), utc(f"2026-01-{day:02d} 15:00"))
            built.birth(utc(f"2026-01-{day:02d} 15:00"))
            built.save(store)
    return path


def counts(path: Path) -> tuple[int, int]:
    with Store.open(path, readonly=True) as store:
        numbers = store.counts()
    return numbers["episodes"], numbers["events"]


def test_merge_copies_every_event_and_keeps_each_chain_provable(tmp_path: Path) -> None:
    ward = record(tmp_path / "ward.sqlite3", "ward-pc")
    triage = record(tmp_path / "triage.sqlite3", "triage-pc", start_day=10)
    target = tmp_path / "combined.sqlite3"

    report = merge_into(target, [ward, triage])

    assert report.ok
    assert counts(target) == (4, counts(ward)[1] + counts(triage)[1])
    verified = verify_path(target)
    assert verified.ok, verified.problems
    assert verify_path(ward).chain_heads["ward-pc"] == verified.chain_heads["ward-pc"]
    assert verify_path(triage).chain_heads["triage-pc"] == verified.chain_heads["triage-pc"]


def test_merging_twice_changes_nothing(tmp_path: Path) -> None:
    ward = record(tmp_path / "ward.sqlite3", "ward-pc")
    target = tmp_path / "combined.sqlite3"
    first = merge_into(target, [ward])
    before = counts(target)

    second = merge_into(target, [ward])

    assert counts(target) == before
    assert (second.sources[0].added, second.sources[0].conflicts) == (0, 0)
    assert second.sources[0].skipped == first.sources[0].added
    assert second.sources[0].episodes_added == 0


def test_overlapping_copies_of_one_workstation_merge_cleanly(tmp_path: Path) -> None:
    older = record(tmp_path / "ward.sqlite3", "ward-pc", episodes=1)
    newer = tmp_path / "ward-later.sqlite3"
    shutil.copy(older, newer)
    with Store.open(newer, check_location_safe=False) as store:
        built = EpisodeBuilder(
            created_at=utc("2026-02-01 08:00"),
            gestation_days_at_birth_date=196,
            birth_date=date(2026, 2, 1),
        )
        built.birth(utc("2026-02-01 12:00"))
        added_later = len(built.save(store))
    target = tmp_path / "combined.sqlite3"

    report = merge_into(target, [older, newer])

    assert [s.added for s in report.sources] == [counts(older)[1], added_later]
    assert report.sources[1].skipped == counts(older)[1]
    assert report.ok
    assert verify_path(target).ok


def test_tampered_source_is_refused_naming_the_file_and_the_first_broken_link(
    tmp_path: Path,
) -> None:
    source = record(tmp_path / "ward.sqlite3", "ward-pc")
    connection = sqlite3.connect(source)
    # Behind the app's back: drop the safeguard and rewrite an entry's time.
    connection.execute("DROP TRIGGER event_no_update")
    connection.execute("UPDATE event SET occurred_at = '2026-01-05T07:00:00.000000Z' WHERE seq = 3")
    connection.commit()
    connection.close()
    target = tmp_path / "combined.sqlite3"

    report = merge_into(target, [source])

    refusal = report.sources[0].refused or ""
    assert str(source) in refusal
    assert "workstation ward-pc, entry 3" in refusal
    assert counts(target) == (0, 0)
    assert not report.ok


def test_a_refused_source_does_not_stop_the_others(tmp_path: Path) -> None:
    good = record(tmp_path / "good.sqlite3", "good-pc")
    missing = tmp_path / "missing.sqlite3"
    target = tmp_path / "combined.sqlite3"

    report = merge_into(target, [missing, good])

    assert report.sources[0].refused is not None
    assert report.sources[1].ok
    assert counts(target)[0] == 2


def test_same_event_id_with_different_content_is_a_conflict_not_copied(tmp_path: Path) -> None:
    first = record(tmp_path / "a.sqlite3", "a-pc", episodes=0)
    second = record(tmp_path / "b.sqlite3", "b-pc", episodes=0)
    shared_uuid = "11111111-1111-4111-8111-111111111111"
    for path, name in ((first, "First Name"), (second, "Second Name")):
        built = EpisodeBuilder(
            created_at=utc("2026-01-05 08:00"),
            gestation_days_at_birth_date=196,
            birth_date=date(2026, 1, 5),
            name=name,
            episode_uuid="22222222-2222-4222-8222-222222222222",
        )
        built.drafts[0] = built.drafts[0].model_copy(update={"uuid": shared_uuid})
        with Store.open(path, check_location_safe=False) as store:
            store.append_many(built.drafts, PROTOCOL)
    target = tmp_path / "combined.sqlite3"

    report = merge_into(target, [first, second])

    conflict = report.sources[1]
    assert conflict.conflicts >= 1
    assert any(shared_uuid in message for message in conflict.messages)
    assert not report.ok
    assert verify_path(target).ok
    with Store.open(target, readonly=True) as store:
        kept = store.event(shared_uuid)
    assert kept is not None and kept.payload["patient"]["name"] == "First Name"


def test_diverging_chains_of_one_workstation_id_conflict_and_leave_no_empty_episode(
    tmp_path: Path,
) -> None:
    first = record(tmp_path / "first.sqlite3", "same-pc", episodes=1)
    second = record(tmp_path / "second.sqlite3", "same-pc", episodes=1, start_day=20)
    target = tmp_path / "combined.sqlite3"

    report = merge_into(target, [first, second])

    diverging = report.sources[1]
    assert (diverging.added, diverging.episodes_added) == (0, 0)
    assert diverging.conflicts == counts(second)[1]
    assert "same-pc, entry 1" in diverging.messages[0]
    assert counts(target) == counts(first)
    assert verify_path(target).ok


def test_a_record_cannot_be_merged_into_itself(tmp_path: Path) -> None:
    ward = record(tmp_path / "ward.sqlite3", "ward-pc")

    report = merge_into(ward, [ward])

    assert "itself" in (report.sources[0].refused or "")


def test_merge_needs_at_least_one_source(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="at least one"):
        merge_into(tmp_path / "combined.sqlite3", [])


def test_merge_cancelled_during_a_source_copies_nothing_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ward = record(tmp_path / "ward.sqlite3", "ward-pc")
    target = tmp_path / "combined.sqlite3"
    monkeypatch.setattr("mgso4.audit.merge._PROGRESS_EVERY", 1)
    calls: list[int] = []

    def cancel() -> bool:
        # Not before the source starts; during its copy, after a few entries are in.
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        merge_into(target, [ward], cancel=cancel)

    assert len(calls) > 3
    assert counts(target) == (0, 0)
