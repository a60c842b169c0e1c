"""Test-wide setup: Qt always runs offscreen, so no display is needed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
