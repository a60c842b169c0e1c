"""The Windows installer script stays in step with the PyInstaller spec, and never touches data.

Inno Setup cannot run here, so these read ``packaging/windows/mgso4.iss`` as text: the folder
it packs is the one the spec writes, the executables it starts are the ones the spec builds,
the icon exists, the version default is ``mgso4.__version__``, the AppId never changes (Windows
recognises an upgrade by it), and no entry refers to the users' data or settings folders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mgso4 import __version__

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "packaging" / "windows" / "mgso4.iss"
SPEC = ROOT / "packaging" / "mgso4.spec"

#: Fixed for the life of the product. Changing it makes Windows treat a new version as a
#: different program: both would be installed side by side instead of upgrading.
APP_ID_GUID = "241CCBD3-92A8-4C7A-80A4-81B53B750437"

#: Inno Setup constants for per-user and shared data folders. The record, backups and
#: settings live under the user's local app data; setup must never install into, or delete
#: from, any of these.
DATA_FOLDER_CONSTANTS = (
    "{localappdata}",
    "{userappdata}",
    "{commonappdata}",
    "{userdocs}",
    "{commondocs}",
    "{%USERPROFILE",
    "{%LOCALAPPDATA",
    "{%APPDATA",
)


def iss_text() -> str:
    return ISS.read_text(encoding="utf-8")


def iss_lines() -> list[str]:
    """Script lines without comments (``;`` at line start) and blank lines."""
    return [
        line.strip()
        for line in iss_text().splitlines()
        if line.strip() and not line.strip().startswith(";")
    ]


def iss_section(name: str) -> list[str]:
    """The non-comment lines of one ``[Section]``."""
    lines: list[str] = []
    inside = False
    for line in iss_lines():
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1] == name
            continue
        if inside:
            lines.append(line)
    return lines


def iss_define(name: str) -> str:
    match = re.search(rf'#define\s+{name}\s+"([^"]*)"', iss_text())
    assert match, f"{ISS.name} has no #define {name}"
    return match.group(1)


def iss_setup(key: str) -> str:
    for line in iss_section("Setup"):
        if line.split("=", 1)[0].strip() == key:
            return line.split("=", 1)[1].strip()
    raise AssertionError(f"{ISS.name} [Setup] has no {key}")


def spec_constant(name: str) -> str:
    match = re.search(rf'^{name}\s*=\s*"([^"]+)"', SPEC.read_text(encoding="utf-8"), re.M)
    assert match, f'{SPEC.name} has no {name} = "..."'
    return match.group(1)


def expand_defines(text: str) -> str:
    """Replace ``{#Name}`` with the script's ``#define Name "..."`` values."""
    return re.sub(r"\{#(\w+)\}", lambda m: iss_define(m.group(1)), text)


def test_installer_packs_the_folder_the_spec_builds() -> None:
    bundle_dir = iss_define("BundleDir").replace("\\", "/")
    assert bundle_dir == f"../../dist/{spec_constant('BUNDLE_NAME')}"


def test_installer_packs_the_whole_bundle_folder_with_its_resources() -> None:
    # The spec puts resources/ inside the bundle folder; setup takes that folder recursively.
    files = [expand_defines(line) for line in iss_section("Files")]
    assert len(files) == 1
    source = re.search(r'Source:\s*"([^"]+)"', files[0])
    assert source and source.group(1).replace("\\", "/").endswith("dist/mgso4-proforma/*")
    assert "recursesubdirs" in files[0] and "createallsubdirs" in files[0]
    assert 'DestDir: "{app}"' in files[0]


def test_spec_copies_the_resources_folder_into_the_bundle_as_resources() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    assert 'RESOURCES = PROJECT_ROOT / "resources"' in spec
    assert 'datas=[(str(RESOURCES), "resources")]' in spec


def test_installer_starts_the_executables_the_spec_builds() -> None:
    assert iss_define("CliExe") == spec_constant("EXE_NAME") + ".exe"
    assert iss_define("GuiExe") == spec_constant("GUI_EXE_NAME") + ".exe"
    shortcuts = iss_section("Icons")
    assert shortcuts, "no Start-menu entry"
    assert all('Filename: "{app}\\{#GuiExe}"' in line for line in shortcuts)


def test_installer_has_start_menu_entries_for_the_app_and_training_mode() -> None:
    shortcuts = [expand_defines(line) for line in iss_section("Icons")]
    names = [re.findall(r'Name:\s*"([^"]+)"', line)[0] for line in shortcuts]
    assert names == [
        "{autoprograms}\\MgSO4 Preterm Proforma",
        "{autoprograms}\\MgSO4 Preterm Proforma (training)",
    ]
    assert 'Parameters: "--training"' in shortcuts[1]


def test_installer_version_default_is_the_package_version() -> None:
    assert iss_define("AppVersion") == __version__


def test_installer_version_can_be_passed_on_the_command_line() -> None:
    # `iscc /DAppVersion=x.y.z` wins because the default is only defined when it is not.
    assert re.search(r"#ifndef AppVersion\s+#define AppVersion", iss_text())
    assert iss_setup("AppVersion") == "{#AppVersion}"


def test_installer_app_id_is_the_fixed_guid() -> None:
    assert iss_setup("AppId") == "{{" + APP_ID_GUID + "}"


def test_installer_installs_per_machine_under_program_files() -> None:
    assert iss_setup("PrivilegesRequired") == "admin"
    assert iss_setup("DefaultDirName").startswith("{autopf}\\")


def test_installer_icon_exists() -> None:
    icon = (ISS.parent / iss_setup("SetupIconFile").replace("\\", "/")).resolve()
    assert icon == ROOT / "resources" / "icons" / "app-icon.ico"
    assert icon.is_file()


@pytest.mark.parametrize("constant", DATA_FOLDER_CONSTANTS)
def test_installer_never_refers_to_a_user_data_folder(constant: str) -> None:
    assert constant.lower() not in "\n".join(iss_lines()).lower()


def test_installer_deletes_on_upgrade_only_inside_the_program_folder() -> None:
    deletions = iss_section("InstallDelete") + iss_section("UninstallDelete")
    for line in deletions:
        name = re.search(r'Name:\s*"([^"]+)"', line)
        assert name and name.group(1).startswith("{app}\\"), line


def test_installer_has_no_dirs_or_registry_entries_that_could_outlive_uninstall() -> None:
    # Uninstall must leave nothing behind but the user's own data, which setup never made.
    assert iss_section("Dirs") == []
    assert iss_section("Registry") == []
