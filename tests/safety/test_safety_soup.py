"""The SOUP list (docs/safety/soup.md) matches the installed components and states the known
anomalies that the design depends on."""

from __future__ import annotations

import difflib
import importlib.metadata as metadata
import sqlite3
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "safety"))

import soup_list  # noqa: E402

REGENERATE = "regenerate with: .venv/bin/python tools/safety/generate.py"


@pytest.fixture(scope="module")
def generated() -> str:
    return soup_list.render_soup()


def _shipped_rows(text: str) -> dict[str, list[str]]:
    """Shipped-table rows by component name: the cells after the name."""
    section = text.split("## Shipped components", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith(("| Component", "|---")):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            rows[cells[0]] = cells[1:]
    return rows


def test_soup_list_matches_the_installed_versions(generated: str) -> None:
    actual = soup_list.SOUP_PATH.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            actual.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            "soup.md (committed)",
            "soup.md (installed now)",
            n=0,
        )
    )
    assert actual == generated, f"docs/safety/soup.md is out of date; {REGENERATE}\n{diff}"


def test_every_direct_runtime_dependency_is_listed_with_its_installed_version(
    generated: str,
) -> None:
    runtime, _ = soup_list.project_requirements()
    rows = _shipped_rows(generated)
    for text in runtime:
        name = Requirement(text).name
        dist = metadata.distribution(name)
        assert rows[dist.metadata["Name"]][0] == dist.version, name


def test_runtime_sqlite_and_qt_versions_are_listed(generated: str) -> None:
    from PySide6 import QtCore

    rows = _shipped_rows(generated)
    assert rows["SQLite"][0] == sqlite3.sqlite_version
    assert rows["Qt"][0] == QtCore.qVersion()
    assert rows["CPython"][0] == ".".join(map(str, sys.version_info[:3]))


@pytest.mark.parametrize("tool", ["pytest", "ruff", "mypy", "hypothesis", "pytest-qt"])
def test_development_tools_are_listed_as_not_shipped(tool: str, generated: str) -> None:
    shipped, dev = generated.split("## Development tools — not shipped", 1)
    assert f"| {tool} |" not in shipped
    assert f"| {tool} |" in dev


def test_every_shipped_component_states_its_anomaly_check(generated: str) -> None:
    rows = _shipped_rows(generated)
    assert all(cells[-1] for cells in rows.values())


def test_sqlite_row_states_the_wal_reset_bug_for_this_version(generated: str) -> None:
    anomaly = _shipped_rows(generated)["SQLite"][-1]
    assert "WAL-reset" in anomaly
    affected = soup_list.sqlite_wal_affected(sqlite3.sqlite_version)
    assert ("IS AFFECTED" in anomaly) is affected


def test_reportlab_row_states_the_missing_subscript_four(generated: str) -> None:
    assert "₄" in _shipped_rows(generated)["reportlab"][-1]


def test_qt_row_states_the_pdf_view_fit_mode_stall(generated: str) -> None:
    assert "QPdfView fit modes" in _shipped_rows(generated)["Qt"][-1]


def test_qt_row_states_whether_this_version_has_the_refcount_defect(generated: str) -> None:
    from PySide6 import QtCore

    anomaly = _shipped_rows(generated)["Qt"][-1]
    assert "Reference-count defect" in anomaly
    assert ("IS AFFECTED" in anomaly) is soup_list.qt_refcount_defect(QtCore.qVersion())


@pytest.mark.parametrize(
    ("version", "affected"), [("6.11.3", False), ("6.12.0", True), ("6.12.1", False)]
)
def test_qt_refcount_defect_is_placed_at_6_12_0(version: str, affected: bool) -> None:
    assert soup_list.qt_refcount_defect(version) is affected


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("3.6.23", False),
        ("3.7.0", True),
        ("3.40.1", True),
        ("3.44.5", True),
        ("3.44.6", False),
        ("3.45.0", True),
        ("3.50.6", True),
        ("3.50.7", False),
        ("3.51.2", True),
        ("3.51.3", False),
        ("3.53.0", False),
    ],
)
def test_wal_reset_bug_versions_on_both_sides_of_each_fix(version: str, affected: bool) -> None:
    assert soup_list.sqlite_wal_affected(version) is affected


@pytest.mark.parametrize(
    "version", ["3.40.1", "3.44.5", "3.44.6", "3.45.0", "3.50.7", "3.51.2", "3.51.3"]
)
def test_the_store_avoids_wal_exactly_where_the_soup_list_says_the_bug_applies(
    version: str,
) -> None:
    from mgso4.storage import sqlite_setup

    assert sqlite_setup.wal_is_safe(version) is not soup_list.sqlite_wal_affected(version)
