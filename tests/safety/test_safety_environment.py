"""The environment the tests run in is the lock: every package pinned in
``requirements/dev.txt`` for this platform is installed at exactly its pinned version, and
nothing is installed that no lock names. Installs come from the lock with ``--require-hashes``
(Makefile), so this holds on a fresh clone; it fails when a hand-installed package or an
out-of-date venv would make the tests run on something other than what ships."""

from __future__ import annotations

import importlib.metadata as metadata
import platform
import sys
import sysconfig
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "safety"))

import soup_list  # noqa: E402

#: The project itself, installed editable from the source tree with --no-deps.
PROJECT = "mgso4-proforma"
FIX = "rebuild the environment from the lock: make clean && make setup"


def _pins(lock: str) -> dict[str, str]:
    """Pins of a lock whose markers apply to the running interpreter and platform."""
    from packaging.markers import Marker

    env = default_environment()
    pins: dict[str, str] = {}
    for package in soup_list.read_lock(soup_list.LOCK_DIR / lock):
        if package.marker is None or Marker(package.marker).evaluate(dict(env)):
            pins[package.key] = package.version
    return pins


def _installed() -> dict[str, str]:
    """Distributions installed in the environment's site-packages (not copies that another
    package vendors and puts on ``sys.path`` at run time, as setuptools does)."""
    paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    found: dict[str, str] = {}
    for dist in metadata.distributions(path=paths):
        name = dist.metadata["Name"]
        if name:
            found[canonicalize_name(name)] = dist.version
    return found


pytestmark = pytest.mark.skipif(
    sys.prefix == sys.base_prefix,
    reason="not in a virtual environment: the lock describes the project's .venv",
)


def test_every_package_of_the_dev_lock_is_installed_at_its_pinned_version() -> None:
    installed = _installed()
    wrong = {
        name: (pinned, installed.get(name, "not installed"))
        for name, pinned in _pins("dev.txt").items()
        if installed.get(name) != pinned
    }
    assert not wrong, f"installed differs from requirements/dev.txt {wrong}; {FIX}"


def test_nothing_is_installed_that_no_lock_names() -> None:
    allowed = {**_pins("dev.txt"), **_pins("bundle.txt")}
    installed = _installed()
    extra = {
        name: version
        for name, version in installed.items()
        if name not in allowed and name != PROJECT
    }
    assert not extra, f"installed but in no lock: {extra}; {FIX}"
    wrong = {
        name: (allowed[name], version)
        for name, version in installed.items()
        if name in allowed and allowed[name] != version
    }
    assert not wrong, f"installed at another version than the lock: {wrong}; {FIX}"


def test_the_running_qt_is_the_pinned_one() -> None:
    from PySide6 import QtCore

    assert QtCore.qVersion() == _pins("runtime.txt")["pyside6-essentials"]


def test_the_locks_target_this_python() -> None:
    assert platform.python_version().startswith(soup_list.TARGET_PYTHON + ".")
