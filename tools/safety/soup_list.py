"""SOUP (software of unknown provenance) list, built from what is actually installed.

Walks the runtime dependencies named in ``pyproject.toml`` and their requirements recursively
through ``importlib.metadata`` (only requirements whose environment markers apply here), then
adds the components that are not Python distributions: the CPython interpreter, the SQLite
library Python is linked against, the Qt libraries inside PySide6, and the vendored DejaVu
fonts. Development tools (the ``dev`` extra) are listed separately as not shipped.

The output is deterministic for a given installed set, so a test can regenerate it and compare.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import sqlite3
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT: Final = Path(__file__).resolve().parents[2]
SOUP_PATH: Final = ROOT / "docs" / "safety" / "soup.md"
FONT_DIR: Final = ROOT / "resources" / "fonts"

NOT_REVIEWED: Final = (
    "To be reviewed before release: release notes and issue tracker for {version}."
)

#: Why the product needs each component (canonical distribution name -> purpose).
PURPOSE: Final[Mapping[str, str]] = {
    "pyside6-essentials": "Qt for Python: the desktop user interface (widgets, wizard, board).",
    "pyside6-addons": "Qt for Python add-on modules: QtPdf / QtPdfWidgets for the print preview.",
    "shiboken6": "Qt for Python binding runtime (required by PySide6).",
    "reportlab": "PDF generation: completed proforma, blank downtime proforma, handover sheet.",
    "pydantic": "Validation of protocol files, event payloads and settings.",
    "pydantic-core": "Compiled validation engine used by pydantic.",
    "annotated-types": "Constraint types used by pydantic.",
    "typing-extensions": "Typing back-ports used by pydantic and others.",
    "typing-inspection": "Runtime type inspection used by pydantic.",
    "sqlite-utils": "Schema creation and queries on the SQLite record.",
    "sqlite-fts4": "Full-text search helper functions registered by sqlite-utils (not used).",
    "click": "Command-line framework used by sqlite-utils.",
    "click-default-group": "Command-line helper used by sqlite-utils.",
    "tabulate": "Table formatting used by sqlite-utils' command line (not used by the app).",
    "pluggy": "Plugin hooks used by sqlite-utils.",
    "python-dateutil": "Date parsing used by sqlite-utils and matplotlib (the app parses its own).",
    "six": "Python 2/3 compatibility layer required by python-dateutil.",
    "platformdirs": "Per-user data and config folders on Windows, macOS and Linux.",
    "nhs-number": "NHS number Modulus 11 check-digit validation.",
    "openpyxl": "XLSX export of audit tables.",
    "et-xmlfile": "XML writer used by openpyxl.",
    "fhir-resources": "FHIR R4 resource models for the FHIR audit export.",
    "fhir-core": "Core FHIR model support used by fhir.resources.",
    "matplotlib": "Audit charts (run charts, Pareto of missed-case reasons).",
    "contourpy": "Contour calculations required by matplotlib (not used by the app).",
    "cycler": "Style cycling used by matplotlib.",
    "fonttools": "Font handling used by matplotlib.",
    "kiwisolver": "Layout solver used by matplotlib.",
    "numpy": "Numerical arrays used by matplotlib (never for dose arithmetic: doses use Decimal).",
    "packaging": "Version parsing used by matplotlib and others.",
    "pillow": "Image handling used by matplotlib and reportlab.",
    "pyparsing": "Parser used by matplotlib.",
    "tzdata": "IANA time-zone rules for Europe/London where the system has none (Windows).",
    "pip": "Required by sqlite-utils (for its plugin installer); not used by the app.",
    "charset-normalizer": "Text encoding detection used by reportlab.",
}

#: Known anomalies checked for a component: (canonical name) -> function of version -> text.
#: Only what has actually been looked at is stated; everything else says it is not yet reviewed.


def sqlite_wal_affected(version: str) -> bool:
    """Whether a SQLite version has the WAL-reset bug.

    The bug is present from 3.7.0 to 3.51.2 and fixed in 3.51.3, with back-ports to 3.44.6 and
    3.50.7 (sqlite.org/wal.html#walresetbug; SQLite release history).
    """
    parsed = Version(version)
    fixed = (
        parsed >= Version("3.51.3")
        or (Version("3.44.6") <= parsed < Version("3.45"))
        or (Version("3.50.7") <= parsed < Version("3.51"))
    )
    return Version("3.7.0") <= parsed and not fixed


def _sqlite_anomalies(version: str) -> str:
    affected = sqlite_wal_affected(version)
    wal = (
        f"WAL-reset database corruption bug (3.7.0–3.51.2; fixed in 3.51.3, back-ported to "
        f"3.44.6 and 3.50.7; sqlite.org/wal.html): {version} IS AFFECTED, so the store uses a "
        "rollback journal instead of WAL on this version (storage: journal mode chosen from the "
        "runtime version)."
        if affected
        else f"WAL-reset database corruption bug (3.7.0–3.51.2): {version} is not affected."
    )
    return f"{wal} Other release-history items for {version}: to be reviewed before release."


def qt_refcount_defect(version: str) -> bool:
    """Whether a Qt for Python version has the reference-count defect that aborts Python.

    PySide6 6.12.0 on Python 3.11 drops a reference to ``True`` on every ``Signal.emit()``
    and to ``None`` on every ``processEvents()``; the interpreter aborts after a few hundred
    signals (found in this project; tests/gui/test_qt_refcounts.py fails on such a version).
    """
    return Version("6.12.0") <= Version(version) < Version("6.12.1")


def _qt_anomalies(version: str) -> str:
    refcount = (
        f"Reference-count defect of PySide6 6.12.0 (Signal.emit and processEvents drop "
        f"references to True/None; Python aborts after a few hundred signals): {version} IS "
        "AFFECTED and must not ship."
        if qt_refcount_defect(version)
        else f"Reference-count defect of PySide6 6.12.0 that aborts Python: {version} is not "
        "affected; tests/gui/test_qt_refcounts.py fails on any version that is, so the "
        "dependency is pinned."
    )
    return (
        f"{refcount} QPdfView fit modes (fit to width / fit in view) stalled the preview with "
        "PySide6 6.12 during development: the print preview always uses a fixed zoom, so the "
        f"fit modes are not used on any version. Qt bug tracker and release notes for {version}: "
        "to be reviewed before release."
    )


def _reportlab_anomalies(version: str) -> str:
    return (
        "The 14 built-in PDF fonts have no subscript four (₄), arrows or check-box glyphs, so "
        "'MgSO₄' would print with a missing character: DejaVu Sans is registered and embedded "
        f"for every document (reports/fonts.py). Release notes for {version}: to be reviewed "
        "before release."
    )


def _tzdata_anomalies(version: str) -> str:
    return (
        "Python's zoneinfo reads the operating system's zone database first (Linux, macOS) and "
        "falls back to this package (Windows). The UK rule (clocks change at 01:00 UTC on the "
        "last Sunday of March and of October) is exercised by tests/core/test_timeutil.py on "
        "whichever database is in use. A future change to UK summer-time rules needs new zone "
        f"data. Release notes for {version}: to be reviewed before release."
    )


def _nhs_number_anomalies(version: str) -> str:
    return (
        "Check-digit behaviour is cross-checked by the project's own tests against the NHS Data "
        "Dictionary rule (remainder 10 invalid, 11 becomes 0; tests/core/test_identifiers.py); "
        "placeholder all-same-digit numbers are refused by the app itself because they pass "
        f"the checksum. Release notes for {version}: to be reviewed before release."
    )


def _numpy_anomalies(version: str) -> str:
    return (
        "Not used for any clinical arithmetic (doses, rates and volumes use Decimal in core), "
        f"so binary floating-point rounding does not reach a dose. Release notes for {version}: "
        "to be reviewed before release."
    )


ANOMALY_CHECKS: Final = {
    "sqlite": _sqlite_anomalies,
    "qt": _qt_anomalies,
    "pyside6-essentials": lambda version: (
        f"See the Qt row (Qt {version} libraries ship inside this wheel)."
    ),
    "pyside6-addons": _qt_anomalies,
    "reportlab": _reportlab_anomalies,
    "tzdata": _tzdata_anomalies,
    "nhs-number": _nhs_number_anomalies,
    "numpy": _numpy_anomalies,
}


@dataclass
class Component:
    """One third-party component and where it comes from."""

    name: str
    version: str
    kind: str
    purpose: str
    licence: str
    required_by: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        """Canonical name for look-ups."""
        return canonicalize_name(self.name)

    @property
    def anomalies(self) -> str:
        """The known-anomaly check done for this component and version."""
        check = ANOMALY_CHECKS.get(self.key)
        return check(self.version) if check else NOT_REVIEWED.format(version=self.version)


def project_requirements(pyproject: Path = ROOT / "pyproject.toml") -> tuple[list[str], list[str]]:
    """(runtime, dev) requirement strings from pyproject.toml."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    return list(project.get("dependencies", [])), list(
        project.get("optional-dependencies", {}).get("dev", [])
    )


