"""Write ``bench/results.json`` and the results table in ``bench/README.md``.

The README is written by hand except the part between the two markers below, which
``make bench`` replaces with the table of the run it has just made (the rest is kept).
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import BENCH_DIR, ROOT, Result

START_MARKER = "<!-- results:start (written by make bench; edits here are replaced) -->"
END_MARKER = "<!-- results:end -->"
RESULTS_JSON = BENCH_DIR / "results.json"
README = BENCH_DIR / "README.md"


def machine() -> dict[str, Any]:
    """The machine and the versions the numbers were measured with."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions: dict[str, Any] = {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        import PySide6
        from PySide6 import QtCore

        versions["pyside6"] = PySide6.__version__
        versions["qt"] = QtCore.qVersion()
    except ImportError:
        pass
    try:
        import reportlab

        versions["reportlab"] = reportlab.Version
    except ImportError:
        pass
    from mgso4 import __version__

    versions["mgso4"] = __version__
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "versions": versions,
        "commit": git_commit(),
    }


def git_commit() -> str | None:
    """The commit the benchmarks ran on (with ``+changes`` if the tree was not clean)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+changes" if dirty else head


def number(value: float | None, unit: str) -> str:
    """A measured value with its unit, rounded for reading."""
    if value is None:
        return "—"
    if unit in {"inputs", "entries lost"}:
        return f"{value:.0f} {unit}"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    if abs(value) >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.2f} {unit}"


def target_text(result: Result) -> str:
    """The target in words: ``≤ 1.25×``, ``≤ 16 ms``, ``= 0 entries lost``."""
    if result.target_kind == "ratio_max":
        return f"≤ {result.target:g}×"
    if result.target_kind == "value_max":
        return f"≤ {number(result.target, result.unit)}"
    return f"= {number(result.target, result.unit)}"


def table(results: list[Result]) -> str:
    """The Markdown table of a run."""
    lines = [
        "| Benchmark | App (median) | Baseline (median) | Ratio | Target | Met |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for result in results:
        if result.error:
            error = f"error: {result.error}"
            lines.append(f"| {result.title} | {error} | | | {target_text(result)} | ✗ |")
            continue
        ratio = f"{result.ratio:.2f}×" if result.ratio is not None else "—"
        met = "✓" if result.met else "✗"
        lines.append(
            f"| {result.title} | {number(result.app, result.unit)} | "
            f"{number(result.baseline, result.unit)} | {ratio} | {target_text(result)} | {met} |"
        )
    return "\n".join(lines)


def results_block(results: list[Result], run: dict[str, Any]) -> str:
    """The README block: machine line, table, baselines and notes."""
    info = run["machine"]
    versions = info["versions"]
    lines = [
        START_MARKER,
        "",
        f"Run of {run['finished_at']} on commit `{info['commit']}`: "
        f"{info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB RAM, {info['os']}; "
        f"Python {versions['python']}, SQLite {versions['sqlite']}, "
        f"PySide6 {versions.get('pyside6', '?')} (Qt {versions.get('qt', '?')}), "
        f"reportlab {versions.get('reportlab', '?')}. "
        f"Whole run: {run['total_seconds'] / 60:.1f} min.",
        "",
        table(results),
        "",
        "Baselines:",
        "",
    ]
    for result in results:
        if result.baseline_title:
            lines.append(f"- *{result.key}*: {result.baseline_title}.")
    notes = [(result.key, note) for result in results for note in result.notes]
    notes += [("run", note) for note in run.get("notes", [])]
    if notes:
        lines += ["", "Notes from this run:", ""]
        lines += [f"- *{key}*: {note}" for key, note in notes]
    lines += ["", END_MARKER]
    return "\n".join(lines)


def write(
    results: list[Result],
    run: dict[str, Any],
    *,
    readme: Path = README,
    results_json: Path = RESULTS_JSON,
) -> None:
    """Write results.json and replace the results block of the README."""
    payload = {**run, "results": [result.as_dict() for result in results]}
    results_json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
    block = results_block(results, run)
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if START_MARKER in text and END_MARKER in text:
        before = text.split(START_MARKER, 1)[0]
        after = text.split(END_MARKER, 1)[1]
        text = before + block + after
    else:
        text = (text.rstrip() + "\n\n" if text else "# Benchmarks\n\n") + block + "\n"
    readme.write_text(text, encoding="utf-8")


def now_text() -> str:
    """The current UTC time, for the record of the run."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
