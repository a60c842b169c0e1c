"""Driving the scripting front end from tests: ``mgso4 record`` with JSON Lines and
``mgso4 episode --json``, through the real command-line entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mgso4.cli import main


def record(
    capsys: pytest.CaptureFixture[str], db: Path, lines: list[dict[str, Any]], tmp_path: Path
) -> tuple[int, str, str]:
    """Run ``mgso4 record`` on these actions; its exit code, stdout and stderr."""
    source = tmp_path / "actions.jsonl"
    source.write_text("".join(json.dumps(item) + "\n" for item in lines), encoding="utf-8")
    code = main(["record", "--db", str(db), "--file", str(source)])
    out, err = capsys.readouterr()
    return code, out, err


def episode(capsys: pytest.CaptureFixture[str], db: Path, uuid: str, at: str) -> dict[str, Any]:
    """``mgso4 episode --json`` as at ``at`` (it must succeed)."""
    code = main(["episode", "--db", str(db), "--episode", uuid, "--at", at, "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    return data