def _distribution(name: str) -> metadata.Distribution | None:
    for candidate in (name, canonicalize_name(name), canonicalize_name(name).replace("-", "_")):
        try:
            return metadata.distribution(candidate)
        except metadata.PackageNotFoundError:
            continue
    return None


def _licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get_all("License-Expression") or []
    if expression:
        return str(expression[0])
    # The License field sometimes holds the whole licence text; only a short name is useful.
    text = str((meta.get_all("License") or [""])[0]).strip()
    if text and "\n" not in text and len(text) <= 60 and text != "UNKNOWN":
        return text
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::")
    ]
    return "; ".join(sorted(set(classifiers))) if classifiers else "see package metadata"


def _applies(requirement: Requirement, extra: str) -> bool:
    if requirement.marker is None:
        return True
    return bool(requirement.marker.evaluate({"extra": extra}))


def walk(roots: Iterable[str], parent: str) -> dict[str, Component]:
    """Every distribution reachable from ``roots`` (requirement strings), keyed canonically."""
    found: dict[str, Component] = {}
    queue: list[tuple[Requirement, str]] = [(Requirement(text), parent) for text in roots]
    while queue:
        requirement, required_by = queue.pop(0)
        if not _applies(requirement, ""):
            continue
        key = canonicalize_name(requirement.name)
        dist = _distribution(requirement.name)
        if key in found:
            found[key].required_by.add(required_by)
            if not requirement.extras:
                continue
        elif dist is None:
            found[key] = Component(
                requirement.name, "NOT INSTALLED", "Python package", "", "", {required_by}
            )
            continue
        else:
            found[key] = Component(
                name=dist.metadata["Name"],
                version=dist.version,
                kind="Python package",
                purpose=PURPOSE.get(key, ""),
                licence=_licence(dist),
                required_by={required_by},
            )
        if dist is None:
            continue
        extras = ["", *sorted(requirement.extras)]
        for text in dist.requires or []:
            child = Requirement(text)
            if any(_applies(child, extra) for extra in extras):
                # Strip the marker: it has been evaluated for the extras that apply.
                child.marker = None
                queue.append((child, found[key].name))
    return found


