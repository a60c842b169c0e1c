"""The Linux desktop entry and its installer script."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESKTOP_FILE = ROOT / "packaging" / "linux" / "mgso4-proforma.desktop"
INSTALL_SCRIPT = ROOT / "packaging" / "linux" / "install-desktop-entry.sh"
ICON_NAME = "mgso4-proforma"

needs_validator = pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate not installed (apt-get install desktop-file-utils)",
)
needs_sh = pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX shell")


def entry(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser


def install(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(INSTALL_SCRIPT), *args],
        env={"PATH": "/usr/bin:/bin", "HOME": str(target), "XDG_DATA_HOME": str(target)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@needs_validator
def test_desktop_file_passes_desktop_file_validate() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_desktop_file_starts_the_installed_console_command() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    desktop = entry(DESKTOP_FILE)["Desktop Entry"]
    assert desktop["Exec"] == "mgso4"
    assert "mgso4" in scripts
    assert desktop["Terminal"] == "false"


def test_desktop_file_training_action_opens_training_mode() -> None:
    assert entry(DESKTOP_FILE)["Desktop Action training"]["Exec"] == "mgso4 --training"


def test_desktop_file_names_the_icon_the_script_installs() -> None:
    assert entry(DESKTOP_FILE)["Desktop Entry"]["Icon"] == ICON_NAME


@needs_sh
def test_install_script_puts_entry_and_icons_in_the_user_data_folder(tmp_path: Path) -> None:
    result = install(tmp_path, "--exec", "/opt/mgso4-proforma/mgso4")
    assert result.returncode == 0, result.stderr
    installed = entry(tmp_path / "applications" / "mgso4-proforma.desktop")
    assert installed["Desktop Entry"]["Exec"] == "/opt/mgso4-proforma/mgso4"
    assert installed["Desktop Action training"]["Exec"] == "/opt/mgso4-proforma/mgso4 --training"
    hicolor = tmp_path / "icons" / "hicolor"
    assert (hicolor / "scalable" / "apps" / f"{ICON_NAME}.svg").is_file()
    for size in (16, 24, 32, 48, 64, 128, 256):
        assert (hicolor / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png").is_file()


@needs_sh
@needs_validator
def test_installed_entry_passes_desktop_file_validate(tmp_path: Path) -> None:
    assert install(tmp_path, "--exec", "/opt/mgso4-proforma/mgso4").returncode == 0
    result = subprocess.run(
        ["desktop-file-validate", str(tmp_path / "applications" / "mgso4-proforma.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout


@needs_sh
def test_install_script_refuses_a_command_with_a_space(tmp_path: Path) -> None:
    result = install(tmp_path, "--exec", "/opt/my app/mgso4")
    assert result.returncode == 2
    assert "no spaces" in result.stderr
    assert not (tmp_path / "applications").exists()


@needs_sh
def test_install_script_refuses_an_unknown_option(tmp_path: Path) -> None:
    result = install(tmp_path, "--prefix", "/usr")
    assert result.returncode == 2
    assert "unknown option --prefix" in result.stderr
