"""SOUP (software of unknown provenance) list, built from the hashed lock files.

The list names exactly what ships and what the tests run with: every package pinned in
``requirements/runtime.txt`` (the application), ``requirements/bundle.txt`` (what the desktop
bundle adds: PyInstaller's bootloader and hooks) and ``requirements/dev.txt`` (development tools,
not shipped), with environment markers evaluated for the lock's targets (Python 3.11 on Linux
and on Windows). Licences come from ``licences.toml`` beside this file, reviewed by hand. Then
the components that are not Python distributions: the CPython interpreter, SQLite, the Qt
libraries inside the pinned PySide6 wheels, and the vendored DejaVu fonts.

Nothing is read from the installed environment, so the list is the same on any machine on any
day; ``tests/safety/test_safety_soup.py`` compares it with the locks, and a separate test checks
that the installed environment equals the lock.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from packaging.markers import Marker
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT: Final = Path(__file__).resolve().parents[2]
SOUP_PATH: Final = ROOT / "docs" / "safety" / "soup.md"
FONT_DIR: Final = ROOT / "resources" / "fonts"
LOCK_DIR: Final = ROOT / "requirements"
LICENCES_PATH: Final = Path(__file__).resolve().parent / "licences.toml"
#: The Python the locks are made for (``make lock``: ``--python-version 3.11``).
TARGET_PYTHON: Final = "3.11"
#: Marker environments of the platforms a delivery runs on: a source install on Linux, and the
#: Windows desktop bundle. A package whose marker matches neither is not part of a delivery.
TARGET_ENVIRONMENTS: Final[Mapping[str, Mapping[str, str]]] = {
    "Linux": {
        "python_version": TARGET_PYTHON,
        "python_full_version": f"{TARGET_PYTHON}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    },
    "Windows": {
        "python_version": TARGET_PYTHON,
        "python_full_version": f"{TARGET_PYTHON}.0",
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "AMD64",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    },
}

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
    "cryptography": "Ed25519 signatures of each workstation's record entries and chain-head "
    "witnesses (tamper evidence).",
    "cffi": "C foreign-function interface used by cryptography.",
    "pycparser": "C parser used by cffi at build time of its bindings.",
    "tzdata": "IANA time-zone rules for Europe/London where the system has none (Windows).",
    "pip": "Required by sqlite-utils (for its plugin installer); not used by the app.",
    "charset-normalizer": "Text encoding detection used by reportlab.",
    "pyinstaller": "Builds the desktop bundle; its bootloader (the executable that starts the "
    "app) and run-time hooks ship inside the bundle.",
    "pyinstaller-hooks-contrib": "Run-time hooks for third-party packages, inside the bundle.",
    "altgraph": "Dependency graph used by PyInstaller at build time.",
    "pefile": "Windows executable reader used by PyInstaller at build time (Windows).",
    "pywin32-ctypes": "Windows API access used by PyInstaller at build time (Windows).",
    "macholib": "Mach-O reader used by PyInstaller at build time (macOS; not a delivery).",
    "setuptools": "Build backend of the project (installed from the lock, no build isolation).",
    "wheel": "Wheel building used by the project's build backend.",
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


def _sqlite_anomalies(_version: str) -> str:
    return (
        "WAL-reset database corruption bug (3.7.0–3.51.2; fixed in 3.51.3, back-ported to "
        "3.44.6 and 3.50.7; sqlite.org/wal.html): the library is the runtime's, so the store "
        "reads the version at run time and uses a rollback journal instead of WAL on every "
        "affected version (storage/sqlite_setup.py; `mgso4 verify` reports the version and the "
        "journal mode). Debian 12's Python links 3.40.1, which IS AFFECTED. Release history of "
        "the version a delivery uses: to be reviewed before release."
    )


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
    platforms: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Canonical name for look-ups."""
        return canonicalize_name(self.name)

    @property
    def anomalies(self) -> str:
        """The known-anomaly check done for this component and version."""
        check = ANOMALY_CHECKS.get(self.key)
        return check(self.version) if check else NOT_REVIEWED.format(version=self.version)


