"""The smaller defects of the adversarial review, each kept fixed.

* The cloud-folder check used the path as typed: a symbolic link into OneDrive passed.
* The ``Patient`` model accepted non-ASCII digits ("９４３…").
* An all-zero or world-readable pseudonym key was used silently.
* ``mgso4 demo-data`` killed part-way left its ``.partial`` files behind for good.
* The install check ``mgso4 --smoke-test board.png --db smoke.sqlite3`` failed on wheel and
  source installs ("invalid choice"), and ``mgso4-gui --smoke-test`` opened the app instead.
* Nothing said which record and protocol the app was using at start.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from mgso4.audit import demo as demo_module
from mgso4.audit.progress import AuditError
from mgso4.audit.pseudonym import load_or_create_key
from mgso4.core.episode import Patient
from mgso4.core.vocab import IdentifierType
from mgso4.storage import UnsafeLocationError, check_location

ROOT = Path(__file__).resolve().parent.parent


def test_a_link_into_a_cloud_synced_folder_is_refused(tmp_path: Path) -> None:
    cloud = tmp_path / "OneDrive - NHS Trust" / "records"
    cloud.mkdir(parents=True)
    link = tmp_path / "records"
    link.symlink_to(cloud, target_is_directory=True)

    with pytest.raises(UnsafeLocationError, match="OneDrive"):
        check_location(link / "record.sqlite3", mounts_file=tmp_path / "no-mounts")


@pytest.mark.parametrize("identifier", ["９４３４７６５９１９", "٩٤٣٤٧٦٥٩١٩", "943476591９"])
def test_the_patient_model_refuses_digits_that_are_not_ascii(identifier: str) -> None:
    with pytest.raises(ValidationError):
        Patient(id_type=IdentifierType.NHS, identifier=identifier, name="Test Patient")


def test_an_all_zero_pseudonym_key_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "pseudonym.key"
    key.write_bytes(bytes(32))
    key.chmod(0o600)

    with pytest.raises(AuditError, match="not a random key"):
        load_or_create_key(key)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_pseudonym_key_other_users_can_read_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "pseudonym.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o644)

    with pytest.raises(AuditError, match="other users"):
        load_or_create_key(key)


@pytest.mark.skipif(os.name != "posix", reason="fork and SIGKILL")
def test_demo_data_killed_part_way_leaves_nothing_after_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "demo.sqlite3"
    command = [sys.executable, "-m", "mgso4", "demo-data", "--db", str(target), "--quiet"]
    for attempt in range(3):
        writer = subprocess.Popen(
            [*command, "--episodes", "20000", "--seed", str(attempt)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("*.partial")) and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for the writer to start, not a timed assertion
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert list(tmp_path.glob("*.partial"))  # the kills left files behind

    result = subprocess.run(
        [*command, "--episodes", "3", "--seed", "1"], cwd=ROOT, check=False, capture_output=True
    )

    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite3"]


def test_partials_of_a_run_still_going_are_left_alone(tmp_path: Path) -> None:
    ours = tmp_path / f".demo.sqlite3.ward.{os.getpid()}-0123abcd.partial"
    ours.write_bytes(b"being written")
    gone = tmp_path / ".demo.sqlite3.ward.999999999-0123abcd.partial"
    gone.write_bytes(b"abandoned")

    removed = demo_module.remove_stale_partials(tmp_path / "demo.sqlite3")

    assert removed == [gone]
    assert ours.exists()


def smoke(command: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.run(
        [
            *command,
            "--smoke-test",
            str(tmp_path / "board.png"),
            "--db",
            str(tmp_path / "s.sqlite3"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "mgso4"],
        [sys.executable, "-c", "import sys; from mgso4.gui.app import main; sys.exit(main())"],
    ],
    ids=["mgso4", "mgso4-gui"],
)
def test_the_documented_install_check_works_from_a_source_install(
    command: list[str], tmp_path: Path
) -> None:
    result = smoke(command, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test: MainWindow" in result.stdout
    assert (tmp_path / "board.png").is_file() and (tmp_path / "board-audit.png").is_file()


def test_the_app_logs_which_record_and_protocol_it_uses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from mgso4.gui.app import StartOptions, build_context
    from mgso4.settings import Settings

    caplog.set_level(logging.INFO, logger="mgso4.gui.app")
    record = tmp_path / "record.sqlite3"

    context = build_context(
        StartOptions(db=record, training=False, protocol="acog-rouse"), settings=Settings()
    )
    context.store.close()

    text = caplog.text
    assert str(record.resolve()) in text
    assert "acog-rouse" in text and context.protocol.short_hash in text
    assert "MGSO4_DATA_DIR=" in text and "MGSO4_CONFIG_DIR=" in text
