"""A wheel installs like real software: into a fresh venv, run from outside the source tree.

One wheel is built (from a copy of the sources, so a stale ``build/`` folder or another
engineer's half-saved file cannot leak in) and installed with ``--no-deps`` into a fresh venv
under ``tmp_path``. The dependencies are made visible through a ``.pth`` file pointing at the
project venv's site-packages (not at ``desktop/``), so the test needs no download and stays
bounded. Every command then runs from a folder outside the repository, and the tests check
that ``mgso4`` really comes from the fresh venv and finds its resources inside the package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from mgso4 import __version__

ROOT = Path(__file__).resolve().parents[2]

#: What a wheel build reads; everything else in the repository is left out of the copy.
BUILD_INPUTS = ("pyproject.toml", "README.md", "desktop", "resources", "packaging/build_hooks.py")
#: Never copied: bytecode, build metadata and editor litter from the working tree.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*")
#: Each subprocess is given this long (s); together they keep the module near 30–60 s.
STEP_TIMEOUT_S = 180


@dataclass(frozen=True)
class InstalledWheel:
    """A fresh venv with the wheel installed, and where to run it from."""

    wheel: Path
    python: Path
    bin_dir: Path
    site_packages: Path
    outside: Path
    env: dict[str, str]

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            cwd=self.outside,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_S,
            check=False,
        )


def _copy_build_inputs(target: Path) -> None:
    for name in BUILD_INPUTS:
        source = ROOT / name
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=IGNORED)
        else:
            shutil.copy2(source, destination)


def _check(result: subprocess.CompletedProcess[str], what: str) -> None:
    assert result.returncode == 0, (
        f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    _copy_build_inputs(source)
    dist = base / "dist"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            dist,
            source,
        ],
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )
    _check(built, "pip wheel")
    (wheel,) = dist.glob("mgso4_proforma-*.whl")

    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    python = env_dir / scripts / ("python.exe" if sys.platform == "win32" else "python")
    site_packages = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # Install before the dependencies are visible, so pip never sees (or tries to replace)
    # the project's own editable install.
    installed_wheel = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-index", wheel],
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )  # fmt: skip
    _check(installed_wheel, "pip install of the wheel")
    # The dependencies: the project venv's site-packages, appended after the fresh venv's own.
    # A path added by a .pth line is not scanned for .pth files itself, so the project's
    # editable-install .pth (which points at desktop/) is not followed.
    dependency_dir = Path(sysconfig.get_paths()["purelib"])
    (site_packages / "zz_project_dependencies.pth").write_text(f"{dependency_dir}\n")

    outside = base / "elsewhere"
    outside.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "MGSO4_RESOURCES", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        MGSO4_DATA_DIR=str(base / "data"),
        MGSO4_CONFIG_DIR=str(base / "config"),
        HOME=str(base / "home"),
        XDG_DATA_HOME=str(base / "home" / "data"),
        XDG_CONFIG_HOME=str(base / "home" / "config"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return InstalledWheel(wheel, python, env_dir / scripts, site_packages, outside, env)


def test_wheel_carries_the_resources_inside_the_package(installed: InstalledWheel) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {
        "mgso4/resources.py",
        "mgso4/resources/preparations.toml",
        "mgso4/resources/protocols/uk-nice-ng25.toml",
        "mgso4/resources/fonts/DejaVuSans.ttf",
        "mgso4/resources/fonts/LICENSE-DejaVu.txt",
        "mgso4/resources/icons/app-icon.svg",
        "mgso4/resources/icons/app-icon-256.png",
    }
    assert expected <= names


def test_wheel_carries_every_shipped_protocol(installed: InstalledWheel) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    shipped = {
        f"mgso4/resources/protocols/{path.name}"
        for path in (ROOT / "resources" / "protocols").glob("*.toml")
    }
    assert shipped and shipped <= names


def test_wheel_version_is_the_package_version(installed: InstalledWheel) -> None:
    assert installed.wheel.name.startswith(f"mgso4_proforma-{__version__}-py3-none-any")


def test_installed_package_is_imported_from_the_fresh_venv_not_the_source_tree(
    installed: InstalledWheel,
) -> None:
    result = installed.run(
        installed.python,
        "-c",
        "import mgso4, mgso4.resources as r; print(mgso4.__file__); print(r.resources_root())",
    )
    _check(result, "import mgso4")
    module_file, resources_root = (Path(line) for line in result.stdout.splitlines())
    assert module_file.is_relative_to(installed.site_packages)
    assert not module_file.is_relative_to(ROOT)
    assert resources_root == installed.site_packages / "mgso4" / "resources"


def test_installed_command_reports_the_package_version(installed: InstalledWheel) -> None:
    result = installed.run(installed.bin_dir / "mgso4", "--version")
    _check(result, "mgso4 --version")
    assert result.stdout.strip() == f"mgso4 {__version__}"


def test_installed_command_assesses_27_plus_3_in_labour_as_offer_at_80_ml_per_h(
    installed: InstalledWheel,
) -> None:
    # Worked numbers: decisions §3 default preparation 20% — load 4 g = 20 mL at 80 mL/h.
    result = installed.run(
        installed.bin_dir / "mgso4",
        "assess",
        "--gestation",
        "27+3",
        "--situation",
        "established-labour",
        "--json",
    )
    _check(result, "mgso4 assess")
    data = json.loads(result.stdout)
    assert data["recommendation"] == "offer"
    assert data["loading"]["rate_ml_per_h"] == 80
    assert data["protocol"]["id"] == "uk-nice-ng25"


def test_installed_command_lists_the_shipped_protocols(installed: InstalledWheel) -> None:
    result = installed.run(installed.bin_dir / "mgso4", "protocols", "--json")
    _check(result, "mgso4 protocols")
    ids = {row["id"] for row in json.loads(result.stdout)["protocols"]}
    shipped = {path.stem for path in (ROOT / "resources" / "protocols").glob("*.toml")}
    assert ids == shipped


def test_installed_gui_script_is_there(installed: InstalledWheel) -> None:
    names = {path.stem for path in installed.bin_dir.iterdir()}
    assert {"mgso4", "mgso4-gui"} <= names


@pytest.fixture(scope="module")
def app_smoke(installed: InstalledWheel) -> subprocess.CompletedProcess[str]:
    """One offscreen start of the installed app (packaging/entry.py --smoke-test).

    packaging/entry.py is only the launcher (the bundle's entry point); with the fresh venv's
    Python it runs the installed package's real start-up: settings, protocol, record, window.
    """
    return installed.run(
        installed.python,
        ROOT / "packaging" / "entry.py",
        "--smoke-test",
        installed.outside / "board.png",
        "--db",
        installed.outside / "smoke.sqlite3",
    )


def test_installed_app_starts_offscreen_shows_the_ward_board_and_quits(
    installed: InstalledWheel, app_smoke: subprocess.CompletedProcess[str]
) -> None:
    _check(app_smoke, "app smoke test")
    assert "smoke test: MainWindow 'MgSO₄ Preterm Proforma" in app_smoke.stdout
    assert (installed.outside / "board.png").stat().st_size > 1024
    assert (installed.outside / "smoke.sqlite3").is_file()


def test_installed_app_opens_the_audit_screen_and_the_pdf_viewer(
    installed: InstalledWheel, app_smoke: subprocess.CompletedProcess[str]
) -> None:
    # Both are imported only when first used (matplotlib's Qt canvas, QtPdf).
    _check(app_smoke, "app smoke test")
    assert "smoke test: AuditView" in app_smoke.stdout
    assert "smoke test: QtPdf loaded the blank proforma" in app_smoke.stdout
    assert (installed.outside / "board-audit.png").stat().st_size > 1024
