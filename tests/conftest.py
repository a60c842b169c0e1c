"""Test-wide setup: Qt runs on a real X display when the run provides one, else offscreen.

``make test`` runs the suite under ``xvfb-run`` with ``QT_QPA_PLATFORM=xcb``: offscreen
rendering hides painting defects (a black window looked right offscreen). Without an X server
(no ``DISPLAY``) the offscreen platform is used, and the run says so once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if os.environ.get("QT_QPA_PLATFORM") != "xcb" or not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("MGSO4_NO_BACKUP_THREAD", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT / "desktop") not in sys.path:
    sys.path.insert(0, str(ROOT / "desktop"))

# Property tests check behaviour, not speed: no per-example deadline, so a busy machine
# cannot turn a slow example into a failure. Speed is measured in bench/, never asserted.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")
