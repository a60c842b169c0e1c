"""Build backend: setuptools, with the shipped resources copied into the package.

The resources (protocols, preparations, fonts, icons, styles) live once, at the repository root
in ``resources/``, so the source tree, the PyInstaller spec and the tests all read the same
files. setuptools' ``package-data`` cannot reach outside a package folder, so this backend adds
one step to ``build_py``: copy ``resources/`` into the built package as ``mgso4/resources/``.
An installed wheel then finds them beside ``mgso4/resources.py``, which is where
``mgso4.resources.resources_root`` looks (after ``MGSO4_RESOURCES`` and a frozen bundle's
folder, before the source tree).

An editable install copies nothing: it runs from ``desktop/`` and the resolver falls back to
the source tree's ``resources/``, so edits to a protocol file show at once.

Wired in ``pyproject.toml``::

    [build-system]
    build-backend = "build_hooks"
    backend-path = ["packaging"]

    [tool.setuptools.cmdclass]
    build_py = "build_hooks.BuildPyWithResources"

The PEP 517 hooks are setuptools' own, re-exported unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import build_meta as _setuptools_backend
from setuptools.command.build_py import build_py as _setuptools_build_py

#: Folder (relative to the project root) that is copied into the wheel.
RESOURCES_SOURCE = "resources"
#: Where it lands inside the built package tree (``mgso4/resources``).
RESOURCES_TARGET = ("mgso4", "resources")
#: This file, listed so that an sdist can rebuild the wheel with the same step.
HOOK_SOURCE = "packaging/build_hooks.py"

#: Never shipped: editor, OS and bytecode litter that can appear in a working copy.
_SKIPPED_NAMES = frozenset({"__pycache__", ".DS_Store", "Thumbs.db"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")


def resource_files(project_root: Path) -> list[str]:
    """Every shipped resource file, as sorted POSIX paths relative to ``project_root``.

    Hidden files and folders (names starting with ".") and bytecode/editor litter are left out
    so a wheel built from a working copy holds the same files as one built from a clean
    checkout.
    """
    source = project_root / RESOURCES_SOURCE
    if not (source / "protocols").is_dir():
        raise FileNotFoundError(
            f"{source} has no protocols/ folder: the wheel would ship without its protocols. "
            "Build from the project root (the folder holding pyproject.toml)."
        )
    found: list[str] = []
    for folder, subfolders, files in os.walk(source):
        subfolders[:] = sorted(
            name for name in subfolders if not _skipped(name) and not name.startswith(".")
        )
        for name in sorted(files):
            if _skipped(name) or name.startswith("."):
                continue
            found.append((Path(folder) / name).relative_to(project_root).as_posix())
    return sorted(found)


def _skipped(name: str) -> bool:
    return name in _SKIPPED_NAMES or name.endswith(_SKIPPED_SUFFIXES)


class BuildPyWithResources(_setuptools_build_py):
    """``build_py`` that also copies ``resources/`` into ``build_lib/mgso4/resources``."""

    def run(self) -> None:
        """Build the package as usual, then copy the resources beside it (not when editable)."""
        super().run()
        if self.editable_mode:
            # The editable install runs from the source tree, whose resources/ the resolver
            # finds directly; a copy here would only go stale.
            return
        for target, source in self._resource_mapping().items():
            self.mkpath(os.path.dirname(target))
            self.copy_file(source, target, preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        """The usual outputs plus the copied resources (so installers record them)."""
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs.extend(self._resource_mapping())
        return outputs

    def get_source_files(self) -> list[str]:
        """The usual sources plus the resources and this hook, so an sdist can build a wheel."""
        return [*super().get_source_files(), *resource_files(Path.cwd()), HOOK_SOURCE]

    def _resource_mapping(self) -> dict[str, str]:
        """Built path -> source path for every resource file."""
        project_root = Path.cwd()
        target_root = os.path.join(self.build_lib, *RESOURCES_TARGET)
        mapping: dict[str, str] = {}
        for relative in resource_files(project_root):
            inside = Path(relative).relative_to(RESOURCES_SOURCE)
            mapping[os.path.join(target_root, *inside.parts)] = str(project_root / relative)
        return mapping


# PEP 517 / PEP 660 hooks: setuptools' own. The front end (pip, build) imports this module
# from backend-path and calls these.
build_wheel = _setuptools_backend.build_wheel
build_sdist = _setuptools_backend.build_sdist
build_editable = _setuptools_backend.build_editable
get_requires_for_build_wheel = _setuptools_backend.get_requires_for_build_wheel
get_requires_for_build_sdist = _setuptools_backend.get_requires_for_build_sdist
get_requires_for_build_editable = _setuptools_backend.get_requires_for_build_editable
prepare_metadata_for_build_wheel = _setuptools_backend.prepare_metadata_for_build_wheel
prepare_metadata_for_build_editable = _setuptools_backend.prepare_metadata_for_build_editable
