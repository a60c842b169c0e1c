"""What every benchmark shares: timing, medians, the result record and the import paths.

Every benchmark compares the app with a baseline measured side by side in the same session,
interleaved run by run (app, baseline, app, baseline, ...) so that a busy moment on the machine
falls on both sides. A result is the median of each side's runs and their ratio; targets are
ratios (or counts, or an absolute time where the brief gives one), never assertions in tests.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DESKTOP = ROOT / "desktop"
TESTS = ROOT / "tests"

#: How a target is judged: app/baseline ratio at most the target; an absolute value at most
#: the target (e.g. milliseconds, inputs); or a count that must equal the target (0 lost).
TargetKind = Literal["ratio_max", "value_max", "equals"]


def add_path(folder: Path) -> None:
    """Put a folder first on the import path (the package source, or a tests helper folder)."""
    text = str(folder)
    if text not in sys.path:
        sys.path.insert(0, text)


add_path(DESKTOP)


@dataclass
class Result:
    """One benchmark's outcome, as written to results.json and the README table.

    Attributes:
        key: Stable identifier (``startup``, ``append``, ...).
        title: What was measured, in words.
        unit: Unit of the medians (``ms``, ``MB``, ``inputs``, ``events``).
        app: The app's median (or its value, for counts).
        baseline: The baseline's median, or None where there is no baseline.
        ratio: app / baseline, or None.
        target: The target value.
        target_kind: How the target is judged (see :data:`TargetKind`).
        met: Whether the target is met.
        app_samples: Every run of the app, in ``unit``.
        baseline_samples: Every run of the baseline, in ``unit``.
        baseline_title: What the baseline is, in words.
        notes: Anything a reader must know to trust the number (fallbacks, sizes).
        details: Further figures (sizes, counts, breakdowns).
    """

    key: str
    title: str
    unit: str
    app: float | None
    baseline: float | None
    ratio: float | None
    target: float
    target_kind: TargetKind
    met: bool
    app_samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    baseline_title: str = ""
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (floats rounded for reading, samples kept)."""
        data = asdict(self)
        for name in ("app", "baseline", "ratio", "seconds"):
            if isinstance(data[name], float):
                data[name] = round(data[name], 4)
        for name in ("app_samples", "baseline_samples"):
            data[name] = [round(value, 4) for value in data[name]]
        return data


def median(samples: list[float]) -> float:
    """The median of a non-empty list of samples."""
    if not samples:
        raise ValueError("no samples to take the median of")
    return float(statistics.median(samples))


def judge(value: float | None, ratio: float | None, target: float, kind: TargetKind) -> bool:
    """Whether a result meets its target."""
    if kind == "ratio_max":
        return ratio is not None and ratio <= target
    if kind == "value_max":
        return value is not None and value <= target
    return value is not None and value == target


def ratio_result(
    *,
    key: str,
    title: str,
    unit: str,
    app_samples: list[float],
    baseline_samples: list[float],
    target: float,
    baseline_title: str,
    notes: list[str] | None = None,
    details: dict[str, Any] | None = None,
) -> Result:
    """A result judged by the ratio of the two medians."""
    app = median(app_samples)
    baseline = median(baseline_samples)
    ratio = app / baseline if baseline > 0 else None
    return Result(
        key=key,
        title=title,
        unit=unit,
        app=app,
        baseline=baseline,
        ratio=ratio,
        target=target,
        target_kind="ratio_max",
        met=judge(app, ratio, target, "ratio_max"),
        app_samples=list(app_samples),
        baseline_samples=list(baseline_samples),
        baseline_title=baseline_title,
        notes=list(notes or []),
        details=dict(details or {}),
    )


def interleave(
    app: Callable[[], float],
    baseline: Callable[[], float],
    *,
    runs: int,
    warmup: int = 1,
) -> tuple[list[float], list[float]]:
    """Run app and baseline alternately ``runs`` times each, after ``warmup`` unrecorded pairs.

    Each callable performs one run and returns its measurement. The order within a pair
    alternates (app first, then baseline first) so neither side always runs on a warmer cache.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    for _ in range(warmup):
        app()
        baseline()
    app_samples: list[float] = []
    baseline_samples: list[float] = []
    for index in range(runs):
        if index % 2 == 0:
            app_samples.append(app())
            baseline_samples.append(baseline())
        else:
            baseline_samples.append(baseline())
            app_samples.append(app())
    return app_samples, baseline_samples


def timed(action: Callable[[], object]) -> float:
    """Seconds one call takes (``time.perf_counter``)."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment, refusing anything that is not one."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise SystemExit(f"{name} must be a whole number (got {text!r}).") from None


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder on the same disk as the system temp folder, removed afterwards.

    ``BENCH_TMP`` chooses another parent folder (e.g. a slower disk to measure it).
    """
    parent = os.environ.get("BENCH_TMP") or None
    with tempfile.TemporaryDirectory(prefix=f"mgso4-bench-{prefix}-", dir=parent) as folder:
        yield Path(folder)
