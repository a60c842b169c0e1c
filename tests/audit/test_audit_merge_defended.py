"""Merging never mixes two women's data, and only accepts records whose keys are known.

Attack from the adversarial review: a source episode with the same id as a target episode but
another woman's content was counted as one "conflict", yet its creation and note entries were
copied into the target's episode (the record then failed verify, and the proforma printed the
other woman's note under this woman's name); merge exited 1 after committing.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from audit_builders import MIDWIFE, PROTOCOL, EpisodeBuilder, utc

from mgso4.audit import merge as merge_module
from mgso4.audit.merge import MergeReport, merge_into
from mgso4.cli import main
from mgso4.core.episode import EventDraft, EventType, Note
from mgso4.storage import Store, default_db_path, verify_path

SHARED_EPISODE = "22222222-2222-4222-8222-222222222222"


class Computer:
    """A PC with its own signing keys and trust list."""

    def __init__(self, root: Path) -> None:
        from mgso4.storage.signing import KeyStore, TrustStore

        self.keys = KeyStore(root / "keys")
        self.trust = TrustStore(root / "trusted-keys.json")

    def record(self, path: Path, workstation_id: str, builders: list[EpisodeBuilder]) -> Path:
        with Store.open(
            path, workstation_id=workstation_id, check_location_safe=False, keys=self.keys
        ) as store:
            for built in builders:
                built.save(store)
        return path

    def merge(self, target: Path, sources: list[Path], trust: tuple[str, ...] = ()) -> MergeReport:
        return merge_into(target, sources, keys=self.keys, trust_store=self.trust, trust=trust)

    def anchors(self) -> Any:
        from mgso4.storage.signing import Anchors

        return Anchors.local([], keys=self.keys, trust=self.trust)


def woman(name: str, identifier: str, day: int = 5) -> EpisodeBuilder:
    built = EpisodeBuilder(
        created_at=utc(f"2026-01-{day:02d} 08:00"),
        gestation_days_at_birth_date=196,
        birth_date=date(2026, 1, day),
        name=name,
        identifier=identifier,
        episode_uuid=SHARED_EPISODE,
    )
    built.birth(utc(f"2026-01-{day:02d} 15:00"))
    return built


def counts(path: Path) -> tuple[int, int]:
    with Store.open(path, readonly=True) as store:
        numbers = store.counts()
    return numbers["episodes"], numbers["events"]


@pytest.fixture
def unit(tmp_path: Path) -> Computer:
    return Computer(tmp_path / "unit-pc")


def test_a_source_with_another_woman_under_the_same_episode_id_is_refused_whole(
    unit: Computer, tmp_path: Path
) -> None:
    first = unit.record(tmp_path / "a.sqlite3", "a-pc", [woman("Ann First", "9990000026")])
    other = woman("Beth Second", "9990000034")
    with Store.open(
        tmp_path / "b.sqlite3", workstation_id="b-pc", check_location_safe=False, keys=unit.keys
    ) as store:
        other.save(store)
        store.append(
            EventDraft.make(
                EventType.NOTE,
                Note(text="Beth's note: declined MgSO4"),
                episode_uuid=SHARED_EPISODE,
                occurred_at=utc("2026-01-05 16:00"),
                recorded_by=MIDWIFE,
            ),
            PROTOCOL,
        )
    target = tmp_path / "unit.sqlite3"
    unit.merge(target, [first])
    before = counts(target)

    report = unit.merge(target, [tmp_path / "b.sqlite3"])

    refused = report.sources[0]
    assert refused.refused is not None and SHARED_EPISODE in refused.refused
    assert (refused.added, refused.episodes_added) == (0, 0)
    fields = {f for conflict in refused.conflict_details for f in conflict.fields}
    assert {"payload.patient.name", "payload.patient.identifier"} <= fields
    assert counts(target) == before
    assert verify_path(target).ok
    with Store.open(target, readonly=True) as store:
        texts = [event.payload.get("text") for event in store.events(SHARED_EPISODE)]
        assert store.episode(SHARED_EPISODE).patient.name == "Ann First"
    assert "Beth's note: declined MgSO4" not in texts


def test_the_command_line_refuses_it_before_writing_and_names_the_episode(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with Store.open(tmp_path / "a.sqlite3", workstation_id="a-pc", check_location_safe=False) as s:
        woman("Ann First", "9990000026").save(s)
    with Store.open(tmp_path / "b.sqlite3", workstation_id="b-pc", check_location_safe=False) as s:
        woman("Beth Second", "9990000034").save(s)
    target = tmp_path / "unit.sqlite3"
    assert main(["merge", "--into", str(target), str(tmp_path / "a.sqlite3"), "--quiet"]) == 0
    before = target.read_bytes()
    capsys.readouterr()

    code = main(["merge", "--into", str(target), str(tmp_path / "b.sqlite3"), "--quiet", "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 1
    source = data["sources"][0]
    assert SHARED_EPISODE in source["refused"]
    assert source["events_added"] == 0
    assert any(
        "payload.patient.name" in conflict["fields"] for conflict in source["conflict_details"]
    )
    assert target.read_bytes() == before


def test_a_source_signed_with_an_unknown_key_is_refused_until_trusted(
    unit: Computer, tmp_path: Path
) -> None:
    ward = Computer(tmp_path / "ward-pc")
    source = ward.record(tmp_path / "ward.sqlite3", "ward-pc", [woman("Cara Third", "9990000042")])
    target = tmp_path / "unit.sqlite3"

    refused = unit.merge(target, [source]).sources[0]

    assert refused.refused is not None and "--trust" in refused.refused
    (label,) = refused.untrusted
    assert label == ward.keys.load("ward-pc").fingerprint  # type: ignore[union-attr]
    assert counts(target) == (0, 0)

    accepted = unit.merge(target, [source], trust=(label,)).sources[0]

    assert accepted.ok and accepted.added == counts(source)[1]
    report = verify_path(target, anchors=unit.anchors())
    assert report.ok, report.problems  # the key is now trusted on the unit's PC
    assert {k["confirmed_by"] for k in report.keys} >= {"trusted on this computer"}


def test_a_forged_copy_of_a_known_workstation_with_another_key_is_refused(
    unit: Computer, tmp_path: Path
) -> None:
    """Someone makes a file claiming to be ward-pc, signed with their own key."""
    ward = Computer(tmp_path / "ward-pc")
    real = ward.record(tmp_path / "ward.sqlite3", "ward-pc", [woman("Ann First", "9990000026")])
    target = tmp_path / "unit.sqlite3"
    label = ward.keys.load("ward-pc").fingerprint  # type: ignore[union-attr]
    assert unit.merge(target, [real], trust=(label,)).ok
    forger = Computer(tmp_path / "forger")
    forged = forger.record(
        tmp_path / "forged.sqlite3", "ward-pc", [woman("Dana Fourth", "9990000050", day=9)]
    )

    report = unit.merge(target, [forged])

    assert report.sources[0].refused is not None
    assert report.sources[0].untrusted == [forger.keys.load("ward-pc").fingerprint]  # type: ignore[union-attr]


def test_an_unsigned_old_source_needs_its_workstation_named(unit: Computer, tmp_path: Path) -> None:
    old = unit.record(tmp_path / "old.sqlite3", "old-pc", [woman("Eve Fifth", "9990000069")])
    connection = sqlite3.connect(old, isolation_level=None)
    for table in ("workstation_key", "event_signature"):
        for action in ("update", "delete"):
            connection.execute(f"DROP TRIGGER {table}_no_{action}")
        connection.execute(f"DROP TABLE {table}")
    connection.execute("PRAGMA user_version = 1")
    connection.close()
    other = Computer(tmp_path / "other")  # a computer that never held old-pc's key
    target = tmp_path / "unit.sqlite3"

    refused = other.merge(target, [old]).sources[0]
    assert refused.refused is not None and refused.untrusted == ["old-pc"]

    accepted = other.merge(target, [old], trust=("old-pc",)).sources[0]
    assert accepted.ok
    report = verify_path(target, anchors=other.anchors())
    assert report.ok, report.problems
    assert report.unsigned == {"old-pc": (1, counts(old)[1])}


def test_merging_into_the_live_record_is_refused_by_the_command_line_as_on_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MGSO4_DATA_DIR", str(tmp_path / "data"))
    live = default_db_path()
    Store.open(live, check_location_safe=False).close()
    source = tmp_path / "a.sqlite3"
    with Store.open(source, workstation_id="a-pc", check_location_safe=False) as store:
        woman("Ann First", "9990000026").save(store)
    before = counts(live)

    code = main(["merge", "--into", str(live), str(source), "--quiet"])

    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert merge_module.merge_target_refusal(live) is not None
    assert "ward board" in err
    assert counts(live) == before


def test_merging_into_a_record_with_a_running_episode_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "busy.sqlite3"
    running = EpisodeBuilder(
        created_at=utc("2026-01-05 08:00"),
        gestation_days_at_birth_date=196,
        birth_date=date(2026, 1, 5),
    )
    running.course(utc("2026-01-05 09:00"), None)
    with Store.open(target, check_location_safe=False) as store:
        running.save(store)

    assert "ward board" in (merge_module.merge_target_refusal(target) or "")
    assert merge_module.merge_target_refusal(tmp_path / "new-audit.sqlite3") is None
