"""The screens' start-up imports: the rules and the store are not read by PySide6's import hook.

PySide6's import hook reads the whole source of every module named in an import after it, for
its optional ``__feature__`` syntax, and keeps the text for the life of the process; on the
ward board's start-up path that was about 220 files and 10 MB (``mgso4/gui/__init__.py``).
These run in a fresh interpreter, because the test session has long since imported everything.
They fail if the order is lost (a screen imported before the rules) or if a PySide6 release
changes the hook so that the app's entry in its table no longer applies: then look at the hook
again before upgrading.
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, linecache, sys
import mgso4.gui.app
print(json.dumps({
    "read": sorted(linecache.cache),
    "modules": list(sys.modules),
}))
"""


def _probe() -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    result: dict[str, object] = json.loads(completed.stdout.splitlines()[-1])
    return result


def test_rules_store_and_pydantic_are_imported_before_pyside6() -> None:
    modules = _probe()["modules"]
    assert isinstance(modules, list)
    first_qt = modules.index("PySide6")
    for name in ("pydantic", "mgso4.core.episode", "mgso4.core.actions", "mgso4.storage.store"):
        assert modules.index(name) < first_qt, f"{name} is imported after PySide6"


def test_the_import_hook_reads_no_source_outside_the_screens() -> None:
    result = _probe()
    read = result["read"]
    assert isinstance(read, list)
    outside = [
        path
        for path in read
        if ("/mgso4/" in path and "/mgso4/gui/" not in path)
        or "/pydantic" in path
        or "/cryptography/" in path
    ]
    assert outside == [], f"PySide6's import hook read {len(outside)} files: {outside[:5]}"