@dataclass(frozen=True)
class LockedPackage:
    """One pinned line of a lock file."""

    name: str
    version: str
    marker: str | None
    via: tuple[str, ...]

    @property
    def key(self) -> str:
        """Canonical name."""
        return canonicalize_name(self.name)

    def platforms(self) -> tuple[str, ...]:
        """The target platforms whose environment the marker matches."""
        if self.marker is None:
            return tuple(TARGET_ENVIRONMENTS)
        marker = Marker(self.marker)
        return tuple(
            name for name, env in TARGET_ENVIRONMENTS.items() if marker.evaluate(dict(env))
        )


class LockError(ValueError):
    """A lock file or the licence list cannot be read as expected."""


_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^ ;\\]+)"
    r"\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


def _via_name(text: str) -> str | None:
    text = text.strip()
    if text.startswith("-c "):
        return None  # a constraint file, not a requirer
    if text.startswith("-r "):
        return "project build"
    if text.startswith("mgso4-proforma"):
        return "application"
    return text


def read_lock(path: Path) -> list[LockedPackage]:
    """The pinned packages of a ``uv pip compile`` lock file, with their ``# via`` lines."""
    packages: list[LockedPackage] = []
    current: dict[str, object] | None = None
    in_via = False
    vias: list[str] = []

    def finish() -> None:
        if current is not None:
            packages.append(
                LockedPackage(
                    name=str(current["name"]),
                    version=str(current["version"]),
                    marker=current["marker"] if isinstance(current["marker"], str) else None,
                    via=tuple(v for v in (_via_name(x) for x in vias) if v),
                )
            )

    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            finish()
            current = {
                "name": match["name"],
                "version": match["version"],
                "marker": match["marker"].strip() if match["marker"] else None,
            }
            vias, in_via = [], False
            continue
        stripped = line.strip()
        if stripped.startswith("# via"):
            rest = stripped.removeprefix("# via").strip()
            if rest:
                vias.append(rest)
                in_via = False
            else:
                in_via = True
        elif in_via and stripped.startswith("#   "):
            vias.append(stripped.removeprefix("#").strip())
        elif stripped and not stripped.startswith(("--hash", "#")):
            raise LockError(f"{path.name}: unexpected line {line!r}")
    finish()
    if not packages:
        raise LockError(f"{path.name}: no pinned packages")
    return packages


def read_licences(path: Path = LICENCES_PATH) -> dict[str, str]:
    """Reviewed licence by canonical package name."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {canonicalize_name(name): str(value) for name, value in data.items()}


def project_requirements(pyproject: Path = ROOT / "pyproject.toml") -> tuple[list[str], list[str]]:
    """(runtime, dev) requirement strings from pyproject.toml."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    return list(project.get("dependencies", [])), list(
        project.get("optional-dependencies", {}).get("dev", [])
    )


def locked_components(
    lock: Path, licences: Mapping[str, str], *, kind: str = "Python package"
) -> dict[str, Component]:
    """The packages a lock pins for the target platforms, as SOUP components."""
    found: dict[str, Component] = {}
    missing: list[str] = []
    for package in read_lock(lock):
        platforms = package.platforms()
        if not platforms:
            continue  # a fork for another Python (e.g. >= 3.12) or platform (macOS)
        if package.key in found:
            raise LockError(f"{lock.name}: {package.name} pinned twice for the same target")
        licence = licences.get(package.key)
        if licence is None:
            missing.append(package.name)
            licence = ""
        found[package.key] = Component(
            name=package.name,
            version=package.version,
            kind=kind,
            purpose=PURPOSE.get(package.key, ""),
            licence=licence,
            required_by=set(package.via),
            platforms=platforms,
        )
    if missing:
        raise LockError(
            f"no reviewed licence for {', '.join(sorted(missing))}: read each package's "
            f"licence and add it to {LICENCES_PATH.name}"
        )
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


