"""Find the shipped resources (protocols, preparations, fonts, icons, styles).

One resolver for every way the app runs: from the source tree (editable install), from an
installed wheel (resources copied into the package), and from a frozen bundle (PyInstaller
puts them beside the executable). ``MGSO4_RESOURCES`` overrides all three.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_root() -> Path:
    """The folder holding ``protocols/``, ``preparations.toml``, ``fonts/`` and the rest."""
    override = os.environ.get("MGSO4_RESOURCES")
    candidates: list[Path] = []
    if override:
        candidates.append(Path(override))
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    package_dir = Path(__file__).resolve().parent
    candidates.append(package_dir / "resources")
    candidates.append(package_dir.parent.parent / "resources")
    for candidate in candidates:
        if (candidate / "protocols").is_dir():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"The app's resources folder was not found (looked in: {searched}).")


def resource_path(*parts: str) -> Path:
    """A path inside the resources folder, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``."""
    return resources_root().joinpath(*parts)