def _font_version(path: Path) -> str:
    """The version string in a TrueType font's name table (name id 5)."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    try:
        record = font["name"].getDebugName(5) or "unknown"
    finally:
        font.close()
    return record.removeprefix("Version ").strip()


def platform_components() -> list[Component]:
    """Components that are not Python distributions: interpreter, SQLite, Qt, fonts."""
    from PySide6 import QtCore

    python = ".".join(str(part) for part in sys.version_info[:3])
    fonts = sorted(FONT_DIR.glob("*.ttf"))
    font_versions = sorted({_font_version(path) for path in fonts})
    return [
        Component(
            "CPython",
            python,
            "Interpreter (bundled in the frozen build)",
            "Runs the application; its standard library provides sqlite3, zoneinfo, decimal.",
            "PSF-2.0",
            {"application"},
        ),
        Component(
            "SQLite",
            sqlite3.sqlite_version,
            "C library linked by Python's sqlite3",
            "The episode record: append-only events, hash chain, backups.",
            "Public domain",
            {"CPython sqlite3"},
        ),
        Component(
            "Qt",
            QtCore.qVersion(),
            "C++ libraries inside the PySide6 wheels",
            "Windowing, widgets, accessibility, PDF preview (QtPdf).",
            "LGPL-3.0-only (Qt for Python)",
            {"PySide6-Essentials", "PySide6-Addons"},
        ),
        Component(
            "DejaVu fonts",
            ", ".join(font_versions) or "missing",
            "Font files vendored in resources/fonts",
            "Embedded in every PDF so MgSO₄, arrows and boxes print correctly.",
            "Bitstream Vera / DejaVu licence (resources/fonts/LICENSE-DejaVu.txt)",
            {"reports"},
        ),
    ]


def _table(components: Iterable[Component], *, with_anomalies: bool) -> list[str]:
    if with_anomalies:
        lines = [
            "| Component | Version | Kind | Purpose | Licence | Required by "
            "| Known anomalies checked |",
            "|---|---|---|---|---|---|---|",
        ]
    else:
        lines = ["| Component | Version | Licence | Required by |", "|---|---|---|---|"]
    for component in components:
        required = ", ".join(sorted(component.required_by))
        purpose = component.purpose or f"Dependency of {required}."
        cells = [component.name, component.version]
        if with_anomalies:
            cells += [component.kind, purpose, component.licence, required, component.anomalies]
        else:
            cells += [component.licence, required]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|")


def render_soup() -> str:
    """``docs/safety/soup.md`` for the installed set."""
    runtime_reqs, dev_reqs = project_requirements()
    runtime = walk(runtime_reqs, "application")
    runtime.pop("mgso4-proforma", None)
    dev = {k: v for k, v in walk(dev_reqs, "dev tools").items() if k not in runtime}
    dev.pop("mgso4-proforma", None)
    shipped = platform_components() + sorted(runtime.values(), key=lambda c: c.key)
    missing = [c.name for c in shipped if c.version == "NOT INSTALLED"]
    lines = [
        "# SOUP list (software of unknown provenance)",
        "",
        "GENERATED by `tools/safety/generate.py` from the installed environment: the runtime "
        "dependencies in `pyproject.toml`, walked recursively through the installed "
        "distributions' requirements (environment markers evaluated on this platform), plus "
        "the interpreter, SQLite and Qt versions found at run time and the vendored fonts. Do "
        "not edit by hand. `tests/safety/test_safety_soup.py` fails when this file no longer "
        "matches the installed versions.",
        "",
        f"Platform the list was generated on: `{sys.platform}`. A bundle built on another "
        "platform (e.g. Windows) must regenerate this list on its build machine and ship that "
        "copy: platform-specific requirements differ.",
        "",
        'Anomaly column: what was checked for the exact version. "To be reviewed before '
        'release" means the release notes and issue tracker for that version have NOT yet been '
        "reviewed; the release checklist in `safety-case.md` makes that review a release gate.",
        "",
        f"## Shipped components ({len(shipped)})",
        "",
        *_table(shipped, with_anomalies=True),
        "",
    ]
    if missing:
        lines += [f"**Not installed but required here:** {', '.join(missing)}", ""]
    lines += [
        f"## Development tools — not shipped ({len(dev)})",
        "",
        "Used to test, lint and type-check; not in the installed application or bundle. No "
        "anomaly review is needed for safety, but a defect in a test tool can hide a failing "
        "test, so the test suite also contains tests that must fail on bad input.",
        "",
        *_table(sorted(dev.values(), key=lambda c: c.key), with_anomalies=False),
    ]
    return "\n".join(lines) + "\n"
