"""Start-up time and idle memory: the app's first painted ward board vs a bare QMainWindow.

Each run is a fresh interpreter (``bench/startup_child.py``) in the same venv, offscreen, with
its own temporary data and settings folders (``MGSO4_DATA_DIR``/``MGSO4_CONFIG_DIR``), an
empty record made before the runs (the usual start is opening an existing record) and the
start-up backup off (``MGSO4_NO_BACKUP_THREAD=1``, the app's own switch). Time runs from
the parent's ``perf_counter`` just before it spawns the child to the child's ``perf_counter``
just after its target's first paint has finished; memory is the child's VmRSS at that moment.

Targets (issue 18, replacing issue #8's 1.25 × and 1.3 ×): start-up ≤ 2 × the bare window; idle
memory ≤ 1.5 ×.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import BENCH_DIR, Result, interleave, median, ratio_result, scratch_folder

CHILD = BENCH_DIR / "startup_child.py"
STARTUP_TARGET = 2.0
MEMORY_TARGET = 1.5
#: A child that has not painted by then has hung (the first paint takes about a second).
CHILD_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ChildRun:
    """One child process: seconds from spawn to first paint, and memory then."""

    seconds: float
    interpreter_seconds: float
    rss_mb: float
    hwm_mb: float


def child_environment(folder: Path) -> dict[str, str]:
    """The environment for both children: offscreen, throwaway folders, no start-up backup."""
    env = dict(os.environ)
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            "MGSO4_DATA_DIR": str(folder / "data"),
            "MGSO4_CONFIG_DIR": str(folder / "config"),
            "MGSO4_NO_BACKUP_THREAD": "1",
            # Bytecode caches written and used, as on a user's machine (empty = unset).
            "PYTHONDONTWRITEBYTECODE": "",
        }
    )
    # Same interpreter flags for both sides; -X importtime etc. would distort the numbers.
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def run_child(arguments: list[str], env: dict[str, str]) -> ChildRun:
    """Spawn one child and read its PAINTED line.

    Raises:
        RuntimeError: the child failed or printed no measurement (its stderr is included).
    """
    spawned_at = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(CHILD), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    started_at = painted_at = None
    rss_kb = hwm_kb = 0
    for line in completed.stdout.splitlines():
        parts = line.split()
        if parts[:1] == ["STARTED"]:
            started_at = float(parts[1])
        elif parts[:1] == ["PAINTED"]:
            painted_at, rss_kb, hwm_kb = float(parts[1]), int(parts[2]), int(parts[3])
    if completed.returncode != 0 or painted_at is None or started_at is None:
        raise RuntimeError(
            f"start-up child {arguments[0]} failed (exit {completed.returncode}): "
            f"{completed.stderr.strip()[-2000:]}"
        )
    return ChildRun(
        seconds=painted_at - spawned_at,
        interpreter_seconds=started_at - spawned_at,
        rss_mb=rss_kb / 1024,
        hwm_mb=hwm_kb / 1024,
    )


def make_empty_record(record: Path) -> None:
    """Create the empty record the app opens (through the store, as the app would)."""
    from mgso4.storage import Store

    record.parent.mkdir(parents=True, exist_ok=True)
    Store.open(record).close()


def bench_startup(*, runs: int = 7, warmup: int = 1) -> list[Result]:
    """Start-up and idle-memory results (medians of ``runs`` fresh processes per side)."""
    with scratch_folder("startup") as folder:
        env = child_environment(folder)
        record = folder / "data" / "record.sqlite3"
        make_empty_record(record)
        app_runs: list[ChildRun] = []
        bare_runs: list[ChildRun] = []

        def app() -> float:
            run = run_child(["app", str(record)], env)
            app_runs.append(run)
            return run.seconds * 1000

        def bare() -> float:
            run = run_child(["bare"], env)
            bare_runs.append(run)
            return run.seconds * 1000

        app_ms, bare_ms = interleave(app, bare, runs=runs, warmup=warmup)
    # The warm-up pair is not recorded; the memory samples are the same runs as the times.
    app_runs, bare_runs = app_runs[warmup:], bare_runs[warmup:]
    interpreter_ms = median([run.interpreter_seconds * 1000 for run in bare_runs])
    details = {
        "runs": runs,
        "interpreter_start_ms_median": round(interpreter_ms, 1),
        "app_hwm_mb_median": round(median([run.hwm_mb for run in app_runs]), 1),
        "bare_hwm_mb_median": round(median([run.hwm_mb for run in bare_runs]), 1),
    }
    startup = ratio_result(
        key="startup",
        title="Start-up: process start to first painted ward board (offscreen, empty record)",
        unit="ms",
        app_samples=app_ms,
        baseline_samples=bare_ms,
        target=STARTUP_TARGET,
        baseline_title="bare PySide6 QMainWindow, first paint, same venv",
        details=details,
    )
    memory = ratio_result(
        key="idle_memory",
        title="Idle memory: VmRSS with the ward board shown",
        unit="MB",
        app_samples=[run.rss_mb for run in app_runs],
        baseline_samples=[run.rss_mb for run in bare_runs],
        target=MEMORY_TARGET,
        baseline_title="bare PySide6 QMainWindow shown, same venv",
        details={"runs": runs},
    )
    return [startup, memory]
