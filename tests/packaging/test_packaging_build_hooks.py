"""The build step that copies resources/ into the wheel (packaging/build_hooks.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import build_hooks  # noqa: E402  (packaging/ is not a package)


def make_project(root: Path) -> Path:
    """A minimal project tree with a resources folder."""
    (root / "resources" / "protocols").mkdir(parents=True)
    (root / "resources" / "protocols" / "unit.toml").write_text("id = 'unit'\n")
    (root / "resources" / "preparations.toml").write_text("")
    (root / "resources" / "fonts").mkdir()
    (root / "resources" / "fonts" / "Font.ttf").write_bytes(b"\0")
    return root


def test_resource_files_lists_every_shipped_file_relative_to_the_project(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert build_hooks.resource_files(project) == [
        "resources/fonts/Font.ttf",
        "resources/preparations.toml",
        "resources/protocols/unit.toml",
    ]


@pytest.mark.parametrize(
    "litter",
    [
        "protocols/__pycache__/x.cpython-311.pyc",
        "protocols/.unit.toml.swp",
        "protocols/unit.toml~",
        ".hidden/file.toml",
        "icons/.DS_Store",
        "icons/Thumbs.db",
    ],
)
def test_resource_files_leaves_out_working_copy_litter(tmp_path: Path, litter: str) -> None:
    project = make_project(tmp_path)
    path = project / "resources" / litter
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    assert f"resources/{litter}" not in build_hooks.resource_files(project)


def test_resource_files_refuses_a_tree_without_protocols(tmp_path: Path) -> None:
    (tmp_path / "resources").mkdir()
    with pytest.raises(FileNotFoundError, match="no protocols/ folder"):
        build_hooks.resource_files(tmp_path)


def test_real_resources_include_protocols_preparations_fonts_and_icon() -> None:
    files = build_hooks.resource_files(ROOT)
    assert "resources/protocols/uk-nice-ng25.toml" in files
    assert "resources/preparations.toml" in files
    assert "resources/fonts/DejaVuSans.ttf" in files
    assert "resources/icons/app-icon.svg" in files


def test_resources_land_beside_the_resolver_module_in_the_package() -> None:
    # mgso4.resources.resources_root() looks in <package>/resources after MGSO4_RESOURCES and a
    # frozen bundle's folder.
    assert build_hooks.RESOURCES_TARGET == ("mgso4", "resources")
    assert (ROOT / "desktop" / "mgso4" / "resources.py").is_file()


def test_pyproject_builds_through_this_hook() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["build-system"]["build-backend"] == "build_hooks"
    assert config["build-system"]["backend-path"] == ["packaging"]
    assert (
        config["tool"]["setuptools"]["cmdclass"]["build_py"] == "build_hooks.BuildPyWithResources"
    )
    assert (ROOT / build_hooks.HOOK_SOURCE).resolve() == Path(build_hooks.__file__).resolve()
