"""The bundle's entry point: the ``mgso4`` command, plus ``--smoke-test`` for installers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import entry  # noqa: E402  (packaging/ is not a package)


def test_smoke_test_without_a_throwaway_record_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without --db the app would open the user's real record.
    assert entry.run(["--smoke-test", "board.png"]) == entry.EXIT_SMOKE_USAGE
    assert "the real record is never used" in capsys.readouterr().err


def test_smoke_test_without_a_picture_path_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.run(["--smoke-test"]) == entry.EXIT_SMOKE_USAGE
    assert "--smoke-test board.png --db smoke.sqlite3" in capsys.readouterr().err


def test_other_arguments_go_to_the_mgso4_command(capsys: pytest.CaptureFixture[str]) -> None:
    from mgso4 import __version__

    with pytest.raises(SystemExit) as stopped:
        entry.run(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"mgso4 {__version__}"
