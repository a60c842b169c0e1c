"""All-or-nothing output files, the cancel flag and the collector pause of long work."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

from mgso4.audit.progress import (
    AuditError,
    Cancelled,
    atomic_outputs,
    check_cancel,
    collector_paused,
    is_cancelled,
)


def test_outputs_appear_only_when_the_block_completes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"

    with atomic_outputs(first, second) as (temp_first, temp_second):
        temp_first.write_text("a")
        temp_second.write_text("b")
        assert not first.exists() and not second.exists()

    assert (first.read_text(), second.read_text()) == ("a", "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_error_removes_the_temporary_files_and_keeps_the_old_target(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    target.write_text("old")

    with pytest.raises(RuntimeError), atomic_outputs(target) as (temporary,):
        temporary.write_text("half")
        raise RuntimeError("disk went away")

    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_missing_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="does not exist"), atomic_outputs(tmp_path / "no" / "x"):
        pass


def test_cancel_accepts_an_event_or_a_callable() -> None:
    event = threading.Event()
    assert not is_cancelled(event)
    event.set()
    assert is_cancelled(event)
    assert is_cancelled(lambda: True)
    assert not is_cancelled(None)


def test_check_cancel_raises_with_a_message_saying_nothing_was_written() -> None:
    with pytest.raises(Cancelled, match="The export was cancelled; no file was written"):
        check_cancel(lambda: True, "The export")


def test_collector_pause_ends_with_the_last_of_nested_pauses() -> None:
    assert gc.isenabled()

    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer work is still running

    assert gc.isenabled()


def test_collector_pause_ends_even_when_the_work_fails() -> None:
    with pytest.raises(Cancelled), collector_paused():
        raise Cancelled("The export")

    assert gc.isenabled()


def test_collector_pause_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
