"""Saving a PDF never leaves a partial file: the old file stays or the whole new one is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mgso4.reports import write_pdf_atomically

PDF = b"%PDF-1.4\n% a tiny stand-in document\n%%EOF\n"


def test_writes_the_whole_document(tmp_path: Path) -> None:
    target = tmp_path / "proforma.pdf"
    assert write_pdf_atomically(PDF, target) == target
    assert target.read_bytes() == PDF


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "proforma.pdf"
    target.write_bytes(b"%PDF-old")
    write_pdf_atomically(PDF, target)
    assert target.read_bytes() == PDF


def test_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    write_pdf_atomically(PDF, tmp_path / "proforma.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["proforma.pdf"]


def test_failure_during_the_swap_keeps_the_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "proforma.pdf"
    target.write_bytes(b"%PDF-old")

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_pdf_atomically(PDF, target)
    assert target.read_bytes() == b"%PDF-old"
    assert [p.name for p in tmp_path.iterdir()] == ["proforma.pdf"]


def test_data_that_is_not_a_pdf_is_refused_and_nothing_written(tmp_path: Path) -> None:
    target = tmp_path / "proforma.pdf"
    with pytest.raises(ValueError, match="not a PDF"):
        write_pdf_atomically(b"<html>", target)
    assert not target.exists()


def test_missing_folder_is_named_in_the_message(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_pdf_atomically(PDF, tmp_path / "nowhere" / "proforma.pdf")
