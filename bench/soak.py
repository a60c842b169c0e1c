"""A shift of use: each dialog and preview opened and closed 100 times, and the idle board.

One child process (``bench/soak_child.py``) runs the real main window on a real X display
(``QT_QPA_PLATFORM=xcb``; under ``xvfb-run`` when no ``DISPLAY`` is set) on a record with
five active episodes. For each of the new-episode wizard (cancelled), the user and settings
dialogs, the blank-proforma preview, the observation form and the completed-proforma preview
it runs ``WARMUP`` unrecorded cycles, then ``cycles`` open → close cycles, and reports the
growth of RSS, live widgets, threads and open descriptors. Then it measures the CPU the idle
app uses with the board shown (five active episodes, the clock ticking every second), against
a bare ``QMainWindow`` idling in a second child for the same time.

Targets (issue 18): threads, descriptors and widgets back to where they were (growth 0);
RSS ≤ 0.1 MB per cycle after the warm-up, for every dialog; idle CPU ≤ 0.5 % of a core.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from common import BENCH_DIR, Result, judge, scratch_folder

CHILD = BENCH_DIR / "soak_child.py"
RSS_PER_CYCLE_TARGET_MB = 0.1
IDLE_CPU_TARGET_PERCENT = 0.5
CHILD_TIMEOUT_S = 1800.0


def run_child(arguments: list[str], folder: Path) -> dict[str, Any]:
    """Run the child on xcb and return its SOAK record."""
    env = dict(os.environ)
    env.update(
        {
            "QT_QPA_PLATFORM": "xcb",
            "MGSO4_DATA_DIR": str(folder / "data"),
            "MGSO4_CONFIG_DIR": str(folder / "config"),
            "MGSO4_NO_BACKUP_THREAD": "1",
        }
    )
    command = [sys.executable, str(CHILD), *arguments]
    if not env.get("DISPLAY"):
        xvfb = shutil.which("xvfb-run")
        if xvfb is None:
            raise RuntimeError("no DISPLAY and no xvfb-run: the soak needs an X display")
        command = [xvfb, "-a", "-s", "-screen 0 1366x768x24", *command]
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False
    )
    for line in completed.stdout.splitlines():
        if line.startswith("SOAK "):
            return dict(json.loads(line[5:]))
    raise RuntimeError(
        f"soak child failed (exit {completed.returncode}): {completed.stderr.strip()[-2000:]}"
    )


def growth(record: dict[str, Any], cycles: int) -> dict[str, dict[str, float]]:
    """Per dialog: total growth of each measure over the recorded cycles, and RSS per cycle."""
    table: dict[str, dict[str, float]] = {}
    for name, run in record["dialogs"].items():
        before, after = run["before"], run["after"]
        row = {key: round(after[key] - before[key], 3) for key in before}
        row["rss_mb_per_cycle"] = round((after["rss_mb"] - before["rss_mb"]) / cycles, 4)
        row["ms_per_cycle"] = round(1000 * run["seconds"] / cycles, 1)
        table[name] = row
    return table


def bench_soak(*, cycles: int = 100, idle_seconds: float = 30.0) -> list[Result]:
    """Leak and idle-CPU results from one soak child and one bare idle child."""
    with scratch_folder("soak") as folder:
        record = run_child([str(folder), str(cycles), str(idle_seconds)], folder)
        bare = run_child(["bare", "0", str(idle_seconds)], folder)
    table = growth(record, cycles)
    worst_rss = max(row["rss_mb_per_cycle"] for row in table.values())
    worst_count = max(max(row["threads"], row["fds"], row["widgets"]) for row in table.values())
    notes = [f"{cycles} cycles per dialog after {10} warm-up cycles, on xcb"]
    rss = Result(
        key="soak_rss",
        title=f"Soak: RSS growth per open → close cycle, worst dialog ({cycles} cycles each)",
        unit="MB/cycle",
        app=worst_rss,
        baseline=None,
        ratio=None,
        target=RSS_PER_CYCLE_TARGET_MB,
        target_kind="value_max",
        met=judge(worst_rss, None, RSS_PER_CYCLE_TARGET_MB, "value_max"),
        baseline_title="none: nothing may accumulate",
        notes=notes,
        details={"per_dialog": table},
    )
    handles = Result(
        key="soak_handles",
        title="Soak: threads, descriptors and widgets left after the cycles, worst dialog",
        unit="objects",
        app=worst_count,
        baseline=None,
        ratio=None,
        target=0.0,
        target_kind="value_max",
        met=judge(worst_count, None, 0.0, "value_max"),
        baseline_title="none: back to where they were",
        notes=notes,
        details={"per_dialog": table},
    )
    idle = record["idle"]
    bare_idle = bare["idle"]
    ratio = (
        idle["percent_of_core"] / bare_idle["percent_of_core"]
        if bare_idle["percent_of_core"]
        else None
    )
    cpu = Result(
        key="idle_cpu",
        title=f"Idle CPU, board with {idle['active_episodes']} active episodes",
        unit="% of a core",
        app=idle["percent_of_core"],
        baseline=bare_idle["percent_of_core"],
        ratio=ratio,
        target=IDLE_CPU_TARGET_PERCENT,
        target_kind="value_max",
        met=judge(idle["percent_of_core"], None, IDLE_CPU_TARGET_PERCENT, "value_max"),
        baseline_title="bare PySide6 QMainWindow idling on xcb for the same time",
        notes=[f"event loop left running for {idle_seconds:g} s, nothing open"],
        details={"app": idle, "bare": bare_idle},
    )
    return [rss, handles, cpu]
