"""The command line on a unit record: server init, verify, backup, episodes, restore refused,
merge --into (migration of per-PC files), and the server's own safeguards."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from pg_cluster import ADMIN, Cluster
from storage_builders import PROTOCOL, T0, created, observation

from mgso4.cli import main
from mgso4.storage import Store, open_record

MINUTE = timedelta(minutes=1)


def _json(capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    return json.loads(capsys.readouterr().out)


def test_server_init_makes_the_record_once_and_says_so_the_second_time(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"init{uuid.uuid4().hex[:8]}"
    with psycopg.connect(cluster.uri(ADMIN, "postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    uri = cluster.uri(ADMIN, name)

    assert main(["server", "init", "--db", uri, "--app-login", "ward_pc", "--json"]) == 0
    first = _json(capsys)
    assert any("created" in line for line in first["done"])
    assert main(["server", "init", "--db", uri, "--json"]) == 0
    assert any("already exists: left as it is" in line for line in _json(capsys)["done"])


def test_a_ward_login_may_only_read_and_add_and_the_owner_is_refused_by_triggers(
    cluster: Cluster, server_uri: str
) -> None:
    episode = str(uuid.uuid4())
    with open_record(server_uri) as store:
        store.append(created(episode), PROTOCOL)
    with psycopg.connect(server_uri, autocommit=True) as ward:
        for statement in (
            "UPDATE mgso4.event SET payload = '{}'",
            "DELETE FROM mgso4.event",
            "TRUNCATE mgso4.event_signature",
            "UPDATE mgso4.meta SET value = 'x'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                ward.execute(statement)
    database = server_uri.split("/")[3].split("?")[0]
    with psycopg.connect(cluster.uri(ADMIN, database), autocommit=True) as owner:
        for statement in ("UPDATE mgso4.event SET payload = '{}'", "DELETE FROM mgso4.episode"):
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
                owner.execute(statement)


def test_verify_backup_and_episodes_take_a_server_uri(
    server_uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    episode = str(uuid.uuid4())
    with open_record(server_uri) as store:
        store.append(created(episode), PROTOCOL)
        store.append(observation(episode, at=T0 + MINUTE), PROTOCOL)

    assert main(["verify", "--db", server_uri, "--json"]) == 0
    assert _json(capsys)["ok"] is True
    assert main(["backup", "--db", server_uri, "--to", str(tmp_path / "b"), "--json"]) == 0
    backup = Path(_json(capsys)["backup"])
    with Store.open(backup, readonly=True) as copy:
        assert copy.verify().ok and len(copy.events(episode)) == 2
    assert main(["episodes", "--db", server_uri, "--json"]) in (0, 1)
    assert episode in capsys.readouterr().out
    assert main(["restore", str(backup), "--to", server_uri]) == 2
    assert "never replaced by a backup" in capsys.readouterr().err


def test_merge_into_a_server_migrates_verified_pc_records_once(
    server_uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = []
    episodes = []
    for n in range(2):
        path = tmp_path / f"pc{n}.sqlite3"
        episode = str(uuid.uuid4())
        with Store.open(path, check_location_safe=False) as pc:
            pc.append(created(episode), PROTOCOL)
            pc.append(observation(episode, at=T0 + MINUTE), PROTOCOL)
        files.append(str(path))
        episodes.append(episode)

    assert main(["merge", "--into", server_uri, *files, "--json"]) == 0
    first = _json(capsys)
    assert first["added_to_server"]["events"] == 4
    assert first["added_to_server"]["signatures"] == 4
    assert main(["merge", "--into", server_uri, *files, "--json"]) == 0
    assert _json(capsys)["added_to_server"] == {
        "episodes": 0,
        "events": 0,
        "keys": 0,
        "signatures": 0,
    }
    with open_record(server_uri, readonly=True) as store:
        assert all(len(store.events(e)) == 2 for e in episodes)
        report = store.verify()
    assert report.ok, report.problems
