"""Reports render what they are handed: no Qt, no database (design.md "Boundaries")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"


def test_importing_the_reports_pulls_in_no_qt_and_no_database() -> None:
    code = (
        "import sys; import mgso4.reports; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'sqlite3', 'sqlite_utils', '_sqlite3')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(DESKTOP)},
    )
    assert result.stdout.strip() == "[]"