def platform_components(qt_version: str) -> list[Component]:
    """Components that are not Python distributions: interpreter, SQLite, Qt, fonts."""
    fonts = sorted(FONT_DIR.glob("*.ttf"))
    font_versions = sorted({_font_version(path) for path in fonts})
    return [
        Component(
            "CPython",
            f"{TARGET_PYTHON}.x",
            "Interpreter: the system's on a source install; the one that built it, inside the "
            "bundle",
            "Runs the application; its standard library provides sqlite3, zoneinfo, decimal.",
            "PSF-2.0",
            {"application"},
        ),
        Component(
            "SQLite",
            "the Python runtime's",
            "C library linked by Python's sqlite3: on a Linux source install the system "
            "Python's library; in the Windows bundle the sqlite3.dll of the CPython that built "
            "it (the bundle smoke test prints it through `mgso4 verify --json`)",
            "The episode record: append-only events, hash chain, backups.",
            "Public domain",
            {"CPython sqlite3"},
        ),
        Component(
            "Qt",
            qt_version,
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
        kind = component.kind
        if component.platforms and len(component.platforms) < len(TARGET_ENVIRONMENTS):
            kind = f"{kind} ({', '.join(component.platforms)} only)"
        cells = [component.name, component.version]
        if with_anomalies:
            cells += [kind, purpose, component.licence, required, component.anomalies]
        else:
            cells += [component.licence, required]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|")


def render_soup(lock_dir: Path = LOCK_DIR, licences_path: Path = LICENCES_PATH) -> str:
    """``docs/safety/soup.md`` from the lock files (the same on any machine, any day)."""
    licences = read_licences(licences_path)
    runtime = locked_components(lock_dir / "runtime.txt", licences)
    bundle = {
        key: component
        for key, component in locked_components(
            lock_dir / "bundle.txt", licences, kind="Bundle build tool"
        ).items()
        if key not in runtime
    }
    dev = {
        key: component
        for key, component in locked_components(lock_dir / "dev.txt", licences).items()
        if key not in runtime and key not in bundle
    }
    qt = runtime.get("pyside6-essentials")
    if qt is None:
        raise LockError("runtime.txt pins no PySide6-Essentials")
    shipped = platform_components(qt.version) + sorted(runtime.values(), key=lambda c: c.key)
    lines = [
        "# SOUP list (software of unknown provenance)",
        "",
        "GENERATED by `tools/safety/generate.py` from the hashed lock files "
        "(`requirements/runtime.txt`, `requirements/bundle.txt`, `requirements/dev.txt`, made "
        "by `make lock`) and the reviewed licences in `tools/safety/licences.toml`, plus the "
        "interpreter, SQLite, the Qt libraries inside the pinned PySide6 wheels and the "
        "vendored fonts. Do not edit by hand. `tests/safety/test_safety_soup.py` fails when "
        "this file no longer matches the locks; `tests/safety/test_safety_environment.py` "
        "fails when the installed environment differs from the lock.",
        "",
        f"Targets: Python {TARGET_PYTHON} on {' and '.join(TARGET_ENVIRONMENTS)} (environment "
        "markers in the locks evaluated for each). A component needed on one platform only "
        "says so in its Kind.",
        "",
        'Anomaly column: what was checked for the exact version. "To be reviewed before '
        'release" means the release notes and issue tracker for that version have NOT yet been '
        "reviewed; the release checklist in `safety-case.md` makes that review a release gate.",
        "",
        f"## Shipped components ({len(shipped)})",
        "",
        *_table(shipped, with_anomalies=True),
        "",
        f"## Shipped in the desktop bundle only ({len(bundle)})",
        "",
        "From `requirements/bundle.txt`: PyInstaller's bootloader and run-time hooks are inside "
        "the bundle; the other build tools run on the build machine only.",
        "",
        *_table(sorted(bundle.values(), key=lambda c: c.key), with_anomalies=True),
        "",
        f"## Development tools — not shipped ({len(dev)})",
        "",
        "Used to test, lint, type-check and lock; not in the installed application or bundle. "
        "No anomaly review is needed for safety, but a defect in a test tool can hide a failing "
        "test, so the test suite also contains tests that must fail on bad input.",
        "",
        *_table(sorted(dev.values(), key=lambda c: c.key), with_anomalies=False),
    ]
    return "\n".join(lines) + "\n"
