"""The PyInstaller spec and entry point (building the bundle itself is `make bundle`)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mgso4 import __version__

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "mgso4.spec"
ENTRY = ROOT / "packaging" / "entry.py"


def excluded_modules() -> list[str]:
    block = re.search(r"EXCLUDED_MODULES = \[(.*?)\n\]", SPEC.read_text(encoding="utf-8"), re.S)
    assert block, "EXCLUDED_MODULES not found in the spec"
    return re.findall(r'"([\w.]+)"', block.group(1))


def app_imports() -> set[str]:
    """Every module named in an import statement in the app's source."""
    found: set[str] = set()
    pattern = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w, ()]+)|import\s+([\w.]+))", re.M)
    for path in (ROOT / "desktop" / "mgso4").rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            if match.group(3):
                found.add(match.group(3))
                continue
            found.add(match.group(1))
            # `from PySide6 import QtPdf` names the module after "import"
            for name in re.split(r"[,\s()]+", match.group(2)):
                if name:
                    found.add(f"{match.group(1)}.{name}")
    return found


def test_entry_point_runs_the_mgso4_command() -> None:
    result = subprocess.run(
        [sys.executable, str(ENTRY), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"mgso4 {__version__}"


@pytest.mark.parametrize(
    "heavy",
    ["PySide6.QtWebEngineCore", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.Qt3DCore",
     "PySide6.QtMultimedia"],
)  # fmt: skip
def test_spec_leaves_out_heavy_unused_qt_modules(heavy: str) -> None:
    assert heavy in excluded_modules()


def test_spec_keeps_the_qt_modules_for_pdf_preview_and_printing() -> None:
    kept = {"PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtPrintSupport", "PySide6.QtSvg"}
    assert kept.isdisjoint(excluded_modules())


def test_app_imports_no_module_the_spec_leaves_out() -> None:
    # If the app starts using an excluded Qt module, the bundle would fail at run time: take
    # it out of EXCLUDED_MODULES in packaging/mgso4.spec.
    used = app_imports()
    clashes = sorted(
        module
        for module in excluded_modules()
        if any(name == module or name.startswith(module + ".") for name in used)
    )
    assert clashes == []


def test_spec_builds_from_the_entry_point_with_every_mgso4_module() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    assert '[str(PROJECT_ROOT / "packaging" / "entry.py")]' in spec
    assert 'hiddenimports=collect_submodules("mgso4")' in spec
    assert ENTRY.is_file()
