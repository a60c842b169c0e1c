"""Backups survive a clock that went back.

Attack from the adversarial review: rotation sorted backups by the time in their names, so after
a clock change backwards (a flat CMOS battery; the deployment guide mentions it) each new backup
was deleted as soon as it was written, while ``backup`` reported success.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from storage_builders import PROTOCOL, T0, StepClock, created, observation

from mgso4.cli import main
from mgso4.storage import Store, list_backups, newest_good_backup
from mgso4.storage import backup as backup_module


def grow(store: Store, episode: str, at_minutes: int) -> None:
    store.append(observation(episode, at=T0 + timedelta(minutes=at_minutes)), PROTOCOL)


def test_backups_written_after_the_clock_went_back_are_kept_and_the_oldest_content_goes(
    tmp_path: Path,
) -> None:
    clock = StepClock(start=T0)
    folder = tmp_path / "backups"
    episode = str(uuid.uuid4())
    with Store.open(tmp_path / "record.sqlite3", clock=clock, check_location_safe=False) as store:
        store.append(created(episode), PROTOCOL)
        for day in range(3):  # three daily backups with the right time
            grow(store, episode, day)
            clock.now = T0 + timedelta(days=day)
            store.backup(folder, keep=3)
            assert store.last_backup_warning is None
        clock.now = T0 - timedelta(days=365)  # the battery went flat: a year back
        written = []
        for day in range(3):
            grow(store, episode, 100 + day)
            written.append(store.backup(folder, keep=3))
            assert written[-1].exists()  # never deleted as soon as it was written
            assert store.last_backup_warning is not None
            assert "clock" in store.last_backup_warning
        newest_entries = store.counts()["events"]

    kept = sorted(b.path for b in list_backups(folder))
    assert kept == sorted(written)
    assert newest_good_backup(folder) == written[-1]
    assert backup_module.backup_content(written[-1])[0] == newest_entries


def test_the_backup_command_says_the_clock_is_behind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    future = StepClock(start=T0 + timedelta(days=3650))  # entries made with a clock far ahead
    record = tmp_path / "record.sqlite3"
    with Store.open(record, clock=future, check_location_safe=False) as store:
        store.append(created(str(uuid.uuid4())), PROTOCOL)

    code = main(["backup", "--db", str(record), "--to", str(tmp_path / "b"), "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert "clock" in data["warning"]
    assert "WARNING" in data["message"]


def test_a_backup_that_cannot_be_read_counts_as_holding_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "mgso4-20300101T000000Z.sqlite3"
    broken.write_bytes(b"not a database")

    assert backup_module.backup_content(broken) == (-1, "")
