"""The boundaries in design.md, enforced: core is pure; storage, reports and audit have no Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "desktop" / "mgso4"

FORBIDDEN = {
    "core": {"PySide6", "sqlite3", "sqlite_utils", "reportlab", "matplotlib", "openpyxl"},
    "storage": {"PySide6"},
    "reports": {"PySide6", "sqlite3", "sqlite_utils"},
    "audit": {"PySide6"},
}


def imported_roots(path: Path) -> set[str]:
    """Top-level module names imported anywhere in a file (including inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("area", sorted(FORBIDDEN))
def test_area_does_not_import_forbidden_modules(area: str) -> None:
    offenders = {}
    for path in sorted((PACKAGE / area).rglob("*.py")):
        bad = imported_roots(path) & FORBIDDEN[area]
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert offenders == {}, f"{area} must not import {sorted(FORBIDDEN[area])}: {offenders}"


def test_core_does_not_import_other_app_layers() -> None:
    offenders = []
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] == "mgso4" and len(parts) > 1 and parts[1] != "core":
                    offenders.append(f"{path.name}: {node.module}")
    assert offenders == []


def test_checker_detects_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import PySide6.QtWidgets\n    from sqlite3 import connect\n")
    assert {"PySide6", "sqlite3"} <= imported_roots(sample)


def test_spc_rules_are_pure() -> None:
    """The SPC rules are pure functions: no drawing library, no Qt, no storage."""
    path = PACKAGE / "audit" / "spc.py"
    forbidden = {"PySide6", "matplotlib", "reportlab", "sqlite3", "sqlite_utils"}
    assert imported_roots(path) & forbidden == set()
