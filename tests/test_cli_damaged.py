"""Damaged, crashed and crafted files: one clear line, never a traceback or a hang.

Attacks from the adversarial review:

* a record with 200 flipped bytes made ``verify`` (and every command that opens a record)
  raise UnicodeDecodeError: PRAGMA quick_check answered with bytes that are not UTF-8;
* ``export`` and ``report`` gave raw sqlite3.DatabaseError tracebacks on a file that is not a
  record, and exported from a record that fails ``verify`` with exit 0 and no warning;
* after a crash, a hot journal made ``verify`` and ``backup`` say the folder was read-only;
* a source whose ``event`` table was replaced by an endlessly recursive VIEW hung ``verify``
  and ``merge``.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mgso4.cli import main
from mgso4.storage import Store, verify_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("damaged") / "demo.sqlite3"
    assert main(["demo-data", "--db", str(path), "--episodes", "8", "--seed", "9", "--quiet"]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def flipped(demo: Path, folder: Path, count: int = 200) -> Path:
    """A copy of the record with ``count`` random bytes flipped, damaged the way the review's
    was: SQLite's own quick_check then answers with bytes that are not UTF-8 (raw Python
    sqlite3 raises UnicodeDecodeError on it). Seeds are tried until one does that."""
    original = demo.read_bytes()
    damaged = folder / "damaged.sqlite3"
    for seed in range(200):
        rng = random.Random(seed)
        data = bytearray(original)
        for _ in range(count):
            data[rng.randrange(100, len(data))] ^= rng.randrange(1, 256)
        damaged.write_bytes(bytes(data))
        try:
            with contextlib.closing(sqlite3.connect(damaged)) as raw:
                raw.execute("PRAGMA quick_check").fetchall()
        except UnicodeDecodeError:
            return damaged
        except sqlite3.Error:
            continue
    raise AssertionError("no seed damaged the file so that quick_check answers in non-UTF-8")


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [
        ["verify"],
        ["backup", "--to", "{folder}/backups"],
        ["report", "--quiet"],
        ["export", "--format", "csv", "--out", "{folder}/out.csv", "--quiet"],
        [
            "proforma",
            "--episode",
            "00000000-0000-4000-8000-000000000000",
            "--out",
            "{folder}/p.pdf",
        ],
    ],
    ids=lambda c: c[0],
)
def test_a_damaged_record_gives_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path, command: list[str]
) -> None:
    damaged = flipped(demo, tmp_path)
    args = [part.replace("{folder}", str(tmp_path)) for part in command]

    code, out, err = run(capsys, *args, "--db", str(damaged))

    if command[0] == "verify":  # verify exists to report damage: exit 1, "problems found"
        assert code == 1
        assert "Traceback" not in out + err
        assert "damaged" in out
    else:
        assert code == 2
        assert "damaged" in one_line(err) or "not" in one_line(err)


@pytest.mark.parametrize("command", ["report", "export"])
def test_a_file_that_is_not_a_record_gives_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE patients (name TEXT)")
    extra = ["--format", "csv", "--out", str(tmp_path / "o.csv")] if command == "export" else []

    code, _, err = run(capsys, command, "--db", str(other), *extra, "--quiet")

    assert code == 2
    assert "not a MgSO₄ proforma record" in one_line(err)


def test_export_and_report_refuse_a_record_that_fails_verify_unless_allowed(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path
) -> None:
    tampered = tmp_path / "tampered.sqlite3"
    shutil.copy(demo, tampered)
    with sqlite3.connect(tampered) as raw:
        raw.execute("DROP TRIGGER event_no_update")
        raw.execute("UPDATE event SET occurred_at = '2026-01-05T07:00:00.000000Z' WHERE seq = 3")
    out = tmp_path / "audit.csv"

    code, _, err = run(
        capsys, "export", "--db", str(tampered), "--format", "csv", "--out", str(out), "--quiet"
    )
    assert code == 2 and "does not pass verification" in one_line(err)
    assert not out.exists()
    code, _, err = run(capsys, "report", "--db", str(tampered), "--quiet")
    assert code == 2 and "does not pass verification" in one_line(err)

    code, stdout, _ = run(
        capsys,
        "export",
        "--db",
        str(tampered),
        "--format",
        "csv",
        "--out",
        str(out),
        "--quiet",
        "--allow-unverified",
    )
    assert code == 0 and "WARNING" in stdout
    code, stdout, _ = run(capsys, "report", "--db", str(tampered), "--quiet", "--allow-unverified")
    assert code == 0 and "WARNING" in stdout


def hot_journal_copy(demo: Path, folder: Path) -> Path:
    """A copy of the record taken while a save was under way: the journal beside it is hot."""
    live = folder / "live.sqlite3"
    shutil.copy(demo, live)
    crashed = folder / "crashed.sqlite3"
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("PRAGMA journal_mode = DELETE")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO meta (key, value) VALUES ('half-saved', 'x')")
    writer.execute("PRAGMA cache_size = 1")  # make SQLite write the page (and its journal) now
    writer.execute("CREATE TABLE spill AS SELECT * FROM event")
    shutil.copy(live, crashed)
    shutil.copy(Path(f"{live}-journal"), Path(f"{crashed}-journal"))
    writer.execute("ROLLBACK")
    writer.close()
    return crashed


def test_after_a_crash_verify_and_backup_roll_the_unfinished_save_back(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path
) -> None:
    crashed = hot_journal_copy(demo, tmp_path)
    (tmp_path / "second").mkdir()
    crashed_again = hot_journal_copy(demo, tmp_path / "second")

    code, out, err = run(capsys, "verify", "--db", str(crashed), "--json")
    assert code == 0, out + err
    assert json.loads(out)["ok"] is True
    assert not Path(f"{crashed}-journal").exists()
    code, _, err = run(capsys, "backup", "--db", str(crashed_again), "--to", str(tmp_path / "b"))
    assert code == 0, err

    for path in (crashed, crashed_again):
        with sqlite3.connect(path) as raw:
            half_saved = raw.execute("SELECT count(*) FROM meta WHERE key = 'half-saved'")
            assert half_saved.fetchone() == (0,)


def test_after_a_crash_in_a_read_only_folder_the_message_says_what_happened(
    capsys: pytest.CaptureFixture[str],
    demo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashed = hot_journal_copy(demo, tmp_path)
    real_connect = sqlite3.connect

    def read_only_folder(target: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        # What SQLite reports when this account may not write the folder (root may write
        # anywhere, so the refusal is played here rather than made with permissions).
        if str(target).endswith("?mode=rw"):
            refused = sqlite3.OperationalError("attempt to write a readonly database")
            refused.sqlite_errorcode = 8  # type: ignore[attr-defined]
            raise refused
        return real_connect(target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("mgso4.storage.sqlite_setup.sqlite3.connect", read_only_folder)

    code, _, err = run(capsys, "backup", "--db", str(crashed), "--to", str(tmp_path / "b"))

    line = one_line(err)
    assert code == 2
    assert "crash or power cut" in line and "do not delete the journal" in line
    assert "read-only" not in line  # it says what happened, not only what to ask IT
    assert Path(f"{crashed}-journal").exists()  # nothing was deleted or changed


def crafted_source(folder: Path) -> Path:
    """A file that looks like a record but whose event table is an endless recursive view."""
    path = folder / "crafted.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            """
            PRAGMA application_id = 1298617140;
            PRAGMA user_version = 2;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
            INSERT INTO meta VALUES ('workstation_id', 'crafted');
            CREATE TABLE episode (uuid TEXT PRIMARY KEY, created_at TEXT, workstation_id TEXT,
                                  training INTEGER);
            CREATE VIEW event AS
                WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever)
                SELECT n AS uuid FROM forever;
            CREATE TRIGGER event_no_update INSTEAD OF UPDATE ON event BEGIN SELECT 1; END;
            """
        )
    return path


def test_a_crafted_source_is_refused_without_hanging(tmp_path: Path) -> None:
    source = crafted_source(tmp_path)

    report = verify_path(source)

    assert not report.ok
    assert "view" in report.problems[0]


def test_merge_and_verify_of_a_crafted_source_end_in_a_subprocess(tmp_path: Path) -> None:
    source = crafted_source(tmp_path)
    target = tmp_path / "unit.sqlite3"
    for args in (["verify", "--db", str(source)], ["merge", "--into", str(target), str(source)]):
        result = subprocess.run(
            [sys.executable, "-m", "mgso4", *args, "--quiet"]
            if args[0] == "merge"
            else [sys.executable, "-m", "mgso4", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            check=False,
        )
        assert result.returncode in (1, 2), result
        assert "Traceback" not in result.stderr
        assert "view" in result.stdout + result.stderr
    with Store.open(target, readonly=True) as store:
        assert store.counts() == {"episodes": 0, "events": 0}
