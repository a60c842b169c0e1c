"""The SOUP list (docs/safety/soup.md) is made from the hashed lock files, names exactly what
they pin, and states the known anomalies that the design depends on. Nothing here reads the
installed environment (tests/safety/test_safety_environment.py does), so the answer is the same
on any machine on any day."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "safety"))

import soup_list  # noqa: E402

REGENERATE = "regenerate with: make lock (or .venv/bin/python tools/safety/generate.py)"


@pytest.fixture(scope="module")
def generated() -> str:
    return soup_list.render_soup()


def _rows(text: str, heading: str) -> dict[str, list[str]]:
    """A table's rows by component name: the cells after the name."""
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith(("| Component", "|---")):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            rows[cells[0]] = cells[1:]
    return rows


def _shipped_rows(text: str) -> dict[str, list[str]]:
    return _rows(text, "Shipped components")


def _runtime_pins() -> dict[str, str]:
    return {
        package.key: package.version
        for package in soup_list.read_lock(soup_list.LOCK_DIR / "runtime.txt")
        if "Linux" in package.platforms()
    }


def test_soup_list_matches_the_locks(generated: str) -> None:
    actual = soup_list.SOUP_PATH.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            actual.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            "soup.md (committed)",
            "soup.md (from the locks)",
            n=0,
        )
    )
    assert actual == generated, f"docs/safety/soup.md is out of date; {REGENERATE}\n{diff}"


def test_every_direct_runtime_dependency_is_listed_at_its_locked_version(generated: str) -> None:
    runtime, _ = soup_list.project_requirements()
    rows = {canonicalize_name(name): cells for name, cells in _shipped_rows(generated).items()}
    pins = _runtime_pins()
    for text in runtime:
        key = canonicalize_name(Requirement(text).name)
        assert key in pins, f"{key} is in pyproject.toml but not in requirements/runtime.txt"
        assert rows[key][0] == pins[key], key


def test_every_locked_runtime_package_is_in_the_shipped_table(generated: str) -> None:
    rows = {canonicalize_name(name) for name in _shipped_rows(generated)}
    assert set(_runtime_pins()) <= rows


def test_pyproject_ranges_admit_the_locked_versions() -> None:
    runtime, dev = soup_list.project_requirements()
    pins = {
        package.key: package.version
        for package in soup_list.read_lock(soup_list.LOCK_DIR / "dev.txt")
        if "Linux" in package.platforms()
    }
    for text in [*runtime, *dev]:
        requirement = Requirement(text)
        key = canonicalize_name(requirement.name)
        assert requirement.specifier.contains(pins[key], prereleases=True), (key, pins[key])


def test_the_qt_row_is_the_pinned_pyside6_version(generated: str) -> None:
    rows = _shipped_rows(generated)
    assert rows["Qt"][0] == _runtime_pins()["pyside6-essentials"]


def test_the_sqlite_row_names_the_library_of_each_delivery_not_a_test_machine(
    generated: str,
) -> None:
    cells = _shipped_rows(generated)["SQLite"]
    assert cells[0] == "the Python runtime's"
    assert "Linux source install" in cells[1] and "Windows bundle" in cells[1]


def test_a_platform_specific_package_says_which_platform(generated: str) -> None:
    bundle = _rows(generated, "Shipped in the desktop bundle only")
    assert "Windows only" in bundle["pefile"][1]
    assert "macholib" not in bundle  # macOS is not a delivery


def test_a_locked_package_without_a_reviewed_licence_is_refused(tmp_path: Path) -> None:
    licences = tmp_path / "licences.toml"
    text = soup_list.LICENCES_PATH.read_text(encoding="utf-8")
    licences.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("reportlab ")),
        encoding="utf-8",
    )
    with pytest.raises(soup_list.LockError, match="reportlab"):
        soup_list.render_soup(licences_path=licences)


def test_an_unreadable_lock_line_is_refused(tmp_path: Path) -> None:
    for name in ("runtime.txt", "dev.txt", "bundle.txt"):
        (tmp_path / name).write_text(
            (soup_list.LOCK_DIR / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    with (tmp_path / "runtime.txt").open("a", encoding="utf-8") as handle:
        handle.write("reportlab>=4\n")
    with pytest.raises(soup_list.LockError, match="unexpected line"):
        soup_list.render_soup(lock_dir=tmp_path)


@pytest.mark.parametrize("tool", ["pytest", "ruff", "mypy", "hypothesis", "pytest-qt"])
def test_development_tools_are_listed_as_not_shipped(tool: str, generated: str) -> None:
    shipped, dev = generated.split("## Development tools — not shipped", 1)
    assert f"| {tool} |" not in shipped
    assert f"| {tool} |" in dev


def test_every_shipped_component_states_its_anomaly_check(generated: str) -> None:
    rows = _shipped_rows(generated)
    assert all(cells[-1] for cells in rows.values())


def test_sqlite_row_states_the_wal_reset_bug_and_the_run_time_check(generated: str) -> None:
    anomaly = _shipped_rows(generated)["SQLite"][-1]
    assert "WAL-reset" in anomaly
    assert "rollback journal" in anomaly and "run time" in anomaly


def test_reportlab_row_states_the_missing_subscript_four(generated: str) -> None:
    assert "₄" in _shipped_rows(generated)["reportlab"][-1]


def test_qt_row_states_the_pdf_view_fit_mode_stall(generated: str) -> None:
    assert "QPdfView fit modes" in _shipped_rows(generated)["Qt"][-1]


def test_qt_row_states_whether_the_pinned_version_has_the_refcount_defect(
    generated: str,
) -> None:
    anomaly = _shipped_rows(generated)["Qt"][-1]
    assert "Reference-count defect" in anomaly
    pinned = _runtime_pins()["pyside6-essentials"]
    assert ("IS AFFECTED" in anomaly) is soup_list.qt_refcount_defect(pinned)


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
