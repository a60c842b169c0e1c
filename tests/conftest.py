"""Test-wide setup: Qt runs on a real X display when the run provides one, else offscreen.

``make test`` runs the suite under ``xvfb-run`` with ``QT_QPA_PLATFORM=xcb``: offscreen
rendering hides painting defects (a black window looked right offscreen). Without an X server
(no ``DISPLAY``) the offscreen platform is used, and the run says so once.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

if os.environ.get("QT_QPA_PLATFORM") != "xcb" or not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("MGSO4_NO_BACKUP_THREAD", "1")

# Settings, signing keys, the pseudonym key and the default record live in folders of their
# own for the whole run (subprocesses inherit them): a test never reads or writes the real
# user's folders, and every record a test makes is signed with a key from this run.
_PRIVATE_HOME = Path(tempfile.mkdtemp(prefix="mgso4-tests-"))
os.environ["MGSO4_CONFIG_DIR"] = str(_PRIVATE_HOME / "config")
os.environ["MGSO4_DATA_DIR"] = str(_PRIVATE_HOME / "data")
atexit.register(shutil.rmtree, _PRIVATE_HOME, True)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT / "desktop") not in sys.path:
    sys.path.insert(0, str(ROOT / "desktop"))

# Property tests check behaviour, not speed: no per-example deadline, so a busy machine
# cannot turn a slow example into a failure. Speed is measured in bench/, never asserted.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")
