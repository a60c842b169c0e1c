"""The desktop screens (PySide6).

Importing PySide6 replaces Python's import with a hook that, the first time any module is
named in an import statement after it, reads that module's whole source
(``inspect.getsource``) to see whether it mentions PySide6, for PySide6's optional
``from __feature__ import ...`` syntax, and keeps the text in ``linecache`` for the life of the
process. For pydantic, core, the store and the standard library that is about 220 files: some
10 MB held and a tenth of a second at start-up, spent on modules that never touch Qt. The app
uses no ``__feature__``, so the answer changes nothing it does.

So the rules and the store the screens use are imported here first, and once PySide6 is
loaded every module already imported is entered in the hook's table as "does not use
PySide6" (what the scan would conclude for them, and inert for an app without features).
Only modules imported later (the screens themselves) are read by the hook. If a PySide6
release changes the hook, nothing is entered, the scan simply runs as before, and
``tests/gui/test_import_order.py`` says so.
"""

from __future__ import annotations

import importlib
import sys

import mgso4.core.actions
import mgso4.core.board
import mgso4.core.opening
import mgso4.resources
import mgso4.settings
import mgso4.storage
import mgso4.storage.active
import mgso4.storage.backup
import mgso4.storage.server.store
import mgso4.storage.verify  # noqa: F401

# PySide6 after them (import_module, so that sorting the imports cannot move it first).
importlib.import_module("PySide6.QtCore")

#: Modules that do use PySide6: left for the hook to read.
_USES_QT = ("PySide6", "shiboken6", "mgso4.gui")
#: The hook's table (PySide6 6.11: module name -> 0 "uses PySide6", -1 "ignore").
_FEATURE_MODULE = "PySide6.support.feature"


def skip_feature_scan() -> int:
    """Enter every imported module that does not use PySide6 in the hook's table as such.

    Returns how many modules were entered (0 when the table is not there).
    """
    table = getattr(sys.modules.get(_FEATURE_MODULE), "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return 0
    entered = 0
    for name in list(sys.modules):
        if name not in table and not name.startswith(_USES_QT):
            table[name] = -1
            entered += 1
    return entered


skip_feature_scan()
